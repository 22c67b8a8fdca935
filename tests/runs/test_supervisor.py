"""The crawl supervisor with a stand-in crawl command: one run per source, the limit, timeouts, stops, outcomes."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from monitor.config import Config, config_from_dict
from monitor.errors import CrawlRefused
from monitor.runs import supervisor as supervisor_module
from monitor.runs.records import RunStore
from monitor.runs.schedules import build_scheduler, job_id, sync_jobs
from monitor.runs.supervisor import CrawlSupervisor
from monitor.state.db import connect
from monitor.state.locks import CrawlLocks

FAKE_CRAWL = Path(__file__).with_name("fake_crawl.py")
WAIT_SECONDS = 30


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    """The stand-in crawls take a second; the supervisor looks at them more often than at real ones."""
    monkeypatch.setattr(supervisor_module, "POLL_SECONDS", 0.05)


def make_config(tmp_path: Path, names: list[str], **serve: Any) -> Config:
    sources = [{"name": name, "feeds": [f"http://127.0.0.1:9/{name}.xml"]} for name in names]
    return config_from_dict({"sources": sources, "serve": serve, "data_dir": str(tmp_path / "data")})


def make_supervisor(config: Config, journal: Path, **options: Any) -> CrawlSupervisor:
    return CrawlSupervisor(RunStore(config.state_db), config,
                           command=lambda source: [sys.executable, str(FAKE_CRAWL), str(journal), source], **options)


def events(journal: Path) -> list[tuple[str, str, int]]:
    lines = journal.read_text(encoding="utf-8").splitlines() if journal.exists() else []
    return [(event, source, int(pid)) for event, source, pid in (line.split() for line in lines)]


def most_at_once(journal: Path) -> int:
    """The most crawls that ran at the same time, from their own start and end lines."""
    running = most = 0
    for event, _, _ in events(journal):
        running += {"start": 1, "end": -1}.get(event, 0)
        most = max(most, running)
    return most


def wait_for(condition: Callable[[], Any], what: str) -> Any:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def alive(pid: int) -> bool:
    """Running (a SIGKILL the supervisor sent is delivered at once, but the process takes a moment to go)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def test_runs_end_as_finished_or_failed_with_the_reason_a_person_needs(tmp_path: Path) -> None:
    names = ["ok", "crash", "unreachable", "early"]
    config = make_config(tmp_path, names)
    supervisor = make_supervisor(config, tmp_path / "journal", parallel=4, timed=False)
    seen: dict[str, list[str]] = {}
    runs = supervisor.crawl(names, on_progress=lambda source, summary: seen.setdefault(source, []).append(
        summary["status"]))
    assert [run.source for run in runs] == names
    outcomes = {run.source: run.outcome for run in runs}
    assert outcomes["ok"] == ("finished", None)
    assert outcomes["crash"] is not None and outcomes["crash"].status == "failed"
    assert outcomes["crash"].reason == ("the crawl exited with code 3: "
                                        "ValueError: the config of the fake crawl is broken")
    assert outcomes["unreachable"] == ("failed", "no page could be fetched (connection_refused ×2)")
    assert outcomes["early"] == ("failed", "the crawl ended early (shutdown)")
    assert {source: statuses[-1] for source, statuses in seen.items()} == {
        "ok": "finished", "crash": "failed", "unreachable": "failed", "early": "failed"}
    records = {r["source"]: r for r in RunStore(config.state_db).runs()}
    assert {s: (r["status"], r["reason"]) for s, r in records.items()} == {
        run.source: tuple(run.outcome) for run in runs if run.outcome}
    assert (records["ok"]["articles_new"], records["ok"]["comments_new"], records["ok"]["pages_fetched"]) == (2, 5, 3)
    assert records["crash"]["errors"] == {"crawl_process": 1}
    assert runs[0].summary()["status"] == "finished" and runs[1].summary()["reason"].startswith("the crawl exited")


def test_no_more_crawls_run_at_once_than_the_limit_and_they_start_in_order(tmp_path: Path) -> None:
    names = ["slow-a", "slow-b", "slow-c", "slow-d"]
    config = make_config(tmp_path, names, max_concurrent_crawls=2)
    journal = tmp_path / "journal"
    runs = make_supervisor(config, journal).crawl(names)
    assert [run.status for run in runs] == ["finished"] * 4
    assert most_at_once(journal) == 2
    starts = [source for event, source, _ in events(journal) if event == "start"]
    assert sorted(starts[:2]) == ["slow-a", "slow-b"] and sorted(starts[2:]) == ["slow-c", "slow-d"]


