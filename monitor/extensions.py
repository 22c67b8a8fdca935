"""A Scrapy extension that writes the crawl's counters as JSON lines, so `monitor crawl` can show progress."""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

INTERVAL_SECONDS = 0.5


class ProgressReporter:
    """Appends ``{"final": bool, "stats": {...}}`` lines to MONITOR_PROGRESS_FILE while the crawl runs."""

    def __init__(self, path: Path, stats: Any) -> None:
        self.path = path
        self.stats = stats
        self._loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressReporter:
        path = crawler.settings.get("MONITOR_PROGRESS_FILE")
        if not path:
            raise NotConfigured
        reporter = cls(Path(path), crawler.stats)
        crawler.signals.connect(reporter.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(reporter.spider_closed, signal=signals.spider_closed)
        return reporter

    def spider_opened(self) -> None:
        self._loop = task.LoopingCall(self.write, final=False)
        self._loop.start(INTERVAL_SECONDS, now=True)

    def spider_closed(self, reason: str) -> None:
        if self._loop and self._loop.running:
            self._loop.stop()
        self.write(final=True, reason=reason)

    def write(self, *, final: bool, reason: str | None = None) -> None:
        stats = {k: v for k, v in self.stats.get_stats().items() if isinstance(v, (int, float, str))}
        line = {"time": time.time(), "final": final, "reason": reason, "stats": stats}
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(line, default=str) + "\n")
