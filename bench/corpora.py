"""Loaders and scoring helpers for the evaluation corpora in ../shared/data (read in place, never copied)."""
from __future__ import annotations

import datetime as dt
import gzip
import importlib.util
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MONITOR_SHARED") or ROOT / ".." / "shared")  # a git worktree is not beside it
DATA = SHARED / "data"
SCORE_PY = SHARED / "eval" / "score.py"


@dataclass
class Page:
    """One evaluation page: its id, URL, raw bytes and whatever truth the corpus gives."""

    corpus: str
    id: str
    url: str
    path: Path
    truth: dict[str, Any] = field(default_factory=dict)

    def read(self) -> bytes:
        with gzip.open(self.path, "rb") as fh:
            return fh.read()


def load_scorers() -> ModuleType:
    """Import ../shared/eval/score.py as a module (it is not a package)."""
    spec = importlib.util.spec_from_file_location("shared_score", SCORE_PY)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def aeb_pages(data: Path = DATA) -> list[Page]:
    base = data / "aeb"
    truth = json.loads((base / "ground-truth.json").read_text(encoding="utf-8"))
    return [
        Page("aeb", key, value.get("url") or "", base / "html" / f"{key}.html.gz", value)
        for key, value in sorted(truth.items())
    ]


def trafilatura_eval_pages(data: Path = DATA) -> list[Page]:
    base = data / "trafilatura-eval"
    truth = json.loads((base / "evaldata.json").read_text(encoding="utf-8"))
    return [
        Page("trafilatura-eval", value["file"], url, base / "html" / f"{value['file']}.gz", value)
        for url, value in truth.items()
    ]


def fundus_pages(data: Path = DATA) -> list[Page]:
    base = data / "fundus"
    manifest = json.loads((base / "MANIFEST.json").read_text(encoding="utf-8"))
    pages = []
    for entry in manifest:
        truth = json.loads((base / entry["truth"]).read_text(encoding="utf-8"))[entry["truth_key"]]
        pages.append(Page("fundus", entry["html"], entry["url"], base / entry["html"], truth))
    return pages


def dragnet_pages(data: Path = DATA) -> list[Page]:
    """dragnet-train: every page, its truth the article text of the human copy (``articleBody``)."""
    base = data / "dragnet-train"
    ids = [*(base / "with_comments.txt").read_text().split(), *(base / "without_comments.txt").read_text().split()]
    scorers = load_scorers()
    pages = []
    for i in ids:
        article = scorers.dragnet_truth(gzip.decompress((base / "Corrected" / f"{i}.txt.gz").read_bytes()))[0]
        pages.append(Page("dragnet-train", i, "", base / "html" / f"{i}.html.gz", {"articleBody": article}))
    return pages


def fundus_body(truth: dict[str, Any]) -> str:
    """Fundus' structured body as plain text: summary, then each section's headline and paragraphs."""
    body = truth.get("body") or {}
    parts: list[str] = list(body.get("summary") or [])
    for section in body.get("sections") or []:
        parts.extend(section.get("headline") or [])
        parts.extend(section.get("paragraphs") or [])
    return "\n".join(parts)


def _parse_when(value: str) -> dt.datetime | dt.date | None:
    value = value.strip().replace(" ", "T", 1)
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None


def same_day(truth: str | None, predicted: str | None) -> bool:
    """True when both name the same calendar day, as written or (both with offsets) in UTC.

    Fundus stores some dates converted to UTC while pages give local time, so a late-evening
    article can sit on different days in the two; either reading counts.
    """
    if not truth or not predicted:
        return False
    if truth[:10] == predicted[:10]:
        return True
    a, b = _parse_when(truth), _parse_when(predicted)
    if isinstance(a, dt.datetime) and isinstance(b, dt.datetime) and a.tzinfo and b.tzinfo:
        return a.astimezone(dt.UTC).date() == b.astimezone(dt.UTC).date()
    return False


def norm_name(name: str) -> str:
    return " ".join(name.casefold().split())