def test_a_source_never_runs_twice_at_once(tmp_path: Path) -> None:
    config = make_config(tmp_path, ["slow"])
    journal = tmp_path / "journal"
    supervisor = make_supervisor(config, journal)
    assert supervisor.start("slow") == "started"
    with pytest.raises(CrawlRefused, match="'slow' is already running"):
        supervisor.start("slow")
    with pytest.raises(CrawlRefused, match="already running"):
        supervisor.run("slow")
    wait_for(lambda: [r["status"] for r in RunStore(config.state_db).runs()] == ["finished"]
             and not supervisor.running(), "the first run to end")
    assert supervisor.run("slow").status == "finished"  # once it ended, it runs again
    assert [event for event, _, _ in events(journal) if event in ("start", "end")] == ["start", "end"] * 2
    assert [r["status"] for r in RunStore(config.state_db).runs()] == ["finished", "finished"]


def test_a_crawl_of_many_that_includes_a_running_source_starts_none_of_them(tmp_path: Path) -> None:
    config = make_config(tmp_path, ["slow", "ok"])
    journal = tmp_path / "journal"
    supervisor = make_supervisor(config, journal)
    supervisor.start("slow")
    with pytest.raises(CrawlRefused, match="'slow' is already running"):
        supervisor.crawl(["ok", "slow"])
    wait_for(lambda: [r["status"] for r in RunStore(config.state_db).runs(source="slow")] == ["finished"],
             "the running crawl to end")
    assert [run.status for run in supervisor.crawl(["ok"])] == ["finished"]  # its place was given back
    assert [source for event, source, _ in events(journal) if event == "start"] == ["slow", "ok"]


def test_a_crawl_waiting_for_a_slot_is_queued(tmp_path: Path) -> None:
    config = make_config(tmp_path, ["slow-a", "slow-b"], max_concurrent_crawls=1)
    supervisor = make_supervisor(config, tmp_path / "journal")
    assert (supervisor.start("slow-a"), supervisor.start("slow-b")) == ("started", "queued")
    wait_for(lambda: len([r for r in RunStore(config.state_db).runs() if r["status"] == "finished"]) == 2,
             "both runs to finish")
    assert most_at_once(tmp_path / "journal") == 1


def test_a_crawl_still_running_at_its_timeout_is_killed_with_its_children(tmp_path: Path) -> None:
    config = make_config(tmp_path, ["hang"], crawl_timeout="1s")
    journal = tmp_path / "journal"
    run = make_supervisor(config, journal).run("hang")
    assert run.outcome is not None and run.outcome.status == "timeout"
    assert run.outcome.reason == "still running after 1s: killed"
    pids = [pid for _, _, pid in events(journal)]
    assert len(pids) == 2  # the crawl and the child it started
    wait_for(lambda: not any(alive(pid) for pid in pids), "every crawl process to be gone")
    record = RunStore(config.state_db).runs()[0]
    assert (record["status"], record["reason"]) == ("timeout", "still running after 1s: killed")
    assert RunStore(config.state_db).health("hang", unhealthy_after=1).state == "failing"


def test_stop_ends_running_crawls_as_interrupted_and_refuses_new_ones(tmp_path: Path) -> None:
    config = make_config(tmp_path, ["hang", "ok"], max_concurrent_crawls=1)
    journal = tmp_path / "journal"
    supervisor = make_supervisor(config, journal, timed=False)
    supervisor.start("hang")
    refused: list[BaseException] = []

    def waiting() -> None:
        try:
            supervisor.run("ok")
        except CrawlRefused as exc:
            refused.append(exc)

    waiter = threading.Thread(target=waiting)
    waiter.start()
    wait_for(lambda: len(events(journal)) == 2, "the crawl and its child")
    supervisor.stop(grace=0, reason="stopped for the test")
    waiter.join(WAIT_SECONDS)
    assert [str(exc) for exc in refused] == ["crawls stopped before 'ok' could start"]
    wait_for(lambda: not any(alive(pid) for _, _, pid in events(journal)), "every crawl process to be gone")
    assert [(r["source"], r["status"], r["reason"]) for r in RunStore(config.state_db).runs()] == [
        ("hang", "interrupted", "stopped for the test")]
    with pytest.raises(CrawlRefused, match="stopping"):
        supervisor.start("ok")


