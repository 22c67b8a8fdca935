"""The `monitor` command: one module per command group over monitor.service (``main`` is the entry point)."""
from __future__ import annotations


def main() -> None:
    """Run the `monitor` command line."""
    from monitor.cli.main import main as run

    run()
