"""The `monitor web` command (registered on the app by monitor/cli.py)."""
from __future__ import annotations

import logging
import sys

import typer

web_app = typer.Typer()


@web_app.command()
def web(
    ctx: typer.Context,
    host: str | None = typer.Option(None, "--host", help="Address to listen on (default: web.host, 127.0.0.1)."),
    port: int | None = typer.Option(None, "--port", min=0, max=65535, help="Port (default: web.port, 8080)."),
    log_level: str = typer.Option("INFO", "--log-level", help="DEBUG, INFO, WARNING or ERROR."),
) -> None:
    """Serve the web UI and the JSON API (OpenAPI at /api/openapi.json); writes need $MONITOR_API_TOKEN."""
    from monitor.config import load_config
    from monitor.web.server import run

    logging.basicConfig(level=log_level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = load_config(ctx.find_root().params.get("config"))
    run(config, host=host or config.web.host, port=port if port is not None else config.web.port)
