"""A state store many processes share (SQLite on one machine, PostgreSQL across machines): each message sent once,
each digest queued once, concurrent validator writes, run logs from the store, and clear errors for a bad URL."""
from __future__ import annotations

import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from monitor.alerts.rules import Alert
from monitor.alerts.store import AlertStore
from monitor.config import AlertConfig, config_from_dict, load_config
from monitor.runs import status
from monitor.runs.logs import KEPT_BYTES
from monitor.runs.records import RunStore
from monitor.state.db import connect
from monitor.state.validators import ValidatorStore
from tests.conftest import PROJECT_ROOT, run_monitor, write_config
from tests.postgres import PostgresServer
from tests.state.writers import URLS

MESSAGES = 90


def _children(args: list[list[str]], tmp_path: Path) -> list[subprocess.CompletedProcess[str]]:
    """Start the writers, let them all go at once, and wait for them."""
    go = tmp_path / "go"
    processes, ready = [], []
    for n, extra in enumerate(args):
        ready.append(tmp_path / f"ready-{n}")
        processes.append(subprocess.Popen([sys.executable, "-m", "tests.state.writers", extra[0], extra[1],
                                           str(ready[-1]), str(go), *extra[2:]], cwd=PROJECT_ROOT,
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    deadline = time.monotonic() + 60
    while not all(r.exists() for r in ready) and time.monotonic() < deadline:
        if any(p.poll() is not None for p in processes):
            break
        time.sleep(0.02)
    go.touch()
    results = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return results


def _alert(name: str = "ferry", **fields: Any) -> Alert:
    return Alert.from_config(AlertConfig.model_validate({"name": name, "query": "ferry",
                                                         "notify": ["json://127.0.0.1:9/hook"], **fields}))


def _record(store: AlertStore, alert: Alert, ids: list[str]) -> dict[str, int]:
    return store.record([(alert, {"id": i, "type": "article"}, "hash") for i in ids],
                        summarize=lambda _a, doc: {"id": doc["id"]},
                        compose=lambda _a, items: [(f"message {i['id']}", "body", [i["id"]]) for i in items],
                        indexed_at=datetime.now(UTC))


@pytest.mark.e2e  # processes of their own
def test_two_processes_sending_one_outbox_send_each_message_once(state_url: Path | str, tmp_path: Path) -> None:
    store = AlertStore(state_url)
    alert = _alert()
    store.add(alert)
    assert _record(store, alert, [f"doc-{n}" for n in range(MESSAGES)])["messages"] == MESSAGES
    outs = [tmp_path / "sent-a", tmp_path / "sent-b"]
    results = _children([["outbox", str(state_url), str(out)] for out in outs], tmp_path)
    assert [r.returncode for r in results] == [0, 0], [r.stderr[-2000:] for r in results]
    sent = [line for out in outs if out.exists() for line in out.read_text().splitlines()]
    assert sorted(sent) == sorted(f"message doc-{n}" for n in range(MESSAGES))  # every one, none twice
    assert store.counts() == {"sent": MESSAGES}


def test_a_digest_is_queued_once_when_two_processes_find_it_due(state_url: Path | str) -> None:
    first, second = AlertStore(state_url), AlertStore(state_url)
    alert = _alert("morning", mode="digest", digest_schedule="0 8 * * *")
    first.add(alert)
    _record(first, alert, ["a", "b"])
    waiting = second.digest_waiting("morning")  # both read the waiting matches before either queues
    assert [item["id"] for _, item in waiting] == ["a", "b"]
    now = datetime.now(UTC)
    assert first.queue_digest(alert, [i for i, _ in waiting], "digest", "a, b", ["a", "b"], at=now)
    assert not second.queue_digest(alert, [i for i, _ in waiting], "digest", "a, b", ["a", "b"], at=now)
    assert [(m.kind, m.doc_ids) for m in first.history()] == [("digest", ["a", "b"])]
    assert second.digest_waiting("morning") == []


@pytest.mark.e2e  # processes of their own
def test_two_crawls_writing_the_same_validators_at_once_both_succeed_and_one_write_wins(
        state_url: Path | str, tmp_path: Path) -> None:
    ValidatorStore(state_url)
    results = _children([["validators", str(state_url), name, "5"] for name in ("a", "b")], tmp_path)
    assert [r.returncode for r in results] == [0, 0], [r.stderr[-2000:] for r in results]
    stored = ValidatorStore(state_url).get_many(URLS)
    assert len(stored) == len(URLS)
    assert {v.etag for v in stored.values()} <= {"a-4", "b-4"}


def _finished_run(url: Path | str, log: Path) -> int:
    store = RunStore(url)
    run_id = store.start("harbor", pid=None, log_path=str(log))
    store.finish(run_id, status="failed", reason="broken", summary={}, log_path=log)
    return run_id


@pytest.mark.e2e  # processes of their own
def test_a_run_log_is_read_from_the_state_store_once_its_file_is_gone(
        state_url: Path | str, state_section: dict[str, Any], tmp_path: Path) -> None:
    config_path = write_config(tmp_path / "site", [{"name": "harbor", "feeds": ["http://127.0.0.1:9/feed.xml"]}],
                               **state_section)
    config = load_config(config_path)
    log = tmp_path / "run.log"
    log.write_bytes(b"x" * KEPT_BYTES + "the crawl ended: Zürich unreachable\n".encode())
    run_id = _finished_run(config.state_url, log)
    here = status.run_log(config, run_id)
    assert here.origin == str(log) and here.size == log.stat().st_size
    log.unlink()  # as on any machine but the one that ran the crawl
    shown = run_monitor("runs", "--log", str(run_id), config=config_path)
    assert shown.stdout.endswith("the crawl ended: Zürich unreachable\n")
    assert len(shown.stdout.encode()) == KEPT_BYTES  # the last MB is kept
    assert f"log of run {run_id} from state store (written on " in shown.stderr


def test_a_log_file_of_the_same_path_on_another_machine_is_not_shown_for_the_run(
        state_url: Path | str, tmp_path: Path) -> None:
    log = tmp_path / "run.log"
    log.write_text("what the worker wrote\n")
    config = config_from_dict({"data_dir": str(tmp_path / "data"),
                               **({} if isinstance(state_url, Path) else {"cluster": {"state": state_url}})},
                              path=tmp_path / "monitor.yaml")
    run_id = _finished_run(config.state_url, log)
    with connect(config.state_url) as db:
        db.execute("UPDATE run_logs SET host = 'worker-7' WHERE run_id = :id", {"id": run_id})
    log.write_text("a later run on this machine wrote here\n")
    shown = status.run_log(config, run_id)
    assert (shown.origin, shown.text) == ("state store (written on worker-7)", "what the worker wrote\n")


def _cli_error(tmp_path: Path, state: str) -> subprocess.CompletedProcess[str]:
    config = write_config(tmp_path, [{"name": "harbor", "feeds": ["http://127.0.0.1:9/feed.xml"]}],
                          cluster={"state": state})
    return run_monitor("runs", config=config, check=False, timeout=60)


@pytest.mark.e2e  # processes of their own
def test_an_unreachable_postgresql_is_an_error_naming_the_url_and_what_to_fix(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = _cli_error(tmp_path, f"postgresql://monitor:s3cret@127.0.0.1:{port}/monitor")
    said = " ".join(result.stderr.split())
    assert result.returncode == 2
    assert f"cannot open the state store postgresql+psycopg://monitor:***@127.0.0.1:{port}/monitor" in said
    assert f"start PostgreSQL on 127.0.0.1:{port}, or correct the host and port of cluster.state" in said
    assert "s3cret" not in result.stderr and "Traceback" not in result.stderr


@pytest.mark.e2e  # processes of their own
def test_a_missing_postgresql_database_is_an_error_saying_how_to_create_it(
        postgres_server: PostgresServer, tmp_path: Path) -> None:
    result = _cli_error(tmp_path, postgres_server.url("no_such_db"))
    said = " ".join(result.stderr.split())  # as one line, however the terminal wrapped it
    assert result.returncode == 2
    assert 'database "no_such_db" does not exist' in said
    assert f"createdb -h 127.0.0.1 -p {postgres_server.port} -U postgres no_such_db" in said
    assert "Traceback" not in result.stderr
