"""Near-duplicate clustering on syndicated copies of real articles: pair precision/recall per threshold, cost.

Run from the project root: python bench/clusters.py [--thresholds 0.3,0.4,0.5,0.6]
Stories are the aeb and fundus bodies (../shared/data); each is reprinted on 2-4 outlets by
monitor.demo.syndication. A pair is a true pair when both copies are of one story.

    python bench/clusters.py --cost [--url http://127.0.0.1:9250] [--background 100000]

The cost at write time and of the candidate look-up: an index (SQLite; and OpenSearch at --url) is filled with
--background made-up articles, then the syndicated copies are written in batches of 100 as the crawl's index
thread writes them (upsert, then the on_written cluster step: keys, candidates, assignment), once without the
step and once with it; then the look-up of one article's candidates (its 42 band keys) and of a batch's is timed.
"""
from __future__ import annotations

import argparse
import dataclasses
import itertools
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from corpora import aeb_pages, fundus_body, fundus_pages  # noqa: E402

from monitor.clusters.keys import fingerprints  # noqa: E402
from monitor.clusters.store import ClusterAssignment, store_keys  # noqa: E402
from monitor.demo.syndication import Copy, syndicate  # noqa: E402
from monitor.errors import IndexTimeout  # noqa: E402
from monitor.index.base import SearchIndex  # noqa: E402
from monitor.index.engine import EngineIndex, open_engine_index  # noqa: E402
from monitor.index.sqlite import SQLiteIndex  # noqa: E402
from monitor.index.writer import BATCH_SIZE  # noqa: E402
from monitor.index.written import Written  # noqa: E402
from monitor.items import ArticleItem  # noqa: E402


def stories() -> list[tuple[str, str, str]]:
    """Distinct stories: a page the corpora hold twice (fundus keeps some in two versions) counts once."""
    found: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for page in aeb_pages():
        text = page.truth.get("articleBody") or ""
        if len(text.split()) >= 40:
            found.append((page.url, text, "2024-05-01"))
    for page in fundus_pages():
        text = fundus_body(page.truth)
        if len(text.split()) >= 40:
            found.append((page.truth.get("title") or page.url, text, "2024-05-01"))
    unique = []
    for story in found:
        keys = {"".join(ch for ch in story[0].lower() if ch.isalnum()), " ".join(story[1].split()[:30])}
        if not keys & seen:
            seen |= keys
            unique.append(story)
    return unique


def background(n: int, seed: int = 11) -> list[ArticleItem]:
    """Made-up articles of 80-200 words from a 20,000-word vocabulary: no two alike, none like a real story."""
    rng = random.Random(seed)
    vocab = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 10))) for _ in range(20_000)]
    out = []
    for i in range(n):
        url = f"https://background.example/{i}"
        out.append(ArticleItem(id=f"bg{i:07d}", url=url, canonical_url=url, source=f"bg{i % 50}",
                               text=" ".join(rng.choices(vocab, k=rng.randint(80, 200)))))
    return out


def copies_as_articles(copies: list[Copy]) -> list[ArticleItem]:
    out = []
    for n, c in enumerate(copies):
        url = f"https://outlet{c.outlet}.example/{c.story}/{n}"
        out.append(ArticleItem(id=f"copy{n:05d}", url=url, canonical_url=url, source=f"outlet{c.outlet}",
                               title=c.title, text=c.text, published=c.published))
    return out


def fill(index: SearchIndex, articles: list[ArticleItem], *, chunk: int = 250) -> float:
    started = time.perf_counter()
    for i in range(0, len(articles), chunk):
        for attempt in range(5):  # an engine on a loaded machine may miss the request timeout; upserts are idempotent
            try:
                chunk_of = articles[i:i + chunk]
                index.upsert(chunk_of, seen_at="2026-11-01T00:00:00+00:00")
                store_keys(index, {a.id: a.text for a in chunk_of})  # as the crawl's cluster step stores them
                break
            except IndexTimeout:
                if attempt == 4:
                    raise
                time.sleep(5)
    return time.perf_counter() - started


def write_batches(index: SearchIndex, articles: list[ArticleItem], *, cluster: bool, day: str) -> float:
    """Seconds to write the articles in crawl-sized batches (BATCH_SIZE), with or without the cluster step."""
    step = ClusterAssignment(lambda: index)
    elapsed = 0.0
    for n, i in enumerate(range(0, len(articles), BATCH_SIZE)):
        batch = [dataclasses.replace(a, comments=[]) for a in articles[i:i + BATCH_SIZE]]
        seen_at = f"{day}T{n // 3600:02d}:{n // 60 % 60:02d}:{n % 60:02d}+00:00"
        started = time.perf_counter()
        stats = index.upsert(batch, seen_at=seen_at)
        if cluster:
            step(Written(batch, stats))
        elapsed += time.perf_counter() - started
    return elapsed


