"""Benchmark: bulk indexing through the monitor's index layer against a plain opensearchpy.helpers.bulk.

Run from the project root, with a local OpenSearch (deploy/opensearch-local/start prints its URL):
    python bench/bulk_index.py --url http://127.0.0.1:9250 [--docs 100000] [--rounds 1]
Both paths write the same generated article and comment documents into fresh indices with the same
mapping, in the same run, slice by slice in turn (so that both meet the same load on a shared
machine); only the time spent writing is counted. Prints a markdown table for BENCHMARKS.md.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from opensearchpy import OpenSearch, helpers  # noqa: E402

from monitor.documents import article_document, comment_document  # noqa: E402
from monitor.index import mappings  # noqa: E402
from monitor.index.engine import EngineIndex, open_engine_index  # noqa: E402
from monitor.index.mappings import engine_document  # noqa: E402
from monitor.items import ArticleItem, Comment  # noqa: E402

SEEN_AT = "2026-11-24T12:00:00+00:00"
# Sizes as on the news sites the monitor crawls: an article of 500-1200 words, comments of 5-200
# words (most short), 0-30 comments per article (9 on average), a third of them replies.
ARTICLE_WORDS = (500, 1200)
COMMENT_WORDS = (5, 200)
COMMENTS_PER_ARTICLE = 9
MONITOR_BATCH_ARTICLES = 50  # about 500 documents per bulk request: helpers.bulk's default chunk_size
PLAIN_CHUNK_DOCS = 500


def vocabulary(rng: random.Random, size: int = 20_000) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyzéü"
    return ["".join(rng.choice(letters) for _ in range(rng.randint(2, 11))) for _ in range(size)]


def words(rng: random.Random, vocab: list[str], low: int, high: int) -> str:
    return " ".join(rng.choices(vocab, k=rng.randint(low, high)))


def generate(total_docs: int, seed: int = 7) -> list[ArticleItem]:
    """Articles with comments adding up to ``total_docs`` documents."""
    rng = random.Random(seed)
    vocab = vocabulary(rng)
    articles: list[ArticleItem] = []
    docs = 0
    n = 0
    while docs < total_docs:
        n += 1
        article_id = f"bench{n:07d}"
        want = min(int(rng.expovariate(1 / COMMENTS_PER_ARTICLE)), 30, total_docs - docs - 1)
        comments: list[Comment] = []
        for position in range(1, want + 1):
            parent = comments[rng.randrange(len(comments))] if comments and rng.random() < 0.33 else None
            short = rng.random() < 0.7
            comments.append(Comment(
                id=f"{article_id}-c{position}", article_id=article_id, position=position,
                text=words(rng, vocab, COMMENT_WORDS[0], 40 if short else COMMENT_WORDS[1]),
                depth=parent.depth + 1 if parent else 1, parent_id=parent.id if parent else None,
                author=f"reader{rng.randrange(5000)}", published=f"2026-11-{rng.randint(1, 23):02d}T10:00:00+01:00",
                likes=rng.randrange(50), native_id=str(position)))
        source = f"outlet{rng.randrange(40)}"
        articles.append(ArticleItem(
            id=article_id, url=f"https://{source}.example/2026/11/{n}/", canonical_url=f"https://{source}.example/2026/11/{n}/",
            source=source, title=words(rng, vocab, 6, 14).capitalize(), text=words(rng, vocab, *ARTICLE_WORDS),
            authors=[f"Writer {rng.randrange(300)}"], published=f"2026-11-{rng.randint(1, 23):02d}T08:00:00+01:00",
            language="en", site_name=source, tags=rng.sample(vocab[:200], 3), comments=comments))
        docs += 1 + len(comments)
    return articles


def plain_actions(articles: list[ArticleItem], prefix: str) -> list[dict[str, Any]]:
    """The same documents the monitor stores (first write of each), as helpers.bulk actions."""
    actions: list[dict[str, Any]] = []
    for article in articles:
        doc = article_document(article)
        doc.update(first_seen=SEEN_AT, last_seen=SEEN_AT, comment_count=len(article.comments))
        actions.append({"_index": mappings.alias_name(prefix, "articles"), "_id": article.id, "_source": engine_document(doc)})
        for comment in article.comments:
            cdoc = comment_document(article, comment)
            cdoc.update(first_seen=SEEN_AT, last_seen=SEEN_AT)
            actions.append({"_index": mappings.alias_name(prefix, "comments"), "_id": cdoc["id"],
                            "_source": engine_document(cdoc)})
    return actions


def batches(articles: list[ArticleItem], size: int) -> Iterator[list[ArticleItem]]:
    for i in range(0, len(articles), size):
        yield articles[i:i + size]


def fresh_index(url: str, label: str) -> EngineIndex:
    return open_engine_index(url, prefix=f"bench-{label}-{uuid.uuid4().hex[:8]}", refresh=False)


def interleaved(url: str, articles: list[ArticleItem], docs: int) -> dict[str, float]:
    """Seconds each path spent, writing the same slices in turn (which goes first alternates), so that
    both meet the same load on a shared machine; each into its own fresh indices with the same mapping."""
    monitor = fresh_index(url, "monitor")
    plain = fresh_index(url, "plain")  # its templates, indices and aliases are the monitor's
    client = OpenSearch(hosts=[url], timeout=120)
    spent = {"plain": 0.0, "monitor": 0.0}
    try:
        for n, batch in enumerate(batches(articles, MONITOR_BATCH_ARTICLES)):
            actions = plain_actions(batch, plain.prefix)  # ready-made documents: not the plain path's cost

            def run_plain(actions: list[dict[str, Any]] = actions) -> None:
                ok, errors = helpers.bulk(client, actions, chunk_size=PLAIN_CHUNK_DOCS,
                                          max_chunk_bytes=100 * 1024 * 1024, refresh=False)
                assert not errors and ok == len(actions), (ok, errors)

            def run_monitor(batch: list[ArticleItem] = batch) -> None:
                monitor.upsert(batch, seen_at=SEEN_AT)

            order = [("plain", run_plain), ("monitor", run_monitor)]
            for name, run in order if n % 2 == 0 else order[::-1]:
                started = time.perf_counter()
                run()
                spent[name] += time.perf_counter() - started
        for index in (plain, monitor):
            index.refresh_now()
            counts = index.count()
            assert counts["article"] + counts["comment"] == docs, (index.prefix, counts)
        return spent
    finally:
        client.close()
        for index in (plain, monitor):
            index.drop()
            index.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:9250")
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=1, help="runs over all the documents")
    args = parser.parse_args()

    articles = generate(args.docs)
    docs = sum(1 + len(a.comments) for a in articles)
    sample = plain_actions(articles[:200], "x")
    mean_bytes = statistics.mean(len(str(a["_source"])) for a in sample)
    print(f"{len(articles)} articles + {docs - len(articles)} comments = {docs} documents, "
          f"about {mean_bytes * docs / 1e6:.0f} MB of JSON", file=sys.stderr)

    warm = articles[:200]
    interleaved(args.url, warm, sum(1 + len(a.comments) for a in warm))  # warm the JVM up
    times: dict[str, list[float]] = {"plain": [], "monitor": []}
    for round_no in range(args.rounds):
        spent = interleaved(args.url, articles, docs)
        for name, seconds in spent.items():
            times[name].append(seconds)
        print(f"round {round_no + 1}: " + ", ".join(f"{k} {v:.1f} s ({docs / v:,.0f} docs/s)" for k, v in spent.items()),
              file=sys.stderr)

    info = OpenSearch(hosts=[args.url]).info()
    labels = {"plain": "plain `helpers.bulk` (chunks of 500 docs)",
              "monitor": f"monitor `EngineIndex.upsert` (batches of {MONITOR_BATCH_ARTICLES} articles)"}
    plain_rate = docs / min(times["plain"])
    print(f"\nOpenSearch {info['version']['number']}, {docs} documents per path, interleaved, "
          f"best of {args.rounds} round(s)\n")
    print("| path | docs/s | seconds writing | relative to plain |")
    print("| --- | ---: | --- | ---: |")
    for name in ("plain", "monitor"):
        rate = docs / min(times[name])
        print(f"| {labels[name]} | {rate:,.0f} | {', '.join(f'{t:.1f}' for t in times[name])} | "
              f"{rate / plain_rate:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
