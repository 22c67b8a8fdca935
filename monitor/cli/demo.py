"""`monitor demo`: serve the made-up news site on 127.0.0.1, crawl it, index into SQLite and show a search."""
from __future__ import annotations

import shlex
import sys
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from rich.console import Console

from monitor.cli import render
from monitor.config import load_config
from monitor.errors import MonitorError
from monitor.index import SearchRequest

DEMO_HOST = "127.0.0.1"
TRY_QUERY = '"wind farm" OR café'


def write_demo_config(directory: Path, base_url: str) -> Path:
    """A monitor.yaml for the demo outlets, fast settings (the site is local)."""
    from monitor.demo.server import demo_sources

    directory.mkdir(parents=True, exist_ok=True)
    config = {
        "index": {"url": "sqlite:///data/monitor.db"},
        "data_dir": "data",
        "crawl": {"download_delay": 0, "concurrency_per_domain": 8, "autothrottle": False, "download_timeout": 10},
        "sources": demo_sources(base_url),
    }
    path = directory / "monitor.yaml"
    path.write_text("# Written by `monitor demo` for its local made-up site.\n" + yaml.safe_dump(config, sort_keys=False),
                    encoding="utf-8")
    return path


def previous_port(directory: Path) -> int | None:
    """The port an earlier demo in this folder served on (read from its monitor.yaml), or None."""
    try:
        written = yaml.safe_load((directory / "monitor.yaml").read_text(encoding="utf-8"))
        feed = written["sources"][0]["feeds"][0]
    except (OSError, yaml.YAMLError, KeyError, IndexError, TypeError):
        return None
    parts = urlsplit(str(feed))
    return parts.port if parts.hostname == DEMO_HOST else None


def try_commands(config_path: Path) -> list[str]:
    """The commands the demo suggests, quoted for a POSIX shell."""
    prefix = ["monitor", "--config", str(config_path)]
    return [shlex.join([*prefix, "search", TRY_QUERY, "--type", "comment"]),
            shlex.join([*prefix, "thread", "URL_FROM_A_RESULT"])]


def run_demo(directory: Path, *, query: str, console: Console, err_console: Console) -> None:
    from monitor.demo.server import DemoSite, serve
    from monitor.service import search

    # Document ids are hashes of article URLs, and those hold the site's port: the demo serves on the port it
    # used before in this folder, so a second run updates the same documents instead of adding copies.
    port = previous_port(directory)
    site = DemoSite(with_test_pages=False)
    try:
        server, base_url = serve(site, host=DEMO_HOST, port=port or 0)
    except OSError as exc:
        raise MonitorError(f"the demo in {directory} serves on port {port}, which is busy ({exc.strerror}): stop "
                           f"what listens there, or run the demo in a new folder with --dir") from None
    config_path = write_demo_config(directory, base_url).resolve()
    try:
        config = load_config(config_path)
        console.print(f"Demo news site serving on {base_url} (three made-up outlets)")
        names = [s.name for s in config.sources]
        runs = render.crawl_with_progress(config, names, parallel=len(names), console=err_console,
                                          show=err_console.is_terminal)
        render.crawl_summary(console, [run.summary() for run in runs])
        result = search(config, SearchRequest(query=query, limit=5))
        console.print()
        render.search_results(console, result, query=query)
    finally:
        server.shutdown()
        server.server_close()
    console.print()
    console.print("The index stays in " + render.escape(str(directory / "data")) + ". Try:")
    console.file.flush()
    # Written past rich: a command wrapped inside a quoted argument breaks when pasted.
    sys.stdout.write("".join(f"  {command}\n" for command in try_commands(config_path)))
    sys.stdout.flush()
