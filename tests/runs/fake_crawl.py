"""A stand-in for `scrapy crawl news`: writes progress lines like monitor.extensions and acts as its source's name says."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

GOOD = {"downloader/response_count": 3, "downloader/response_status_count/200": 3, "monitor/pages/article": 2,
        "monitor/index/articles/new": 2, "monitor/index/comments/new": 5}
SPOOLED = {"downloader/response_count": 3, "downloader/response_status_count/200": 3, "monitor/pages/article": 2,
           "monitor/index/spooled": 2}
WORKER = """
import os, signal, sys, time
def told(signum, frame):
    with open(sys.argv[1], "a", encoding="utf-8") as out:
        out.write(f"worker-signalled {sys.argv[2]} {os.getpid()}\\n")
    sys.exit(1)
signal.signal(signal.SIGINT, told)
signal.signal(signal.SIGTERM, told)
time.sleep(60)
"""
UNREACHABLE = {"monitor/errors/connection_refused": 2, "downloader/response_status_count/200": 1,
               "robotstxt/response_status_count/200": 1, "downloader/response_count": 1}


def main(argv: list[str]) -> int:
    journal, source = Path(argv[0]), argv[1]
    settings = dict(arg.split("=", 1) for arg in argv[3::2] if "=" in arg)
    progress = Path(settings["MONITOR_PROGRESS_FILE"])
    kind = source.split("-")[0]

    def note(event: str, pid: int | None = None) -> None:
        with journal.open("a", encoding="utf-8") as out:
            out.write(f"{event} {source} {pid or os.getpid()}\n")

    def report(stats: dict[str, int], *, reason: str | None = None) -> None:
        with progress.open("a", encoding="utf-8") as out:
            out.write(json.dumps({"final": reason is not None, "reason": reason, "stats": stats}) + "\n")

    note("start")
    report({"downloader/response_count": 1})
    if kind in ("drain", "stubborn"):  # like Scrapy: a first SIGTERM/SIGINT drains; the pool's worker stays out of it
        worker = subprocess.Popen([sys.executable, "-c", WORKER, str(journal), source])

        def drain(signum: int, frame: Any) -> None:
            note("drain")
            if kind == "drain":
                worker.kill()  # the pool shut down by its owner (ExtractPipeline.close_spider), not by a signal it sees
                worker.wait()
                report({"downloader/response_count": 2}, reason="shutdown")
                note("end")
                sys.exit(0)

        signal.signal(signal.SIGTERM, drain)
        signal.signal(signal.SIGINT, drain)
        note("child", worker.pid)
        time.sleep(60)
    if kind == "hang":  # with a child that would outlive it, like an extraction worker
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        note("child", child.pid)
        time.sleep(60)
    if kind == "slow":
        time.sleep(0.8)
    if kind == "crash":
        print("ValueError: the config of the fake crawl is broken", file=sys.stderr)
        note("end")
        return 3
    outcomes = {"unreachable": UNREACHABLE, "spooled": SPOOLED, "alerterr": {**GOOD, "monitor/errors/alerts": 1}}
    report(outcomes.get(kind, GOOD), reason="shutdown" if kind == "early" else "finished")
    note("end")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
