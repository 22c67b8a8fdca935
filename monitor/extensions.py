"""Scrapy extensions: the crawl's counters as JSON lines (progress), and a watch that stops a crawl whose parent died."""
from __future__ import annotations

import json
import logging
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

logger = logging.getLogger(__name__)

INTERVAL_SECONDS = 0.5
PARENT_CHECK_SECONDS = 0.5
# After its parent died, a crawl drains (what it fetched is indexed) but stops for good after this long: a
# download still in flight would otherwise keep it alive up to its download timeout.
PARENT_GONE_KILL_SECONDS = 10.0


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


class ParentWatch:
    """Stops the crawl when the process that started it (MONITOR_PARENT_PID) is gone: no crawl outlives its parent.

    First Scrapy's own graceful shutdown (as on SIGTERM); after PARENT_GONE_KILL_SECONDS the crawl's whole
    process group (it leads one when the supervisor started it) with its extraction workers is killed.
    """

    def __init__(self, parent_pid: int, *, kill_after: float = PARENT_GONE_KILL_SECONDS) -> None:
        self.parent_pid = parent_pid
        self.kill_after = kill_after
        self._loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ParentWatch:
        parent_pid = crawler.settings.getint("MONITOR_PARENT_PID")
        if not parent_pid:
            raise NotConfigured
        watch = cls(parent_pid)
        crawler.signals.connect(watch.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(watch.spider_closed, signal=signals.spider_closed)
        return watch

    def parent_alive(self) -> bool:
        # An orphan is re-parented (to init or a subreaper), so its parent pid changes.
        return os.getppid() == self.parent_pid

    def spider_opened(self) -> None:
        self._loop = task.LoopingCall(self.check)
        self._loop.start(PARENT_CHECK_SECONDS, now=True)

    def spider_closed(self) -> None:
        if self._loop and self._loop.running:
            self._loop.stop()

    def check(self) -> None:
        if self.parent_alive():
            return
        logger.warning("the process that started this crawl (pid %s) is gone: stopping the crawl", self.parent_pid)
        self.spider_closed()
        # A timer thread, not the reactor: it fires even when the reactor is what hangs.
        timer = threading.Timer(self.kill_after, self.kill)
        timer.daemon = True
        timer.start()
        os.kill(os.getpid(), signal.SIGTERM)  # Scrapy's graceful shutdown, the same as the supervisor's stop

    def kill(self) -> None:
        logger.error("the crawl did not stop %gs after its parent died: killed", self.kill_after)
        if os.getpgrp() == os.getpid():
            os.killpg(os.getpid(), signal.SIGKILL)
        os._exit(1)
