"""Benchmark: `monitor serve`'s own overhead (idle, 200 sources scheduled) and an unchanged re-crawl of 2,000 articles.

Run from the project root:  python bench/scheduler.py [--sources 200] [--idle-seconds 60] [--articles 2000]
Prints markdown to paste into BENCHMARKS.md.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yaml  # noqa: E402

from monitor.demo.catalog import ARTICLE_PATHS, demo_sources  # noqa: E402
from monitor.demo.server import DemoSite, serve, stop  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
OUTLET = "northern-ledger"
CRAWL = {"download_delay": 0, "autothrottle": False, "concurrency_per_domain": 8}


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def idle_server(directory: Path, *, sources: int, seconds: float) -> dict[str, Any]:
    """Serve `sources` sources whose next runs are hours away; measure the server's CPU and memory."""
    config = {
        "index": {"url": "sqlite:///data/monitor.db"},
        "serve": {"run_new_sources_now": False},
        "sources": [{"name": f"site-{i:03d}", "feeds": [f"http://127.0.0.1:9/{i}/feed.xml"],
                     "schedule": {"cron": f"{i % 60} {3 + i % 4} * * *"} if i % 2 else {"every": "6h",
                                                                                     "jitter": "5m"}}
                    for i in range(sources)],
    }
    path = directory / "monitor.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    log = (directory / "serve.log").open("wb")
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "monitor.cli", "--config", str(path), "serve"],
                               cwd=ROOT, stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    try:
        while b"serving:" not in (directory / "serve.log").read_bytes():
            if process.poll() is not None:
                raise SystemExit((directory / "serve.log").read_text())
            time.sleep(0.05)
        ready = time.monotonic() - started
        time.sleep(2)  # let start-up work settle
        cpu_before, wall_before = cpu_seconds(process.pid), time.monotonic()
        time.sleep(seconds)
        cpu = cpu_seconds(process.pid) - cpu_before
        wall = time.monotonic() - wall_before
        rss = rss_mib(process.pid)
        threads = len(os.listdir(f"/proc/{process.pid}/task"))
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
        log.close()
    return {"sources": sources, "ready_s": ready, "cpu_s": cpu, "wall_s": wall, "cpu_pct": 100 * cpu / wall,
            "rss_mib": rss, "threads": threads}


def add_articles(site: DemoSite, count: int, *, days: float) -> None:
    """``count`` northern-ledger articles, published evenly over the last ``days``.

    The Ledger, because its pages stay a normal size: the Valley Post's "trending" rail lists every article.
    """
    now = datetime.now(UTC)
    for i in range(count):
        site.add_article({
            "outlet": OUTLET, "section": ["city", "politics", "business", "sport"][i % 4],
            "title": f"Bench story number {i} from the north",
            "body": f"Paragraph one of bench story {i}. The council met again.\n\n"
                    f"Paragraph two of story {i}, with more words about the valley and its people.",
            "published": (now - timedelta(days=days * i / count)).isoformat(),
        })


def crawl(config: Path) -> tuple[float, dict[str, Any]]:
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "monitor.cli", "--config", str(config), "crawl", "--json"],
                            cwd=ROOT, capture_output=True, text=True, check=True, stdin=subprocess.DEVNULL)
    return time.monotonic() - started, json.loads(result.stdout)["runs"][0]


def requests_by_kind(site: DemoSite) -> Counter[str]:
    counts: Counter[str] = Counter()
    article = ARTICLE_PATHS[OUTLET]
    for record in site.requests():
        kind = "article" if re.fullmatch(article, record.path) else (
            "feed/sitemap" if record.path.endswith((".json", ".xml")) else "listing/other")
        counts[f"{kind} {record.status}"] += 1
    return counts


def recrawl(directory: Path, *, articles: int, days: float) -> dict[str, Any]:
    site = DemoSite()
    add_articles(site, articles, days=days)
    server, base_url = serve(site)
    try:
        sources = [s for s in demo_sources(base_url) if s["name"] == OUTLET]
        sources[0]["follow_depth"] = 0  # feed + sitemap + home page: every article is listed there
        path = directory / "monitor.yaml"
        path.write_text(yaml.safe_dump({"index": {"url": "sqlite:///data/monitor.db"}, "crawl": CRAWL,
                                        "sources": sources}), encoding="utf-8")
        rows = {}
        for name in ("first", "second (unchanged)"):
            site.clear_requests()
            seconds, run = crawl(path)
            rows[name] = {"seconds": seconds, "requests": len(site.requests()), "by_kind": dict(requests_by_kind(site)),
                          "articles_new": run["articles_new"], "articles_fetched": run["articles_fetched"],
                          "not_modified": run["not_modified"], "skipped": run["skipped"], "errors": run["errors"]}
        return {"articles": len(site.outlet_articles(OUTLET)), "runs": rows}
    finally:
        stop(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sources", type=int, default=200)
    parser.add_argument("--idle-seconds", type=float, default=60)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--days", type=float, default=60, help="the articles' publication dates span this many days")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "idle").mkdir()
        (Path(tmp) / "crawl").mkdir()
        idle = idle_server(Path(tmp) / "idle", sources=args.sources, seconds=args.idle_seconds)
        again = recrawl(Path(tmp) / "crawl", articles=args.articles, days=args.days)
    print(f"### Idle server, {idle['sources']} sources scheduled\n")
    print("| ready after | CPU over the window | CPU share | RSS | threads |\n| ---: | ---: | ---: | ---: | ---: |")
    print(f"| {idle['ready_s']:.1f} s | {idle['cpu_s']:.2f} s in {idle['wall_s']:.0f} s | {idle['cpu_pct']:.2f} % "
          f"| {idle['rss_mib']:.0f} MiB | {idle['threads']} |\n")
    print(f"### Crawl of {again['articles']} articles, then again unchanged\n")
    print("| crawl | wall time | requests | by kind and status | articles fetched | new | 304s | skipped |")
    print("| --- | ---: | ---: | --- | ---: | ---: | ---: | --- |")
    for name, row in again["runs"].items():
        kinds = ", ".join(f"{k}: {v}" for k, v in sorted(row["by_kind"].items()))
        skipped = ", ".join(f"{k} {v}" for k, v in row["skipped"].items()) or "-"
        print(f"| {name} | {row['seconds']:.1f} s | {row['requests']} | {kinds} | {row['articles_fetched']} | "
              f"{row['articles_new']} | {row['not_modified']} | {skipped} |")


if __name__ == "__main__":
    main()
