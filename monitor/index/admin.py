"""Index administration for `monitor index init|status|migrate|spool`: one function per command."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from monitor.errors import SpoolMismatch
from monitor.index import is_engine_url, open_index, sqlite_path
from monitor.index.identity import index_identity
from monitor.index.spool import Spool, SpoolReplay, spools_in
from monitor.index.written import OnWritten

UNBOUND = "unknown (spooled before spools were bound to their index)"


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


def spool_status(url: str, root: Path) -> dict[str, Any]:
    """The batches waiting in this index's spool, oldest first, and those that wait for other indexes."""
    spool = Spool(root, index=index_identity(url))
    batches = spool.pending()
    rejected = spool.rejected()
    others = [{"index": identity, "batches": len(waiting), "directory": str(waiting[0].parent)}
              for identity, waiting in spools_in(root) if identity != spool.index]
    unbound = sorted(root.glob("*.json")) if root.is_dir() else []
    if unbound:  # from before spools were bound to their index: which one they belong to is not known
        others.append({"index": UNBOUND, "batches": len(unbound), "directory": str(root)})
    return {"index": spool.index, "directory": str(spool.directory), "batches": [p.name for p in batches],
            "bytes": sum(p.stat().st_size for p in batches), "rejected": [p.name for p in rejected],
            "other_indexes": others}


def spool_replay(url: str, root: Path, *, on_written: OnWritten | None = None) -> SpoolReplay:
    """Write every batch spooled for this index, in order; raises IndexUnavailable if it is still down.

    Batches spooled for another index are left alone (``spool_status`` lists them). Each batch written ends in
    ``on_written`` (alerts), as a crawl's batches do. Answers what it wrote (UpsertStats fields), ``batches`` and
    ``articles`` replayed, and ``rejected``: {id: reason}."""
    spool = Spool(root, index=index_identity(url))
    if not spool.pending():
        return SpoolReplay()
    spool.ensure_writable()  # a replay removes what it wrote: say so before writing anything twice
    with open_index(url) as index:
        return spool.replay(index, on_written=on_written)


def others_refused(status: dict[str, Any]) -> SpoolMismatch | None:
    """The error to end a replay with when batches of other indexes wait in the same data folder."""
    others = status.get("other_indexes") or []
    if not others:
        return None
    listed = "; ".join(f"{o['batches']} for {o['index']} in {o['directory']}" for o in others)
    hint = ("Replay each with `monitor --config FILE index spool --replay`, FILE being the config whose index.url "
            "(and MONITOR_INDEX_PREFIX) name that index")
    if any(o["index"] == UNBOUND for o in others):
        hint += ("; batches of an unknown index: move them into the directory of the spool of the index they were "
                 "written for (`monitor --config FILE index spool` shows it), then replay them there")
    bound = [o for o in others if o["index"] != UNBOUND]
    return SpoolMismatch(
        f"spooled batches wait for another index than this config's ({status['index']}): {listed}. They are not "
        f"replayed into this one. {hint}",
        spooled_for=str((bound or others)[0]["index"]), index=str(status["index"]))
