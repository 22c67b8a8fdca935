"""Nothing lost, nothing hijacked, honest outcomes: Ctrl-C and SIGKILL of `monitor crawl` and `monitor serve`, a
source crawled twice at once, and exit codes, against the local test site."""
from __future__ import annotations

import json
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.config import load_config
from monitor.demo.catalog import demo_sources
from monitor.runs.records import RunStore
from monitor.runs.supervisor import CTRL_C, SERVER_DIED, SERVER_STOPPED
from tests.conftest import TestSite, run_monitor, start_test_site, stop_test_site
from tests.conftest import write_config as write_test_config
from tests.runs import faults

pytestmark = pytest.mark.e2e
EXTRA_ARTICLES = 288  # 300 articles, three index batches: a kill after the first lands mid-crawl


@pytest.fixture
def site() -> Iterator[TestSite]:
    """A site of the test's own, with more articles than the demo's dozen: a crawl long enough to interrupt."""
    site = start_test_site()
    faults.add_articles(site.base_url, EXTRA_ARTICLES)
    yield site
    stop_test_site(site)


def runs(config: Path) -> list[dict[str, object]]:
    """Oldest first."""
    return list(reversed(RunStore(load_config(config).state_db).runs(limit=1000)))


def assert_no_orphans(config: Path) -> None:
    groups = faults.crawl_pids(config)
    assert groups, "no crawl was recorded"
    faults.wait_for(lambda: not faults.processes_of(groups), "the crawls' processes to be gone", timeout=60)


def test_ctrl_c_on_monitor_crawl_drains_the_crawl_prints_the_summary_and_records_it_interrupted(
        site: TestSite, tmp_path: Path) -> None:
    config = faults.write_config(tmp_path, site.base_url)
    log = tmp_path / "crawl.out"
    process = faults.start_monitor(config, "crawl", "--json", log=log)
    faults.wait_for(lambda: faults.indexed_articles(config) > 0, "the first indexed articles")
    os.killpg(process.pid, signal.SIGINT)  # the terminal's Ctrl-C: to its foreground process group
    assert process.wait(timeout=120) == 130
    output = log.read_text(encoding="utf-8")
    summary = json.loads(output[output.index("{"):output.rindex("}") + 1])["runs"]
    assert [(s["source"], s["status"], s["reason"]) for s in summary] == [(faults.SOURCE, "interrupted", CTRL_C)]
    assert summary[0]["articles_new"] > 0  # what was in flight was indexed and counted
    assert [(r["status"], r["reason"]) for r in runs(config)] == [("interrupted", CTRL_C)]
    crawl_log = Path(str(summary[0]["log"])).read_text(encoding="utf-8")
    assert "Closing spider (shutdown)" in crawl_log  # Scrapy's own graceful shutdown
    assert "BrokenProcessPool" not in crawl_log  # the extraction workers never saw the signal
    assert_no_orphans(config)


def test_a_source_crawled_by_one_monitor_crawl_is_refused_to_another_naming_the_holder(
        site: TestSite, tmp_path: Path) -> None:
    config = faults.write_config(tmp_path, site.base_url)
    first = faults.start_monitor(config, "crawl", log=tmp_path / "first.out")
    try:
        faults.wait_for(lambda: RunStore(load_config(config).state_db).running(), "the first crawl to start")
        second = run_monitor("crawl", config=config, check=False)
        assert second.returncode == 2
        assert (f"a crawl of '{faults.SOURCE}' is already running: `monitor crawl` pid {first.pid} on"
                in " ".join(second.stderr.split()))
        assert first.wait(timeout=300) == 0
    finally:
        faults.stop(first)
    assert [r["status"] for r in runs(config)] == ["finished"]
    assert faults.compare(config, site.base_url).complete


def test_exit_codes_say_a_crawl_fetched_nothing_or_only_reached_the_spool_and_agree_with_monitor_runs(
        test_site: TestSite, tmp_path: Path) -> None:
    closed = f"http://127.0.0.1:{_closed_port()}"
    unreachable = write_test_config(tmp_path / "feed", [{"name": "gone", "feeds": [f"{closed}/feed.xml"]}])
    result = run_monitor("crawl", "--json", config=unreachable, check=False)
    assert result.returncode == 1, result.stderr
    assert [r["status"] for r in json.loads(result.stdout)["runs"]] == ["failed"]
    listed = json.loads(run_monitor("runs", "--json", config=unreachable).stdout)["runs"]
    assert [r["status"] for r in listed] == ["failed"]

    source = next(s for s in demo_sources(test_site.base_url) if s["name"] == "valley-post")
    engine_down = write_test_config(tmp_path / "spool", [source], index={"url": closed})
    result = run_monitor("crawl", "--json", config=engine_down, check=False, timeout=600)
    assert result.returncode == 3, result.stderr
    [summary] = json.loads(result.stdout)["runs"]
    assert (summary["status"], summary["spooled"], summary["articles_new"]) == ("spooled", 12, 0)
    assert summary["reason"].startswith("12 articles wait in the spool")
    listed = json.loads(run_monitor("runs", "--json", config=engine_down).stdout)["runs"]
    assert [(r["status"], r["reason"]) for r in listed] == [("spooled", summary["reason"])]


