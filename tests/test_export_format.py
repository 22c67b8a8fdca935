"""Export lines: CSV cells that cannot run as spreadsheet formulas, lists joined, NDJSON without search's extras."""
from __future__ import annotations

import csv
import io
import json

from monitor.export import COLUMNS, csv_lines, ndjson_lines, safe_cell


def test_cells_that_start_like_a_formula_become_text() -> None:
    assert [safe_cell(v) for v in ("=1+1", "+31 6 1234", "-x", "@SUM(A1)", "\t=1", "\r=1")] == [
        "'=1+1", "'+31 6 1234", "'-x", "'@SUM(A1)", "'\t=1", "'\r=1"]
    assert [safe_cell(v) for v in ("plain", "a=b", None, 3, -2, ["=a", "b"])] == ["plain", "a=b", "", "3", "-2", "'=a; b"]


def test_csv_has_a_header_even_when_nothing_matched_and_continues_without_one() -> None:
    assert list(csv.reader(io.StringIO("".join(csv_lines([]))))) == [list(COLUMNS)]
    hit = {"type": "comment", "id": "c1", "text": 'quote " and, comma\nnewline', "topics": ["a", "b"], "score": 1.5}
    rows = list(csv.DictReader(io.StringIO("".join(csv_lines([hit, hit])))))
    assert len(rows) == 2 and rows[0]["text"] == hit["text"] and rows[0]["topics"] == "a; b"
    assert "".join(csv_lines([hit], header=False)).startswith("comment,c1,")


def test_ndjson_keeps_every_stored_field_exactly_and_drops_search_extras() -> None:
    hit = {"type": "article", "id": "a1", "title": "=1+1 «x»", "score": 2.0, "snippet": "«x»", "tags": ["t"]}
    assert [json.loads(line) for line in ndjson_lines([hit])] == [
        {"type": "article", "id": "a1", "title": "=1+1 «x»", "tags": ["t"]}]
