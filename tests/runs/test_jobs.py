"""The job ledger: a run key is enqueued once, a done job stays done, a dead worker's attempt is found by the next."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.runs.jobs import DONE, QUEUED, RUNNING, Job, JobLedger


@pytest.fixture
def ledger(tmp_path: Path) -> JobLedger:
    return JobLedger(f"sqlite:///{tmp_path / 'state.db'}")


def test_a_run_key_names_the_source_and_the_due_second_in_utc() -> None:
    job = Job.at("harbor", datetime(2026, 12, 1, 22, 0, 5, 123456, tzinfo=UTC))
    assert job.key == "harbor@2026-12-01T22:00:05+00:00"


def test_a_job_is_enqueued_once_whoever_enqueues_it(ledger: JobLedger) -> None:
    job = Job("harbor", "2026-12-01T22:00:00+00:00")
    assert ledger.enqueue(job, sender="serve-a")
    assert not ledger.enqueue(job, sender="serve-b")  # a new leader catching up the same slot
    assert [(j["key"], j["sender"]) for j in ledger.jobs()] == [(job.key, "serve-a")]
    assert ledger.pending() == [job]


def test_an_ended_attempt_marks_the_job_done_or_queued_again(ledger: JobLedger) -> None:
    job = Job("harbor", "2026-12-01T22:00:00+00:00")
    ledger.enqueue(job, sender="serve-a")
    attempt = ledger.begin(job, worker="w1", ttl=30)
    assert ledger.state(job) == RUNNING
    assert ledger.pending() == []  # a running job is the broker's to deliver again
    ledger.end(job, attempt, outcome="the worker stopped", done=False)
    assert ledger.state(job) == QUEUED
    again = ledger.begin(job, worker="w2", ttl=30)
    assert again.left is None  # the first attempt ended: nothing was left running
    ledger.end(job, again, outcome="finished", done=True)
    assert ledger.state(job) == DONE
    assert [a["outcome"] for a in ledger.attempts_of("harbor")] == ["the worker stopped", "finished"]


def test_the_next_attempt_finds_the_one_a_dead_worker_left_with_its_run(ledger: JobLedger) -> None:
    job = Job("harbor", "2026-12-01T22:00:00+00:00")
    first = ledger.begin(job, worker="w1", ttl=30)
    ledger.attach(first, 17)
    second = ledger.begin(job, worker="w2", ttl=30)
    assert second.left is not None
    assert (second.left.id, second.left.run_id, second.left.worker) == (first.id, 17, "w1")
    ended = {a["id"]: a for a in ledger.attempts_of()}[first.id]
    assert ended["ended"] == ended["alive_until"]  # it ended where its lease lapsed


def test_a_due_run_is_skipped_while_a_run_of_its_source_is_queued_or_running(ledger: JobLedger) -> None:
    first, second = Job("harbor", "2026-12-01T22:00:00+00:00"), Job("harbor", "2026-12-01T22:15:00+00:00")
    assert ledger.enqueue(first, sender="serve-a")
    assert not ledger.enqueue(second, sender="serve-a")  # the first has not run yet
    assert ledger.enqueue(Job("ledger", second.due), sender="serve-a")  # other sources are theirs to run
    attempt = ledger.begin(first, worker="w1", ttl=30)
    assert not ledger.enqueue(second, sender="serve-a")  # nor ended
    ledger.end(first, attempt, outcome="finished", done=True)
    assert ledger.enqueue(second, sender="serve-a")


def test_a_redo_knows_when_the_first_attempt_that_started_a_crawl_began(ledger: JobLedger) -> None:
    job = Job("harbor", "2026-12-01T22:00:00+00:00")
    refused = ledger.begin(job, worker="w1", ttl=30)  # ended before its crawl started: nothing to recheck
    assert refused.redone_since is None
    ledger.end(job, refused, outcome="not started", done=False)
    assert ledger.begin(job, worker="w2", ttl=30).redone_since is None
    crawled = next(a for a in ledger.attempts_of("harbor") if a["worker"] == "w2")
    ledger.attach(ledger.begin(job, worker="w3", ttl=30), 17)
    redo = ledger.begin(job, worker="w4", ttl=30)
    assert redo.redone_since is not None and redo.redone_since >= float(str(crawled["started"]))
