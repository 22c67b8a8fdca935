"""Benchmark: our extraction against plain trafilatura on the shared corpora — time per page and quality.

Run from the project root:  python bench/extraction.py [--workers 1] [--limit N] [--corpus aeb,fundus,dragnet-train]
[--article-only]
Prints a markdown table to paste into BENCHMARKS.md.
"""
from __future__ import annotations

import argparse
import os
import pickle
import re
import sys
import time
import zlib
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import htmldate  # noqa: E402
import trafilatura  # noqa: E402
from trafilatura.utils import decode_file  # noqa: E402

from bench.corpora import (  # noqa: E402
    Page,
    aeb_pages,
    dragnet_pages,
    fundus_body,
    fundus_pages,
    load_scorers,
    norm_name,
    same_day,
    trafilatura_eval_pages,
)

CORPORA: dict[str, Callable[[], list[Page]]] = {
    "aeb": aeb_pages, "trafilatura-eval": trafilatura_eval_pages, "fundus": fundus_pages, "dragnet-train": dragnet_pages,
}
DEFAULT_CORPORA = "aeb,trafilatura-eval,fundus"  # the set every earlier speed figure was measured on


def _ours() -> tuple[str, Callable[[bytes, str], dict[str, Any]]]:
    """The orchestrator when it exists (article + comments), else (or with --article-only) the article extractor."""
    try:
        if os.environ.get("BENCH_ARTICLE_ONLY"):
            raise ImportError("article only")
        from monitor.extract import extract_html
    except ImportError:
        from monitor.extract.article import extract_article_fields

        def run_fields(raw: bytes, url: str) -> dict[str, Any]:
            fields = extract_article_fields(decode_file(raw), url)
            return {"text": fields.text, "title": fields.title, "authors": fields.authors, "date": fields.published}

        return "extract_article_fields", run_fields

    def run_item(raw: bytes, url: str) -> dict[str, Any]:
        item = extract_html(raw, url)
        return {"text": item.text, "title": item.title, "authors": item.authors, "date": item.published}

    return "extract_html", run_item


def measure(page: Page) -> dict[str, Any]:
    """Time plain trafilatura.extract and ours on one page (alternating who goes first), and keep both outputs."""
    raw = page.read()
    label, ours = _ours()
    order = ["plain", "ours"] if zlib.crc32(page.id.encode()) % 2 else ["ours", "plain"]
    if label == "extract_html":
        order.append("article")
    result: dict[str, Any] = {"corpus": page.corpus, "id": page.id}
    for who in order:
        start = time.perf_counter()
        if who == "plain":
            text = trafilatura.extract(raw, url=page.url or None)
            result["plain_seconds"] = time.perf_counter() - start
            result["plain_text_default"] = text or ""
        elif who == "ours":
            try:
                result["ours"] = ours(raw, page.url)
            except Exception as exc:  # a failure is a data point here, not a crash
                result["ours"] = {"text": "", "title": None, "authors": [], "date": None, "error": repr(exc)}
            result["ours_seconds"] = time.perf_counter() - start
        elif who == "article":
            from monitor.extract.article import extract_article_fields

            extract_article_fields(decode_file(raw), page.url)
            result["article_seconds"] = time.perf_counter() - start
    # quality reference, untimed: trafilatura without comments (as AEB's published run) and htmldate
    doc = trafilatura.bare_extraction(raw, url=page.url or None, include_comments=False, with_metadata=True)
    result["plain"] = {
        "text": (doc.text if doc else "") or "",
        "title": doc.title if doc else None,
        "authors": [a.strip() for a in (doc.author or "").split(";") if a.strip()] if doc else [],
        "date": doc.date if doc else None,
    }
    result["htmldate"] = htmldate.find_date(raw, extensive_search=True, original_date=True, url=page.url or None)
    return result


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _split_truth_authors(value: str) -> set[str]:
    return {norm_name(a) for a in re.split(r"\s*(?:;|,|\bund\b|\band\b|&)\s*", value) if a.strip()}


def score(pages: list[Page], results: dict[tuple[str, str], dict[str, Any]]) -> list[tuple[str, str, str, str]]:
    """Rows (corpus, metric, ours, plain trafilatura) for every metric the corpus has truth for."""
    scorers = load_scorers()
    rows: list[tuple[str, str, str, str]] = []
    by_corpus: dict[str, list[Page]] = defaultdict(list)
    for page in pages:
        by_corpus[page.corpus].append(page)
    for corpus, group in by_corpus.items():
        res = [results[(p.corpus, p.id)] for p in group]
        if corpus in ("aeb", "fundus", "dragnet-train"):
            truths = [fundus_body(p.truth) if corpus == "fundus" else p.truth["articleBody"] for p in group]
            for label, key in (("body F1 (aeb_corpus)", "f1"), ("body precision", "precision"),
                               ("body recall", "recall")):
                ours = scorers.aeb_corpus(zip(truths, (r["ours"]["text"] for r in res)))[key]
                plain = scorers.aeb_corpus(zip(truths, (r["plain"]["text"] for r in res)))[key]
                rows.append((corpus, label, f"{ours:.4f}", f"{plain:.4f}"))
        if corpus == "trafilatura-eval":
            for who in ("ours", "plain"):
                tp = fp = fn = 0
                for p, r in zip(group, res):
                    a, b, c, _ = scorers.snippet_counts(p.truth, r[who]["text"])
                    tp, fp, fn = tp + a, fp + b, fn + c
                precision, recall = tp / (tp + fp), tp / (tp + fn)
                rows_for = (f"{_f1(precision, recall):.4f}", f"{precision:.4f}", f"{recall:.4f}")
                if who == "ours":
                    ours_snip = rows_for
                else:
                    plain_snip = rows_for
            for i, label in enumerate(("snippet F1", "snippet precision", "snippet recall")):
                rows.append((corpus, label, ours_snip[i], plain_snip[i]))
        rows.extend(_metadata_rows(corpus, group, res))
    return rows


