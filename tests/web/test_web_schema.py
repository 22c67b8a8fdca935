"""The running API against its own OpenAPI description (schemathesis): every answer is documented and well-formed."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance

from tests.web.webtools import TOKEN, Server

pytestmark = pytest.mark.e2e  # a crawl of the test site and a real server

EXAMPLES_PER_OPERATION = 12


def test_the_api_keeps_to_its_openapi_description(web: Server) -> None:
    # schemathesis' pytest plugin (from_fixture) does not run under pytest 9, so each operation's
    # strategy is driven by hypothesis here; writes get the token, so alert writes are exercised too.
    # Schema-valid input may still be refused with a documented 400: free text that is not a query
    # (q="(") or a date that does not exist (2025-02-31); so "valid data is accepted" is not checked.
    schema = schemathesis.openapi.from_url(f"{web.url}/api/openapi.json")
    failures: dict[str, str] = {}
    checked = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"},
                                   excluded_checks=[positive_data_acceptance])

        try:
            check()
        except Exception as exc:  # collect every operation's failure, then report them together
            failures[operation.label] = str(exc)[:2000]
        checked += 1
    assert checked >= 15
    assert not failures, "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())
