"""Per-page comment F1 and parent/author/date accuracy on ../shared/data/comments-dev (`monitor extract --json`).

Run from the project root: python bench/comments_report.py [--data PATH]
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT / ".." / "shared" / "data" / "comments-dev"
SCORER = ROOT / ".." / "shared" / "eval" / "score.py"


def load_scorer(path: Path = SCORER) -> Any:
    spec = importlib.util.spec_from_file_location("shared_score", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def predict(html_path: Path, url: str | None) -> list[dict[str, Any]]:
    """Our comments for one saved page as `monitor extract PAGE --json` prints them (the same service call),
    in the scorer's shape: hashed ids and parent ids from the thread linking, ``published`` as ``date_iso``."""
    from monitor import service

    return [
        {"id": c["id"], "parent_id": c["parent_id"], "author": c["author"], "date_iso": c["published"],
         "text": c["text"]}
        for c in service.extract(str(html_path), url=url)["comments"]
    ]


def _prefixed(rows: list[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
    return [{**r, "id": f"{prefix}/{r['id']}", "parent_id": f"{prefix}/{r['parent_id']}" if r.get("parent_id") else None}
            for r in rows]


def micro(scorer: Any, pages: list[tuple[dict[str, Any], list[dict[str, Any]]]]) -> dict[str, Any]:
    """Pool every comment over all pages (ids prefixed by page): one score over the whole set."""
    gold = [row for truth, _ in pages for row in _prefixed(truth["comments"], truth["name"])]
    pred = [row for truth, rows in pages for row in _prefixed(rows, truth["name"])]
    return scorer.score_comments(gold, pred)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    scorer = load_scorer()
    truths = [json.loads(t.read_text(encoding="utf-8")) for t in sorted((args.data / "truth").glob("*.json"))]
    pages = [(truth, predict(args.data / truth["html"], truth.get("url"))) for truth in truths]
    results = [{**scorer.score_comments(truth["comments"], rows), "name": truth["name"]} for truth, rows in pages]
    fmt = lambda v: "–" if v is None else f"{v:.3f}"  # noqa: E731
    print("| page | gold | pred | matched | F1 | parent acc | author acc | date acc |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        print(f"| {r['name']} | {r['gold']} | {r['pred']} | {r['matched']} | {fmt(r['f1'])} | "
              f"{fmt(r['parent_acc'])} | {fmt(r['author_acc'])} | {fmt(r['date_acc'])} |")
    total = micro(scorer, pages)
    print(f"| **all (micro)** | {total['gold']} | {total['pred']} | {total['matched']} | {fmt(total['f1'])} | "
          f"{fmt(total['parent_acc'])} | {fmt(total['author_acc'])} | {fmt(total['date_acc'])} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
