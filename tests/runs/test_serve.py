"""`monitor serve` as a real process against a local test site: schedules, incremental crawls, 304s, signals, crashes."""
from __future__ import annotations

import ctypes
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from monitor import service
from monitor.config import load_config
from monitor.demo.catalog import ARTICLE_PATHS
from monitor.demo.server import demo_sources
from monitor.index import SearchRequest
from monitor.runs.records import RunStore
from tests.conftest import PROJECT_ROOT, TestSite, monitor_json, write_config

pytestmark = pytest.mark.e2e  # real `monitor serve` processes and crawls
WAIT_SECONDS = 90
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Runs in the child: a server must not outlive a test run that was killed."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Server:
    """One `monitor serve` subprocess, its config and its state store."""

    def __init__(self, config: Path, *, web: bool = False) -> None:
        self.config = config
        self.web = web
        self.log = config.parent / "serve.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "monitor.cli", "--config", str(self.config), "serve",
                 "--web" if self.web else "--no-web"],
                cwd=PROJECT_ROOT, stdin=subprocess.DEVNULL, stdout=log, stderr=log, preexec_fn=_die_with_parent,
            )

    @property
    def store(self) -> RunStore:
        return RunStore(load_config(self.config).state_db)

    def runs(self, source: str | None = None) -> list[dict[str, Any]]:
        """Oldest first."""
        return list(reversed(self.store.runs(source=source, limit=1000)))

    def signal(self, signum: int) -> None:
        assert self.process is not None
        self.process.send_signal(signum)

    def stop(self, timeout: float = 60) -> int:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.terminate()
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise

    def kill_leftovers(self) -> None:
        """Crawls a killed server left behind (the tests SIGKILL servers on purpose)."""
        for run in self.store.running():
            try:
                os.killpg(int(run["pid"]), signal.SIGKILL)
            except (ProcessLookupError, PermissionError, TypeError):
                pass

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def wait_for(condition: Callable[[], Any], what: str, *, server: Server | None = None,
             timeout: float = WAIT_SECONDS) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        if server is not None and server.process is not None and server.process.poll() is not None:
            raise AssertionError(f"the server exited while waiting for {what}:\n{server.log_text()[-3000:]}")
        time.sleep(0.3)
    log = server.log_text()[-3000:] if server else ""
    raise AssertionError(f"timed out waiting for {what}\n{log}")


def finished_after(server: Server, source: str, after_id: int) -> dict[str, Any] | None:
    return next((r for r in server.runs(source) if r["id"] > after_id and r["status"] != "running"), None)


def last_id(server: Server) -> int:
    runs = server.runs()
    return runs[-1]["id"] if runs else 0


def hits(config: Path, query: str, *, types: tuple[str, ...] = ("article", "comment"),
         sources: tuple[str, ...] = ()) -> int:
    request = SearchRequest(query=query, types=types, sources=sources, limit=1)  # type: ignore[arg-type]
    return service.search(load_config(config), request).total


def serve_sources(site: TestSite, names: tuple[str, ...], schedule: Any) -> list[dict[str, Any]]:
    sources = [s for s in demo_sources(site.base_url) if s["name"] in names]
    for source in sources:
        source["schedule"] = schedule
    return sources


def site_requests(site: TestSite) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{site.base_url}/_admin/requests?detail=1", timeout=10) as response:
        return json.load(response)


def is_article_path(path: str) -> bool:
    return any(re.fullmatch(pattern, path) for pattern in ARTICLE_PATHS.values())


# --- one server over two outlets, on a schedule of a few seconds ----------------------------------

@pytest.fixture(scope="module")
def site(own_site: TestSite) -> TestSite:
    """These tests publish articles and comments on the site: a site of the module's own."""
    return own_site


