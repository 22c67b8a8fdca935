"""Near-duplicate clustering on syndicated copies of real articles: pair precision/recall per threshold, cost.

Run from the project root: python bench/clusters.py [--thresholds 0.3,0.4,0.5,0.6]
Stories are the aeb and fundus bodies (../shared/data); each is reprinted on 2-4 outlets by
monitor.demo.syndication. A pair is a true pair when both copies are of one story.
"""
from __future__ import annotations

import argparse
import itertools
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from corpora import aeb_pages, fundus_body, fundus_pages  # noqa: E402

from monitor.clusters.keys import fingerprints  # noqa: E402
from monitor.demo.syndication import syndicate  # noqa: E402


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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--thresholds", default="0.2,0.3,0.4,0.5,0.6,0.7")
    args = parser.parse_args()
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
