"""The crawl's memory trim: on by default where glibc is, on its interval, off when set to 0."""
from __future__ import annotations

import sys

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from monitor.extensions import MemoryTrim, glibc_malloc_trim


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