@pytest.fixture(scope="module")
def served(site: TestSite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    directory = tmp_path_factory.mktemp("serve")
    sources = serve_sources(site, ("valley-post", "northern-ledger"), "4s")
    # watch_config off: the SIGHUP test must show that the signal (not the file watch) reloads.
    config = write_config(directory, sources, serve={"grace_period": "30s", "crawl_timeout": "120s",
                                                      "watch_config": False},
                          web={"host": "127.0.0.1", "port": free_port()})
    server = Server(config, web=True)
    server.start()
    yield server
    try:
        server.stop()
    finally:
        server.kill_leftovers()


def test_first_run_indexes_every_article_of_each_source(served: Server) -> None:
    for source in ("valley-post", "northern-ledger"):
        run = wait_for(lambda source=source: finished_after(served, source, 0), f"the first run of {source}",
                       server=served)
        assert run["status"] == "finished", run
        assert run["articles_new"] == 12 and run["comments_new"] > 0
        assert Path(run["log_path"]).exists()
    assert hits(served.config, "", types=("article",)) == 24


def test_second_run_over_unchanged_site_fetches_no_article_and_gets_304_for_feeds_and_sitemaps(
        served: Server, site: TestSite) -> None:
    wait_for(lambda: all(finished_after(served, s, 0) for s in ("valley-post", "northern-ledger")),
             "the first runs", server=served)
    # From here every run is a later one (a run in progress now too, whose requests may be logged in part): on a
    # schedule of 4 s a loaded machine may never be without a run, so none is waited for.
    site.clear_requests()
    mark = last_id(served)
    later = {s: wait_for(lambda s=s: finished_after(served, s, mark), f"the next run of {s}", server=served)
             for s in ("valley-post", "northern-ledger")}
    requests = site_requests(site)
    assert not [r["path"] for r in requests if is_article_path(r["path"])]
    feeds = [r for r in requests if r["path"] in ("/valley-post/feed.json", "/northern-ledger/atom.xml")]
    sitemaps = [r for r in requests if r["path"] in ("/valley-post/sitemap.xml", "/northern-ledger/sitemap-news.xml")]
    assert {r["path"] for r in feeds} == {"/valley-post/feed.json", "/northern-ledger/atom.xml"}
    assert {r["path"] for r in sitemaps} == {"/valley-post/sitemap.xml", "/northern-ledger/sitemap-news.xml"}
    assert {r["status"] for r in feeds + sitemaps} == {304}
    for run in later.values():
        assert run["status"] == "finished" and run["articles_new"] == 0
        assert run["not_modified"] >= 2  # its feed and its sitemap


def test_the_same_process_serves_the_web_api_over_what_it_crawled(served: Server) -> None:
    web = load_config(served.config).web
    base = f"http://{web.host}:{web.port}"

    def answer(path: str) -> Any:
        try:
            with urllib.request.urlopen(base + path, timeout=10) as response:
                return json.load(response)
        except OSError:
            return None

    assert wait_for(lambda: answer("/healthz"), "the web server", server=served)
    found = wait_for(lambda: (answer("/api/search?q=&type=article") or {}).get("total"), "articles in the API",
                     server=served)
    assert found > 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_article_added_to_the_site_is_indexed_by_the_next_run(served: Server, site: TestSite) -> None:
    site.post("/_admin/articles", {"outlet": "valley-post", "title": "Quokkafest opens on the pier",
                                   "body": "The first quokkafest drew crowds to the pier on Saturday."})
    wait_for(lambda: hits(served.config, "quokkafest", types=("article",)) == 1, "the new article", server=served)
    assert served.runs("valley-post")[-1]["status"] in ("finished", "running")


def test_new_comment_on_a_day_old_article_is_indexed_and_a_ten_day_old_article_is_not_fetched(
        served: Server, site: TestSite) -> None:
    now = datetime.now(UTC)
    young = site.post("/_admin/articles", {
        "outlet": "northern-ledger", "title": "Ferry timetable changes", "section": "city",
        "body": "The ferry timetable changes next week, says the zorbing club.",
        "published": (now - timedelta(days=1)).isoformat()})
    old = site.post("/_admin/articles", {
        "outlet": "northern-ledger", "title": "Harbour wall repaired", "section": "city",
        "body": "Masons repaired the harbour wall with help from the yodelling society.",
        "published": (now - timedelta(days=10)).isoformat()})
    wait_for(lambda: hits(served.config, "zorbing OR yodelling", types=("article",)) == 2,
             "both new articles", server=served)
    site.post("/_admin/comments", {"article": young["url"], "author": "Mara", "text": "Kitesurfing says hello."})
    site.post("/_admin/comments", {"article": old["url"], "author": "Ivo", "text": "Snorkelling says hello."})
    mark = last_id(served)
    wait_for(lambda: hits(served.config, "kitesurfing", types=("comment",)) == 1,
             "the comment on the day-old article", server=served)
    # Runs of northern-ledger that started after both comments were posted have ended.
    wait_for(lambda: finished_after(served, "northern-ledger", mark), "a run after the comments", server=served)
    assert hits(served.config, "snorkelling") == 0
    assert site.requests().get(old["path"]) == 1  # its one fetch, as a new article


def test_sighup_reloads_the_config_and_crawls_a_new_source(served: Server, site: TestSite) -> None:
    config = yaml.safe_load(served.config.read_text(encoding="utf-8"))
    config["sources"] += serve_sources(site, ("harbor-times",), {"every": "4s", "jitter": "1s"})
    served.config.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    served.signal(signal.SIGHUP)
    run = wait_for(lambda: finished_after(served, "harbor-times", 0), "a run of the new source", server=served)
    assert run["status"] == "finished" and run["articles_new"] > 0
    status = monitor_json("sources", config=served.config)
    assert status["server"]["running"] is True
    shown = {s["name"]: s for s in status["sources"]}
    assert set(shown) == {"valley-post", "northern-ledger", "harbor-times"}
    assert shown["harbor-times"]["schedule"] == "every 4 s (jitter 1 s)"
    assert all(s["health"] == "ok" and s["last_run"] and s["next_run"] for s in shown.values())
    listed = monitor_json("runs", "--source", "harbor-times", config=served.config)["runs"]
    assert listed and listed[-1]["source"] == "harbor-times" and listed[-1]["log"].endswith(".log")


def test_sigterm_stops_scheduling_and_lets_the_running_crawl_finish(served: Server) -> None:
    running = wait_for(lambda: served.store.running(), "a crawl in progress", server=served)
    served.signal(signal.SIGTERM)
    signalled = datetime.now(UTC).replace(microsecond=0)
    assert served.stop() == 0
    after = {r["id"]: r for r in served.runs()}
    for run in running:
        assert after[run["id"]]["status"] == "finished"
    assert not served.store.running()
    late = [r for r in after.values() if datetime.fromisoformat(r["started"]) > signalled + timedelta(seconds=1)]
    assert late == []
    assert "stopping: no new crawls" in served.log_text()


# --- a hung source: timeouts, never twice at once, health, and SIGTERM past the grace period -----

def test_hung_crawl_is_killed_at_its_timeout_and_a_slow_source_never_runs_twice_at_once(
        site: TestSite, tmp_path: Path) -> None:
    slow = f"{site.base_url}/lab/articles/slow-article/"
    sources = [{"name": "slow", "start_urls": [slow], "follow_depth": 0, "allowed_domains": ["127.0.0.1"],
                "schedule": "1s"}]
    config = write_config(tmp_path, sources, serve={"crawl_timeout": "3s", "grace_period": "0s",
                                                    "unhealthy_after": 2})
    body = yaml.safe_load(config.read_text(encoding="utf-8"))
    body["crawl"]["download_timeout"] = 120  # the page answers after 8 s; only the crawl timeout ends it
    config.write_text(yaml.safe_dump(body), encoding="utf-8")
    server = Server(config)
    server.start()
    try:
        wait_for(lambda: len([r for r in server.runs("slow") if r["status"] == "timeout"]) >= 2,
                 "two timed-out runs", server=server)
        runs = server.runs("slow")
        ended = [r for r in runs if r["status"] != "running"]
        for earlier, later in zip(runs, runs[1:], strict=False):
            assert earlier["ended"] is not None and later["started"] >= earlier["ended"], (earlier, later)
        for run in ended:
            assert run["status"] == "timeout" and "killed" in run["reason"]
            assert not Path(f"/proc/{run['pid']}").exists()  # the crawl's process is gone
        status = monitor_json("sources", config=config)["sources"][0]
        assert status["health"] == "failing" and "killed" in status["reason"]
        seen = last_id(server)
        running = wait_for(lambda: [r for r in server.store.running() if r["id"] > seen], "the next run",
                           server=server)
        assert server.stop() == 0  # no grace: stopped well inside the run's timeout
        last = next(r for r in server.runs("slow") if r["id"] == running[0]["id"])
        assert last["status"] == "interrupted"
    finally:
        if server.process and server.process.poll() is None:
            server.stop()
        server.kill_leftovers()


# --- SIGKILL, then a restart catches up with one run per source ----------------------------------

def _move_next_runs_back(config: Path, hours: int) -> None:
    """As if the server had been down for ``hours``: the stored next run times move into the past."""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    store = SQLAlchemyJobStore(url=f"sqlite:///{load_config(config).state_db}")
    store.start(BackgroundScheduler(), "default")
    for job in store.get_all_jobs():
        job.next_run_time = datetime.now(UTC) - timedelta(hours=hours, minutes=1)
        store.update_job(job)
    store.shutdown()


def test_sigkilled_server_restarts_cleanly_and_catches_up_once_per_source(site: TestSite, tmp_path: Path) -> None:
    names = ("valley-post", "northern-ledger")
    config = write_config(tmp_path, serve_sources(site, names, "1h"))
    server = Server(config)
    server.start()
    try:
        wait_for(lambda: {r["source"] for r in server.store.running()} == set(names), "both first runs to start",
                 server=server)
        server.process.kill()  # type: ignore[union-attr]
        server.process.wait()  # type: ignore[union-attr]
        stale = server.store.running()
        assert {r["source"] for r in stale} == set(names)
        _move_next_runs_back(config, hours=3)  # three missed hourly runs per source

        server.start()
        mark = max(r["id"] for r in stale)
        for source in names:
            wait_for(lambda source=source: finished_after(server, source, mark),
                     f"the catch-up run of {source}", server=server)
        time.sleep(2)  # room for a second catch-up run, which must not come
        for source in names:
            after = [r for r in server.runs(source) if r["id"] > mark]
            assert len(after) == 1 and after[0]["status"] == "finished", after
        for record in stale:
            now = next(r for r in server.runs() if r["id"] == record["id"])
            assert now["status"] == "interrupted" and "restart" in now["reason"]
            assert not Path(f"/proc/{record['pid']}").exists()
        upcoming = monitor_json("sources", config=config)["sources"]
        for source in upcoming:
            assert datetime.fromisoformat(source["next_run"]) > datetime.now(UTC) + timedelta(minutes=30)
        listed = [a for a in json.load(urllib.request.urlopen(f"{site.base_url}/_admin/truth", timeout=10))
                  if a["source"] in names]
        assert hits(config, "", types=("article",)) == len(listed)
        assert server.stop() == 0
    finally:
        if server.process and server.process.poll() is None:
            server.stop()
        server.kill_leftovers()
