"""The `monitor` command: a thin shell over monitor.service."""
from __future__ import annotations

import errno
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console

from monitor.cli import render
from monitor.cli.alerts import alerts_app
from monitor.cli.check import check_app
from monitor.cli.clusters import clusters_app
from monitor.cli.export import export_app
from monitor.cli.flags import show_flags_as_flags
from monitor.cli.serve import serve_app
from monitor.cli.web import web_app
from monitor.cli.worker import worker_app
from monitor.errors import ConfigError, MonitorError

if TYPE_CHECKING:
    from monitor.config import Config
    from monitor.index.base import DocType, SortOrder

# Commands import what they use (scrapy, trafilatura, the index, pydantic models) when they run, so that
# `monitor --help` and a typo answer at once: see bench/startup.py and tests/cli/test_startup.py.

show_flags_as_flags()
app = typer.Typer(
    help="Media monitor: crawl news sites, extract articles and reader comments, search them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


class State:
    config_path: Path | None = None

    def config(self) -> Config:
        from monitor.config import load_config

        return load_config(self.config_path)


state = State()


@app.callback()
def _main(
    config: Path | None = typer.Option(
        None, "--config", "-c", help="Config file (default: $MONITOR_CONFIG, then ./monitor.yaml)."
    ),
) -> None:
    state.config_path = config


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


@app.command()
def init(
    path: Path = typer.Argument(Path("monitor.yaml"), help="Where to write the config."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
) -> None:
    """Write a commented monitor.yaml to start from."""
    from monitor.cli.templates import CONFIG_TEMPLATE

    if path.exists() and not force:
        raise MonitorError(f"{path} exists; pass --force to overwrite it")
    path.write_text(CONFIG_TEMPLATE, encoding="utf-8")
    console.print(f"Wrote {render.escape(str(path))}. Add your sources, then run: monitor --config {path} crawl")


@app.command(epilog="Exit codes: 0 every source finished · 1 a crawl failed or timed out (it fetched nothing, "
                    "crashed, or ended early) · 2 nothing was crawled (bad usage or config, or another process is "
                    "crawling the source: the message names it) · 3 articles wait in the spool (the index was "
                    "unreachable) · 130 stopped by Ctrl-C. The status of each source is the one `monitor runs` shows.")
def crawl(
    sources: list[str] = typer.Argument(None, help="Sources to crawl (default: all configured)."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    parallel: int = typer.Option(2, "--parallel", min=1, help="Sources crawled at once."),
    enqueue: bool = typer.Option(False, "--enqueue", help="In a cluster (cluster.broker): send the runs to the "
                                                          "workers' queue instead of crawling here, and return."),
) -> None:
    """Crawl the configured sources now and index what they publish.

    Ctrl-C stops the crawls gracefully (what is in flight is still indexed) and prints the summary; a second
    Ctrl-C stops them at once.
    """
    from monitor.runs.supervisor import CrawlsInterrupted

    config = state.config()
    names = sources or [s.name for s in config.sources]
    if not names:
        raise ConfigError(f"{config.path}: no sources configured; add some under `sources:`")
    for name in names:
        config.source(name)
    if enqueue:
        _enqueue(config, names, as_json=as_json)
        return

    def interrupted(presses: int) -> None:
        if presses == 1:
            err_console.print("[yellow]stopping:[/] the crawls finish what they have in flight; "
                              "press Ctrl-C again to stop them at once")

    try:
        runs = render.crawl_with_progress(config, names, parallel=parallel, console=err_console,
                                          show=not as_json and err_console.is_terminal, on_interrupt=interrupted)
    except CrawlsInterrupted as stopped:
        runs = stopped.runs
        err_console.print("[yellow]interrupted:[/] the running crawls were stopped (see `monitor runs`)")
    summaries = [run.summary() for run in runs]
    if as_json:
        _print_json({"runs": summaries})
    else:
        render.crawl_summary(console, summaries)
    code = crawl_exit_code([s["status"] for s in summaries], interrupted=len(runs) < len(names))
    if code:
        raise typer.Exit(code)


def _enqueue(config: Config, names: list[str], *, as_json: bool) -> None:
    """`monitor crawl --enqueue`: each source's run to the workers, or why not (a run of it is queued or running)."""
    from monitor.errors import CrawlRefused
    from monitor.runs.cluster import crawl_now
    from monitor.runs.queue import broker_url

    broker_url(config)  # no cluster: say which key to set
    outcome: dict[str, str] = {}
    for name in names:
        try:
            outcome[name] = crawl_now(config, name)
        except CrawlRefused as exc:
            outcome[name] = f"not queued: {exc}"
    if as_json:
        _print_json({"enqueued": outcome})
    else:
        for name, what in outcome.items():
            console.print(f"{render.escape(name)}: {render.escape(what)}")


def crawl_exit_code(statuses: list[str], *, interrupted: bool = False) -> int:
    """`monitor crawl`'s exit code (see its --help): the worst of the runs' statuses."""
    if interrupted or "interrupted" in statuses:
        return 130
    if any(status in ("failed", "timeout") for status in statuses):
        return 1
    if "spooled" in statuses:
        return 3
    return 0 if all(status == "finished" for status in statuses) else 1


@app.command()
def search(
    query: str = typer.Argument("", help='Query, e.g. \'Israel AND (Ukraine OR Kyiv) NOT football\', \'"air defense"\'.'),
    type_: str = typer.Option("all", "--type", help="article, comment or all."),
    source: list[str] = typer.Option(None, "--source", help="Only these sources (repeatable)."),
    topic: list[str] = typer.Option(None, "--topic", help="Only documents tagged with these topics (repeatable)."),
    since: str | None = typer.Option(None, "--since", help="Published from: a date, 7d, 24h, yesterday, this week…"),
    until: str | None = typer.Option(None, "--until", help="Published until: a date, yesterday, last month…"),
    sort: str = typer.Option("relevance", "--sort", help="relevance or date."),
    limit: int = typer.Option(20, "--limit", min=1, max=10_000),
    facets: bool = typer.Option(False, "--facets", help="Also count hits per source, type, language and day."),
    after: str | None = typer.Option(None, "--after", help="Deep paging: the next_cursor of the previous page."),
    collapse: bool = typer.Option(False, "--collapse", help="One hit per story: copies of it (syndicated, "
                                  "near-duplicates) are counted as 'and N more from …'."),
    offset: int = typer.Option(0, "--offset", min=0, max=10_000, help="Skip this many hits (how --collapse pages)."),
    as_json: bool = typer.Option(False, "--json", help="Print hits as JSON."),
) -> None:
    """Search articles and reader comments."""
    from monitor import service
    from monitor.index import SearchRequest

    types: dict[str, tuple[DocType, ...]] = {"all": ("article", "comment"), "article": ("article",),
                                             "comment": ("comment",)}
    if type_ not in types:
        raise MonitorError(f"--type must be article, comment or all, not {type_!r}")
    orders: dict[str, SortOrder] = {"relevance": "relevance", "date": "date"}
    if sort not in orders:
        raise MonitorError(f"--sort must be relevance or date, not {sort!r}")
    request = SearchRequest(query=query, types=types[type_], sources=tuple(source or ()), topics=tuple(topic or ()),
                            since=since, until=until, sort=orders[sort], limit=limit, facets=facets,
                            search_after=_decode_cursor(after) if after else None, collapse=collapse, offset=offset)
    result = service.search(state.config(), request)
    if as_json:
        data: dict[str, Any] = {"total": result.total, "hits": result.hits}
        if facets:
            data["facets"] = result.facets
        if result.next_cursor is not None:
            data["next_cursor"] = json.dumps(result.next_cursor)
        _print_json(data)
    else:
        render.search_results(console, result, query=query)
        if result.next_cursor is not None and len(result.hits) == limit:
            console.print(f"\nnext page: --after {render.escape(repr(json.dumps(result.next_cursor)))}", style="dim")


def _decode_cursor(text: str) -> list[Any]:
    try:
        cursor = json.loads(text)
    except json.JSONDecodeError:
        cursor = None
    if not isinstance(cursor, list):
        raise MonitorError("--after takes the next_cursor printed with the previous page of results")
    return cursor


@app.command()
def thread(
    url_or_id: str = typer.Argument(..., help="The article's URL or id."),
    as_json: bool = typer.Option(False, "--json", help="Print the article and its comments as JSON."),
) -> None:
    """Show one article and its whole comment thread."""
    from monitor import service

    data = service.thread(state.config(), url_or_id)
    if data is None:
        raise MonitorError(f"no article {url_or_id!r} in the index (search for it with `monitor search`)")
    if as_json:
        _print_json(data)
    else:
        render.thread(console, data)


@app.command()
def extract(
    paths: list[str] = typer.Argument(..., help="Saved pages (.html or .html.gz), folders of them, or a URL."),
    url: str | None = typer.Option(None, "--url", help="The page's original URL (for one saved file)."),
    as_json: bool = typer.Option(False, "--json", help="Print the article and comments as JSON (one page)."),
    as_jsonl: bool = typer.Option(False, "--jsonl", help="Print one JSON object per page, with its file name."),
) -> None:
    """Run extraction alone on pages (no crawl, no index)."""
    from monitor import service

    if as_jsonl:
        for row in service.extract_files(paths):
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    if len(paths) != 1:
        raise MonitorError("several pages need --jsonl (one JSON object per page)")
    data = service.extract(paths[0], url=url)
    if as_json:
        _print_json(data)
    else:
        render.thread(console, data)


index_app = typer.Typer(help="Look after the search index: init, status, migrate, spool.", no_args_is_help=True)
app.add_typer(index_app, name="index")
app.add_typer(alerts_app, name="alerts")
app.add_typer(clusters_app, name="clusters")
app.add_typer(serve_app)  # serve, runs, sources
app.add_typer(web_app)  # web
app.add_typer(export_app)  # export
app.add_typer(check_app)  # check
app.add_typer(worker_app)  # worker


@index_app.command("init")
def index_init(as_json: bool = typer.Option(False, "--json")) -> None:
    """Create the schema (SQLite) or templates, versioned indices and aliases (Elasticsearch/OpenSearch)."""
    from monitor.index import admin

    _print_or_table(admin.index_init(state.config().index.url), as_json=as_json, title="index init")


@index_app.command("status")
def index_status(as_json: bool = typer.Option(False, "--json")) -> None:
    """Document counts, size and health."""
    from monitor.index import admin

    config = state.config()
    status = admin.index_status(config.index.url)
    status["spool"] = admin.spool_status(config.index.url, config.spool_dir)
    _print_or_table(status, as_json=as_json, title="index status")


@index_app.command("migrate")
def index_migrate(as_json: bool = typer.Option(False, "--json")) -> None:
    """Move to this version's mapping: new index, reindex, atomic alias switch; nothing lost."""
    from monitor.index import admin

    _print_or_table(admin.index_migrate(state.config().index.url), as_json=as_json, title="index migrate")


@index_app.command("spool")
def index_spool(
    replay: bool = typer.Option(False, "--replay", help="Write the spooled batches to the index now."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Show the batches the engine did not take (and replay them with --replay)."""
    from monitor.index import admin

    config = state.config()
    result: dict[str, Any] = {"spool": admin.spool_status(config.index.url, config.spool_dir)}
    if replay:
        from monitor import service

        result.update(service.replay_spool(config))
        result["spool"] = admin.spool_status(config.index.url, config.spool_dir)
    _print_or_table(result, as_json=as_json, title="index spool")
    refused = admin.others_refused(result["spool"]) if replay else None
    if refused is not None:  # this index's batches are replayed; the others are not, and the exit code says so
        raise refused


def _print_or_table(data: dict[str, Any], *, as_json: bool, title: str) -> None:
    if as_json:
        _print_json(data)
    else:
        render.key_values(console, data, title=title)


@app.command()
def demo(
    directory: Path = typer.Option(Path("monitor-demo"), "--dir", help="Where the demo's config and index go."),
    query: str = typer.Option("harbor OR bridge", "--query", help="The search to show at the end."),
) -> None:
    """Run the whole pipeline offline on a made-up news site: serve, crawl, index, search."""
    from monitor.cli.demo import run_demo

    run_demo(directory, query=query, console=console, err_console=err_console)


_STORAGE_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM)


def main() -> None:
    """Entry point: MonitorError becomes a one-line message and exit code 2."""
    try:
        app()
    except MonitorError as exc:
        err_console.print(f"[bold red]error:[/] {render.escape(str(exc))}")
        sys.exit(2)
    except OSError as exc:
        if exc.errno not in _STORAGE_ERRNOS:
            raise
        # A full disk or a read-only folder is the user's to fix: say which file, not a traceback.
        fix = ("free space on its disk" if exc.errno in (errno.ENOSPC, errno.EDQUOT)
               else "make it writable by this user, or point data_dir in monitor.yaml at a writable folder")
        err_console.print(f"[bold red]error:[/] cannot write {render.escape(str(exc.filename or ''))}: "
                          f"{render.escape(exc.strerror or str(exc))}; {fix}")
        sys.exit(2)

