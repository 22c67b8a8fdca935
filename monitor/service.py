"""The service layer the CLI and the web API call: search, thread, coverage, extract, crawl."""
from __future__ import annotations

import dataclasses
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

from monitor.config import Config
from monitor.errors import ConfigError, MonitorError
from monitor.extract import extract_html
from monitor.index import SearchIndex, SearchRequest, SearchResult, open_index
from monitor.items import ArticleItem

THREAD_COMMENT_FIELDS = ("id", "parent_id", "depth", "position", "author", "published", "text", "likes")
FETCH_TIMEOUT_SECONDS = 30
COVERAGE_MAX_SERIES = 8
COVERAGE_MAX_DAYS = 366

CoverageSplit = Literal["source", "topic", "none"]


@contextmanager
def _opened(config: Config, index: SearchIndex | None) -> Iterator[SearchIndex]:
    """The given open index (a long-running server keeps one), or one opened for this call."""
    if index is not None:
        yield index
        return
    with open_index(config.index.url) as opened:
        yield opened


def search(config: Config, request: SearchRequest, *, index: SearchIndex | None = None) -> SearchResult:
    with _opened(config, index) as opened:
        return opened.search(request)


def thread(config: Config, id_or_url: str, *, index: SearchIndex | None = None) -> dict[str, Any] | None:
    """One article and its comments in page order, or None when it is not indexed."""
    with _opened(config, index) as opened:
        article = opened.get_article(id_or_url)
        if article is None:
            return None
        comments = opened.get_comments(article["id"])
    return {"article": article, "comments": [_thread_comment(c) for c in comments]}


def counts(config: Config, *, index: SearchIndex | None = None) -> dict[str, int]:
    """Documents in the index by type."""
    with _opened(config, index) as opened:
        return opened.count()


def coverage(config: Config, request: SearchRequest, *, split: CoverageSplit = "source",
             max_series: int = COVERAGE_MAX_SERIES, index: SearchIndex | None = None) -> dict[str, Any]:
    """Documents per day matching the request, in all and per source or topic (the largest ``max_series``).

    Days run from the first to the last day with a match, zeros filled in. A document with several
    topics counts in each of their series, so topic series may add up to more than the total.
    """
    base = dataclasses.replace(request, limit=0, offset=0, search_after=None, facets=True)
    with _opened(config, index) as opened:
        overall = opened.search(base)
        facets = overall.facets or {}
        if split == "source":
            names = list(facets.get("source", {}))[:max_series]
        elif split == "topic":
            names = list(request.topics or (t.name for t in config.topics))[:max_series]
        else:
            names = []
        per_name: dict[str, dict[str, int]] = {}
        for name in names:
            if split == "source":
                narrowed = dataclasses.replace(base, sources=(name,))
            else:
                narrowed = dataclasses.replace(base, topics=(name,))
            per_name[name] = (opened.search(narrowed).facets or {}).get("day", {})
    totals = facets.get("day", {})
    days = day_range(totals)
    series = [{"name": name, "total": sum(per_name[name].values()),
               "counts": [per_name[name].get(day, 0) for day in days]} for name in names]
    return {"query": request.query, "split": split, "total": overall.total, "days": days,
            "counts": [totals.get(day, 0) for day in days],
            "series": sorted(series, key=lambda s: -s["total"])}


def update_alert(config: Config, name: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Change an alert made from the CLI or the API; fields left out of ``changes`` stay as they are
    (notify among them: its URLs are only ever shown masked, so a form cannot send them back)."""
    from pydantic import ValidationError

    from monitor.alerts import service as alerts
    from monitor.alerts.notify import check_urls
    from monitor.alerts.rules import Alert

    with alerts.open_store(config) as store:
        current = store.get(name)
    if current.origin == "config":
        raise MonitorError(f"alert {name!r} comes from the config file: change it there")
    fields = {**current.fields(), **changes, "name": name}
    try:
        Alert.from_fields(fields)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'alert'}: {e['msg'].removeprefix('Value error, ')}"
                             for e in exc.errors())
        raise ConfigError(f"invalid alert: {problems}") from None
    check_urls(fields["notify"])
    # The alert store has no update yet: replace the rule, checked above so the add cannot fail.
    # What it had already triggered stays recorded (by name), so nothing is sent twice.
    alerts.remove_alert(config, name)
    return alerts.add_alert(config, fields)


def article_thread(article: ArticleItem) -> dict[str, Any]:
    """An extracted (not yet indexed) article in the same shape as `thread`."""
    return {
        "article": article.to_dict(),
        "comments": [_thread_comment(c.to_dict()) for c in article.comments],
    }


def extract(file_or_url: str, *, url: str | None = None, user_agent: str = "MediaMonitor/0.1") -> dict[str, Any]:
    """Run extraction alone on a saved page (or a page fetched now) and return the `thread` shape."""
    path = Path(file_or_url)
    if path.exists():
        body = path.read_bytes()
        if path.suffix == ".gz":
            import gzip

            body = gzip.decompress(body)
        page_url = url or path.resolve().as_uri()
    elif file_or_url.startswith(("http://", "https://")):
        request = urllib.request.Request(file_or_url, headers={"User-Agent": user_agent})
        try:
            with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_SECONDS) as response:  # noqa: S310
                body = response.read()
        except OSError as exc:
            raise MonitorError(f"cannot fetch {file_or_url}: {exc}") from None
        page_url = url or file_or_url
    else:
        raise MonitorError(f"{file_or_url} is neither a file nor an http(s) URL")
    return article_thread(extract_html(body, page_url))


PAGE_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")


def extract_files(paths: list[str]) -> Iterator[dict[str, Any]]:
    """`extract` over saved pages and folders of them (recursively, in name order), one row per page:
    ``{"file", "seconds", "article", "comments"}``, or ``{"file", "error"}`` for a page that failed."""
    import time

    for path in _page_files(paths):
        started = time.process_time()
        try:
            data = extract(str(path))
        except MonitorError as exc:
            yield {"file": str(path), "error": str(exc)}
            continue
        yield {"file": str(path), "seconds": round(time.process_time() - started, 4), **data}


def _page_files(paths: list[str]) -> Iterator[Path]:
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.name.lower().endswith(PAGE_SUFFIXES))
        elif path.exists():
            yield path
        else:
            raise MonitorError(f"{raw} is neither a file nor a folder")


def day_range(per_day: dict[str, int]) -> list[str]:
    """Every day from the first to the last key (YYYY-MM-DD), so a chart shows quiet days as zero; at most
    the last COVERAGE_MAX_DAYS of them (a stray old date must not stretch a chart over decades)."""
    known = sorted(day[:10] for day in per_day)
    if not known:
        return []
    last = date.fromisoformat(known[-1])
    first = max(date.fromisoformat(known[0]), last - timedelta(days=COVERAGE_MAX_DAYS - 1))
    return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


def _thread_comment(comment: dict[str, Any]) -> dict[str, Any]:
    return {key: comment.get(key) for key in THREAD_COMMENT_FIELDS}
