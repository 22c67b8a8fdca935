"""`monitor export` run as a user runs it: every hit (past any page limit) as CSV or NDJSON, formula-safe, to a file."""
from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest

from monitor.config import load_config
from monitor.index import open_index
from monitor.items import ArticleItem, Comment
from tests.conftest import run_monitor, write_config

pytestmark = pytest.mark.e2e  # the real command line in a subprocess

COMMENTS = 1_234  # more than two export pages (service.EXPORT_PAGE_SIZE) and the API's 500-hit page cap
FORMULAS = ("=HYPERLINK(\"http://evil.example/\",\"click\")", "+1+1", "-2+3", "@SUM(A1:A9)")
URL = "http://127.0.0.1:9/export/ferry-timetable/"


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index holding one article with many comments, some of them spreadsheet formulas."""
    path = write_config(tmp_path_factory.mktemp("export"), [{"name": "lab", "feeds": ["http://127.0.0.1:9/feed.xml"]}])
    aid = "export-article"
    comments = [Comment(id=f"{aid}-{n}", article_id=aid, position=n, depth=1, author=f"Reader {n}", source="lab",
                        text=FORMULAS[n % len(FORMULAS)] + f" ferry remark {n}" if n < 8 else f"ferry remark {n}",
                        published=f"2026-11-{1 + n % 28:02d}T{n % 24:02d}:00:00+00:00", url=f"{URL}#c{n}",
                        article_title="Ferry timetable")
                for n in range(COMMENTS)]
    article = ArticleItem(id=aid, url=URL, canonical_url=URL, source="lab", title="=cmd|' /C calc'!A0 ferry timetable",
                          text="The ferry timetable changes.", published="2026-11-30T09:00:00+00:00", language="en",
                          comments=comments)
    with open_index(load_config(path).index.url) as index:
        index.upsert([article], seen_at="2026-11-30T10:00:00Z")
    return path


def test_csv_export_holds_every_hit_and_no_cell_starts_a_formula(config: Path, tmp_path: Path) -> None:
    target = tmp_path / "ferry.csv"
    done = run_monitor("export", "ferry", "--format", "csv", "--output", str(target), config=config,
                       env={"TTY_COMPATIBLE": "1"})
    assert f"exported {COMMENTS + 1} hits to {target}" in done.stderr
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert len(rows) == COMMENTS + 1 and len({r["id"] for r in rows}) == COMMENTS + 1
    cells = [value for row in rows for value in row.values()]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]
    title = next(r["title"] for r in rows if r["type"] == "article")
    assert title == "'=cmd|' /C calc'!A0 ferry timetable"  # kept, but as text
    assert {"'" + f for f in FORMULAS} <= {r["text"].rsplit(" ferry", 1)[0] for r in rows if r["type"] == "comment"}
    assert not (tmp_path / "ferry.csv.part").exists()


def test_ndjson_export_to_stdout_has_a_document_per_line_newest_first(config: Path) -> None:
    done = run_monitor("export", "ferry", "--type", "comment", "--format", "ndjson", config=config)
    documents = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(documents) == COMMENTS and {d["type"] for d in documents} == {"comment"}
    stamps = [d["published"] for d in documents]
    assert stamps == sorted(stamps, reverse=True)
    assert f"{FORMULAS[1]} ferry remark 1" in {d["text"] for d in documents}  # NDJSON keeps text exactly


def test_relative_ranges_work_in_search_and_export(config: Path) -> None:
    long_ago = run_monitor("search", "ferry", "--since", "3650d", "--json", "--limit", "1", config=config)
    assert json.loads(long_ago.stdout)["total"] == COMMENTS + 1
    recent = run_monitor("export", "ferry", "--since", "1h", "--format", "ndjson", config=config)
    assert recent.stdout == ""  # nothing is that new


def test_bad_input_is_refused_with_what_to_fix_and_leaves_no_file(config: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    wrong_format = run_monitor("export", "ferry", "--format", "xlsx", "--output", str(target), config=config,
                               check=False)
    assert wrong_format.returncode == 2 and "--format must be csv or ndjson" in wrong_format.stderr
    wrong_date = run_monitor("export", "ferry", "--since", "someday", "--output", str(target), config=config,
                             check=False)
    assert wrong_date.returncode == 2 and "7d" in wrong_date.stderr
    broken = run_monitor("export", '"unclosed', "--output", str(target), config=config, check=False)
    assert broken.returncode == 2 and "error" in broken.stderr
    assert not target.exists() and not os.path.exists(str(target) + ".part")
