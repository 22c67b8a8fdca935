"""Benchmark: the lab's 100k-URL sitemap fetched against the site's own pace, and peak RSS of a crawl of the hostile pages.

Run from the project root (or a worktree of another commit, to compare):
    python bench/hostile_crawl.py pace [--seconds 60] [--delay 0] [--setting KEY=VALUE ...]
    python bench/hostile_crawl.py rss
`pace` starts the test site, measures how many of the bulk sitemap's pages it answers per second to 8
client threads, then crawls the sitemap with `scrapy crawl` for SECONDS (CLOSESPIDER_TIMEOUT) and reports
the pages fetched per second over those seconds, the time until the first article page, and how long the
stop took. `rss` crawls the hostile sitemaps (binary page, utf-16 header, cross-canonical page, gzip bomb,
300-deep index chain) and reports the crawl process's peak RSS (its own VmHWM) and that of its extraction
workers (sampled every 20 ms).
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.demo import lab  # noqa: E402
from monitor.demo.catalog import ARTICLE_PATHS  # noqa: E402

SITE_CLIENTS = 8


def start_site() -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen([sys.executable, "-m", "monitor.demo.server", "--port", "0", "--test-pages"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def site_pace(base: str, seconds: float = 10.0) -> float:
    """Bulk article pages per second the site answers to SITE_CLIENTS threads, a new connection per request."""
    host, port = base.removeprefix("http://").split(":")
    done = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(first: int) -> None:
        number = first
        while time.monotonic() < stop:
            connection = http.client.HTTPConnection(host, int(port), timeout=30)
            connection.request("GET", f"/lab/articles/bulk-{number % lab.BULK_URLS}/")
            connection.getresponse().read()
            connection.close()
            number += SITE_CLIENTS
            with lock:
                done[0] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(SITE_CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done[0] / seconds


def write_config(directory: Path, base: str, sitemaps: list[str], delay: float) -> Path:
    source = {"name": "lab", "feeds": [], "start_urls": [], "follow_depth": 0, "allowed_domains": ["127.0.0.1"],
              "sitemaps": [base + s for s in sitemaps],
              "article_url_pattern": "^" + re.escape(base) + ARTICLE_PATHS["lab"] + "$"}
    config = {"index": {"url": "sqlite:///data/monitor.db"},
              "crawl": {"download_delay": delay, "autothrottle": delay > 0, "concurrency_per_domain": 8,
                        "download_timeout": 30, "max_page_bytes": 1_000_000},
              "sources": [source]}
    path = directory / "monitor.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def crawl(config: Path, settings: list[str], *, rss: bool = False) -> dict[str, Any]:
    progress, log = config.parent / "progress.jsonl", config.parent / "crawl.log"
    argv = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", "source=lab", "-s", f"LOG_FILE={log}",
            "-s", f"MONITOR_PROGRESS_FILE={progress}", "-s", "LOG_LEVEL=INFO"]
    for setting in settings:
        argv += ["-s", setting]
    started = time.monotonic()
    process = subprocess.Popen(argv, cwd=ROOT, env={**os.environ, "MONITOR_CONFIG": str(config)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    own_peak = workers_peak = 0
    while process.poll() is None:
        if rss:
            own_peak = max(own_peak, _status_kb(process.pid, "VmHWM"))
            workers_peak = max(workers_peak, sum(_status_kb(child, "VmRSS") for child in _descendants(process.pid)))
        time.sleep(0.02)
    wall = time.monotonic() - started
    lines = [json.loads(line) for line in progress.read_text().splitlines() if line.strip()]
    return {"wall": wall, "lines": lines, "log": log.read_text(encoding="utf-8"), "own_peak_kb": own_peak,
            "workers_peak_kb": workers_peak, "returncode": process.returncode}


def _status_kb(pid: int, field: str) -> int:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    found = re.search(rf"^{field}:\s+(\d+) kB", text, re.M)
    return int(found.group(1)) if found else 0


def _descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        parent = todo.pop()
        try:
            children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
        except OSError:
            continue
        out += [int(c) for c in children]
        todo += [int(c) for c in children]
    return out


def pace(args: argparse.Namespace) -> None:
    site, base = start_site()
    try:
        answered = site_pace(base)
        with tempfile.TemporaryDirectory(prefix="bench-pace-") as tmp:
            config = write_config(Path(tmp), base, [lab.BULK_SITEMAP], args.delay)
            result = crawl(config, [f"CLOSESPIDER_TIMEOUT={args.seconds}", *args.setting])
    finally:
        site.terminate()
        site.wait(10)
    lines = result["lines"]
    start = lines[0]["time"]
    within = [line for line in lines if line["time"] - start <= args.seconds]
    fetched = within[-1]["stats"].get("downloader/response_count", 0)
    first = next((line["time"] - start for line in lines if line["stats"].get("monitor/pages/article")), None)
    closing = re.search(r"(\d\d:\d\d:\d\d) \[scrapy\.core\.engine\] INFO: Closing spider", result["log"])
    closed = re.search(r"(\d\d:\d\d:\d\d) \[scrapy\.core\.engine\] INFO: Spider closed", result["log"])
    stop_seconds = (_seconds(closed.group(1)) - _seconds(closing.group(1))) if closing and closed else None
    final = lines[-1]["stats"]
    print(f"site answers {answered:.0f} pages/s to {SITE_CLIENTS} clients")
    print(f"crawl: {fetched} pages in {args.seconds:.0f} s = {fetched / args.seconds:.1f} pages/s; first article "
          f"page after {first:.1f} s; stop took {stop_seconds} s; requests enqueued {final.get('scheduler/enqueued')}; "
          f"peak RSS {final.get('memusage/max', 0) / 2**20:.0f} MiB (settings: {' '.join(args.setting) or 'none'}, "
          f"download_delay {args.delay})")


def _seconds(clock: str) -> int:
    hours, minutes, seconds = (int(part) for part in clock.split(":"))
    return hours * 3600 + minutes * 60 + seconds


def rss(_args: argparse.Namespace) -> None:
    site, base = start_site()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-rss-") as tmp:
            config = write_config(Path(tmp), base, [lab.HOSTILE_SITEMAP, lab.BOMB_SITEMAP, lab.CHAIN_SITEMAP], 0)
            result = crawl(config, [], rss=True)
    finally:
        site.terminate()
        site.wait(10)
    stats = result["lines"][-1]["stats"]
    counters = {k: v for k, v in stats.items() if k.startswith(("monitor/skipped", "monitor/sitemaps"))}
    print(f"hostile crawl: exit {result['returncode']}, {result['wall']:.1f} s, {stats.get('downloader/response_count')} "
          f"responses, {stats.get('monitor/index/articles/new', 0)} articles indexed, {counters}")
    print(f"peak RSS: crawl process {result['own_peak_kb'] / 1024:.0f} MiB (VmHWM; Scrapy's memusage/max "
          f"{stats.get('memusage/max', 0) / 2**20:.0f} MiB), extraction workers together "
          f"{result['workers_peak_kb'] / 1024:.0f} MiB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    paced = commands.add_parser("pace", help="the bulk sitemap's fetch rate against the site's")
    paced.add_argument("--seconds", type=float, default=60.0)
    paced.add_argument("--delay", type=float, default=0.0, help="the source's download_delay (0: none)")
    paced.add_argument("--setting", action="append", default=[], help="a Scrapy setting, KEY=VALUE")
    paced.set_defaults(run=pace)
    commands.add_parser("rss", help="peak RSS of a crawl of the hostile pages").set_defaults(run=rss)
    args = parser.parse_args()
    args.run(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
