"""`monitor clusters …`: near-duplicate (syndication) clusters of an index: rebuild them, resumably."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

clusters_app = typer.Typer(help="Near-duplicate (syndicated) story clusters.", no_args_is_help=True)


@clusters_app.command("rebuild")
def rebuild(
    ctx: typer.Context,
    restart: bool = typer.Option(False, "--restart", help="Start from the first article, not where a stopped "
                                                          "rebuild left off."),
    as_json: bool = typer.Option(False, "--json", help="Print the outcome as JSON."),
) -> None:
    """Compute keys and clusters for every indexed article, earliest first; stopped, it continues where it was."""
    from monitor.clusters import rebuild as rebuilding
    from monitor.config import load_config
    from monitor.index import open_index
    from monitor.index.identity import index_identity

    config_path: Path | None = ctx.find_root().params.get("config")
    config = load_config(config_path)
    err = Console(stderr=True, highlight=False)
    with open_index(config.index.url) as index:
        total = index.count()["article"]
        identity = index_identity(config.index.url)
        start = rebuilding.RebuildProgress.load(rebuilding.progress_file(Path(config.data_dir), identity),
                                                index=identity)
        if restart:
            start = rebuilding.RebuildProgress(index=identity)
        columns = (TextColumn("clustering"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=err, disable=not err.is_terminal) as bar:
            task = bar.add_task("rebuild", total=total, completed=min(start.done, total))
            result = rebuilding.rebuild(index, identity=identity, data_dir=Path(config.data_dir), restart=restart,
                                        on_page=lambda _progress, n: bar.advance(task, n))
    outcome = {"articles": result.done, "joined": result.joined, "resumed_from": start.done}
    if as_json:
        sys.stdout.write(json.dumps(outcome) + "\n")
    else:
        err.print(f"clustered {result.done} articles ({result.joined} joined another's cluster"
                  + (f"; resumed after {start.done}" if start.done else "") + ")")
