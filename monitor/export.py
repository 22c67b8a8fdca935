"""Search hits as CSV or NDJSON lines for a download: the columns, and cells a spreadsheet cannot run as formulas."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any, Literal

ExportFormat = Literal["csv", "ndjson"]
FORMATS: tuple[ExportFormat, ...] = ("csv", "ndjson")
MEDIA_TYPES: dict[ExportFormat, str] = {"csv": "text/csv; charset=utf-8", "ndjson": "application/x-ndjson"}
COLUMNS = ("type", "id", "published", "source", "title", "authors", "url", "article_id", "article_title",
           "parent_id", "language", "topics", "comment_count", "likes", "first_seen", "text")
# A cell a spreadsheet would read as a formula (or a DDE call): = + - @, and tab or CR that some strip first.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
INTERNAL = ("score", "snippet")  # search's own additions, not part of the document


def safe_cell(value: Any) -> str:
    """One CSV cell: lists joined with "; ", text that starts like a formula prefixed with a quote."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(v) for v in value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        text = str(value)
        return "'" + text if text.startswith(FORMULA_STARTS) else text
    return str(value)


def csv_row(hit: dict[str, Any]) -> dict[str, str]:
    authors = hit.get("authors") or hit.get("author")
    return {column: safe_cell(authors if column == "authors" else hit.get(column)) for column in COLUMNS}


def csv_lines(hits: Iterable[dict[str, Any]], *, header: bool = True) -> Iterator[str]:
    """The header (unless this continues an export), then a line per hit (RFC 4180 quoting, CRLF line ends)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    if header:
        writer.writeheader()
    for hit in hits:
        writer.writerow(csv_row(hit))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.getvalue():  # no hits: the header alone
        yield buffer.getvalue()


def ndjson_lines(hits: Iterable[dict[str, Any]]) -> Iterator[str]:
    """A JSON document per line: every stored field of each hit."""
    for hit in hits:
        yield json.dumps({k: v for k, v in hit.items() if k not in INTERNAL}, ensure_ascii=False, default=str) + "\n"


def lines(hits: Iterable[dict[str, Any]], export_format: ExportFormat, *, header: bool = True) -> Iterator[str]:
    return csv_lines(hits, header=header) if export_format == "csv" else ndjson_lines(hits)
