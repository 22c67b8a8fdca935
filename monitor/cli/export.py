"""The `monitor export` command: every hit of a search as CSV or NDJSON, to a file or stdout, with a progress bar."""
from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from monitor import export as exporting
from monitor.errors import MonitorError
from monitor.export import ExportFormat

if TYPE_CHECKING:
    from monitor.index.base import DocType

export_app = typer.Typer()
TYPES: dict[str, tuple[DocType, ...]] = {"all": ("article", "comment"), "article": ("article",), "comment": ("comment",)}


@export_app.command()
def export(
    ctx: typer.Context,
    query: str = typer.Argument("", help="Query in the monitor's query language ('' = everything)."),
    export_format: str = typer.Option("csv", "--format", "-f", help="csv (spreadsheet-safe) or ndjson."),
    output: Path | None = typer.Option(None, "--output", "-o", help="File to write (default: stdout)."),
    type_: str = typer.Option("all", "--type", help="article, comment or all."),
    source: list[str] = typer.Option(None, "--source", help="Only these sources (repeatable)."),
    topic: list[str] = typer.Option(None, "--topic", help="Only documents tagged with these topics (repeatable)."),
    language: list[str] = typer.Option(None, "--language", help="Only these languages (repeatable)."),
    since: str | None = typer.Option(None, "--since", help="From: a date, 7d, 24h, yesterday, this week…"),
    until: str | None = typer.Option(None, "--until", help="To: a date, yesterday, last month…"),
) -> None:
    """Export every hit of a search (no page limit), newest first."""
    from monitor import service
    from monitor.config import load_config
    from monitor.index import SearchRequest

    if export_format not in exporting.FORMATS:
        raise MonitorError(f"--format must be csv or ndjson, not {export_format!r}")
    if type_ not in TYPES:
        raise MonitorError(f"--type must be article, comment or all, not {type_!r}")
    config = load_config(ctx.find_root().params.get("config"))
    request = SearchRequest(query=query, types=TYPES[type_], sources=tuple(source or ()), topics=tuple(topic or ()),
                            languages=tuple(language or ()), since=since, until=until)
    total = service.search(config, service.export_request(request)).total  # checks the query before any file is made
    fmt: ExportFormat = "csv" if export_format == "csv" else "ndjson"
    err = Console(stderr=True, highlight=False)
    partial = output.with_name(output.name + ".part") if output is not None else None
    written = 0
    columns = (TextColumn("exporting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with (partial.open("w", encoding="utf-8", newline="") if partial else nullcontext(sys.stdout)) as out, \
                Progress(*columns, console=err, disable=partial is None and not err.is_terminal) as progress:
            task = progress.add_task("export", total=total)

            def counted(hits: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
                nonlocal written
                for hit in hits:
                    yield hit
                    written += 1
                    progress.advance(task)

            out.writelines(exporting.lines(counted(service.export(config, request)), fmt))
            out.flush()
    except BaseException:
        if partial is not None:
            partial.unlink(missing_ok=True)  # no half-written file that looks complete
        raise
    if partial is not None and output is not None:
        partial.replace(output)
        err.print(f"exported {written} hit{'' if written == 1 else 's'} to {output}")
