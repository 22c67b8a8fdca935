"""A stand-in for `scrapy crawl news`: writes progress lines like monitor.extensions and acts as its source's name says."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

GOOD = {"downloader/response_count": 3, "downloader/response_status_count/200": 3, "monitor/pages/article": 2,
        "monitor/index/articles/new": 2, "monitor/index/comments/new": 5}
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
    report(UNREACHABLE if kind == "unreachable" else GOOD, reason="shutdown" if kind == "early" else "finished")
    note("end")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
