"""Benchmark: per-article cost of reading comments from a platform API against rendering the page in chromium.

Run from the project root:  python bench/platforms_render.py [--articles 100]
Two crawls of the same number of articles, each with an 11-comment thread: one whose comments come from the
WordPress REST API (plain requests), one whose page builds them with JavaScript (`render: comments`).
Prints markdown to paste into BENCHMARKS.md: wall ms per article, requests per article, peak RSS of the crawl
and everything under it (browser included).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yaml  # noqa: E402

from monitor.demo.platforms import PlatformArticle, PlatformSite, default_articles, serve_platform_site  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CRAWL = {"download_delay": 0, "autothrottle": False, "concurrency_per_domain": 8}


def tree_rss_mib(root: int) -> float:
    """RSS of ``root`` and all its descendants, MiB."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        parents[int(entry)] = int(fields.get("PPid", "0").strip())
        rss[int(entry)] = int(fields.get("VmRSS", "0 kB").split()[0])
    members, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in members:
                members.add(child)
                frontier.append(child)
    return sum(rss.get(p, 0) for p in members) / 1024


def crawl(directory: Path, source: dict[str, Any]) -> tuple[float, float, dict[str, Any]]:
    """(wall seconds, peak RSS MiB, summary) of one `monitor crawl`."""
    directory.mkdir(parents=True)
    config = directory / "monitor.yaml"
    config.write_text(yaml.safe_dump({"index": {"url": "sqlite:///data/monitor.db"}, "crawl": CRAWL,
                                      "sources": [source]}), encoding="utf-8")
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "monitor.cli", "--config", str(config), "crawl", "--json"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, tree_rss_mib(process.pid))
        time.sleep(0.1)
    out, err = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"crawl failed: {err[-2000:]}")
    return time.monotonic() - started, peak, json.loads(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=100)
    args = parser.parse_args()
    template = {a.platform: a for a in default_articles()}
    articles = [PlatformArticle(f"wp-{n}", "wordpress", f"API article {n}", template["wordpress"].paragraphs,
                                thread=template["js"].thread, key=str(n + 1)) for n in range(args.articles)]
    articles += [PlatformArticle(f"js-{n}", "js", f"Rendered article {n}", template["js"].paragraphs,
                                 thread=template["js"].thread) for n in range(args.articles)]
    site = PlatformSite(articles=articles)
    server, base = serve_platform_site(site)
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for name, source in (
                ("platform API (WordPress REST, 10 a page)", {
                    "name": "api", "feeds": [f"{base}/feed.xml"], "follow_depth": 0,
                    "platforms": {"wordpress": {"page_size": 10}}}),
                ("render: comments (chromium, load more)", {
                    "name": "render", "feeds": [f"{base}/js-feed.xml"], "follow_depth": 0, "render": "comments",
                    "render_wait_for": "#comments .comment-list"}),
            ):
                before = sum(site.requests.values())
                seconds, peak, summary = crawl(Path(tmp) / source["name"], source)
                requests = sum(site.requests.values()) - before
                run = summary["runs"][0]
                rows.append((name, run["articles_new"], run["comments_new"], 1000 * seconds / args.articles,
                             requests / args.articles, peak))
    finally:
        server.shutdown()
        server.server_close()
    print(f"| way ({args.articles} articles, 11 comments each) | articles | comments | ms / article "
          "| requests / article | peak RSS (MiB) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, found, comments, ms, requests, peak in rows:
        print(f"| {name} | {found} | {comments} | {ms:.0f} | {requests:.1f} | {peak:.0f} |")


if __name__ == "__main__":
    main()
