"""The spool: batches an unavailable engine could not take are kept on disk and replayed in order, once."""
from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

import opensearchpy

from monitor.errors import IndexUnavailable
from monitor.index.base import SearchRequest
from monitor.index.clients import EngineClient
from monitor.index.engine import EngineIndex
from monitor.index.spool import Spool, upsert_or_spool
from monitor.items import ArticleItem, Comment


def article(n: int, title: str) -> ArticleItem:
    return ArticleItem(id=f"s{n}", url=f"https://s.example/{n}", canonical_url=f"https://s.example/{n}", source="s",
                       title=title, text=f"spooled story {n}", published="2026-03-01T10:00:00Z",
                       comments=[Comment(id=f"s{n}-c1", article_id=f"s{n}", text="first!", position=1)])


def down_engine(prefix: str) -> EngineIndex:
    """A real client pointed at a port where nothing listens: what the index layer sees while the engine is down."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    client = EngineClient(opensearchpy.OpenSearch(hosts=[url], timeout=2, max_retries=0), url=url,
                          distribution="opensearch", version="?",
                          connection_errors=(opensearchpy.ConnectionError,), api_errors=(opensearchpy.TransportError,))
    return EngineIndex(client, prefix=prefix, init=False, retry_waits=())


def test_batches_spooled_while_the_engine_is_down_are_replayed_in_order_exactly_once(
        opensearch_url: str, engine_index_factory: Callable[[str], EngineIndex], tmp_path: Path) -> None:
    live = engine_index_factory(opensearch_url)
    down = down_engine(live.prefix)
    spool = Spool(tmp_path / "spool")

    assert upsert_or_spool(down, spool, [article(1, "first version"), article(2, "two")],
                           seen_at="2026-03-05T10:00:00Z") is None
    assert upsert_or_spool(down, spool, [article(1, "second version")], seen_at="2026-03-06T10:00:00Z") is None
    assert len(spool) == 2

    stats = upsert_or_spool(live, spool, [article(3, "three")], seen_at="2026-03-07T10:00:00Z")

    assert stats is not None and len(spool) == 0
    assert live.count() == {"article": 3, "comment": 3}
    assert live.get_article("s1")["title"] == "second version"  # the later batch was written last
    assert live.get_article("s1")["first_seen"] == "2026-03-05T10:00:00Z"
    hits = live.search(SearchRequest(query="spooled", types=("article",))).hits
    assert sorted(h["id"] for h in hits) == ["s1", "s2", "s3"]


def test_replay_stops_at_an_unavailable_index_and_keeps_the_batches(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool")
    spool.append([article(1, "one")], seen_at="2026-03-05T10:00:00Z")
    try:
        spool.replay(down_engine("monitor-test-down"))
    except IndexUnavailable as exc:
        assert "127.0.0.1" in str(exc)
    else:
        raise AssertionError("replay into a down engine must raise IndexUnavailable")
    assert len(spool) == 1
    [articles_seen] = [spool.load(p) for p in spool.pending()]
    assert articles_seen[0][0].comments[0].text == "first!"
