"""The `monitor worker` command: a cluster's crawl worker (registered on the app by monitor/cli/main.py)."""
from __future__ import annotations

import logging
import sys

import typer

worker_app = typer.Typer()


@worker_app.command()
def worker(
    ctx: typer.Context,
    concurrency: int = typer.Option(2, "--concurrency", "-n", min=1, help="Crawls at once on this machine."),
    log_level: str = typer.Option("INFO", "--log-level", help="DEBUG, INFO, WARNING or ERROR."),
    metrics_port: int | None = typer.Option(None, "--metrics-port", min=1, max=65535,
                                            help="Serve Prometheus metrics on this port (on web.host), no token."),
) -> None:
    """Take crawl jobs from the cluster's queue (cluster.broker) until SIGTERM: each a crawl, as `monitor serve` runs
    them; SIGTERM gives running crawls serve.grace_period, then puts them back on the queue."""
    from monitor.config import load_config
    from monitor.runs.worker import run_worker

    logging.basicConfig(level=log_level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = load_config(ctx.find_root().params.get("config"))
    if metrics_port is not None:
        from monitor.runs.metrics import serve_metrics

        serve_metrics(metrics_port, config.web.host, config=lambda: config)
    raise typer.Exit(run_worker(config, concurrency=concurrency, log_level=log_level))
