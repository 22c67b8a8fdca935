"""HTTP validators (ETag, Last-Modified) per URL in the state store, so unchanged pages cost a 304."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from monitor.state.db import StateUrl, state_db
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
    """Reads and writes validators; knows nothing of Scrapy. Any number of crawls (on any machines) may write."""

    def __init__(self, url: StateUrl) -> None:
        self.path = url
        self.db = state_db(url)
        with self.db.write() as db:
            ensure_schema(db, part="validators", migrations=MIGRATIONS, path=url)

    def get_many(self, urls: Iterable[str]) -> dict[str, Validators]:
        urls = list(dict.fromkeys(urls))
        found: dict[str, Validators] = {}
        with self.db.read() as db:
            for start in range(0, len(urls), 500):
                rows = db.execute("SELECT url, etag, last_modified FROM http_validators WHERE url IN :urls",
                                  {"urls": urls[start:start + 500]}, expanding=["urls"])
                found.update({row["url"]: Validators(row["url"], row["etag"], row["last_modified"]) for row in rows})
        return found

    def get(self, url: str) -> Validators | None:
        return self.get_many([url]).get(url)

    def for_source(self, source: str) -> dict[str, Validators]:
        """Every URL stored by one source's crawls: loaded once per crawl instead of once per request."""
        with self.db.read() as db:
            rows = db.execute("SELECT url, etag, last_modified FROM http_validators WHERE source = :source",
                              {"source": source})
            return {row["url"]: Validators(row["url"], row["etag"], row["last_modified"]) for row in rows}

    def put_many(self, validators: Iterable[Validators], *, source: str = "") -> int:
        """Store (replace) validators; entries with neither ETag nor Last-Modified remove the URL's."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        latest = {v.url: v for v in validators}  # one row per URL: the last given wins
        # In URL order, removals included: two crawls writing overlapping URLs lock their rows in one order, so
        # on PostgreSQL neither waits for the other in a cycle (a deadlock); the later write wins.
        rows = [{"url": v.url, "etag": v.etag, "last_modified": v.last_modified, "source": source, "stored": now}
                for _, v in sorted(latest.items())]
        drop = [url for url, v in sorted(latest.items()) if not (v.etag or v.last_modified)]
        with self.db.write() as db:
            db.execute("INSERT INTO http_validators (url, etag, last_modified, source, stored) "
                       "VALUES (:url, :etag, :last_modified, :source, :stored) ON CONFLICT (url) DO UPDATE SET "
                       "etag = excluded.etag, last_modified = excluded.last_modified, source = excluded.source, "
                       "stored = excluded.stored", rows)
            for start in range(0, len(drop), 500):
                db.execute("DELETE FROM http_validators WHERE url IN :urls AND etag IS NULL AND last_modified IS NULL",
                           {"urls": drop[start:start + 500]}, expanding=["urls"])
        return len(rows) - len(drop)

    def count(self, *, source: str | None = None) -> int:
        with self.db.read() as db:
            if source is None:
                return int(db.execute("SELECT count(*) FROM http_validators").scalar())
            return int(db.execute("SELECT count(*) FROM http_validators WHERE source = :source",
                                  {"source": source}).scalar())
