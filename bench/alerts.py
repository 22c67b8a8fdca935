"""Benchmark: matching a batch of new documents against 1,000 stored alerts, and the delay to Apprise.

Run from the project root:  python bench/alerts.py [--opensearch http://127.0.0.1:9250] [--alerts 1000]
    [--docs 1000] [--delay-batches 200]
Without --opensearch only the SQLite (Python matcher) figures are measured. Prints markdown for BENCHMARKS.md.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitor.alerts import notify  # noqa: E402
from monitor.alerts.matching import Matcher, PercolatorMatcher, PythonMatcher  # noqa: E402
from monitor.alerts.rules import Alert  # noqa: E402
from monitor.alerts.service import AlertEngine, new_documents, open_store  # noqa: E402
from monitor.config import config_from_dict  # noqa: E402
from monitor.index.base import SearchIndex  # noqa: E402
from monitor.index.sqlite import SQLiteIndex  # noqa: E402
from monitor.items import ArticleItem, Comment  # noqa: E402

RNG = random.Random(20261125)
# A Zipf-like vocabulary: common words fill the text, rare ones are what alerts watch for.
COMMON = [f"w{n}" for n in range(2000)]
RARE = [f"r{n}" for n in range(20000)]


def text(words: int) -> str:
    out = [RNG.choice(COMMON) if RNG.random() < 0.97 else RNG.choice(RARE) for _ in range(words)]
    return " ".join(out)


def make_alerts(n: int, url: str) -> list[Alert]:
    shapes = [
        lambda: RNG.choice(RARE),
        lambda: f"{RNG.choice(RARE)} OR {RNG.choice(RARE)} OR {RNG.choice(RARE)}",
        lambda: f"{RNG.choice(RARE)} AND {RNG.choice(COMMON)} NOT {RNG.choice(COMMON)}",
        lambda: f'"{RNG.choice(COMMON)} {RNG.choice(COMMON)}"',
        lambda: f"{RNG.choice(RARE)[:4]}*",
        lambda: f'"{RNG.choice(RARE)} {RNG.choice(COMMON)}"~5 OR title:{RNG.choice(RARE)}',
    ]
    return [Alert(name=f"alert-{i}", query=RNG.choice(shapes)(), notify=(url,),
                  types=RNG.choice([("article", "comment"), ("article",), ("comment",)])) for i in range(n)]


def make_articles(n_docs: int, prefix: str) -> list[ArticleItem]:
    """Articles with 3 comments each until ``n_docs`` documents (articles + comments) are made."""
    articles: list[ArticleItem] = []
    made = 0
    while made < n_docs:
        i = len(articles)
        article = ArticleItem(id=f"{prefix}{i}", url=f"https://bench.example/{prefix}{i}",
                              canonical_url=f"https://bench.example/{prefix}{i}", source="bench",
                              title=text(10), text=text(400), published="2026-11-20T10:00:00Z", language="en")
        made += 1
        for k in range(1, 4):
            if made >= n_docs:
                break
            article.comments.append(Comment(id=f"{prefix}{i}-c{k}", article_id=article.id, text=text(40),
                                            position=k, author=f"reader {k}"))
            made += 1
        articles.append(article)
    return articles


def time_match(matcher: Matcher, docs: list[dict[str, Any]], runs: int = 3) -> tuple[float, int]:
    best = float("inf")
    found = 0
    for _ in range(runs):
        start = time.perf_counter()
        found = len(matcher.match(docs))
        best = min(best, time.perf_counter() - start)
    return best, found


class _Sink(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def measure_delay(index: SearchIndex, matcher: Matcher, alerts: list[Alert], url: str, batches: int,
                  directory: Path) -> list[float]:
    """Index one article (+ comments) at a time, as a crawl's flush does, then time until Apprise is called."""
    config = config_from_dict({"data_dir": str(directory / "state")})
    handed: list[float] = []
    real_send = notify.send

    def timed_send(target: str, *, title: str, body: str) -> None:
        handed.append(time.perf_counter())
        real_send(target, title=title, body=body)

    store = open_store(config)
    for alert in alerts:
        store.add(alert)
    matcher.load(store.alerts())
    engine = AlertEngine(config, store=store, matcher=matcher)
    delays: list[float] = []
    notify.send = timed_send  # type: ignore[assignment]
    try:
        words = [a.query for a in alerts if " " not in a.query and "*" not in a.query]
        for n in range(batches):
            article = make_articles(4, f"d{n}-")[0]
            article.text += " " + RNG.choice(words)  # every batch matches at least one alert
            stats = index.upsert([article], seen_at="2026-11-25T00:00:00Z")
            indexed = time.perf_counter()
            before = len(handed)
            engine.process(new_documents([article], stats.new_ids))
            if len(handed) > before:
                delays.append(handed[before] - indexed)
    finally:
        notify.send = real_send  # type: ignore[assignment]
        engine.store.close()
    return delays


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--opensearch", help="OpenSearch URL (e.g. from deploy/opensearch-local/start)")
    parser.add_argument("--alerts", type=int, default=1000)
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--delay-batches", type=int, default=200)
    args = parser.parse_args()

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"json://127.0.0.1:{server.server_address[1]}/hook"
    alerts = make_alerts(args.alerts, url)
    articles = make_articles(args.docs, "b")
    docs = new_documents(articles, [a.id for a in articles] + [c.id for a in articles for c in a.comments])
    rows = []

    python = PythonMatcher(alerts)
    seconds, found = time_match(python, docs)
    rows.append(("SQLite (Python matcher)", seconds, found))
    with tempfile.TemporaryDirectory() as directory:
        index = SQLiteIndex(Path(directory) / "monitor.db")
        sqlite_delays = measure_delay(index, PythonMatcher(), alerts, url, args.delay_batches, Path(directory))
        index.close()

    engine_delays: list[float] = []
    if args.opensearch:
        from monitor.index.engine import open_engine_index

        engine = open_engine_index(args.opensearch, prefix=f"bench-{uuid.uuid4().hex[:8]}")
        percolator = PercolatorMatcher(engine.client, prefix=engine.prefix, owns_client=False)
        try:
            start = time.perf_counter()
            percolator.load(alerts)
            load_seconds = time.perf_counter() - start
            seconds, engine_found = time_match(percolator, docs)
            rows.append((f"OpenSearch percolator (storing {args.alerts} queries: {load_seconds:.2f} s)", seconds,
                         engine_found))
            with tempfile.TemporaryDirectory() as directory:
                engine_delays = measure_delay(engine, percolator, alerts, url, args.delay_batches, Path(directory))
        finally:
            percolator.drop()
            engine.drop()
            engine.close()

    print(f"{args.alerts} alerts, a batch of {len(docs)} new documents ({len(articles)} articles of ~400 words "
          f"with 3 comments each); best of 3 runs\n")
    print("| backend | match the batch | documents/s | matches |\n| --- | ---: | ---: | ---: |")
    for name, seconds, found in rows:
        print(f"| {name} | {seconds * 1000:.0f} ms | {len(docs) / seconds:,.0f} | {found} |")
    print(f"\nDelay from a batch (1 article + 3 comments) written to the index to its first notification handed "
          f"to Apprise, {args.delay_batches} batches, {args.alerts} alerts, local json:// webhook\n")
    print("| backend | median | p95 |\n| --- | ---: | ---: |")
    for name, delays in (("SQLite", sqlite_delays), ("OpenSearch", engine_delays)):
        if delays:
            print(f"| {name} | {statistics.median(delays) * 1000:.1f} ms | {pct(delays, 0.95) * 1000:.1f} ms |")
    server.shutdown()


if __name__ == "__main__":
    main()
