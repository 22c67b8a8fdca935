"""One crawl run: its `scrapy crawl news -a source=NAME` subprocess, log, progress, summary and how it ended."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from monitor.config import Config
from monitor.runs.records import FAILED, FINISHED, RUNNING, SPOOLED

ProgressCallback = Callable[[str, dict[str, Any]], None]  # (source, summarize_stats(...) | {"status": ...})
CrawlCommand = Callable[[str], list[str]]  # source -> argv; the supervisor's tests put a stand-in here


class Outcome(NamedTuple):
    """How a run ended: a status of monitor.runs.records and, unless it finished, why."""

    status: str
    reason: str | None


@dataclass
class CrawlRun:
    """One crawl of one source, running or finished."""

    source: str
    log_path: Path
    progress_path: Path
    started: str
    process: subprocess.Popen[bytes] | None = None
    ended: str | None = None
    returncode: int | None = None
    finish_reason: str | None = None
    stats: dict[str, Any] = field(default_factory=dict)
    progress_offset: int = 0  # bytes of the progress file already read
    outcome: Outcome | None = None  # set by whoever stopped it (timeout, stop); else read from how it ended
    run_id: int | None = None  # its run record, when one was kept

    @property
    def status(self) -> str:
        if self.outcome is not None:
            return self.outcome.status
        if self.returncode is None:
            return RUNNING
        return classify(self).status

    def summary(self) -> dict[str, Any]:
        """What a person wants after a crawl: pages fetched, what was indexed, errors by kind."""
        outcome = self.outcome or (classify(self) if self.returncode is not None else Outcome(RUNNING, None))
        return {
            "source": self.source,
            "status": outcome.status,
            "reason": outcome.reason,
            "started": self.started,
            "ended": self.ended,
            **summarize_stats(self.stats),
            "log": str(self.log_path),
        }


def summarize_stats(stats: dict[str, Any]) -> dict[str, Any]:
    """The counters of a Scrapy stats dict that the crawl summary shows."""
    def get(key: str) -> int:
        return int(stats.get(key, 0) or 0)

    errors = {k.removeprefix("monitor/errors/"): int(v) for k, v in stats.items() if k.startswith("monitor/errors/")}
    return {
        "pages_fetched": get("downloader/response_count"),
        "articles_fetched": get("monitor/pages/article"),
        "not_modified": get("monitor/pages/not_modified"),
        "articles_new": get("monitor/index/articles/new"),
        "articles_updated": get("monitor/index/articles/updated"),
        "articles_unchanged": get("monitor/index/articles/unchanged"),
        "comments_new": get("monitor/index/comments/new"),
        "comments_updated": get("monitor/index/comments/updated"),
        "spooled": get("monitor/index/spooled"),  # articles kept on disk while the engine was away
        "replayed": get("monitor/index/replayed"),
        "skipped": {
            k.removeprefix("monitor/skipped/"): int(v) for k, v in stats.items() if k.startswith("monitor/skipped/")
        },
        "errors": dict(sorted(errors.items())),
    }


def crawl_command(source: str) -> list[str]:
    """The command of one crawl run; the same as `scrapy crawl news -a source=NAME` in the project root."""
    return [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"source={source}"]


def start_crawl(config: Config, source: str, *, extra_settings: dict[str, str] | None = None,
                new_session: bool = False, command: CrawlCommand = crawl_command) -> CrawlRun:
    """Start one crawl subprocess; its log and progress go under ``<data_dir>/runs/``.

    ``new_session``: the crawl leads its own process group, so it (with its extraction workers) can be
    stopped as one, and a terminal's Ctrl-C reaches only its supervisor, which decides.
    """
    config.source(source)  # fail early on an unknown source or a missing secret
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    run_dir = Path(config.data_dir) / "runs" / source
    run_dir.mkdir(parents=True, exist_ok=True)
    log_path = run_dir / f"{stamp}.log"
    progress_path = run_dir / f"{stamp}.progress.jsonl"
    # MONITOR_PARENT_PID: the crawl stops when this process dies (monitor.extensions.ParentWatch).
    settings = {"MONITOR_PROGRESS_FILE": str(progress_path), "LOG_FILE": str(log_path),
                "MONITOR_PARENT_PID": str(os.getpid()), **(extra_settings or {})}
    argv = command(source)
    for key, value in settings.items():
        argv += ["-s", f"{key}={value}"]
    env = dict(os.environ)
    env["SCRAPY_SETTINGS_MODULE"] = "monitor.settings"
    if config.path:
        env["MONITOR_CONFIG"] = str(config.path)
    # stderr (a crash before logging starts) lands in the run's log too, so nothing is lost.
    with log_path.open("ab") as log:
        process = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                   start_new_session=new_session)
    return CrawlRun(source=source, log_path=log_path, progress_path=progress_path,
                    started=datetime.now(UTC).isoformat(timespec="seconds"), process=process)


def poll(run: CrawlRun) -> bool:
    """Refresh the run's counters from its progress file; True once the subprocess has ended."""
    if run.progress_path.exists():
        with run.progress_path.open("rb") as progress:
            progress.seek(run.progress_offset)
            chunk = progress.read()
        # Only whole lines: the crawl may be writing the last one right now.
        complete = chunk[: chunk.rfind(b"\n") + 1]
        run.progress_offset += len(complete)
        for line in complete.splitlines():
            if line.strip():
                snapshot = json.loads(line)
                run.stats = snapshot["stats"]
                if snapshot.get("final"):
                    run.finish_reason = snapshot.get("reason")
    if run.process is None or run.process.poll() is None:
        return False
    run.returncode = run.process.returncode
    run.ended = run.ended or datetime.now(UTC).isoformat(timespec="seconds")
    if run.returncode != 0:
        run.stats.setdefault("monitor/errors/crawl_process", 1)
    return True


