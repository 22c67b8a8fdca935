"""Faults on the write path (engine killed, engine frozen, full disk): after recovery the index equals the site, once."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import TestSite
from tests.e2e.index_faults import disk_full, engine_frozen, engine_killed
from tests.engines import LocalEngine
from tests.filesystems import FullDisk, full_disk  # noqa: F401 - the fixture

pytestmark = [pytest.mark.e2e, pytest.mark.fault]


@pytest.mark.timeout(900)
def test_an_engine_killed_mid_crawl_and_restarted_ends_with_every_document_once(
        test_site: TestSite, own_opensearch: LocalEngine, tmp_path: Path) -> None:
    outcome = engine_killed(test_site.base_url, own_opensearch, tmp_path)
    assert outcome.faulty["status"] == "spooled", outcome.faulty  # the crawl spooled what the engine missed
    assert outcome.faulty["spooled"] > 0, outcome.faulty
    assert outcome.recovered["status"] == "finished", outcome.recovered
    assert outcome.comparison.missing == []
    assert outcome.comparison.indexed == outcome.comparison.expected
    assert outcome.comparison.duplicates == 0


@pytest.mark.timeout(900)
def test_an_engine_frozen_mid_write_and_thawed_ends_with_every_document_once(
        test_site: TestSite, own_opensearch: LocalEngine, tmp_path: Path) -> None:
    outcome = engine_frozen(test_site.base_url, own_opensearch, tmp_path)
    assert outcome.extra["frozen"], "the crawl ended before the engine could be frozen"
    assert outcome.faulty["status"] == "spooled", outcome.faulty
    assert outcome.faulty["spooled"] > 0, outcome.faulty
    assert outcome.recovered["status"] == "finished", outcome.recovered
    assert outcome.comparison.missing == []
    assert outcome.comparison.indexed == outcome.comparison.expected
    assert outcome.comparison.duplicates == 0


@pytest.mark.timeout(600)
def test_a_full_disk_stops_the_crawl_with_what_to_free_and_the_next_crawl_after_freeing_space_gets_everything(
        test_site: TestSite, full_disk: FullDisk, tmp_path: Path) -> None:  # noqa: F811
    if full_disk.kind != "tmpfs":
        pytest.skip("no tmpfs could be mounted here (needs root, as in CI): a crawl's processes cannot be given a "
                    "full disk. The RLIMIT_FSIZE stand-in covers the same writer, spool and pipeline in "
                    "tests/index/test_write_faults.py (MONITOR_TEST_FULL_DISK=fsize forces it)")
    outcome = disk_full(test_site.base_url, full_disk, tmp_path / "config")
    faulty = outcome.faulty
    assert faulty["exit_code"] == 1 and faulty["status"] == "failed", faulty
    assert faulty["errors"].get("index_write_lost", 0) > 0, faulty
    reason = " ".join(str(faulty["reason"]).split())
    assert "index_write_lost" in reason and "free space on the disk" in reason and str(full_disk.path) in reason
    assert outcome.extra["validators"] == 0  # so the next crawl fetches the sitemap and every article again
    assert outcome.extra["tmp_files"] == []
    assert outcome.recovered["status"] == "finished", outcome.recovered
    assert outcome.comparison.missing == []
    assert outcome.comparison.indexed == outcome.comparison.expected
    assert outcome.comparison.duplicates == 0
