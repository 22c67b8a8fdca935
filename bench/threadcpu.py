"""CPU of each thread of a running crawl's main process, by what the thread is (issue 17: where main's CPU goes).

Not run by itself: ``bench/throughput.py`` puts memtrace's ``sitecustomize`` on the crawl's PYTHONPATH with
``MONITOR_BENCH_THREADS=FILE``, which calls ``start()`` in the ``scrapy crawl`` process only. A thread there reads
``/proc/self/task/*/stat`` every half second (and at exit) and keeps ``FILE`` (JSON) current: user + system seconds
per thread kind, threads of one kind summed, each thread's last reading kept after it ends; what ended threads did
after their last reading is the process's count less the threads' sum.
"""
from __future__ import annotations

import atexit
import json
import os
import threading
import time
from pathlib import Path

POLL_SECONDS = 0.5
_TICKS = os.sysconf("SC_CLK_TCK")


def kind(thread: threading.Thread) -> str:
    """The reactor thread, the index writer, the process pool's feeder and result threads, or the thread's name."""
    if thread is threading.main_thread():
        return "reactor (downloader, spider, pipelines)"
    if thread.name.startswith("index_"):
        return "index writer (SQLite or bulk requests, clusters)"
    if type(thread).__name__ == "_ExecutorManagerThread":
        return "pool results (unpickling)"
    if thread.name == "QueueFeederThread":
        return "pool feeder (pickling, pipe writes)"
    return thread.name.rstrip("0123456789_-") or "other"


def start() -> None:
    watch = _Watch(Path(os.environ["MONITOR_BENCH_THREADS"]))
    atexit.register(watch.read)
    threading.Thread(target=watch.run, daemon=True, name="bench-threadcpu").start()


class _Watch:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.seconds: dict[int, float] = {}
        self.kinds: dict[int, str] = {}
        self.lock = threading.Lock()

    def run(self) -> None:
        while True:
            time.sleep(POLL_SECONDS)
            self.read()

    def read(self) -> None:
        with self.lock:
            self.kinds.update((t.native_id, kind(t)) for t in threading.enumerate() if t.native_id is not None)
            for tid in os.listdir("/proc/self/task"):
                try:
                    self.seconds[int(tid)] = _cpu(Path(f"/proc/self/task/{tid}/stat"))
                except OSError:  # the thread ended between the listing and the read
                    continue
            totals: dict[str, float] = {}
            for tid, cpu in self.seconds.items():
                name = self.kinds.get(tid, "other")
                totals[name] = totals.get(name, 0.0) + cpu
            # The process's own count holds its ended threads in full: what they did after their last reading.
            totals["threads ended between readings"] = max(0.0, _cpu(Path("/proc/self/stat")) - sum(totals.values()))
            partial = self.out.with_suffix(".tmp")
            partial.write_text(json.dumps(totals), encoding="utf-8")
            partial.replace(self.out)


def _cpu(stat: Path) -> float:
    """User + system seconds from a /proc stat file (fields 14 and 15; the name before them may hold spaces)."""
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def read(path: Path) -> dict[str, float]:
    try:
        return {str(k): float(v) for k, v in json.loads(path.read_text(encoding="utf-8")).items()}
    except (OSError, ValueError):
        return {}
