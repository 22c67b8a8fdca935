"""The web's pure parts without a server: thread rows, the failed-auth throttle, allowed hosts."""
from __future__ import annotations

import logging
from typing import Any

import pytest

from monitor.web.hosts import AllowedHosts, split_host
from monitor.web.present import MAX_NESTING, thread_rows
from monitor.web.throttle import FIRST_WAIT_SECONDS, FREE_FAILURES, MAX_WAIT_SECONDS, AuthThrottle, Throttled


def chain(depth: int) -> list[dict[str, Any]]:
    return [{"id": f"c{n}", "parent_id": f"c{n - 1}" if n > 1 else None, "author": f"a{n}", "depth": n}
            for n in range(1, depth + 1)]


def test_a_thread_thousands_deep_becomes_balanced_rows_nested_at_most_the_limit() -> None:
    comments = [*chain(5000), {"id": "top", "parent_id": None, "author": "b", "depth": 1}]
    rows = thread_rows(comments)
    assert [r.comment["id"] for r in rows] == [c["id"] for c in comments]
    opened = sum(1 for r in rows if r.replies)
    assert opened == MAX_NESTING and sum(r.closes for r in rows) == opened
    assert rows[0].replies == 4999 and rows[MAX_NESTING].replies == 0
    assert rows[MAX_NESTING].answers is None  # still nested right under its parent
    assert rows[MAX_NESTING + 1].answers == comments[MAX_NESTING]  # listed flat: it names whom it answers


def test_replies_nest_under_their_parent_in_page_order_and_strays_go_to_the_top() -> None:
    comments = [{"id": "a", "parent_id": None}, {"id": "b", "parent_id": None}, {"id": "a1", "parent_id": "a"},
                {"id": "later", "parent_id": "z"}, {"id": "z", "parent_id": "z"}, {"id": "b1", "parent_id": "b"}]
    rows = thread_rows(comments)
    assert [r.comment["id"] for r in rows] == ["a", "a1", "b", "b1", "later", "z"]
    assert [(r.replies, r.closes) for r in rows] == [(1, 0), (0, 1), (1, 0), (0, 1), (0, 0), (0, 0)]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_failed_authentication_waits_double_after_the_free_tries(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    clock = Clock()
    throttle = AuthThrottle(clock=clock)
    for _ in range(FREE_FAILURES - 1):
        throttle.failed("192.0.2.1", what="wrong token")
    throttle.check("192.0.2.1")  # still free
    throttle.failed("192.0.2.1", what="wrong token")
    with pytest.raises(Throttled) as caught:
        throttle.check("192.0.2.1")
    assert caught.value.status_code == 429 and caught.value.headers == {"Retry-After": str(int(FIRST_WAIT_SECONDS))}
    throttle.check("192.0.2.2")  # another address is not held back
    clock.now += FIRST_WAIT_SECONDS
    throttle.check("192.0.2.1")
    throttle.failed("192.0.2.1", what="wrong token")
    with pytest.raises(Throttled) as again:
        throttle.check("192.0.2.1")
    assert again.value.headers == {"Retry-After": str(int(2 * FIRST_WAIT_SECONDS))}
    for _ in range(40):
        clock.now += MAX_WAIT_SECONDS
        throttle.failed("192.0.2.1", what="wrong token")
    with pytest.raises(Throttled) as capped:
        throttle.check("192.0.2.1")
    assert capped.value.headers == {"Retry-After": str(int(MAX_WAIT_SECONDS))}
    throttle.succeeded("192.0.2.1")
    throttle.check("192.0.2.1")
    assert all("192.0.2.1" in r.getMessage() for r in caplog.records) and len(caplog.records) == FREE_FAILURES + 41


@pytest.mark.parametrize(("header", "expected"), [("Example.org:8080", ("example.org", 8080)),
                                                  ("[::1]:80", ("::1", 80)), ("::1", ("::1", None)),
                                                  ("localhost.", ("localhost", None)), ("x:port", ("x", None))])
def test_host_headers_split_into_name_and_port(header: str, expected: tuple[str, int | None]) -> None:
    assert split_host(header) == expected


def test_allowed_hosts_take_names_subdomains_the_bind_address_and_the_address_reached() -> None:
    hosts = AllowedHosts(["localhost", "*.example.org"], bind_host="192.0.2.7")
    assert hosts.allows("localhost") and hosts.allows("news.example.org") and hosts.allows("192.0.2.7")
    assert not hosts.allows("example.org.attacker.net") and not hosts.allows("attacker.net")
    assert hosts.allows("198.51.100.3", local_address="198.51.100.3")  # an address is never a rebinding name
    assert not hosts.allows("rebind.attacker.net", local_address="198.51.100.3")
    assert not AllowedHosts(["localhost"], bind_host="0.0.0.0").allows("0.0.0.0")
    assert AllowedHosts(["*"]).allows("anything.example")
