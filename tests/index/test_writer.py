"""BatchWriter: batches by count, bytes and age; an unavailable or refusing index never loses a document."""
from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from monitor.errors import IndexTimeout
from monitor.index.base import SearchIndex, SearchRequest
from monitor.index.clients import connect
from monitor.index.engine import EngineIndex
from monitor.index.spool import Spool
from monitor.index.sqlite import SQLiteIndex
from monitor.index.writer import BatchWriter, article_bytes
from monitor.items import ArticleItem, Comment
from tests.index.test_spool import down_engine


def article(n: int, *, text: str = "", likes: object = None) -> ArticleItem:
    return ArticleItem(id=f"w{n}", url=f"https://w.example/{n}", canonical_url=f"https://w.example/{n}", source="w",
                       title=f"story {n}", text=text or f"batched story {n}", published="2026-03-01T10:00:00Z",
                       comments=[Comment(id=f"w{n}-c1", article_id=f"w{n}", text="a comment", position=1,
                                         likes=likes)])  # type: ignore[arg-type]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def sqlite_writer(tmp_path: Path, **kwargs: object) -> tuple[BatchWriter, Callable[[], SearchIndex]]:
    def opener() -> SearchIndex:
        return SQLiteIndex(tmp_path / "monitor.db")
    return BatchWriter(opener, spool=Spool(tmp_path / "spool"), **kwargs), opener  # type: ignore[arg-type]


def test_a_batch_is_due_by_count_by_bytes_or_by_age(tmp_path: Path) -> None:
    clock = Clock()
    by_count, _ = sqlite_writer(tmp_path, batch_size=3, batch_bytes=10**9, batch_seconds=60, clock=clock)
    assert [by_count.add(article(n)) for n in range(3)] == [False, False, True]

    big = article(9, text="word " * 2000)
    by_bytes, _ = sqlite_writer(tmp_path, batch_size=100, batch_bytes=article_bytes(big) + 10, batch_seconds=60,
                                clock=clock)
    assert by_bytes.add(article(1)) is False
    assert by_bytes.add(big) is True

    by_age, _ = sqlite_writer(tmp_path, batch_size=100, batch_bytes=10**9, batch_seconds=5, clock=clock)
    assert by_age.due() is False  # nothing to write is never due
    assert by_age.add(article(1)) is False
    clock.now += 4.9
    assert by_age.due() is False
    clock.now += 0.2
    assert by_age.due() is True
    assert [a.id for a in by_age.take()] == ["w1"] and by_age.due() is False


def test_flush_writes_the_batch_and_counts_what_changed(tmp_path: Path) -> None:
    writer, opener = sqlite_writer(tmp_path)
    writer.start()
    for n in range(3):
        writer.add(article(n))
    report = writer.flush()
    assert (report.written, report.spooled, report.stats.articles_new, report.stats.comments_new) == (3, 0, 3, 3)
    writer.close()
    with opener() as index:
        assert index.count() == {"article": 3, "comment": 3}


def test_batches_go_to_the_spool_while_the_engine_is_down_and_are_replayed_first_when_it_is_back(
        opensearch_url: str, engine_index_factory: Callable[[str], EngineIndex], tmp_path: Path) -> None:
    live = engine_index_factory(opensearch_url)
    engine: dict[str, EngineIndex] = {"now": down_engine(live.prefix)}
    clock = Clock()
    writer = BatchWriter(lambda: engine["now"], spool=Spool(tmp_path / "spool"), retry_seconds=30, clock=clock)

    writer.add(article(1))
    first = writer.flush()
    assert (first.written, first.spooled, first.pending) == (0, 1, 1)
    # Within the retry pause the next batch goes straight to the spool, behind the first.
    writer.add(article(2))
    assert writer.flush().spooled == 1
    assert writer.spool_waiting() is False

    clock.now += 31
    engine["now"] = live
    assert writer.spool_waiting() is True
    writer.add(article(3))
    back = writer.flush()
    assert (back.replayed, back.written, back.spooled, back.pending) == (2, 1, 0, 0)
    assert back.stats.articles_new == 3
    assert live.count() == {"article": 3, "comment": 3}


