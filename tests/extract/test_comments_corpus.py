"""Quality floors of comment extraction on the shared real pages (../shared/data)."""
from __future__ import annotations

import gzip
import importlib.util
import json
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

import lxml.html
import pytest

from monitor.extract import decode_html
from monitor.extract.comments import extract_comments

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
COMMENTS_DEV = SHARED / "data" / "comments-dev"
TRAF_EVAL = SHARED / "data" / "trafilatura-eval"
DUMMY_URL = "http://example.invalid/article"
# Floors from issue 4; a change may raise them, never lower them in silence.
MIN_F1, MIN_PARENT, MIN_AUTHOR, MIN_DATE = 0.95, 0.95, 0.95, 0.90
MAX_FALSE_POSITIVE_SHARE = 0.02


@lru_cache(maxsize=1)
def scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("shared_score", SHARED / "eval" / "score.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tree(path: Path) -> lxml.html.HtmlElement:
    text = decode_html(gzip.decompress(path.read_bytes()))
    # bytes, so that pages declaring <?xml encoding=...?> parse too
    return lxml.html.document_fromstring(text.encode("utf-8"), parser=lxml.html.HTMLParser(encoding="utf-8"))


def _predict(path: Path) -> list[dict[str, Any]]:
    return [
        {"id": c.key, "parent_id": c.parent_key, "author": c.author, "date_iso": c.published, "text": c.text}
        for c in extract_comments(_tree(path), DUMMY_URL)
    ]


def _prefixed(rows: list[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
    return [
        {**r, "id": f"{prefix}/{r['id']}", "parent_id": f"{prefix}/{r['parent_id']}" if r.get("parent_id") else None}
        for r in rows
    ]


@pytest.fixture(scope="module")
def pooled_scores() -> dict[str, Any]:
    """Every comment of comments-dev pooled into one set (micro-average), ids prefixed by page."""
    gold: list[dict[str, Any]] = []
    pred: list[dict[str, Any]] = []
    for truth_path in sorted((COMMENTS_DEV / "truth").glob("*.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        gold += _prefixed(truth["comments"], truth["name"])
        pred += _prefixed(_predict(COMMENTS_DEV / truth["html"]), truth["name"])
    assert len(gold) > 250
    return scorer().score_comments(gold, pred)


def test_comment_f1_floor(pooled_scores: dict[str, Any]) -> None:
    assert pooled_scores["f1"] >= MIN_F1, pooled_scores


def test_thread_parent_accuracy_floor(pooled_scores: dict[str, Any]) -> None:
    assert pooled_scores["parent_acc"] >= MIN_PARENT, pooled_scores


def test_author_accuracy_floor(pooled_scores: dict[str, Any]) -> None:
    assert pooled_scores["author_acc"] >= MIN_AUTHOR, pooled_scores


def test_date_accuracy_floor(pooled_scores: dict[str, Any]) -> None:
    assert pooled_scores["date_acc"] >= MIN_DATE, pooled_scores


def _yields_comments(path: str) -> bool:
    return bool(extract_comments(_tree(Path(path)), DUMMY_URL))


def test_pages_without_comments_rarely_yield_any() -> None:
    evaldata = json.loads((TRAF_EVAL / "evaldata.json").read_text(encoding="utf-8"))
    paths = [
        str(TRAF_EVAL / "html" / f"{item['file']}.gz")
        for item in evaldata.values()
        if item.get("comments") == [] and (TRAF_EVAL / "html" / f"{item['file']}.gz").exists()
    ]
    assert len(paths) > 700
    with ProcessPoolExecutor(max_workers=2) as pool:
        flagged = [p for p, hit in zip(paths, pool.map(_yields_comments, paths, chunksize=16)) if hit]
    share = len(flagged) / len(paths)
    assert share <= MAX_FALSE_POSITIVE_SHARE, [Path(p).name for p in flagged]
