"""Benchmark: search API latency (median, 95th percentile) under concurrent clients on loopback, SQLite and OpenSearch.

Run from the project root (OpenSearch: a local one, e.g. the URL deploy/opensearch-local/start prints):
    python bench/search_api.py [--docs 100000] [--clients 16] [--requests 3000] [--opensearch-url URL]
Fills each backend with the same generated articles and comments (bench/bulk_index.py's generator),
starts the real `monitor web` in its own process, and has CLIENTS threads send search requests
(the search page's request: a query, facets on, 20 hits) as fast as answers come. Prints a markdown
table to paste into BENCHMARKS.md.
"""
from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bulk_index import batches, generate  # noqa: E402
from monitor.index import open_index  # noqa: E402
from monitor.items import ArticleItem  # noqa: E402

SEEN_AT = "2026-11-24T12:00:00+00:00"
BATCH_ARTICLES = 200
WARMUP_REQUESTS = 50
START_SECONDS = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def queries(articles: list[ArticleItem], count: int, seed: int = 11) -> list[str]:
    """A mix like people type: one word, two words, OR, a phrase, a field, a word NOT another."""
    rng = random.Random(seed)
    texts = [a.text.split() for a in articles[:2000]]
    out = []
    for n in range(count):
        words = rng.choice(texts)
        a, b = rng.choice(words), rng.choice(words)
        kind = n % 6
        out.append([a, f"{a} {b}", f"{a} OR {b}", f'"{" ".join(words[10:12])}"', f"title:{a}", f"{a} NOT {b}"][kind])
    return out


def fill(url: str, articles: list[ArticleItem]) -> int:
    with open_index(url) as index:
        for batch in batches(articles, BATCH_ARTICLES):
            index.upsert(batch, seen_at=SEEN_AT)
        counts = index.count()
    return counts["article"] + counts["comment"]


def serve(directory: Path, index_url: str, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    config = directory / "monitor.yaml"
    config.write_text(yaml.safe_dump({"index": {"url": index_url}, "data_dir": str(directory / "data")}))
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "monitor.cli", "--config", str(config), "web", "--port",
                                str(port), "--log-level", "WARNING"], cwd=ROOT, env={**os.environ, **env},
                               stdin=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("monitor web did not start")


def load(base: str, texts: list[str], clients: int) -> dict[str, Any]:
    """Every client takes the next query until none is left; latencies per request, in ms."""
    latencies: list[float] = []
    failures: list[int] = []
    lock = threading.Lock()
    position = iter(range(len(texts)))

    def client() -> None:
        with httpx.Client(base_url=base, timeout=60) as http:
            while True:
                with lock:
                    n = next(position, None)
                if n is None:
                    return
                started = time.perf_counter()
                answer = http.get("/api/search", params={"q": texts[n], "facets": "true", "limit": 20})
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    (latencies if answer.status_code == 200 else failures).append(
                        elapsed if answer.status_code == 200 else answer.status_code)

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    ordered = sorted(latencies)
    return {"requests": len(latencies), "failures": len(failures), "median": statistics.median(ordered),
            "p95": ordered[int(len(ordered) * 0.95) - 1], "rps": len(latencies) / wall}


def measure(label: str, index_url: str, articles: list[ArticleItem], texts: list[str], clients: int,
            env: dict[str, str]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix=f"bench-web-{label}-") as tmp:
        started = time.perf_counter()
        docs = fill(index_url, articles)
        print(f"{label}: {docs} documents indexed in {time.perf_counter() - started:.0f}s", file=sys.stderr)
        process, base = serve(Path(tmp), index_url, env)
        try:
            load(base, texts[:WARMUP_REQUESTS], clients)
            result = load(base, texts, clients)
        finally:
            process.terminate()
            process.wait(30)
        return {"backend": label, "docs": docs, **result}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--opensearch-url", default=None, help="also measure OpenSearch at this URL")
    args = parser.parse_args()
    articles = generate(args.docs)
    texts = queries(articles, args.requests)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-web-sqlite-db-") as tmp:
        rows.append(measure("SQLite", f"sqlite:///{tmp}/monitor.db", articles, texts, args.clients, {}))
    if args.opensearch_url:
        prefix = f"bench-web-{uuid.uuid4().hex[:8]}"
        os.environ["MONITOR_INDEX_PREFIX"] = prefix
        rows.append(measure("OpenSearch", args.opensearch_url, articles, texts, args.clients,
                            {"MONITOR_INDEX_PREFIX": prefix}))
    print(f"\n{args.clients} clients, {args.requests} requests each run (GET /api/search, facets on, 20 hits)\n")
    print("| backend | documents | requests | failed | median ms | p95 ms | requests/s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        print(f"| {row['backend']} | {row['docs']} | {row['requests']} | {row['failures']} | {row['median']:.1f} | "
              f"{row['p95']:.1f} | {row['rps']:.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
