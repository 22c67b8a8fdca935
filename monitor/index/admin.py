"""Index administration for `monitor index init|status|migrate|spool`: one function per command."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from monitor.index import is_engine_url, open_index, sqlite_path
from monitor.index.spool import Spool, SpoolReplay
from monitor.index.written import OnWritten


def index_init(url: str) -> dict[str, Any]:
    """Create what the index needs (SQLite schema; engine templates, versioned indices and aliases)."""
    if is_engine_url(url):
        from monitor.index.engine import open_engine_index

        engine = open_engine_index(url)
        with engine:
            return {"engine": engine.client.distribution, "aliases": engine.init()}
    with open_index(url) as index:
        return {"engine": "sqlite", "counts": index.count()}


def index_status(url: str) -> dict[str, Any]:
    """Document counts, size and health; for an engine, also which index each alias points at."""
    if is_engine_url(url):
        from monitor.index.engine import open_engine_index

        engine = open_engine_index(url)
        with engine:
            return engine.status()
    path = sqlite_path(url)
    with open_index(url) as index:
        counts = index.count()
    return {"engine": "sqlite", "path": str(path), "counts": counts,
            "size_bytes": path.stat().st_size if path.exists() else 0, "health": "green"}


def index_migrate(url: str) -> dict[str, str]:
    """Bring the index to this monitor's mapping: a new index, a reindex and an atomic alias switch on an engine."""
    if is_engine_url(url):
        from monitor.index.engine import open_engine_index

        engine = open_engine_index(url)
        with engine:
            return engine.migrate()
    with open_index(url):  # SQLite migrates its schema on open
        return {url: "up to date"}


def spool_status(directory: Path) -> dict[str, Any]:
    """The batches waiting in the spool, oldest first."""
    spool = Spool(directory)
    batches = spool.pending()
    rejected = spool.rejected()
    return {"directory": str(spool.directory), "batches": [p.name for p in batches],
            "bytes": sum(p.stat().st_size for p in batches), "rejected": [p.name for p in rejected]}


def spool_replay(url: str, directory: Path, *, on_written: OnWritten | None = None) -> SpoolReplay:
    """Write every spooled batch to the index, in order; raises IndexUnavailable if it is still down.

    Each batch written ends in ``on_written`` (alerts), as a crawl's batches do. Answers what it wrote
    (UpsertStats fields), ``batches`` and ``articles`` replayed, and ``rejected``: {id: reason}."""
    with open_index(url) as index:
        return Spool(directory).replay(index, on_written=on_written)
