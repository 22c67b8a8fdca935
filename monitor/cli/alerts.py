"""`monitor alerts …`: manage alerts, test them on past days, read the send history, send digests and retries now."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console

from monitor.cli import render

if TYPE_CHECKING:
    from monitor.config import Config

alerts_app = typer.Typer(help="Keyword alerts: add, list, remove, test, history, digest, deliver.",
                         no_args_is_help=True)
console = Console(highlight=False)


def _config(ctx: typer.Context) -> Config:
    # The root command's --config; read from the context, since `python -m monitor.cli` runs cli.py as __main__.
    from monitor.config import load_config

    path: Path | None = ctx.find_root().params.get("config")
    return load_config(path)


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def _table(rows: list[dict[str, Any]], columns: list[str], *, title: str, keep: tuple[str, ...], wide: bool) -> None:
    shown = render.rows_table(title, columns, [[_cell(row.get(c)) for c in columns] for row in rows], keep=keep)
    if wide:  # one line per row, whatever the terminal's width (for a file, or `less -S`)
        Console(highlight=False, width=100_000).print(shown, crop=False)
    else:
        console.print(shown)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def _filters(alert: dict[str, Any]) -> str:
    """What an alert is narrowed to, in one cell: ``types article · sources harbor-times`` (both types: no filter)."""
    narrowed = {**alert, "types": None if set(alert.get("types") or ()) >= {"article", "comment"} else alert["types"]}
    parts = [f"{key} {_cell(narrowed.get(key))}" for key in ("types", "sources", "topics", "languages")
             if narrowed.get(key)]
    return " · ".join(parts) or "-"


@alerts_app.command("list")
def list_(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json"),
    wide: bool = typer.Option(False, "--wide", help="A column per field, one line per alert, however wide the "
                                                    "terminal."),
) -> None:
    """Every alert (from the config and the command line); notify URLs shown with their secrets masked."""
    from monitor.alerts import service

    alerts = service.list_alerts(_config(ctx))
    if as_json:
        _print_json({"alerts": alerts})
    else:
        title = f"{len(alerts)} alert{'s' if len(alerts) != 1 else ''}"
        if wide:
            _table(alerts, ["name", "query", "mode", "digest_schedule", "types", "sources", "topics", "languages",
                            "notify", "origin"], title=title, keep=(), wide=True)
        else:  # a digest's schedule goes with its mode, and the filters share a cell: the query and URLs get room
            rows = [{**alert, "mode": "\n".join(str(alert.get(k) or "") for k in ("mode", "digest_schedule")).strip(),
                     "filters": _filters(alert)} for alert in alerts]
            _table(rows, ["name", "query", "mode", "filters", "notify", "origin"], title=title,
                   keep=("name", "mode", "origin"), wide=False)


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
    once_per: str = typer.Option("document", "--once-per", help="cluster: a story reprinted by many outlets "
                                                                "notifies once; document: every copy notifies."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Add an alert (kept in the state DB under data_dir)."""
    from monitor.alerts import service

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
    from monitor.alerts import service

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
    from monitor.alerts import service

    result = service.test_alert(_config(ctx), name, days=days, limit=limit)
    if as_json:
        _print_json(result)
        return
    console.print(f"Alert {render.escape(name)} would have matched {result['total']} document(s) since "
                  f"{result['since'][:10]} (nothing sent):")
    from monitor.index import SearchResult

    render.search_results(console, SearchResult(total=result["total"], hits=result["hits"]),
                          query=result["alert"]["query"])


@alerts_app.command("history")
def history(
    ctx: typer.Context,
    name: str | None = typer.Argument(None, help="Only this alert."),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000),
    as_json: bool = typer.Option(False, "--json"),
    wide: bool = typer.Option(False, "--wide", help="One line per message, however wide the terminal."),
) -> None:
    """Notifications sent, waiting and failed, newest first, with their status and attempts."""
    from monitor.alerts import service

    rows = service.history(_config(ctx), name=name, limit=limit)
    if as_json:
        _print_json({"messages": rows})
    else:
        _table(rows, ["id", "alert", "kind", "status", "attempts", "created", "sent_at", "next_attempt", "to",
                      "title", "last_error"], title="alert notifications", keep=("id", "alert", "kind", "status"), wide=wide)


@alerts_app.command("digest")
def digest(
    ctx: typer.Context,
    name: str | None = typer.Argument(None, help="The digest alert to send now (with --now)."),
    now: bool = typer.Option(False, "--now", help="Send NAME's waiting matches now, whatever its schedule."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Send the digests whose schedule fired (what `monitor serve` does), or one digest now with --now NAME."""
    from monitor.alerts import service

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
    from monitor.alerts import service

    result = service.deliver(_config(ctx))
    if as_json:
        _print_json(result)
    else:
        render.key_values(console, result, title="alert delivery")