def _metadata_rows(corpus: str, group: list[Page], res: list[dict[str, Any]]) -> list[tuple[str, str, str, str]]:
    date_key, title_key, author_key = (
        ("publishing_date", "title", "authors") if corpus == "fundus" else ("date", "title", "author")
    )
    rows = []
    dated = [(p, r) for p, r in zip(group, res) if p.truth.get(date_key)]
    if dated:
        n = len(dated)
        ours = sum(same_day(p.truth[date_key], r["ours"]["date"]) for p, r in dated) / n
        plain = sum(same_day(p.truth[date_key], r["plain"]["date"]) for p, r in dated) / n
        hd = sum(same_day(p.truth[date_key], r["htmldate"]) for p, r in dated) / n
        rows.append((corpus, f"published day accuracy (n={n})", f"{ours:.4f}", f"{plain:.4f} (htmldate {hd:.4f})"))
    titled = [(p, r) for p, r in zip(group, res) if p.truth.get(title_key)]
    if titled:
        n = len(titled)

        def same(a: str | None, b: str | None) -> bool:
            return " ".join((a or "").split()) == " ".join((b or "").split())

        ours = sum(same(p.truth[title_key], r["ours"]["title"]) for p, r in titled) / n
        plain = sum(same(p.truth[title_key], r["plain"]["title"]) for p, r in titled) / n
        rows.append((corpus, f"title exact (n={n})", f"{ours:.4f}", f"{plain:.4f}"))
    authored = [(p, r) for p, r in zip(group, res) if p.truth.get(author_key)]
    if authored:
        n = len(authored)

        def truth_set(p: Page) -> set[str]:
            value = p.truth[author_key]
            return {norm_name(a) for a in value} if isinstance(value, list) else _split_truth_authors(value)

        ours = sum(truth_set(p) == {norm_name(a) for a in r["ours"]["authors"]} for p, r in authored) / n
        plain = sum(truth_set(p) == {norm_name(a) for a in r["plain"]["authors"]} for p, r in authored) / n
        rows.append((corpus, f"authors as a set (n={n})", f"{ours:.4f}", f"{plain:.4f}"))
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=DEFAULT_CORPORA, help="comma-separated: " + ", ".join(CORPORA))
    parser.add_argument("--workers", type=int, default=1,
                        help="processes; keep 1 for the timing figures (each page is timed plain, ours, alternately)")
    parser.add_argument("--limit", type=int, default=0, help="pages per corpus (0 = all)")
    parser.add_argument("--article-only", action="store_true", help="time extract_article_fields, not extract_html")
    parser.add_argument("--dump", type=Path, help="pickle the per-page results here for closer study")
    args = parser.parse_args(argv)
    if args.article_only:
        os.environ["BENCH_ARTICLE_ONLY"] = "1"  # inherited by the worker processes

    pages: list[Page] = []
    for name in args.corpus.split(","):
        corpus_pages = CORPORA[name.strip()]()
        pages.extend(corpus_pages[: args.limit] if args.limit else corpus_pages)
    label, _ = _ours()
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        results = {(r["corpus"], r["id"]): r for r in pool.map(measure, pages, chunksize=4)}
    wall = time.perf_counter() - started

    if args.dump:
        args.dump.write_bytes(pickle.dumps(results))
    plain_total = sum(r["plain_seconds"] for r in results.values())
    ours_total = sum(r["ours_seconds"] for r in results.values())
    errors = sum(1 for r in results.values() if r["ours"].get("error"))
    n = len(results)
    print(f"### Extraction speed ({n} pages, {args.workers} worker processes, {wall:.0f} s wall)\n")
    print("| extractor | pages | total s | ms/page | ratio |")
    print("| --- | ---: | ---: | ---: | ---: |")
    print(f"| plain `trafilatura.extract` (defaults) | {n} | {plain_total:.1f} | {1000 * plain_total / n:.1f} | 1.00 |")
    print(f"| ours: `{label}` | {n} | {ours_total:.1f} | {1000 * ours_total / n:.1f} | "
          f"{ours_total / plain_total:.2f} |")
    if label == "extract_html":
        article_total = sum(r["article_seconds"] for r in results.values())
        print(f"| of which the article part: `extract_article_fields` | {n} | {article_total:.1f} | "
              f"{1000 * article_total / n:.1f} | {article_total / plain_total:.2f} |")
    if errors:
        print(f"\n{errors} pages raised in our extraction (scored as empty).")
    print("\n### Extraction quality\n")
    print("| corpus | metric | ours | plain trafilatura 2.3.1 |")
    print("| --- | --- | ---: | ---: |")
    for row in score(pages, results):
        print("| " + " | ".join(row) + " |")
    print("\nplain trafilatura = `bare_extraction(include_comments=False, with_metadata=True)`; "
          "htmldate = `find_date(extensive_search=True, original_date=True)`.")


if __name__ == "__main__":
    main()
