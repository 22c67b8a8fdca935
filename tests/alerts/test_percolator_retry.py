"""The percolator asks again when the alerts index answers 503 while its shard starts, and fails at once when the
engine itself is down."""
from __future__ import annotations

from typing import Any

import pytest

from monitor.alerts import matching
from monitor.alerts.matching import PERCOLATOR_VERSION, PercolatorMatcher
from monitor.errors import IndexUnavailable
from monitor.index import mappings


class ShardStarting:
    """An engine client whose alerts index, created a moment ago by another crawl, answers 503 ``fails`` times."""

    def __init__(self, fails: int, *, engine_down: bool = False) -> None:
        self.fails = fails
        self.engine_down = engine_down
        self.searches = 0
        self.waits = 0

    def indices(self, pattern: str) -> list[str]:
        return [pattern.rstrip("*")]

    def get_mapping(self, index: str) -> dict[str, Any]:
        return {"_meta": {"monitor_percolator_version": PERCOLATOR_VERSION,
                          "monitor_mapping_version": mappings.MAPPING_VERSION}}

    def wait_for_primaries(self, index: str) -> None:
        self.waits += 1
        if self.engine_down and self.waits > 1:
            raise IndexUnavailable("cannot reach the search engine: connection refused")

    def search(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        self.searches += 1
        if self.searches <= self.fails:
            raise IndexUnavailable("cannot reach the search engine: HTTP 503")
        return {"hits": {"hits": []}}


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(matching.time, "sleep", lambda seconds: None)


def test_a_search_answered_503_while_the_shard_starts_is_asked_again() -> None:
    client = ShardStarting(fails=2)
    matcher = PercolatorMatcher(client, owns_client=False)  # type: ignore[arg-type]
    matcher.load([])
    assert client.searches == 3 and client.waits == 3  # the index opened once, then one wait per 503


def test_an_engine_that_is_down_fails_the_search_at_once() -> None:
    client = ShardStarting(fails=5, engine_down=True)
    matcher = PercolatorMatcher(client, owns_client=False)  # type: ignore[arg-type]
    with pytest.raises(IndexUnavailable, match="connection refused"):
        matcher.load([])
    assert client.searches == 1
