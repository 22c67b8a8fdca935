"""The crawl's memory trim (on by default where glibc is, on its interval, off when set to 0) and its counters."""
from __future__ import annotations

import sys

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from monitor.extensions import MemoryTrim, QuickStats, glibc_malloc_trim


class Stats:
    def __init__(self) -> None:
        self.values: dict[str, int] = {}

    def inc_value(self, key: str, count: int = 1) -> None:
        self.values[key] = self.values.get(key, 0) + count


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_glibc_malloc_trim_runs_here() -> None:
    trim = glibc_malloc_trim()
    assert trim is not None
    assert trim() in (0, 1)  # 1: memory was handed back, 0: there was none to give


def test_each_run_trims_once_and_counts_it() -> None:
    calls: list[int] = []
    stats = Stats()
    extension = MemoryTrim(lambda: calls.append(1) or 1, interval=10.0, stats=stats)
    extension.run()
    extension.run()
    assert len(calls) == 2
    assert stats.values == {"monitor/memory/trims": 2}


def test_an_interval_of_zero_switches_the_trim_off() -> None:
    with pytest.raises(NotConfigured):
        MemoryTrim.from_crawler(get_crawler(settings_dict={"MONITOR_MALLOC_TRIM_SECONDS": 0}))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_the_trim_is_on_by_default_with_the_projects_settings() -> None:
    from monitor import settings

    crawler = get_crawler(settings_dict={"MONITOR_MALLOC_TRIM_SECONDS": settings.MONITOR_MALLOC_TRIM_SECONDS})
    extension = MemoryTrim.from_crawler(crawler)
    assert extension.interval == settings.MONITOR_MALLOC_TRIM_SECONDS > 0
    assert "monitor.extensions.MemoryTrim" in settings.EXTENSIONS


def test_the_crawls_counters_count_as_scrapys_do() -> None:
    from monitor import settings

    crawler = get_crawler(settings_dict={"STATS_CLASS": settings.STATS_CLASS})
    crawler._apply_settings()
    stats = crawler.stats
    assert isinstance(stats, QuickStats)
    stats.inc_value("pages")
    stats.inc_value("pages", 2)
    stats.max_value("peak", 5)
    stats.max_value("peak", 3)
    stats.set_value("status", "ok")
    assert stats.get_value("pages") == 3
    assert stats.get_stats() == {"pages": 3, "peak": 5, "status": "ok"}
    assert stats.get_value("missing", "default") == "default"
