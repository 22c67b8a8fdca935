"""The `monitor serve`, `monitor runs` and `monitor sources` commands (registered on the app by monitor/cli.py)."""
from __future__ import annotations

import json
import logging
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from monitor.cli import render
from monitor.errors import MonitorError

if TYPE_CHECKING:
    from monitor.config import Config

serve_app = typer.Typer()
console = Console(highlight=False)


def _config(ctx: typer.Context) -> Config:
    from monitor.config import load_config

    return load_config(ctx.find_root().params.get("config"))


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


@serve_app.command()
def serve(
    ctx: typer.Context,
    log_level: str = typer.Option("INFO", "--log-level", help="DEBUG, INFO, WARNING or ERROR."),
    web: bool = typer.Option(True, "--web/--no-web", help="Also serve the web UI and API (web.host, web.port)."),
    host: str | None = typer.Option(None, "--host", help="The web UI's address (default: web.host, 127.0.0.1)."),
    port: int | None = typer.Option(None, "--port", min=0, max=65535, help="The web UI's port (default: web.port, "
                                                                        "8080)."),
) -> None:
    """Run the scheduler (and the web UI): crawl each source on its schedule until SIGTERM; SIGHUP reloads."""
    from monitor.runs.serve import serve as run_server
    from monitor.web.server import WebService

    logging.basicConfig(level=log_level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)  # the supervisor logs each run
    _config(ctx)  # a bad config is refused before anything starts
    if not web and (host is not None or port is not None):
        raise MonitorError("--host and --port are the web UI's; drop them or drop --no-web")
    services = [WebService(host=host, port=port)] if web else []
    raise typer.Exit(run_server(ctx.find_root().params.get("config"), extra_services=services))


@serve_app.command()
def runs(
    ctx: typer.Context,
    source: str | None = typer.Option(None, "--source", help="Only this source's runs."),
    limit: int = typer.Option(50, "--limit", min=1, help="How many of the newest runs."),
    as_json: bool = typer.Option(False, "--json", help="Print the runs as JSON."),
    wide: bool = typer.Option(False, "--wide", help="One line per run, however wide the terminal."),
    log: int | None = typer.Option(None, "--log", metavar="RUN_ID",
                                   help="Print that run's log (its last MB), from whichever machine ran it."),
) -> None:
    """Crawl runs of `monitor serve`, newest first: status, counters, errors by kind, log."""
    from monitor.runs import status

    if log is not None:
        shown = status.run_log(_config(ctx), log)
        cut = f", its last {shown.kept} of {shown.size} bytes" if shown.kept < shown.size else ""
        Console(stderr=True, highlight=False).print(f"log of run {log} from {escape(shown.origin)}{cut}")
        sys.stdout.write(shown.text)
        return
    found = status.runs(_config(ctx), source=source, limit=limit)
    if as_json:
        _print_json({"runs": found})
        return
    rows: list[list[str | Text]] = []
    for run in found:
        errors = ", ".join(f"{k} {v}" for k, v in run["errors"].items())
        why = "; ".join(part for part in (errors, run["reason"] or "") if part) or "-"
        rows.append([str(run["id"]), run["source"], _status(run["status"]), _when(run["started"]),
                     _minutes(run["started"], run["ended"]), f"{run['pages_fetched']} / {run['not_modified']}",
                     f"{run['articles_new']} / {run['articles_updated']}", str(run["comments_new"]), why])
    _print_table(render.rows_table(
        "Crawl runs", ["id", "source", "status", "started", "min", "pages", "articles", "comments", "reason"],
        rows, keep=("id", "source", "status", "min", "pages", "articles", "comments"),
        right=("id", "min", "pages", "articles", "comments"),
        caption="pages: fetched / unchanged (304) · articles: new / updated · min: how long it ran · UTC"), wide=wide)


def _print_table(table: Table, *, wide: bool) -> None:
    if wide:  # one line per row, whatever the terminal's width (for a file, or `less -S`)
        Console(highlight=False, width=100_000).print(table, crop=False)
    else:
        console.print(table)


def _when(stamp: str | None) -> str:
    """A time in UTC, to the minute, without the year (the JSON output has it whole): ``12-01 17:43``."""
    return (stamp or "")[5:16].replace("T", " ")


def _minutes(started: str | None, ended: str | None) -> str:
    """How long a run took, in minutes ('' while it runs)."""
    if not started or not ended:
        return ""
    seconds = (datetime.fromisoformat(ended) - datetime.fromisoformat(started)).total_seconds()
    return f"{seconds / 60:.1f}"


@serve_app.command()
def sources(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print the sources as JSON."),
    wide: bool = typer.Option(False, "--wide", help="One line per source, however wide the terminal."),
) -> None:
    """Each source's schedule, last run, next run and health (failing sources say why)."""
    from monitor.runs import status

    data = status.sources(_config(ctx))
    if as_json:
        _print_json(data)
        return
    server = data["server"]
    rows: list[list[str | Text]] = []
    for source in data["sources"]:
        last = source["last_run"]
        health = source["health"]
        if source["reason"]:
            health += f" ({source['failures_in_a_row']} in a row): {source['reason']}"
        schedule = source["schedule"] or "manual"
        if source.get("paused"):
            schedule = f"paused ({schedule})"
        name = source["name"] + (" (added in the UI)" if source.get("origin") == "ui" else "")
        rows.append([name, schedule,
                     f"{last['status']} {_when(last['started'])}" if last else "-",
                     _when(source["next_run"]) or "-", _health(health, failing=source["health"] == "failing"),
                     str(source["platform_unread"]) if source["platform_unread"] else "-"])
    headers = ["source", "schedule", "last run", "next run", "health", "platform unread"]
    if not any(source["platform_unread"] for source in data["sources"]):  # a column of dashes says nothing
        headers.pop()
        rows = [row[:-1] for row in rows]
    title = f"Sources (server {'running, pid ' + str(server['pid']) if server['running'] else 'not running'})"
    _print_table(render.rows_table(title, headers, rows, keep=("source", "health"), caption="times in UTC"),
                 wide=wide)


def _status(status: str) -> Text:
    return Text(status, style={"finished": "green", "running": "cyan", "failed": "red", "timeout": "red"}.get(
        status, "yellow"))


def _health(text: str, *, failing: bool) -> Text:
    shown = render.plain(text)  # the reason may quote a page: control characters go
    if failing:
        shown.stylize("red")
    return shown