def lookups(index: SearchIndex, articles: list[ArticleItem]) -> tuple[float, float, float]:
    """Median ms to find one article's candidates, the median ms of a batch's (100 articles), mean candidates found."""
    prints = [fp for fp in fingerprints([a.text for a in articles]) if fp]
    singles, found = [], []
    for fp in prints[:200]:
        started = time.perf_counter()
        found.append(len(index.cluster_entries("key", fp.band_keys)))
        singles.append((time.perf_counter() - started) * 1000)
    batches = []
    for i in range(0, min(len(prints), 1000), BATCH_SIZE):
        keys = [k for fp in prints[i:i + BATCH_SIZE] for k in fp.band_keys]
        started = time.perf_counter()
        index.cluster_entries("key", keys)
        batches.append((time.perf_counter() - started) * 1000)
    return statistics.median(singles), statistics.median(batches), statistics.mean(found)


def cost(args: argparse.Namespace) -> None:
    copies = copies_as_articles(syndicate(stories()))
    filler = background(args.background)
    rows = []
    scratch = tempfile.TemporaryDirectory(prefix="bench-clusters-")
    backends: list[tuple[str, Callable[[], SearchIndex]]] = []
    if not args.engine_only:
        backends.append(("SQLite", lambda: SQLiteIndex(Path(scratch.name) / "bench.db")))
    if args.url:
        backends.append(("OpenSearch", lambda: open_engine_index(args.url, prefix=f"bench-clusters-{uuid.uuid4().hex[:8]}")))
    for name, opener in backends:
        index = opener()
        try:
            filled = fill(index, filler)
            off = write_batches(index, [dataclasses.replace(a, id=a.id + "-off", url=a.url + "-off",
                                                            canonical_url=a.url + "-off") for a in copies],
                                cluster=False, day="2026-11-02")
            on = write_batches(index, copies, cluster=True, day="2026-11-03")
            single, batch, found = lookups(index, copies)
            joined = sum(1 for a in copies if (index.get_article(a.id) or {}).get("cluster_id") not in (None, a.id))
            rows.append((name, args.background, filled, len(copies), off * 1000 / len(copies), on * 1000 / len(copies),
                         (on - off) * 1000 / len(copies), single, batch, found, joined))
            print(f"done: {rows[-1]}", file=sys.stderr, flush=True)
        finally:
            if isinstance(index, EngineIndex):
                index.drop()
            index.close()
    scratch.cleanup()
    print(f"{len(copies)} syndicated copies written in batches of {BATCH_SIZE} over {args.background:,} indexed "
          f"articles")
    print("| backend | indexed | fill (s) | copies | write, clusters off (ms/article) | write + clusters (ms/article) "
          "| added (ms/article) | look-up, one article (ms) | look-up, batch of 100 (ms) | candidates per article "
          "| copies joined |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(f"| {r[0]} | {r[1]:,} | {r[2]:.0f} | {r[3]} | {r[4]:.2f} | {r[5]:.2f} | {r[6]:.2f} | {r[7]:.2f} | "
              f"{r[8]:.1f} | {r[9]:.1f} | {r[10]} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--thresholds", default="0.2,0.3,0.4,0.5,0.6,0.7")
    parser.add_argument("--cost", action="store_true", help="Time the write path and the candidate look-up.")
    parser.add_argument("--url", default="", help="With --cost: also on the OpenSearch at this URL.")
    parser.add_argument("--background", type=int, default=100_000, help="With --cost: articles indexed first.")
    parser.add_argument("--engine-only", action="store_true", help="With --cost and --url: skip SQLite.")
    args = parser.parse_args()
    if args.cost:
        cost(args)
        return
    base = stories()
    copies = syndicate(base)
    started = time.perf_counter()
    prints = fingerprints([c.text for c in copies])
    per_article_ms = (time.perf_counter() - started) * 1000 / len(copies)
    by_key: dict[str, list[int]] = defaultdict(list)
    for i, fp in enumerate(prints):
        for key in fp.band_keys if fp else ():
            by_key[key].append(i)
    candidates = {pair for ids in by_key.values() for pair in itertools.combinations(sorted(ids), 2)}
    truth = {(i, j) for i, j in itertools.combinations(range(len(copies)), 2) if copies[i].story == copies[j].story}
    print(f"{len(base)} stories, {len(copies)} copies, {len(truth)} true pairs, {len(candidates)} candidate pairs; "
          f"fingerprint {per_article_ms:.2f} ms/article")
    print("| threshold | pair precision | pair recall | false pairs | missed pairs |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    for threshold in (float(t) for t in args.thresholds.split(",")):
        found = set()
        for i, j in candidates:
            a, b = prints[i], prints[j]
            if a and b and a.similarity(b) >= threshold:
                found.add((i, j))
        hit = len(found & truth)
        precision = hit / len(found) if found else 1.0
        recall = hit / len(truth) if truth else 1.0
        print(f"| {threshold:.2f} | {precision:.4f} | {recall:.4f} | {len(found - truth)} | {len(truth - found)} |")


if __name__ == "__main__":
    main()