def test_documents_the_engine_refuses_are_reported_by_id_and_the_rest_written(
        opensearch_url: str, engine_index_factory: Callable[[str], EngineIndex], tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    live = engine_index_factory(opensearch_url)
    writer = BatchWriter(lambda: live, spool=Spool(tmp_path / "spool"))
    writer.add(article(1))
    writer.add(article(2, likes="lots"))  # `likes` is an integer field: the engine refuses this comment alone
    with caplog.at_level(logging.ERROR):
        report = writer.flush()
    assert list(report.rejected) == ["w2-c1"]
    assert "likes" in report.rejected["w2-c1"]
    assert "id=w2-c1" in caplog.text
    assert report.spooled == 0 and report.pending == 0  # a replay would be refused again
    assert live.count() == {"article": 2, "comment": 1}
    assert live.search(SearchRequest(query="batched", types=("article",))).total == 2


def test_a_refused_spooled_batch_is_set_aside_with_its_reasons_and_does_not_block_the_rest(
        opensearch_url: str, engine_index_factory: Callable[[str], EngineIndex], tmp_path: Path) -> None:
    live = engine_index_factory(opensearch_url)
    spool = Spool(tmp_path / "spool")
    spool.append([article(1, likes="lots")], seen_at="2026-03-05T10:00:00Z")
    spool.append([article(2)], seen_at="2026-03-05T10:00:01Z")
    report = spool.replay(live)
    assert report.batches == 1 and list(report.rejected) == ["w1-c1"]
    assert len(spool) == 0 and len(spool.rejected()) == 1
    assert "likes" in (spool.directory / "rejected" / (spool.rejected()[0].stem + ".reasons.json")).read_text()
    assert live.count() == {"article": 2, "comment": 1}


class SilentEngine:
    """A local HTTP server that answers ``GET /`` as OpenSearch does and then never answers anything else:
    what a client sees of an engine that froze. It counts the requests that reach it."""

    INFO = json.dumps({"version": {"distribution": "opensearch", "number": "3.0.0"}}).encode()

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._server.getsockname()[1]}"
        self.requests: list[str] = []
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            self._open.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            while data := conn.recv(65536):
                line = data.split(b"\r\n", 1)[0].decode("latin-1")
                if line.split(" ")[0] not in ("GET", "POST", "PUT", "HEAD", "DELETE"):
                    continue  # the rest of a request body
                with self._lock:
                    self.requests.append(line)
                if line.startswith("GET / "):
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                                 + str(len(self.INFO)).encode() + b"\r\n\r\n" + self.INFO)
        except OSError:
            pass

    def close(self) -> None:
        for sock in [self._server, *self._open]:
            sock.close()


@pytest.fixture
def silent_engine() -> Iterator[SilentEngine]:
    engine = SilentEngine()
    yield engine
    engine.close()


def test_a_bulk_write_the_engine_never_answers_is_sent_once_and_gives_up_after_one_timeout(
        silent_engine: SilentEngine) -> None:
    client = connect(silent_engine.url, timeout=0.5)
    index = EngineIndex(client, prefix="monitor-test-silent", init=False, retry_waits=(0.01, 0.01, 0.01))
    try:
        with pytest.raises(IndexTimeout, match="did not answer bulk in time"):
            index.write([{"index": {"_index": "monitor-test-silent-articles", "_id": "x"}}, {"title": "x"}])
    finally:
        index.close()
    # One attempt: neither the client's transport nor the index layer sends a timed-out bulk again.
    assert [r.split(" ")[1].split("?")[0] for r in silent_engine.requests if r.startswith("POST")] == ["/_bulk"]


def test_an_articles_weight_is_near_its_json_size_however_many_comments_and_whatever_script() -> None:
    import json

    from monitor.items import Comment

    cases = []
    for words, comments in (("word ", 0), ("wörd ", 5), ("слово ", 40)):
        article = ArticleItem(id="w", url="https://e.example/w", canonical_url="https://e.example/w", source="e",
                              title="Weight", text=words * 2000, authors=["Ann Lee"], tags=["x", "y"])
        article.comments = [Comment(id=f"c{i}", article_id="w", position=i, text=words * 40, author="Bo")
                            for i in range(comments)]
        dumped = len(json.dumps(article.to_dict(with_comments=True), ensure_ascii=False, default=str).encode())
        cases.append(article_bytes(article) / dumped)
    assert len(cases) == 3
    assert all(0.8 <= ratio <= 1.25 for ratio in cases), cases