def classify(run: CrawlRun) -> Outcome:
    """A run that ended by itself: finished, or failed with the reason a person needs."""
    if run.returncode != 0:
        detail = last_error(run.log_path)
        return Outcome(FAILED, f"the crawl exited with code {run.returncode}" + (f": {detail}" if detail else ""))
    if run.finish_reason != "finished":
        return Outcome(FAILED, f"the crawl ended early ({run.finish_reason or 'no final counters'})")
    if nothing_fetched(run.stats):
        errors = summarize_stats(run.stats)["errors"]
        shown = ", ".join(f"{kind} ×{count}" for kind, count in errors.items())
        return Outcome(FAILED, f"no page could be fetched ({shown})")
    waiting = left_in_spool(run.stats)
    if waiting:
        return Outcome(SPOOLED, f"{waiting} articles wait in the spool: the index could not take them; they are "
                                "written at the next crawl, or now with `monitor index spool --replay`")
    return Outcome(FINISHED, None)


def left_in_spool(stats: dict[str, Any]) -> int:
    """Articles this run put in the spool and did not write to the index later in the same run."""
    summary = summarize_stats(stats)
    return max(summary["spooled"] - summary["replayed"], 0)


def nothing_fetched(stats: dict[str, Any]) -> bool:
    """Every request failed: errors, and not one good answer beyond robots.txt."""
    if not any(k.startswith("monitor/errors/") for k in stats):
        return False
    good = sum(int(v) for k, v in stats.items()
               if re.fullmatch(r"downloader/response_status_count/(2\d\d|304)", k))
    robots = sum(int(v) for k, v in stats.items() if re.fullmatch(r"robotstxt/response_status_count/2\d\d", k))
    return good - robots <= 0


_ERROR_LINE = re.compile(r"\] ERROR: |^[A-Za-z_.]*(Error|Exception): ")


def last_error(log_path: Path, *, tail_bytes: int = 65536) -> str | None:
    """The last error line of a run's log, shortened, to say why it failed."""
    try:
        with log_path.open("rb") as log:
            log.seek(max(0, log_path.stat().st_size - tail_bytes))
            lines = log.read().decode("utf-8", "replace").splitlines()
    except OSError:
        return None
    for line in reversed(lines):
        if _ERROR_LINE.search(line):
            return line.strip()[:300]
    return None