def test_ctrl_c_during_a_crawl_of_many_stops_them_and_records_them_as_interrupted(tmp_path: Path) -> None:
    config = make_config(tmp_path, ["hang-a", "hang-b"])
    journal = tmp_path / "journal"
    supervisor = make_supervisor(config, journal, parallel=2, timed=False)

    def press_ctrl_c() -> None:
        wait_for(lambda: len([e for e in events(journal) if e[0] == "child"]) == 2, "both crawls")
        os.kill(os.getpid(), signal.SIGINT)  # the terminal's Ctrl-C reaches only this process

    threading.Thread(target=press_ctrl_c, daemon=True).start()
    with pytest.raises(KeyboardInterrupt):
        supervisor.crawl(["hang-a", "hang-b"])
    wait_for(lambda: not any(alive(pid) for _, _, pid in events(journal)), "every crawl process to be gone")
    assert sorted((r["source"], r["status"], r["reason"]) for r in RunStore(config.state_db).runs()) == [
        ("hang-a", "interrupted", "stopped by Ctrl-C before the crawl ended"),
        ("hang-b", "interrupted", "stopped by Ctrl-C before the crawl ended")]


def test_a_scheduled_job_crawls_through_the_supervisor_the_scheduler_was_built_with(tmp_path: Path) -> None:
    sources = [{"name": "ok", "feeds": ["http://127.0.0.1:9/ok.xml"], "schedule": "1h"}]
    config = config_from_dict({"sources": sources, "data_dir": str(tmp_path / "data")})
    supervisor = make_supervisor(config, tmp_path / "journal")
    scheduler = build_scheduler(config, supervisor)
    scheduler.start(paused=True)
    try:
        assert sync_jobs(scheduler, config).added == ["ok"]
        job = scheduler.get_job(job_id("ok"))
        # What the job store keeps: a function found by its name, and the source; no supervisor.
        assert (job.func_ref, job.args, job.kwargs) == ("monitor.runs.schedules:run_scheduled_crawl", ("ok",), {})
        scheduler.resume()  # run_new_sources_now: due at once
        record = wait_for(lambda: [r for r in RunStore(config.state_db).runs() if r["status"] != "running"],
                          "the scheduled run")[0]
        assert (record["source"], record["status"], record["articles_new"]) == ("ok", "finished", 2)
    finally:
        scheduler.shutdown(wait=True)


# --- issue 11: nothing lost, nothing hijacked, honest outcomes -------------------------------------

def press_ctrl_c_when(condition: Callable[[], Any], what: str, presses: list[Callable[[], Any]]) -> None:
    """From another thread: wait for ``condition``, press Ctrl-C; then for each of ``presses``, again."""
    def press() -> None:
        wait_for(condition, what)
        os.kill(os.getpid(), signal.SIGINT)
        for then in presses:
            wait_for(then, "the next moment to press Ctrl-C")
            os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=press, daemon=True).start()


def test_first_ctrl_c_lets_the_crawl_drain_without_signalling_its_workers(tmp_path: Path) -> None:
    config = make_config(tmp_path, ["drain"])
    journal = tmp_path / "journal"
    supervisor = make_supervisor(config, journal, timed=False, origin="crawl")
    press_ctrl_c_when(lambda: any(e[0] == "child" for e in events(journal)), "the crawl and its worker", [])
    with pytest.raises(supervisor_module.CrawlsInterrupted) as interrupted:
        supervisor.crawl(["drain"])
    # The summary a person sees after Ctrl-C: the run that was stopped, with its counters.
    assert [(run.source, run.status, run.summary()["reason"], run.summary()["pages_fetched"])
            for run in interrupted.value.runs] == [("drain", "interrupted", supervisor_module.CTRL_C, 2)]
    seen = [event for event, _, _ in events(journal)]
    assert "drain" in seen and "end" in seen  # Scrapy's own graceful shutdown ran to its end
    assert "worker-signalled" not in seen  # no BrokenProcessPool: the signal went to the Scrapy process only
    wait_for(lambda: not any(alive(pid) for _, _, pid in events(journal)), "every crawl process to be gone")
    assert [(r["status"], r["reason"]) for r in RunStore(config.state_db).runs()] == [
        ("interrupted", supervisor_module.CTRL_C)]
    assert supervisor.locks.held() == []


def test_a_second_ctrl_c_kills_a_crawl_that_does_not_stop(tmp_path: Path) -> None:
    config = make_config(tmp_path, ["stubborn"])
    journal = tmp_path / "journal"
    supervisor = make_supervisor(config, journal, timed=False, origin="crawl")
    told: list[int] = []
    press_ctrl_c_when(lambda: any(e[0] == "child" for e in events(journal)), "the crawl and its worker",
                      [lambda: any(e[0] == "drain" for e in events(journal))])
    with pytest.raises(supervisor_module.CrawlsInterrupted) as interrupted:
        supervisor.crawl(["stubborn"], on_interrupt=told.append)
    assert told == [1, 2]
    assert [run.status for run in interrupted.value.runs] == ["interrupted"]
    wait_for(lambda: not any(alive(pid) for _, _, pid in events(journal)), "every crawl process to be gone")
    assert "end" not in [event for event, _, _ in events(journal)]


