"""tracemalloc snapshots of a running crawl's main process at chosen article counts (issue 17: memory per 1,000 pages).

Not run by itself: ``bench/throughput.py --tracemalloc DIR --trace-at 2000,8000`` puts a ``sitecustomize`` on the
crawl's PYTHONPATH that calls ``start()`` in the ``scrapy crawl`` process only. A thread there reads the crawl's
progress file and, at each article count named, writes ``DIR/at-N.snapshot`` (tracemalloc, 25 frames) and a line
to ``DIR/memory.jsonl``: RSS, what tracemalloc traces, and glibc's ``mallinfo2`` (arena bytes in use against bytes
held), which tells Python objects that stay from an allocator that holds freed memory. Compare two snapshots with
``python bench/memtrace.py compare DIR/at-2000.snapshot DIR/at-8000.snapshot``.
"""
from __future__ import annotations

import ctypes
import gc
import json
import os
import sys
import threading
import time
import tracemalloc
from pathlib import Path

# Enough to reach our code from Scrapy's and asyncio's frames; more frames make every allocation dearer.
FRAMES = 12
POLL_SECONDS = 1.0

# Also starts bench/threadcpu.py's watch where MONITOR_BENCH_THREADS is set: one sitecustomize per PYTHONPATH.
SITECUSTOMIZE = """\
import os, sys
# `python -m scrapy crawl ...` shows here as ['-m', 'crawl', ...]: the crawl is the one given a progress file.
if any(a.startswith("MONITOR_PROGRESS_FILE=") for a in sys.argv):
    sys.path.insert(0, {bench!r})
    if os.environ.get("MONITOR_BENCH_TRACEMALLOC"):
        import memtrace
        memtrace.start()
    if os.environ.get("MONITOR_BENCH_THREADS"):
        import threadcpu
        threadcpu.start()
"""


class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks",
                 "keepcost")]


def mallinfo() -> dict[str, int]:
    """glibc's heap: ``arena`` + ``hblkhd`` held from the system, ``uordblks`` + ``hblkhd`` in use, ``fordblks`` free."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = MallInfo2
        info = libc.mallinfo2()
    except (OSError, AttributeError):
        return {}
    return {name: int(getattr(info, name)) for name, _ in MallInfo2._fields_}


def rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def write_sitecustomize(directory: Path) -> Path:
    """A folder to put first on the crawl's PYTHONPATH."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "sitecustomize.py").write_text(SITECUSTOMIZE.format(bench=str(Path(__file__).resolve().parent)),
                                                encoding="utf-8")
    return directory


def _progress_file() -> Path | None:
    for arg in sys.argv:
        if arg.startswith("MONITOR_PROGRESS_FILE="):
            return Path(arg.split("=", 1)[1])
    return None


def _extracted(path: Path) -> int:
    try:
        data = path.read_bytes()
    except OSError:
        return 0
    lines = data[: data.rfind(b"\n")].splitlines()
    return int(json.loads(lines[-1])["stats"].get("monitor/articles/extracted", 0)) if lines else 0


def start() -> None:
    """Tracing starts at ``MONITOR_BENCH_TRACE_START`` articles (default: half the first mark), not at start-up:
    imports and the crawl's warm-up are not what grows, and tracing them slows the start by minutes."""
    out = Path(os.environ["MONITOR_BENCH_TRACEMALLOC"])
    marks = sorted(int(n) for n in os.environ.get("MONITOR_BENCH_TRACE_AT", "2000,8000").split(","))
    begin = int(os.environ.get("MONITOR_BENCH_TRACE_START") or marks[0] // 2)
    # MONITOR_BENCH_TRACE_FRAMES=0: no tracemalloc, only RSS and mallinfo2 at each mark (costs nothing).
    frames = int(os.environ.get("MONITOR_BENCH_TRACE_FRAMES") or FRAMES)
    threading.Thread(target=_watch, args=(out, begin, marks, frames), daemon=True).start()


def _watch(out: Path, begin: int, marks: list[int], frames: int) -> None:
    progress = None
    while marks:
        time.sleep(POLL_SECONDS)
        progress = progress or _progress_file()
        if progress is None:
            continue
        done = _extracted(progress)
        if frames and done >= begin and not tracemalloc.is_tracing():
            tracemalloc.start(frames)
            _log(out, {"crawl": str(progress), "articles": done, "event": "tracing started", "rss_kb": rss_kb(), "malloc": mallinfo()})
        if done < marks[0]:
            continue
        marks.pop(0)
        if not frames:
            _log(out, {"crawl": str(progress), "articles": done, "rss_kb": rss_kb(), "malloc": mallinfo()})
            continue
        gc.collect()
        snapshot = tracemalloc.take_snapshot()
        snapshot.dump(str(out / f"at-{done}.snapshot"))
        current, peak = tracemalloc.get_traced_memory()
        _log(out, {"crawl": str(progress), "articles": done, "rss_kb": rss_kb(), "traced": current, "traced_peak": peak,
                   "gc_objects": len(gc.get_objects()), "malloc": mallinfo()})


def _log(out: Path, line: dict[str, object]) -> None:
    with (out / "memory.jsonl").open("a", encoding="utf-8") as log:
        log.write(json.dumps(line) + "\n")


def compare(old: str, new: str, *, top: int = 25, key: str = "traceback") -> None:
    first, second = tracemalloc.Snapshot.load(old), tracemalloc.Snapshot.load(new)
    ignore = [tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, "<frozen importlib._bootstrap>")]
    first, second = first.filter_traces(ignore), second.filter_traces(ignore)
    total = sum(s.size for s in second.statistics("filename")) - sum(s.size for s in first.statistics("filename"))
    print(f"traced growth {total / 1e6:+.2f} MB")
    for stat in second.compare_to(first, key)[:top]:
        print(f"{stat.size_diff / 1e6:+.3f} MB {stat.count_diff:+d} blocks (now {stat.size / 1e6:.2f} MB)")
        for line in stat.traceback.format(limit=8, most_recent_first=True):
            print("   ", line)


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "compare":
        compare(sys.argv[2], sys.argv[3], key=sys.argv[4] if len(sys.argv) > 4 else "traceback")
    else:
        print(__doc__)
