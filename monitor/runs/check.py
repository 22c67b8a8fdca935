"""What `monitor check` verifies: the index and the state store answer; online, each source's feeds and sitemaps."""
from __future__ import annotations

import os
import sqlite3
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy

from monitor.config import Config, SourceConfig
from monitor.discovery import MAX_INDEX_DEPTH, looks_like_article, parse_feed, parse_sitemap, robots_sitemaps
from monitor.errors import MonitorError
from monitor.urls import canonicalize_url

MAX_CHILD_SITEMAPS = 5  # of a sitemap index, read to count links: enough to show the index works, not a crawl


@dataclass(frozen=True)
class Check:
    """One line of `monitor check`: what was checked, whether it is fine, and what was found or what to fix."""

    name: str
    ok: bool
    detail: str


def offline(config: Config) -> Iterator[Check]:
    """The index and the state store (the config was checked by loading it)."""
    yield _index(config)
    yield _state_store(config.state_url) if config.cluster.state else _state_file(config.state_db)


def _index(config: Config) -> Check:
    from monitor.index import admin, is_engine_url, sqlite_path

    url = config.index.url
    if not is_engine_url(url):
        path = sqlite_path(url)
        if not path.exists():
            return _missing(f"index {url}", path, "the first crawl creates it")
    try:
        status = admin.index_status(url)
    except (MonitorError, OSError, sqlite3.Error) as exc:
        return Check(f"index {url}", False, f"unreachable: {exc}")
    if status.get("health") == "red":
        return Check(f"index {url}", False, "health red: the engine cannot serve every shard (see its log)")
    if "counts" in status:  # SQLite: {"article": n, "comment": m}
        shown = ", ".join(f"{n} {kind}s" for kind, n in status["counts"].items())
    else:  # an engine: per alias, its indices and documents
        aliases = status.get("aliases", {})
        stale = [alias for alias, entry in aliases.items() if entry["indices"] and not entry["current"]]
        if stale:
            return Check(f"index {url}", False, f"{', '.join(stale)} on an older mapping than this monitor's: run "
                                                "`monitor index migrate`")
        shown = ", ".join(f"{entry['docs']} {alias.rsplit('-', 1)[-1]}" for alias, entry in aliases.items())
    engine = f"{status.get('engine')} {status.get('version') or ''}".strip()
    return Check(f"index {url}", True, f"{engine}, health {status.get('health')}: {shown}")


def _state_store(url: str) -> Check:
    """A shared state store: the database answers, and how many tables it holds."""
    from monitor.state.db import state_db

    store = state_db(url)
    try:
        with store.read() as db:
            tables = sqlalchemy.inspect(db.connection).get_table_names()
    except (MonitorError, sqlalchemy.exc.DBAPIError) as exc:
        return Check("state store", False, str(exc))
    return Check("state store", True, f"{store.shown} ({len(tables)} tables)")


def _state_file(path: Path) -> Check:
    if not path.exists():
        return _missing("state store", path, "the first crawl or alert creates it")
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        finally:
            connection.close()
    except sqlite3.Error as exc:
        return Check("state store", False, f"{path} cannot be read: {exc}; move it aside if it is not a "
                                           "SQLite database")
    if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
        return Check("state store", False, f"{path} is read-only for this user; make it and its folder writable")
    return Check("state store", True, f"{path} ({len(tables)} tables)")


def _missing(name: str, path: Path, later: str) -> Check:
    """A file not made yet is fine when its folder (or the nearest one that exists) can be written."""
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not os.access(folder, os.W_OK):
        return Check(name, False, f"{path} does not exist and {folder} is not writable: make it writable, or point "
                                  "data_dir (index.url) in monitor.yaml at a writable folder")
    return Check(name, True, f"{path} not created yet ({later})")


def online(config: Config) -> Iterator[Check]:
    """Each source's feeds and sitemaps fetched once and read by the spider's discovery code."""
    for source in config.sources:
        if not source.feeds and not source.sitemaps:
            yield Check(f"source {source.name}", True, "no feeds or sitemaps to resolve (start_urls only)")
            continue
        for url in source.feeds:
            yield _feed(config, source, url)
        for url in source.sitemaps:
            yield _sitemap(config, source, url)


def _feed(config: Config, source: SourceConfig, url: str) -> Check:
    name = f"feed {source.name} {url}"
    try:
        body, content_type = _fetch(config, url)
    except MonitorError as exc:
        return Check(name, False, str(exc))
    links = parse_feed(body, url, content_type=content_type)
    if not links:
        return Check(name, False, f"no entries with links ({content_type or 'no content type'}): is this URL the "
                                  "feed itself (RSS, Atom or JSON Feed), not a page about it?")
    return Check(name, True, _links_found(links_of=[link.url for link in links], source=source, what="entries"))


def _sitemap(config: Config, source: SourceConfig, url: str) -> Check:
    name = f"sitemap {source.name} {url}"
    try:
        body, _ = _fetch(config, url)
    except MonitorError as exc:
        return Check(name, False, str(exc))
    fetched = {url: body}
    robots = url.rstrip("/").endswith("robots.txt")
    pending = [(sitemap, 0) for sitemap in robots_sitemaps(body)] if robots else [(url, 0)]
    if not pending:
        return Check(name, False, "robots.txt names no Sitemap: list the sitemaps themselves under sitemaps:")
    links: list[str] = []
    files = 0
    while pending and files <= MAX_CHILD_SITEMAPS:
        location, depth = pending.pop(0)
        if location not in fetched:
            try:
                fetched[location], _ = _fetch(config, location)
            except MonitorError as exc:
                return Check(name, False, f"{location}: {exc}")
        files += 1
        page = parse_sitemap(fetched.pop(location), location)
        links += [link.url for link in page.links]
        if depth < MAX_INDEX_DEPTH:  # as deep as the spider follows sitemap indexes
            pending += [(child, depth + 1) for child in page.sitemaps]
    if not links:
        return Check(name, False, f"{files} sitemap file(s) read, no page URLs in them: is it a sitemap?")
    more = f"; {len(pending)} more sitemaps not read here" if pending else ""
    return Check(name, True, _links_found(links_of=links, source=source, what=f"URLs in {files} file(s)") + more)


def _links_found(*, links_of: list[str], source: SourceConfig, what: str) -> str:
    articles = sum(1 for link in links_of
                   if looks_like_article(canonicalize_url(link), pattern=source.article_url_pattern))
    return f"{len(links_of)} {what}, {articles} look like articles"


def _fetch(config: Config, url: str) -> tuple[bytes, str]:
    """The body (at most max_page_bytes) and content type of ``url``; MonitorError says why not."""
    request = urllib.request.Request(url, headers={"User-Agent": config.crawl.user_agent})
    try:
        with urllib.request.urlopen(request, timeout=config.crawl.download_timeout) as response:  # noqa: S310
            body = response.read(config.crawl.max_page_bytes + 1)
            content_type = response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        raise MonitorError(f"HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise MonitorError(f"cannot fetch: {reason}") from None
    if len(body) > config.crawl.max_page_bytes:
        raise MonitorError(f"larger than crawl.max_page_bytes ({config.crawl.max_page_bytes} bytes): the crawl "
                           "skips it")
    return body, content_type
