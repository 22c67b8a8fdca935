"""HTTP validators (ETag, Last-Modified) per URL in the state store, so unchanged pages cost a 304."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from monitor.state.db import connect
from monitor.state.schema import ensure_schema

MIGRATIONS = ("""
CREATE TABLE IF NOT EXISTS http_validators (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    source TEXT,
    stored TEXT NOT NULL
);
""",)


@dataclass(frozen=True)
class Validators:
    """What a server said identifies its copy of a URL."""

    url: str
    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        """The conditional request headers that ask "send it only if it changed"."""
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


class ValidatorStore:
    """Reads and writes validators; knows nothing of Scrapy."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with connect(path) as db:
            ensure_schema(db, part="validators", migrations=MIGRATIONS, path=path)

    def get_many(self, urls: Iterable[str]) -> dict[str, Validators]:
        urls = list(dict.fromkeys(urls))
        found: dict[str, Validators] = {}
        with connect(self.path) as db:
            for start in range(0, len(urls), 500):
                chunk = urls[start:start + 500]
                rows = db.execute(
                    f"SELECT url, etag, last_modified FROM http_validators WHERE url IN ({','.join('?' * len(chunk))})",
                    chunk,
                )
                found.update({row["url"]: Validators(row["url"], row["etag"], row["last_modified"]) for row in rows})
        return found

    def get(self, url: str) -> Validators | None:
        return self.get_many([url]).get(url)

    def for_source(self, source: str) -> dict[str, Validators]:
        """Every URL stored by one source's crawls: loaded once per crawl instead of once per request."""
        with connect(self.path) as db:
            rows = db.execute("SELECT url, etag, last_modified FROM http_validators WHERE source = ?", (source,))
            return {row["url"]: Validators(row["url"], row["etag"], row["last_modified"]) for row in rows}

    def put_many(self, validators: Iterable[Validators], *, source: str = "") -> int:
        """Store (replace) validators; entries with neither ETag nor Last-Modified remove the URL's."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        validators = list(validators)
        keep = [(v.url, v.etag, v.last_modified, source, now) for v in validators if v.etag or v.last_modified]
        drop = [(v.url,) for v in validators if not (v.etag or v.last_modified)]
        with connect(self.path) as db:
            db.executemany("INSERT OR REPLACE INTO http_validators VALUES (?, ?, ?, ?, ?)", keep)
            db.executemany("DELETE FROM http_validators WHERE url = ?", drop)
        return len(keep)

    def count(self, *, source: str | None = None) -> int:
        with connect(self.path) as db:
            if source is None:
                return int(db.execute("SELECT count(*) FROM http_validators").fetchone()[0])
            return int(db.execute("SELECT count(*) FROM http_validators WHERE source = ?", (source,)).fetchone()[0])
