"""Per-page comment F1 and parent/author/date accuracy on ../shared/data/comments-dev, as a markdown table.

Run from the project root: python bench/comments_report.py [--data PATH]
"""
from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import lxml.html

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT / ".." / "shared" / "data" / "comments-dev"
SCORER = ROOT / ".." / "shared" / "eval" / "score.py"
DUMMY_URL = "http://example.invalid/article"


def load_scorer(path: Path = SCORER) -> Any:
    spec = importlib.util.spec_from_file_location("shared_score", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def predict(html_path: Path, url: str | None) -> list[dict[str, Any]]:
    """Our comments for one saved page, in the scorer's shape."""
    from monitor.extract import decode_html
    from monitor.extract.comments import extract_comments

    text = decode_html(gzip.open(html_path).read())
    tree = lxml.html.document_fromstring(text.encode("utf-8"), parser=lxml.html.HTMLParser(encoding="utf-8"))
    return [
        {"id": c.key, "parent_id": c.parent_key, "author": c.author, "date_iso": c.published, "text": c.text}
        for c in extract_comments(tree, url or DUMMY_URL)
    ]


def score_page(data: Path, truth_path: Path, scorer: Any) -> dict[str, Any]:
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    pred = predict(data / truth["html"], truth.get("url"))
    result = scorer.score_comments(truth["comments"], pred)
    result["name"] = truth["name"]
    return result


def micro(scorer: Any, data: Path) -> dict[str, Any]:
    """Pool every matched comment over all pages: one score over the whole set."""
    gold_all: list[dict[str, Any]] = []
    pred_all: list[dict[str, Any]] = []
    for truth_path in sorted((data / "truth").glob("*.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        prefix = truth["name"] + "/"
        for g in truth["comments"]:
            gold_all.append({**g, "id": prefix + str(g["id"]),
                             "parent_id": prefix + str(g["parent_id"]) if g.get("parent_id") else None})
        for p in predict(data / truth["html"], truth.get("url")):
            pred_all.append({**p, "id": prefix + p["id"],
                             "parent_id": prefix + p["parent_id"] if p.get("parent_id") else None})
    return scorer.score_comments(gold_all, pred_all)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    scorer = load_scorer()
    results = [score_page(args.data, t, scorer) for t in sorted((args.data / "truth").glob("*.json"))]
    fmt = lambda v: "–" if v is None else f"{v:.3f}"  # noqa: E731
    print("| page | gold | pred | matched | F1 | parent acc | author acc | date acc |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        print(f"| {r['name']} | {r['gold']} | {r['pred']} | {r['matched']} | {fmt(r['f1'])} | "
              f"{fmt(r['parent_acc'])} | {fmt(r['author_acc'])} | {fmt(r['date_acc'])} |")
    total = micro(scorer, args.data)
    print(f"| **all (micro)** | {total['gold']} | {total['pred']} | {total['matched']} | {fmt(total['f1'])} | "
          f"{fmt(total['parent_acc'])} | {fmt(total['author_acc'])} | {fmt(total['date_acc'])} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
