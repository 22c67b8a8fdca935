"""Comment extraction, the project against plain trafilatura 2.3.1, on the shared corpora in one run.

Our side is one `monitor extract --jsonl` process over every page; trafilatura runs here, page by page.
Measured: comments-dev F1 and parent/author/date accuracy; dragnet-train comment token recall/precision
against the human copy (our author and date lines added, as the scorer says) and the share of pages with
comments that give none; pages without comments (trafilatura-eval's `comments: []`, dragnet-train's
without_comments) that yield some, each listed; per corpus the slowest page against trafilatura on it.

Run from the project root: python bench/comments_report.py [--shared PATH] [--no-timing-corpora]
"""
from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = Path(os.environ.get("MONITOR_SHARED") or ROOT / ".." / "shared")


def load_scorer(shared: Path) -> Any:
    spec = importlib.util.spec_from_file_location("shared_score", shared / "eval" / "score.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def ours(files: list[Path]) -> dict[str, dict[str, Any]]:
    """Every page through one `monitor extract --jsonl` process: file name → its row."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "monitor.cli", "extract", "--jsonl", *map(str, files)],
        env=env, cwd=ROOT, capture_output=True, text=True, check=True,
    )
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    return {row["file"]: row for row in rows}


def plain_trafilatura(path: Path) -> tuple[str, float]:
    """(trafilatura's comment text, CPU seconds) for one page."""
    import trafilatura

    html = gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
    started = time.process_time()
    doc = trafilatura.bare_extraction(html, include_comments=True)
    seconds = time.process_time() - started
    return (getattr(doc, "comments", None) or "") if doc is not None else "", seconds


RETIME, REPEATS = 5, 2


def warm_times(path: Path) -> tuple[float, float]:
    """(project, trafilatura) CPU seconds on one page, warm, the best of REPEATS alternating runs."""
    from monitor import service

    service.extract(str(path))
    plain_trafilatura(path)
    ours_best = theirs_best = float("inf")
    for _ in range(REPEATS):
        started = time.process_time()
        service.extract(str(path))
        ours_best = min(ours_best, time.process_time() - started)
        theirs_best = min(theirs_best, plain_trafilatura(path)[1])
    return ours_best, theirs_best


def spoken_date(iso: str | None) -> str:
    """An ISO date as the page would show it ("July 24, 2012 11:35"), for token scoring against a human copy."""
    if not iso:
        return ""
    try:
        when = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    clock = f" {when.hour}:{when.minute:02d}" if "T" in iso else ""
    return f"{when.strftime('%B')} {when.day}, {when.year}{clock}"


def comment_block(comments: list[dict[str, Any]]) -> str:
    return "\n".join(f"{c.get('author') or ''}\n{spoken_date(c.get('published'))}\n{c['text']}" for c in comments)


def _prefixed(rows: list[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
    return [{**r, "id": f"{prefix}/{r['id']}", "parent_id": f"{prefix}/{r['parent_id']}" if r.get("parent_id") else None}
            for r in rows]


def _rows(comments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"id": c["id"], "parent_id": c["parent_id"], "author": c["author"], "date_iso": c["published"],
             "text": c["text"]} for c in comments]


def fmt(v: float | None) -> str:
    return "–" if v is None else f"{v:.3f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--no-timing-corpora", action="store_true", help="skip aeb and fundus (timing only)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    scorer = load_scorer(args.shared)
    data = args.shared / "data"
    cdev = data / "comments-dev"
    truths = [json.loads(t.read_text(encoding="utf-8")) for t in sorted((cdev / "truth").glob("*.json"))]
    dragnet = data / "dragnet-train"
    with_ids = (dragnet / "with_comments.txt").read_text().split()
    without_ids = (dragnet / "without_comments.txt").read_text().split()
    teval_truth = json.loads((data / "trafilatura-eval" / "evaldata.json").read_text(encoding="utf-8"))
    corpora: dict[str, list[Path]] = {
        "comments-dev": [cdev / t["html"] for t in truths],
        "dragnet-train": [dragnet / "html" / f"{i}.html.gz" for i in with_ids + without_ids],
        "trafilatura-eval": [data / "trafilatura-eval" / "html" / f"{v['file']}.gz" for v in teval_truth.values()],
    }
    if not args.no_timing_corpora:
        corpora["aeb"] = sorted((data / "aeb" / "html").glob("*.html.gz"))
        manifest = json.loads((data / "fundus" / "MANIFEST.json").read_text(encoding="utf-8"))
        corpora["fundus"] = [data / "fundus" / e["html"] for e in manifest]
    every = [p for files in corpora.values() for p in files]
    started = time.time()
    our = ours(every)
    our_wall = time.time() - started
    traf = {str(p): plain_trafilatura(p) for p in every}

    print("### comments-dev (project; trafilatura gives no thread to score)\n")
    print("| page | gold | pred | matched | F1 | parent acc | author acc | date acc |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    pooled_gold: list[dict[str, Any]] = []
    pooled_pred: list[dict[str, Any]] = []
    for truth, path in zip(truths, corpora["comments-dev"]):
        pred = _rows(our[str(path)]["comments"])
        r = scorer.score_comments(truth["comments"], pred)
        pooled_gold += _prefixed(truth["comments"], truth["name"])
        pooled_pred += _prefixed(pred, truth["name"])
        print(f"| {truth['name']} | {r['gold']} | {r['pred']} | {r['matched']} | {fmt(r['f1'])} | "
              f"{fmt(r['parent_acc'])} | {fmt(r['author_acc'])} | {fmt(r['date_acc'])} |")
    t = scorer.score_comments(pooled_gold, pooled_pred)
    print(f"| **all (micro)** | {t['gold']} | {t['pred']} | {t['matched']} | {fmt(t['f1'])} | "
          f"{fmt(t['parent_acc'])} | {fmt(t['author_acc'])} | {fmt(t['date_acc'])} |\n")

    print("### dragnet-train: comment tokens against the human copy\n")
    sums = {"project": [0, 0, 0], "trafilatura": [0, 0, 0]}
    empty = {"project": [], "trafilatura": []}
    for i in with_ids:
        gold = scorer.dragnet_truth(gzip.decompress((dragnet / "Corrected" / f"{i}.txt.gz").read_bytes()))[1]
        path = str(dragnet / "html" / f"{i}.html.gz")
        predicted = {"project": comment_block(our[path].get("comments", [])), "trafilatura": traf[path][0]}
        for who, text in predicted.items():
            for k, v in enumerate(scorer.comment_tokens(gold, text)):
                sums[who][k] += v
            if not text.strip():
                empty[who].append(i)
    print("| system | token recall | token precision | pages with comments giving none |")
    print("| --- | ---: | ---: | ---: |")
    for who, (tp, gold_n, pred_n) in sums.items():
        print(f"| {who} | {tp / gold_n:.3f} | {tp / pred_n if pred_n else 0:.3f} | "
              f"{len(empty[who])}/{len(with_ids)} ({len(empty[who]) / len(with_ids):.1%}) |")
    print(f"\nproject, none on: {' '.join(empty['project'])}\n")

    print("### pages without comments that yield some\n")
    no_comment_pages = [str(data / "trafilatura-eval" / "html" / f"{v['file']}.gz")
                        for v in teval_truth.values() if v.get("comments") == []]
    no_comment_pages += [str(dragnet / "html" / f"{i}.html.gz") for i in without_ids]
    print("| system | pages | yielding comments |")
    print("| --- | ---: | ---: |")
    flagged = {"project": [p for p in no_comment_pages if our[p].get("comments")],
               "trafilatura": [p for p in no_comment_pages if traf[p][0].strip()]}
    for who, pages in flagged.items():
        print(f"| {who} | {len(no_comment_pages)} | {len(pages)} ({len(pages) / len(no_comment_pages):.1%}) |")
    print()
    for p in flagged["project"]:
        first = our[p]["comments"][0]
        print(f"- project: `{Path(p).name}` {len(our[p]['comments'])} comments, first by {first.get('author')!r}: "
              f"{first['text'][:70]!r}")
    print()

    print("### time (CPU seconds per page; project = article + comments, trafilatura = with comments)\n")
    print(f"The batch's {RETIME} slowest pages of each corpus timed again in this process, warm, each side "
          f"the best of {REPEATS} runs, alternating, so that a first page's one-off set-up (dateparser's "
          "locales) and other jobs' load fall on neither side alone.\n")
    print("| corpus | pages | project total (batch) | trafilatura total | slowest page, warm | project | trafilatura | "
          "ratio | worst ratio of the re-timed |")
    print("| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |")
    for name, files in corpora.items():
        mine = {str(p): our[str(p)].get("seconds", 0.0) for p in files}
        again = {p: warm_times(Path(p)) for p in sorted(mine, key=lambda p: -mine[p])[:RETIME]}
        slow = max(again, key=lambda p: again[p][0])
        worst = max(a / max(b, 0.001) for a, b in again.values())
        print(f"| {name} | {len(files)} | {sum(mine.values()):.1f} | {sum(traf[p][1] for p in mine):.1f} | "
              f"{Path(slow).name[:40]} | {again[slow][0]:.3f} | {again[slow][1]:.3f} | "
              f"{again[slow][0] / max(again[slow][1], 0.001):.1f}× | {worst:.1f}× |")
    print(f"\n(one `monitor extract --jsonl` process over {len(every)} pages: {our_wall:.0f} s wall)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
