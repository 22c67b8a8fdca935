"""`monitor alerts …`: manage alerts, test them on past days, read the send history, send digests and retries now."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from monitor.alerts import service
from monitor.cli import render
from monitor.config import Config, load_config
from monitor.index import SearchResult

alerts_app = typer.Typer(help="Keyword alerts: add, list, remove, test, history, digest, deliver.",
                         no_args_is_help=True)
console = Console(highlight=False)


def _config(ctx: typer.Context) -> Config:
    # The root command's --config; read from the context, since `python -m monitor.cli` runs cli.py as __main__.
    path: Path | None = ctx.find_root().params.get("config")
    return load_config(path)


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def _table(rows: list[dict[str, Any]], columns: list[str], *, title: str) -> None:
    table = Table(title=title, show_lines=False)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(render.escape(_cell(row.get(c))) for c in columns))
    console.print(table)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


@alerts_app.command("list")
def list_(ctx: typer.Context, as_json: bool = typer.Option(False, "--json")) -> None:
    """Every alert (from the config and the command line); notify URLs shown with their secrets masked."""
    alerts = service.list_alerts(_config(ctx))
    if as_json:
        _print_json({"alerts": alerts})
    else:
        _table(alerts, ["name", "query", "mode", "digest_schedule", "types", "sources", "topics", "languages",
                        "notify", "origin"], title=f"{len(alerts)} alert{'s' if len(alerts) != 1 else ''}")


@alerts_app.command("add")
def add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="A short name (letters, digits, - _ .)."),
    query: str = typer.Argument(..., help="The query, in the search query language."),
    notify: list[str] = typer.Option(..., "--notify", help="Apprise URL (repeatable); {env:NAME} takes a secret "
                                                            "from the environment."),
    type_: list[str] = typer.Option(None, "--type", help="article or comment (repeatable; default both)."),
    source: list[str] = typer.Option(None, "--source", help="Only these sources (repeatable)."),
    topic: list[str] = typer.Option(None, "--topic", help="Only documents tagged with these topics (repeatable)."),
    language: list[str] = typer.Option(None, "--language", help="Only these languages (repeatable)."),
    digest: str | None = typer.Option(None, "--digest", help="Send one digest per cron schedule instead of "
                                                                "each match, e.g. '0 8 * * *' (UTC)."),
    once_per: str = typer.Option("cluster", "--once-per", help="cluster: a story reprinted by many outlets "
                                                                "notifies once; document: every copy notifies."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Add an alert (kept in the state DB under data_dir)."""
    fields: dict[str, Any] = {"name": name, "query": query, "notify": list(notify), "sources": list(source or []),
                              "topics": list(topic or []), "languages": list(language or []), "once_per": once_per}
    if type_:
        fields["types"] = list(type_)
    if digest:
        fields.update(mode="digest", digest_schedule=digest)
    alert = service.add_alert(_config(ctx), fields)
    if as_json:
        _print_json(alert)
    else:
        console.print(f"Added alert {render.escape(name)}: {render.escape(query)} → "
                      f"{render.escape(', '.join(alert['notify']))}")


@alerts_app.command("remove")
def remove(ctx: typer.Context, name: str = typer.Argument(...)) -> None:
    """Remove an alert made from the command line (config alerts are removed from the config file)."""
    service.remove_alert(_config(ctx), name)
    console.print(f"Removed alert {render.escape(name)}")


@alerts_app.command("test")
def test(
    ctx: typer.Context,
    name: str = typer.Argument(...),
    days: int = typer.Option(7, "--days", min=1, help="Look back this many days (by publication date)."),
    limit: int = typer.Option(20, "--limit", min=1, max=10_000),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Show what the alert would have matched over the last N days; nothing is sent."""
    result = service.test_alert(_config(ctx), name, days=days, limit=limit)
    if as_json:
        _print_json(result)
        return
    console.print(f"Alert {render.escape(name)} would have matched {result['total']} document(s) since "
                  f"{result['since'][:10]} (nothing sent):")
    render.search_results(console, SearchResult(total=result["total"], hits=result["hits"]),
                          query=result["alert"]["query"])


@alerts_app.command("history")
def history(
    ctx: typer.Context,
    name: str | None = typer.Argument(None, help="Only this alert."),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Notifications sent, waiting and failed, newest first, with their status and attempts."""
    rows = service.history(_config(ctx), name=name, limit=limit)
    if as_json:
        _print_json({"messages": rows})
    else:
        _table(rows, ["id", "alert", "kind", "status", "attempts", "created", "sent_at", "next_attempt", "to",
                      "title", "last_error"], title="alert notifications")


@alerts_app.command("digest")
def digest(
    ctx: typer.Context,
    name: str | None = typer.Argument(None, help="The digest alert to send now (with --now)."),
    now: bool = typer.Option(False, "--now", help="Send NAME's waiting matches now, whatever its schedule."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Send the digests whose schedule fired (what `monitor serve` does), or one digest now with --now NAME."""
    config = _config(ctx)
    if now:
        if not name:
            raise typer.BadParameter("--now needs the name of a digest alert")
        result = service.digest_now(config, name)
    else:
        result = service.send_due_digests(config)
    if as_json:
        _print_json(result)
    else:
        render.key_values(console, result, title="alert digests")


@alerts_app.command("deliver")
def deliver(ctx: typer.Context, as_json: bool = typer.Option(False, "--json")) -> None:
    """Send what waits in the outbox and is due (failed sends are retried after their backoff)."""
    result = service.deliver(_config(ctx))
    if as_json:
        _print_json(result)
    else:
        render.key_values(console, result, title="alert delivery")