def test_a_source_is_never_crawled_by_two_processes_at_once_and_the_refusal_names_the_holder(tmp_path: Path) -> None:
    config = make_config(tmp_path, ["slow", "ok"])
    journal = tmp_path / "journal"
    server = make_supervisor(config, journal)  # as `monitor serve` would
    other = make_supervisor(config, journal, origin="crawl")  # a `monitor crawl` on the same state store
    assert server.start("slow") == "started"
    with pytest.raises(CrawlRefused) as refused:
        other.crawl(["ok", "slow"])
    assert str(refused.value).startswith(
        f"a crawl of 'slow' is already running: `monitor serve` pid {os.getpid()} on {socket.gethostname()} since ")
    wait_for(lambda: not server.running() and server.locks.held() == [], "the first crawl to end")
    assert [run.status for run in other.crawl(["ok", "slow"])] == ["finished", "finished"]
    assert [source for event, source, _ in events(journal) if event == "start"].count("slow") == 2
    assert most_at_once(journal) <= 2 and other.locks.held() == []


def test_a_lock_whose_holder_died_is_taken_over_and_its_run_recorded_interrupted(tmp_path: Path) -> None:
    config = make_config(tmp_path, ["ok"])
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    supervisor = make_supervisor(config, tmp_path / "journal", origin="crawl")
    store = RunStore(config.state_db)
    left = store.start("ok", pid=dead.pid, log_path="gone.log")
    with connect(config.state_db) as db:
        db.execute("INSERT INTO crawl_locks (source, holder_pid, host, started, origin, crawl_pid, run_id) "
                   "VALUES ('ok', ?, ?, '2026-01-01T00:00:00+00:00', 'crawl', ?, ?)",
                   (dead.pid, socket.gethostname(), dead.pid, left))
    assert supervisor.run("ok").status == "finished"
    assert [(r["id"], r["status"], r["reason"]) for r in reversed(store.runs())] == [
        (left, "interrupted", f"the process that supervised it (pid {dead.pid}) died while the crawl ran"),
        (left + 1, "finished", None)]


def test_a_server_starting_leaves_alone_a_crawl_another_live_process_runs(tmp_path: Path) -> None:
    config = make_config(tmp_path, ["hang"])
    journal = tmp_path / "journal"
    cli = make_supervisor(config, journal, timed=False, origin="crawl")
    cli.start("hang")
    wait_for(lambda: any(e[0] == "child" for e in events(journal)), "the crawl")
    store = RunStore(config.state_db)
    try:
        assert supervisor_module.recover_stale_runs(store, CrawlLocks(config.state_db, origin="serve")) == []
        assert [r["status"] for r in store.runs()] == ["running"]
        assert all(alive(pid) for _, _, pid in events(journal))
    finally:
        cli.stop(grace=0)
    assert [r["status"] for r in store.runs()] == ["interrupted"]


def test_a_crawl_whose_articles_only_reached_the_spool_is_not_finished(tmp_path: Path) -> None:
    config = make_config(tmp_path, ["spooled"])
    run = make_supervisor(config, tmp_path / "journal").run("spooled")
    assert run.outcome is not None and run.outcome.status == "spooled"
    assert run.outcome.reason is not None and run.outcome.reason.startswith("2 articles wait in the spool")
    record = RunStore(config.state_db).runs()[0]
    assert (record["status"], record["reason"]) == tuple(run.outcome)


def test_a_starting_server_crawls_again_once_each_source_whose_last_run_it_interrupted(tmp_path: Path) -> None:
    config = make_config(tmp_path, ["ok-stopped", "ok-died", "ok-ctrl-c", "ok-since"])
    journal = tmp_path / "journal"
    supervisor = make_supervisor(config, journal)
    store = supervisor.store
    for source, reason in [("ok-stopped", supervisor_module.SERVER_STOPPED), ("ok-died", supervisor_module.SERVER_DIED),
                           ("ok-ctrl-c", supervisor_module.CTRL_C), ("ok-since", supervisor_module.SERVER_STOPPED),
                           ("removed", supervisor_module.SERVER_STOPPED)]:
        store.mark_interrupted(store.start(source, pid=None, log_path="old.log"), reason)
    store.finish(store.start("ok-since", pid=None, log_path="new.log"), status="finished", reason=None, summary={})
    assert supervisor_module.resume_interrupted(supervisor) == ["ok-died", "ok-stopped"]
    wait_for(lambda: not supervisor.running() and len(events(journal)) == 4, "the resumed crawls")
    assert sorted(source for event, source, _ in events(journal) if event == "start") == ["ok-died", "ok-stopped"]
    assert {r["source"]: r["status"] for r in store.runs() if r["log_path"] not in ("old.log", "new.log")} == {
        "ok-died": "finished", "ok-stopped": "finished"}
