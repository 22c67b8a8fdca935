"""Benchmark: cluster throughput with 1, 2 and 3 `monitor worker` on test sites whose pages take 200 ms to serve.

Each source is one outlet of a site of its own (its own loopback address, so no two sources share a domain lease);
pages are slow, so the crawls wait on the network and workers, not cores, are the limit. Needs Debian's
redis-server. Run from the project root:  python bench/cluster.py [--workers 1,2,3] [--sources 6] [--delay 0.2]
Prints markdown to paste into BENCHMARKS.md.
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yaml  # noqa: E402

from monitor.demo.catalog import demo_sources  # noqa: E402
from monitor.demo.response import Response  # noqa: E402
from monitor.demo.server import DemoSite, serve, stop  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUTLET = "northern-ledger"


class SlowSite(DemoSite):
    """The demo site, each answer ``delay`` seconds late (a far-away, slow news site)."""

    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay

    def handle(self, method: str, target: str, headers: Mapping[str, str], body: bytes = b"",
               *, base: str | None = None) -> Response:
        time.sleep(self.delay)
        return super().handle(method, target, headers, body, base=base)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(argv: list[str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(argv, stdout=out, stderr=out, stdin=subprocess.DEVNULL, cwd=ROOT,
                                start_new_session=True, env={**os.environ, "PYTHONPATH": str(ROOT)})


def kill(process: subprocess.Popen[bytes], signum: int = signal.SIGKILL) -> None:
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:
        pass


def measure(workers: int, *, bases: list[str], redis: str, directory: Path) -> dict[str, Any]:
    """One serve and ``workers`` workers crawl every source once; pages and seconds from first start to last end."""
    directory.mkdir(parents=True)
    state = directory / "state.db"
    sources = []
    for n, base in enumerate(bases):
        source = next(s for s in demo_sources(base) if s["name"] == OUTLET)
        sources.append({**source, "name": f"site{n}", "allowed_domains": [base.split("//")[1].split(":")[0]]})
    config = {
        "index": {"url": f"sqlite:///{directory / 'index.db'}"},
        "crawl": {"download_delay": 0, "autothrottle": False, "concurrency_per_domain": 2},
        "sources": sources,
        "serve": {"default_schedule": "1d", "run_new_sources_now": True, "state_store": str(state)},
        "cluster": {"broker": redis, "state": f"sqlite:///{state}", "lease": "10s"},
    }
    processes = []
    try:
        for name in ["serve", *(f"worker-{n}" for n in range(workers))]:
            path = directory / f"{name}.yaml"
            path.write_text(yaml.safe_dump({**config, "data_dir": str(directory / name)}), encoding="utf-8")
            command = ["serve", "--no-web"] if name == "serve" else ["worker", "--concurrency", "1"]
            processes.append(start([sys.executable, "-m", "monitor.cli", "--config", str(path), *command],
                                   directory / f"{name}.log"))
        while True:
            time.sleep(1)
            if state.exists():
                with sqlite3.connect(state) as db:
                    try:
                        done = db.execute("SELECT count(*) FROM cluster_jobs WHERE state = 'done'").fetchone()[0]
                    except sqlite3.OperationalError:
                        done = 0
                if done >= len(sources):
                    break
        with sqlite3.connect(state) as db:
            first, last, pages, articles = db.execute(
                "SELECT min(started), max(ended), sum(pages_fetched), sum(articles_new) FROM crawl_runs").fetchone()
            per_worker = sorted(n for (n,) in db.execute(
                "SELECT count(*) FROM cluster_attempts WHERE outcome = 'finished' GROUP BY worker"))
    finally:
        for process in processes:
            kill(process, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                kill(process)
    from datetime import datetime

    seconds = (datetime.fromisoformat(last) - datetime.fromisoformat(first)).total_seconds()
    return {"workers": workers, "sources": len(sources), "pages": pages, "articles": articles,
            "seconds": seconds, "pages_per_s": pages / seconds, "per_worker": per_worker}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", default="1,2,3")
    parser.add_argument("--sources", type=int, default=6)
    parser.add_argument("--delay", type=float, default=0.2)
    args = parser.parse_args()
    binary = shutil.which("redis-server")
    if binary is None:
        sys.exit("redis-server is missing: apt-get install redis-server")
    servers = [serve(SlowSite(args.delay), host=f"127.0.0.{31 + n}") for n in range(args.sources)]
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as tmp:
        port = free_port()
        redis = start([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                       "--dir", tmp], Path(tmp) / "redis.log")
        try:
            time.sleep(1)
            for workers in (int(w) for w in args.workers.split(",")):
                results.append(measure(workers, bases=[base for _, base in servers], redis=f"redis://127.0.0.1:{port}/0",
                                       directory=Path(tmp) / f"w{workers}"))
                print(results[-1], file=sys.stderr, flush=True)
        finally:
            kill(redis)
            for server, _ in servers:
                stop(server)
    print(f"{args.sources} sources ({OUTLET} outlet each, one site per source), pages served {args.delay * 1000:g} ms "
          "late, `--concurrency 1` per worker\n")
    print("| workers | pages | articles | seconds (first crawl start to last end) | pages/s | speed-up | crawls per worker |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for result in results:
        print(f"| {result['workers']} | {result['pages']} | {result['articles']} | {result['seconds']:.0f} | "
              f"{result['pages_per_s']:.1f} | {result['pages_per_s'] / results[0]['pages_per_s']:.2f}× | "
              f"{', '.join(map(str, result['per_worker']))} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
