"""`monitor demo`: serve the made-up news site on 127.0.0.1, crawl it, index into SQLite and show a search."""
from __future__ import annotations

from pathlib import Path

import yaml
from rich.console import Console

from monitor.cli import render
from monitor.config import load_config
from monitor.demo.server import DemoSite, demo_sources, serve
from monitor.index import SearchRequest
from monitor.service import search


def write_demo_config(directory: Path, base_url: str) -> Path:
    """A monitor.yaml for the demo outlets, fast settings (the site is local)."""
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


def run_demo(directory: Path, *, query: str, console: Console, err_console: Console) -> None:
    site = DemoSite(with_test_pages=False)
    server, base_url = serve(site)
    try:
        config = load_config(write_demo_config(directory, base_url))
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
    console.print(f"  monitor --config {render.escape(str(config.path))} search '\"wind farm\" OR café' --type comment")
    console.print(f"  monitor --config {render.escape(str(config.path))} thread URL_FROM_A_RESULT")
