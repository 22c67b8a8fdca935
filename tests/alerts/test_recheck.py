"""Alerts for what a killed crawl indexed but never matched: the job's redo matches them, and what was queued once
is not queued again."""
from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.alerts.recheck import recheck
from monitor.alerts.service import AlertEngine, new_documents
from monitor.config import config_from_dict
from monitor.index import open_index
from monitor.items import ArticleItem, Comment
from tests.alerts.receivers import WebhookReceiver


@pytest.fixture
def hook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver().up()
    yield receiver
    receiver.down()


def _article(n: int, source: str, text: str) -> ArticleItem:
    article = ArticleItem(id=f"a{n}", url=f"https://news.example/{n}", canonical_url=f"https://news.example/{n}",
                          source=source, title=f"Story {n}", text=text, published="2026-11-20T10:00:00+01:00")
    article.comments = [Comment(id=f"a{n}-c1", article_id=article.id, text=f"a comment on {text}", position=1,
                                author="reader")]
    return article


def _wait_for(hook: WebhookReceiver, count: int) -> None:
    deadline = time.monotonic() + 10
    while len(hook.at("/ferry")) < count and time.monotonic() < deadline:
        time.sleep(0.05)


def test_a_killed_crawls_unmatched_articles_alert_once_and_what_it_queued_is_not_queued_again(
        tmp_path: Path, hook: WebhookReceiver) -> None:
    config = config_from_dict({
        "data_dir": str(tmp_path / "data"), "index": {"url": f"sqlite:///{tmp_path / 'index.db'}"},
        "alerts": [{"name": "ferry", "query": "ferry", "types": ["article"], "notify": [f"json://{hook.base}/ferry"]}],
    }, path=tmp_path / "monitor.yaml")
    started = datetime.now(UTC)
    matched, unmatched = _article(1, "harbor", "the ferry sails"), _article(2, "harbor", "a ferry sinks")
    other = _article(3, "ledger", "ferry news elsewhere")
    with open_index(config.index.url) as index:
        seen = (started + timedelta(seconds=1)).isoformat(timespec="seconds")
        index.upsert([matched, unmatched, other], seen_at=seen)
    # The killed crawl had matched (and queued) its first article, not the second.
    engine = AlertEngine.open(config)
    try:
        engine.process(new_documents([matched], [matched.id]))
    finally:
        engine.close()
    _wait_for(hook, 1)
    assert len(hook.at("/ferry")) == 1

    counts = recheck(config, source="harbor", since=started)
    _wait_for(hook, 2)
    bodies = [str(m["message"]) for m in hook.at("/ferry")]
    assert counts["messages"] == 1
    assert [sum(url in body for body in bodies) for url in (matched.url, unmatched.url)] == [1, 1]
    assert not any(other.url in body for body in bodies)  # another source's documents are its own jobs' business
