"""The `monitor serve`, `monitor runs` and `monitor sources` commands (registered on the app by monitor/cli.py)."""
from __future__ import annotations

import json
import logging
import sys
from datetime import datetime
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from monitor.cli.render import plain
from monitor.config import Config, load_config

serve_app = typer.Typer()
console = Console(highlight=False)


def _config(ctx: typer.Context) -> Config:
    return load_config(ctx.find_root().params.get("config"))


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


@serve_app.command()
def serve(
    ctx: typer.Context,
    log_level: str = typer.Option("INFO", "--log-level", help="DEBUG, INFO, WARNING or ERROR."),
    web: bool = typer.Option(True, "--web/--no-web", help="Also serve the web UI and API (web.host, web.port)."),
) -> None:
    """Run the scheduler (and the web UI): crawl each source on its schedule until SIGTERM; SIGHUP reloads."""
    from monitor.runs.serve import serve as run_server
    from monitor.web.server import WebService

    logging.basicConfig(level=log_level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)  # the supervisor logs each run
    _config(ctx)  # a bad config is refused before anything starts
    services = [WebService()] if web else []
    raise typer.Exit(run_server(ctx.find_root().params.get("config"), extra_services=services))


@serve_app.command()
def runs(
    ctx: typer.Context,
    source: str | None = typer.Option(None, "--source", help="Only this source's runs."),
    limit: int = typer.Option(50, "--limit", min=1, help="How many of the newest runs."),
    as_json: bool = typer.Option(False, "--json", help="Print the runs as JSON."),
) -> None:
    """Crawl runs of `monitor serve`, newest first: status, counters, errors by kind, log."""
    from monitor.runs import status

    found = status.runs(_config(ctx), source=source, limit=limit)
    if as_json:
        _print_json({"runs": found})
        return
    table = Table(title="Crawl runs", caption="articles: new / updated · times in UTC")
    for column in ("id", "source", "status", "started"):
        table.add_column(column, no_wrap=True)
    for column in ("min", "pages", "304", "articles", "comments"):
        table.add_column(column, justify="right", no_wrap=True)
    table.add_column("errors / reason")
    for run in found:
        errors = ", ".join(f"{k} {v}" for k, v in run["errors"].items())
        why = "; ".join(part for part in (errors, run["reason"] or "") if part) or "-"
        table.add_row(str(run["id"]), plain(run["source"]), _status(run["status"]), (run["started"] or "")[:16],
                      _minutes(run["started"], run["ended"]), str(run["pages_fetched"]), str(run["not_modified"]),
                      f"{run['articles_new']} / {run['articles_updated']}", str(run["comments_new"]), plain(why))
    console.print(table)


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
) -> None:
    """Each source's schedule, last run, next run and health (failing sources say why)."""
    from monitor.runs import status

    data = status.sources(_config(ctx))
    if as_json:
        _print_json(data)
        return
    server = data["server"]
    table = Table(title=f"Sources (server {'running, pid ' + str(server['pid']) if server['running'] else 'not running'})")
    for column in ("source", "schedule", "last run", "next run", "health", "platform unread"):
        table.add_column(column)
    for source in data["sources"]:
        last = source["last_run"]
        last_text = f"{last['status']} {last['started']}" if last else "-"
        health = source["health"]
        if source["reason"]:
            health += f" ({source['failures_in_a_row']} in a row): {source['reason']}"
        table.add_row(plain(source["name"]), source["schedule"] or "manual", last_text, source["next_run"] or "-",
                      plain(health), str(source["platform_unread"]) if source["platform_unread"] else "-",
                      style="red" if source["health"] == "failing" else None)
    console.print(table)


def _status(status: str) -> str:
    colour = {"finished": "green", "running": "cyan", "failed": "red", "timeout": "red"}.get(status, "yellow")
    return f"[{colour}]{status}[/]"