def test_a_restarted_server_crawls_again_what_its_stop_interrupted_without_a_missed_slot(
        site: TestSite, tmp_path: Path) -> None:
    config = faults.write_config(tmp_path, site.base_url, schedule="1h")
    server = faults.start_monitor(config, "serve", "--no-web", log=tmp_path / "serve.log")
    try:
        faults.wait_for(lambda: faults.indexed_articles(config) > 0, "the first indexed articles")
        server.send_signal(signal.SIGTERM)  # grace_period 0s: the running crawl is stopped
        assert server.wait(timeout=60) == 0
        assert [(r["status"], r["reason"]) for r in runs(config)] == [("interrupted", SERVER_STOPPED)]
        assert not faults.compare(config, site.base_url).complete
        server = faults.start_monitor(config, "serve", "--no-web", log=tmp_path / "serve.log")
        faults.wait_for(lambda: len(runs(config)) == 2 and runs(config)[-1]["status"] != "running",
                        "the resumed crawl")
        assert [r["status"] for r in runs(config)] == ["interrupted", "finished"]
        assert faults.compare(config, site.base_url).complete
    finally:
        faults.stop(server)
    assert_no_orphans(config)


@pytest.mark.fault
def test_monitor_crawl_sigkilled_mid_crawl_then_run_again_loses_and_duplicates_nothing(
        site: TestSite, tmp_path: Path) -> None:
    config = faults.write_config(tmp_path, site.base_url)
    process = faults.start_monitor(config, "crawl", log=tmp_path / "crawl.out")
    faults.kill_mid_crawl(process, config, expected=12 + EXTRA_ARTICLES)
    assert_no_orphans(config)  # the crawl saw its parent die and stopped
    assert [r["status"] for r in runs(config)] == ["running"]  # nobody was left to record its end
    again = run_monitor("crawl", "--json", config=config, check=False, timeout=600)
    assert again.returncode == 0, again.stderr
    assert [(r["status"], r["reason"]) for r in runs(config)] == [
        ("interrupted", f"the process that supervised it (pid {process.pid}) died while the crawl ran"),
        ("finished", None)]
    comparison = faults.compare(config, site.base_url)
    assert comparison.missing == [] and comparison.complete, comparison
    assert_no_orphans(config)


@pytest.mark.fault
def test_monitor_serve_sigkilled_mid_crawl_then_restarted_loses_and_duplicates_nothing(
        site: TestSite, tmp_path: Path) -> None:
    config = faults.write_config(tmp_path, site.base_url, schedule="1h")  # no slot is missed by the restart
    server = faults.start_monitor(config, "serve", "--no-web", log=tmp_path / "serve.log")
    try:
        faults.kill_mid_crawl(server, config, expected=12 + EXTRA_ARTICLES)
        server = faults.start_monitor(config, "serve", "--no-web", log=tmp_path / "serve.log")
        faults.wait_for(lambda: len(runs(config)) == 2 and runs(config)[-1]["status"] != "running",
                        "the resumed crawl")
        assert [(r["status"], r["reason"]) for r in runs(config)] == [("interrupted", SERVER_DIED),
                                                                       ("finished", None)]
        comparison = faults.compare(config, site.base_url)
        assert comparison.missing == [] and comparison.complete, comparison
    finally:
        faults.stop(server)
    assert_no_orphans(config)


def _closed_port() -> int:
    """A port nothing listens on (bound, then closed)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_processes_of_finds_a_live_process_group(tmp_path: Path) -> None:
    """The orphan check itself: it sees a process group that is there, and not one that is gone."""
    child = subprocess.Popen(["sleep", "30"], start_new_session=True)
    try:
        assert faults.processes_of([child.pid]) == [f"{child.pid} sleep"]
    finally:
        child.kill()
        child.wait()
    assert faults.processes_of([child.pid]) == []
