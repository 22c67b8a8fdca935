"""The shared evaluation corpora for the floor tests: pages, truth, the reference scorer, one extraction per page."""
from __future__ import annotations

import importlib.util
import json
import os
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

SHARED = Path(os.environ.get("MONITOR_SHARED") or Path(__file__).resolve().parents[2] / ".." / "shared")
DATA = SHARED / "data"
COMMENTS_DEV = DATA / "comments-dev"


@lru_cache(maxsize=1)
def scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("shared_score", SHARED / "eval" / "score.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class Extracted:
    """What the floor tests score of one page: its article text and its comments in the scorer's shape."""

    text: str
    rows: list[dict[str, Any]]


def extract_file(job: tuple[str, str | None]) -> Extracted:
    """One saved page through `monitor extract PAGE --json` (the same service call, article + comments as the
    crawl extracts them); without a URL the page's own file URL, as the command uses."""
    from monitor import service

    path, url = job
    printed = service.extract(path, url=url or None)
    return Extracted(printed["article"]["text"], scorer_rows(printed["comments"]))


def scorer_rows(comments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`monitor extract --json` comments → the rows `score_comments` reads (published is its date_iso)."""
    return [
        {"id": c["id"], "parent_id": c["parent_id"], "author": c["author"], "date_iso": c["published"],
         "text": c["text"]}
        for c in comments
    ]


def dragnet_block(rows: list[dict[str, Any]]) -> str:
    """Our comments as the dragnet annotators copied a comment section: author, date, text (the scorer's advice)."""
    return "\n".join(f"{r.get('author') or ''}\n{spoken_date(r.get('date_iso'))}\n{r['text']}" for r in rows)


def spoken_date(iso: str | None) -> str:
    """An ISO date as a page shows it ("July 24, 2012 11:35"), to score tokens against a human copy."""
    if not iso:
        return ""
    try:
        when = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    clock = f" {when.hour}:{when.minute:02d}" if "T" in iso else ""
    return f"{when.strftime('%B')} {when.day}, {when.year}{clock}"


def comments_dev_truths() -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((COMMENTS_DEV / "truth").glob("*.json"))]


def prefixed(rows: list[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
    """Rows with ids made unique across pages, so that every comment of the set pools into one score."""
    return [
        {**r, "id": f"{prefix}/{r['id']}", "parent_id": f"{prefix}/{r['parent_id']}" if r.get("parent_id") else None}
        for r in rows
    ]


def fundus_body(truth: dict[str, Any]) -> str:
    body = truth.get("body") or {}
    parts = list(body.get("summary") or [])
    for section in body.get("sections") or []:
        parts += (section.get("headline") or []) + (section.get("paragraphs") or [])
    return "\n".join(parts)
