"""Puts what the crawl wrote in its near-duplicate clusters (an on_written subscriber), before the alerts read it."""
from __future__ import annotations

import logging
from functools import partial
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from monitor.clusters.store import ClusterAssignment
from monitor.index import open_index
from monitor.index.written import Written
from monitor.signals import written_subscribers

logger = logging.getLogger(__name__)


class ClustersPipeline:
    """Subscribes to the crawl's on_written hook (on the index thread, so each batch is in its clusters before
    the next is written); items pass through untouched."""

    def __init__(self, *, assignment: ClusterAssignment, stats: Any) -> None:
        self.assignment = assignment
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ClustersPipeline:
        pipeline = cls(assignment=ClusterAssignment(partial(open_index, crawler.settings.get("MONITOR_INDEX_URL"))),
                       stats=crawler.stats)
        written_subscribers(crawler).subscribe(pipeline.written)
        crawler.signals.connect(pipeline.on_closed, signal=signals.spider_closed)
        return pipeline

    def process_item(self, item: Any) -> Any:
        return item

    def written(self, written: Written) -> None:
        before = (self.assignment.totals.articles, self.assignment.totals.moved)
        try:
            self.assignment(written)
        except Exception:  # noqa: BLE001 - the edge: the documents are written; `monitor clusters rebuild` mends this
            self.stats.inc_value("monitor/errors/clusters", 1)
            logger.exception("cluster assignment failed; these articles keep no cluster until `monitor clusters "
                             "rebuild` articles=%d ids=%s", len(written.articles),
                             ",".join(a.id for a in written.articles[:20]))
            return
        self.stats.inc_value("monitor/clusters/articles", self.assignment.totals.articles - before[0])
        self.stats.inc_value("monitor/clusters/joined", self.assignment.totals.moved - before[1])

    def on_closed(self) -> None:
        self.assignment.close()
