"""Documents written by `monitor index spool --replay` reach alert matching like crawled ones, once each."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.config import load_config
from monitor.index.identity import index_identity
from monitor.index.spool import Spool
from monitor.items import ArticleItem, Comment
from tests.alerts.receivers import WebhookReceiver
from tests.conftest import run_monitor, write_config

pytestmark = pytest.mark.e2e


@pytest.fixture
def hook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver().up()
    yield receiver
    receiver.down()


def _article(title: str) -> ArticleItem:
    article = ArticleItem(id="r1", url="https://harbor.example/ferry", canonical_url="https://harbor.example/ferry",
                          source="harbor", title=title, text="The night ferry stops for a week.",
                          published="2026-11-20T10:00:00+01:00")
    article.comments = [Comment(id="r1-c1", article_id="r1", text="Good riddance.", position=1, author="reader")]
    return article


def _replay(config: Path) -> dict[str, object]:
    return dict(json.loads(run_monitor("index", "spool", "--replay", "--json", config=config).stdout))


def test_a_document_replayed_from_the_spool_by_the_cli_fires_its_alert_exactly_once(
        tmp_path: Path, hook: WebhookReceiver) -> None:
    config_path = write_config(tmp_path, [], alerts=[{"name": "ferry", "query": "ferry",
                                                      "notify": [f"json://{hook.base}/ferry"]}])
    config = load_config(config_path)
    spool = Spool(config.spool_dir, index=index_identity(config.index.url))  # the spool of this config's index
    # What a crawl leaves behind when the index could not take its batch.
    spool.append([_article("Night ferry suspended")], seen_at="2026-11-20T10:05:00Z")

    first = _replay(config_path)
    assert first["replayed"]["articles"] == 1  # type: ignore[index]
    assert [m["title"] for m in hook.at("/ferry")] == ["[ferry] Night ferry suspended"]
    assert "«ferry»" in hook.at("/ferry")[0]["message"]

    # The next crawl spooled the same article again, unchanged: written once per change, so no second message.
    spool.append([_article("Night ferry suspended")], seen_at="2026-11-21T10:05:00Z")
    again = _replay(config_path)
    assert again["replayed"]["articles"] == 1  # type: ignore[index]
    assert len(hook.at("/ferry")) == 1
