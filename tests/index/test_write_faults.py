"""A batch that can be neither indexed nor spooled (a full disk) stops the crawl, counted and named; nothing half-kept."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from monitor.errors import SpoolUnwritable, WriteLost
from monitor.index.identity import index_identity
from monitor.index.spool import Spool
from monitor.index.sqlite import SQLiteIndex
from monitor.index.writer import WRITE_LOST_STAT, BatchWriter
from monitor.index.written import Written
from monitor.items import ArticleItem, Comment
from monitor.middlewares import NEW_ARTICLE, ConditionalRequestsMiddleware
from monitor.state.validators import Validators, ValidatorStore
from pipelines.index import IndexPipeline
from tests.filesystems import FullDisk


def article(n: int) -> ArticleItem:
    # Big enough that a batch of a few does not fit in what a full disk (or the stand-in's file-size cap) leaves.
    return ArticleItem(id=f"f{n}", url=f"https://f.example/{n}", canonical_url=f"https://f.example/{n}", source="f",
                       title=f"story {n}", text=f"full disk story {n} " + "lorem ipsum dolor " * 800,
                       published="2026-03-01T10:00:00Z",
                       comments=[Comment(id=f"f{n}-c1", article_id=f"f{n}", text="a comment " * 200, position=1)])


def writer_on(disk: FullDisk, written: list[Written] | None = None) -> BatchWriter:
    url = f"sqlite:///{disk.path / 'monitor.db'}"
    return BatchWriter(lambda: SQLiteIndex(disk.path / "monitor.db"),
                       spool=Spool(disk.path / "spool", index=index_identity(url)),
                       index_name=f"the index {index_identity(url)}",
                       on_written=written.append if written is not None else None)


def test_a_batch_neither_indexed_nor_spooled_raises_write_lost_naming_the_folder_and_leaves_no_tmp_file(
        full_disk: FullDisk) -> None:
    written: list[Written] = []
    writer = writer_on(full_disk, written)
    writer.start()  # the index exists while there is room
    assert writer.spool is not None
    full_disk.fill()
    with full_disk.limit(), pytest.raises(WriteLost) as lost:
        writer.write([article(n) for n in range(40)])
    assert lost.value.articles == 40
    message = str(lost.value)
    assert str(writer.spool.directory) in message and "free space on the disk" in message
    assert list(writer.spool.directory.glob("*.tmp")) == []
    assert writer.spool.pending() == []
    assert written == []  # nothing was written, so no step after the write hears of it

    full_disk.free()
    report = writer.write([article(n) for n in range(40)])
    writer.close()
    assert report.written == 40 and [a.id for w in written for a in w.articles] == [f"f{n}" for n in range(40)]
    with SQLiteIndex(full_disk.path / "monitor.db") as index:
        assert index.count() == {"article": 40, "comment": 40}


def test_a_spool_write_on_a_full_disk_leaves_nothing_behind(full_disk: FullDisk) -> None:
    spool = Spool(full_disk.path / "spool", index="sqlite:///elsewhere.db")
    spool.append([article(0)], seen_at="2026-03-05T10:00:00Z")
    full_disk.fill()
    with full_disk.limit(), pytest.raises(SpoolUnwritable) as failed:
        spool.append([article(n) for n in range(40)], seen_at="2026-03-05T10:00:00Z")
    assert str(spool.directory) in str(failed.value)
    assert list(spool.directory.glob("*.tmp")) == []
    assert len(spool) == 1  # the batch from before the disk filled, whole


class Stats:
    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def inc_value(self, key: str, count: int = 1) -> None:
        self.values[key] = self.values.get(key, 0) + count

    def set_value(self, key: str, value: Any) -> None:
        self.values[key] = value

    def get_stats(self) -> dict[str, Any]:
        return dict(self.values)


def test_the_pipeline_counts_a_lost_write_as_an_error_and_stops_the_crawl_once_saying_what_to_free(
        full_disk: FullDisk) -> None:
    stats = Stats()
    reasons: list[str] = []
    writer = writer_on(full_disk)
    writer.batch_size = 10
    pipeline = IndexPipeline(writer=writer, stats=stats, stop_crawl=reasons.append)

    async def crawl() -> None:
        await pipeline.open_spider()
        full_disk.fill()
        with full_disk.limit():
            for n in range(25):
                await pipeline.process_item(article(n))
            await pipeline.close_spider()

    asyncio.run(crawl())
    assert stats.values[WRITE_LOST_STAT] == 25  # two full batches and the last five at close
    assert len(reasons) == 1
    assert reasons[0].startswith("index_write_lost: ") and "free space on the disk" in reasons[0]
    assert str(full_disk.path / "spool") in reasons[0]


def test_a_crawl_that_lost_a_write_stores_no_validators(tmp_path: Path) -> None:
    store = ValidatorStore(tmp_path / "state.db")
    stats = Stats()
    middleware = ConditionalRequestsMiddleware(store, stats=stats)
    middleware.source = "f"
    from scrapy import Request
    from scrapy.http import Response

    for kind, url in (("discovery", "https://f.example/sitemap.xml"), (NEW_ARTICLE, "https://f.example/1")):
        request = Request(url, meta={"conditional": kind})
        middleware.process_response(request, Response(url, status=200, headers={"ETag": '"v1"'}, request=request))
    stats.inc_value(WRITE_LOST_STAT, 3)
    middleware.spider_closed("index_write_lost: the disk is full")
    assert store.for_source("f") == {}
    assert stats.values["monitor/validators/stored"] == 0

    # The same crawl without the lost write keeps the article's validators (the feed's need a finished crawl).
    clean = ConditionalRequestsMiddleware(store, stats=Stats())
    clean.source = "f"
    request = Request("https://f.example/1", meta={"conditional": NEW_ARTICLE})
    clean.process_response(request, Response(request.url, status=200, headers={"ETag": '"v1"'}, request=request))
    clean.spider_closed("finished")
    assert store.for_source("f") == {"https://f.example/1": Validators("https://f.example/1", '"v1"', None)}
