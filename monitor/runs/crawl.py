"""Crawl runs: one `scrapy crawl news -a source=NAME` subprocess per source, its log, progress and summary."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from monitor.config import Config

POLL_SECONDS = 0.2

ProgressCallback = Callable[[str, dict[str, Any]], None]


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

    @property
    def status(self) -> str:
        if self.returncode is None:
            return "running"
        if self.returncode != 0 or self.finish_reason not in ("finished", None):
            return "failed"
        return "finished" if self.finish_reason else "failed"

    def summary(self) -> dict[str, Any]:
        """What a person wants after a crawl: pages fetched, what was indexed, errors by kind."""
        return {
            "source": self.source,
            "status": self.status,
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
                new_session: bool = False) -> CrawlRun:
    """Start one crawl subprocess; its log and progress go under ``<data_dir>/runs/``.

    ``new_session``: the crawl leads its own process group, so it (with its extraction workers) can be
    stopped as one, and a terminal's Ctrl-C reaches only the server, which decides.
    """
    config.source(source)  # fail early on an unknown source
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    run_dir = Path(config.data_dir) / "runs" / source
    run_dir.mkdir(parents=True, exist_ok=True)
    log_path = run_dir / f"{stamp}.log"
    progress_path = run_dir / f"{stamp}.progress.jsonl"
    settings = {"MONITOR_PROGRESS_FILE": str(progress_path), "LOG_FILE": str(log_path), **(extra_settings or {})}
    command = crawl_command(source)
    for key, value in settings.items():
        command += ["-s", f"{key}={value}"]
    env = dict(os.environ)
    env["SCRAPY_SETTINGS_MODULE"] = "monitor.settings"
    if config.path:
        env["MONITOR_CONFIG"] = str(config.path)
    # stderr (a crash before logging starts) lands in the run's log too, so nothing is lost.
    with log_path.open("ab") as log:
        process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                   start_new_session=new_session)
    return CrawlRun(source=source, log_path=log_path, progress_path=progress_path,
                    started=datetime.now(timezone.utc).isoformat(timespec="seconds"), process=process)


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
    run.ended = run.ended or datetime.now(timezone.utc).isoformat(timespec="seconds")
    if run.returncode != 0:
        run.stats.setdefault("monitor/errors/crawl_process", 1)
    return True


def run_crawls(
    config: Config, sources: Sequence[str], *, parallel: int = 2, on_progress: ProgressCallback | None = None,
    on_start: Callable[[CrawlRun], None] | None = None, on_end: Callable[[CrawlRun], None] | None = None,
) -> list[CrawlRun]:
    """Crawl the sources, ``parallel`` at a time, and wait for all of them."""
    pending = list(sources)
    running: list[CrawlRun] = []
    finished: list[CrawlRun] = []
    while pending or running:
        while pending and len(running) < parallel:
            running.append(start_crawl(config, pending.pop(0)))
            if on_start:
                on_start(running[-1])
        time.sleep(POLL_SECONDS)
        for run in list(running):
            done = poll(run)
            if on_progress:
                on_progress(run.source, summarize_stats(run.stats) | {"status": run.status})
            if done:
                running.remove(run)
                finished.append(run)
                if on_end:
                    on_end(run)
    order = {name: i for i, name in enumerate(sources)}
    return sorted(finished, key=lambda r: order[r.source])
