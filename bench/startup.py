"""Benchmark: start-up time of `monitor --help` (median of N runs) and the imports that cost the most.

Run from the project root:  python bench/startup.py [--runs 15] [--top 12] [--baseline CHECKOUT] [ARGS…]
ARGS default to `--help`. The command runs as `python -m monitor.cli ARGS` with this checkout first on
PYTHONPATH, so a worktree measures its own code. ``--baseline`` measures another checkout of the project
(e.g. the main branch) in the same run, alternating run by run, so that load from other jobs on a shared
machine falls on both alike. Prints markdown for BENCHMARKS.md.
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def environment(root: Path) -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(root), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path, "COLUMNS": "80"}


def wall_times(roots: list[Path], args: list[str], runs: int) -> list[list[float]]:
    """``runs`` wall times of the command for each checkout in ``roots``, the checkouts taking turns."""
    command = [sys.executable, "-m", "monitor.cli", *args]
    for root in roots:  # warm the disk cache
        subprocess.run(command, capture_output=True, check=True, env=environment(root), cwd=root)
    times: list[list[float]] = [[] for _ in roots]
    for _ in range(runs):
        for n, root in enumerate(roots):
            start = time.perf_counter()
            subprocess.run(command, capture_output=True, check=True, env=environment(root), cwd=root)
            times[n].append(time.perf_counter() - start)
    return times


def top_imports(root: Path, args: list[str], top: int) -> list[tuple[str, float, float]]:
    """Third-party packages by cumulative import time, as first imported: (name, self ms, cumulative ms)."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "monitor.cli", *args], capture_output=True,
                          text=True, check=True, env=environment(root), cwd=root)
    rows: dict[str, tuple[float, float]] = {}
    for line in done.stderr.splitlines():
        match = IMPORT_LINE.match(line)
        name = match.group(4) if match else ""
        # A package's root line counts once; the standard library and our own code are not what we trim.
        if match and "." not in name and name not in sys.stdlib_module_names and not name.startswith("_") \
                and name not in ("monitor", "site", "encodings"):
            rows.setdefault(name, (int(match.group(1)) / 1000, int(match.group(2)) / 1000))
    ranked = sorted(rows.items(), key=lambda item: item[1][1], reverse=True)[:top]
    return [(name, own, total) for name, (own, total) in ranked]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("--baseline", type=Path, help="another checkout to measure alongside this one")
    parser.add_argument("args", nargs="*", default=["--help"])
    options = parser.parse_args()
    roots = [ROOT] + ([options.baseline.resolve()] if options.baseline else [])
    shown = " ".join(options.args)
    print(f"`monitor {shown}`, {options.runs} runs each, checkouts taking turns:\n")
    print("| checkout | median s | min s | max s |\n| --- | ---: | ---: | ---: |")
    for root, times in zip(roots, wall_times(roots, options.args, options.runs)):
        print(f"| {root} | {statistics.median(times):.3f} | {min(times):.3f} | {max(times):.3f} |")
    for root in roots:
        print(f"\n`python -X importtime -m monitor.cli {shown}` in {root}, third-party packages by cumulative time:\n")
        print("| package | self ms | cumulative ms |\n| --- | ---: | ---: |")
        for name, own, total in top_imports(root, options.args, options.top):
            print(f"| {name} | {own:.1f} | {total:.1f} |")


if __name__ == "__main__":
    main()
