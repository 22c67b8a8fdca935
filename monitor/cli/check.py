"""The `monitor check` command: is the config valid, do the index and state store answer, (online) do feeds resolve."""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from monitor.cli import render
from monitor.errors import ConfigError

if TYPE_CHECKING:
    from monitor.runs.check import Check

check_app = typer.Typer()
console = Console(highlight=False)


@check_app.command(epilog="Exit codes: 0 every check passed · 1 a check failed (its line says what to fix).")
def check(
    ctx: typer.Context,
    config_file: Path | None = typer.Option(None, "--config", "-c", help="Config file to check (default: the "
                                                                         "monitor's --config, $MONITOR_CONFIG, "
                                                                         "./monitor.yaml)."),
    online: bool = typer.Option(False, "--online", help="Also fetch each source's feeds and sitemaps and read "
                                                        "them as the crawl does."),
) -> None:
    """Check the config, the index and the state store (and with --online the sources): one line per check."""
    from monitor.config import load_config
    from monitor.runs import check as checks

    path = config_file or ctx.find_root().params.get("config")
    try:
        config = load_config(path)
    except ConfigError as exc:
        _line(checks.Check("config", False, str(exc)))
        raise typer.Exit(1) from None
    counts = f"{len(config.sources)} sources, {len(config.topics)} topics, {len(config.alerts)} alerts"
    results = [checks.Check("config", bool(config.sources),
                            f"{config.path}: {counts}" if config.sources
                            else f"{config.path}: no sources configured; add some under `sources:`")]
    _line(results[0])
    results += _shown(checks.offline(config))
    if online:
        results += _shown(checks.online(config))
    failed = sum(1 for result in results if not result.ok)
    console.print(f"{len(results)} checks, {failed} failed" if failed else f"{len(results)} checks passed",
                  style="red" if failed else "green")
    if failed:
        raise typer.Exit(1)


def _shown(results: Iterable[Check]) -> list[Check]:
    out = []
    for result in results:
        _line(result)
        out.append(result)
    return out


def _line(result: Check) -> None:
    mark = "[green]ok  [/]" if result.ok else "[bold red]FAIL[/]"
    console.print(f"{mark} {render.escape(result.name)}: {render.escape(result.detail)}")
