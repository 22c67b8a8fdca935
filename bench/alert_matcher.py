"""Benchmark: the Python matcher's documents/s against 1,000 alerts, this tree beside another checkout, interleaved.

Run from the project root:  python bench/alert_matcher.py [--before DIR] [--rounds 5] [--alerts 1000] [--docs 1000]
DIR is another checkout of the project (e.g. `git worktree add /tmp/before REV`). Each round times each tree in a
fresh process on the same generated alerts and documents (bench/alerts.py); the table gives the medians.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Runs inside the measured tree: its own monitor package, bench/alerts.py's generators of this tree.
PROBE = """
import json, sys, time
sys.path[:0] = [sys.argv[1], sys.argv[2]]
from monitor.alerts.matching import PythonMatcher  # first: the measured tree's package, before bench/alerts.py
from monitor.alerts.service import new_documents
import alerts as gen
alerts = gen.make_alerts(int(sys.argv[3]), "json://127.0.0.1:9/hook")
articles = gen.make_articles(int(sys.argv[4]), "b")
docs = new_documents(articles, [a.id for a in articles] + [c.id for a in articles for c in a.comments])
out = {}
for name, loaded in (("alerts", alerts), ("none", [])):
    matcher = PythonMatcher(loaded)
    best, found = float("inf"), 0
    for _ in range(3):
        start = time.perf_counter()
        found = len(matcher.match(docs))
        best = min(best, time.perf_counter() - start)
    out[name] = {"docs_per_s": len(docs) / best, "matches": found}
print(json.dumps(out))
"""


def probe(tree: Path, alerts: int, docs: int) -> dict[str, dict[str, float]]:
    answer = subprocess.run([sys.executable, "-c", PROBE, str(tree), str(ROOT / "bench"), str(alerts), str(docs)],
                            capture_output=True, text=True, check=True, cwd=tree, env={**os.environ, "PYTHONPATH": ""})
    return json.loads(answer.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before", type=Path, help="another checkout to compare with")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--alerts", type=int, default=1000)
    parser.add_argument("--docs", type=int, default=1000)
    args = parser.parse_args()
    trees = {"this tree": ROOT, **({"before": args.before.resolve()} if args.before else {})}
    runs: dict[str, list[dict[str, dict[str, float]]]] = {name: [] for name in trees}
    started = time.perf_counter()
    for _ in range(args.rounds):
        for name, tree in trees.items():
            runs[name].append(probe(tree, args.alerts, args.docs))
    print(f"{args.alerts} alerts, {args.docs} new documents, median of {args.rounds} interleaved rounds "
          f"(best of 3 in each), {time.perf_counter() - started:.0f} s in all\n")
    print("| tree | documents/s, 1,000 alerts | matches | µs per document, no alert |\n| --- | ---: | ---: | ---: |")
    for name, rounds in runs.items():
        with_alerts = statistics.median(r["alerts"]["docs_per_s"] for r in rounds)
        without = statistics.median(1e6 / r["none"]["docs_per_s"] for r in rounds)
        print(f"| {name} | {with_alerts:,.0f} | {rounds[0]['alerts']['matches']:.0f} | {without:,.2f} |")


if __name__ == "__main__":
    main()
