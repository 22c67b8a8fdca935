"""Which index a URL names, as the config names it: what binds a spool to the one index it was written for."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from monitor.index import backend_of, sqlite_path
from monitor.index.base import SearchIndex


def index_identity(url: str, *, prefix: str | None = None) -> str:
    """``sqlite:///abs/path.db``, or the engine URL without credentials, query or trailing slash plus its prefix.

    It is the configured address, not where an engine answers today: an engine restarted behind the same
    address (or the same name) is the same index; another address, or another prefix, is another index.
    """
    if backend_of(url) == "sqlite":
        return f"sqlite:///{sqlite_path(url).expanduser().resolve()}"
    from monitor.index.engine import index_prefix

    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    netloc = f"{host}:{parts.port}" if parts.port else host
    address = urlunsplit((parts.scheme.lower(), netloc, parts.path.rstrip("/"), "", ""))
    return f"{address} prefix={index_prefix(prefix)}"


def identity_of(index: SearchIndex) -> str | None:
    """The identity of an open index, where its backend tells (None for one it does not know)."""
    from monitor.index.engine import EngineIndex
    from monitor.index.sqlite import SQLiteIndex

    if isinstance(index, SQLiteIndex):
        return index_identity(f"sqlite:///{Path(index.path)}")
    if isinstance(index, EngineIndex):
        return index_identity(index.client.url, prefix=index.prefix)
    return None


def folder_name(identity: str) -> str:
    """A folder name for the identity, readable and unique: ``http-127.0.0.1-9200-monitor-<hash>``."""
    readable = re.sub(r"[^A-Za-z0-9.]+", "-", identity.replace(" prefix=", "-")).strip("-.")[-60:].strip("-.")
    return f"{readable}-{hashlib.sha256(identity.encode('utf-8')).hexdigest()[:10]}"
