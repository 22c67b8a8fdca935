"""The service layer the CLI and the web API call: search, thread, coverage, extract, crawl."""
from __future__ import annotations

import dataclasses
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from monitor import timeranges
from monitor.config import Config
from monitor.documents import THREAD_COMMENT_FIELDS
from monitor.errors import ConfigError, MonitorError
from monitor.index import SearchIndex, SearchRequest, SearchResult, open_index
from monitor.items import ArticleItem
from monitor.urls import lookup_forms

FETCH_TIMEOUT_SECONDS = 30
EXPORT_PAGE_SIZE = 500
COVERAGE_MAX_SERIES = 8
COVERAGE_DAILY_DAYS = 92  # up to about a quarter: a bar per day
COVERAGE_WEEKLY_DAYS = 730  # up to two years: a bar per week; beyond, per month

CoverageSplit = Literal["source", "topic", "none"]
Interval = Literal["day", "week", "month"]
AlertOrigin = Literal["web", "api"]


@contextmanager
def _opened(config: Config, index: SearchIndex | None) -> Iterator[SearchIndex]:
    """The given open index (a long-running server keeps one), or one opened for this call."""
    if index is not None:
        yield index
        return
    with open_index(config.index.url) as opened:
        yield opened


def search(config: Config, request: SearchRequest, *, index: SearchIndex | None = None) -> SearchResult:
    """Search; since and until may be relative (``7d``, ``yesterday``; see monitor.timeranges)."""
    with _opened(config, index) as opened:
        result = opened.search(resolved(request))
        if request.collapse:
            from monitor.clusters.copies import annotate

            annotate(opened, result.hits)
        return result


def resolved(request: SearchRequest, *, now: datetime | None = None) -> SearchRequest:
    """The request with relative since/until turned into ISO bounds (a named period sets both ends)."""
    since, until = timeranges.resolve(request.since, request.until, now=now)
    if (since, until) == (request.since, request.until):
        return request
    return dataclasses.replace(request, since=since, until=until)


def export_request(request: SearchRequest) -> SearchRequest:
    """The request an export pages through: relative dates resolved, newest first, EXPORT_PAGE_SIZE hits a page."""
    return dataclasses.replace(resolved(request), sort="date", limit=EXPORT_PAGE_SIZE, offset=0, facets=False,
                               search_after=None)


def export_page(config: Config, request: SearchRequest, after: list[Any] | None, *,
                index: SearchIndex | None = None) -> tuple[list[dict[str, Any]], list[Any] | None]:
    """One page of an export (a request from ``export_request``) and the cursor of the next, None after the last."""
    with _opened(config, index) as opened:
        result = opened.search(dataclasses.replace(request, search_after=after))
    return result.hits, result.next_cursor if len(result.hits) == request.limit else None


def export(config: Config, request: SearchRequest, *, index: SearchIndex | None = None) -> Iterator[dict[str, Any]]:
    """Every hit of the request, however many: paged through with the search cursor, not capped like a page."""
    paged = export_request(request)
    with _opened(config, index) as opened:
        after: list[Any] | None = None
        while True:
            hits, after = export_page(config, paged, after, index=opened)
            yield from hits
            if after is None:
                return


def thread(config: Config, id_or_url: str, *, index: SearchIndex | None = None) -> dict[str, Any] | None:
    """One article and its comments in page order, and its other copies (near-duplicates); None when not indexed.

    ``id_or_url``: the article's id, any URL it was fetched or is known under (see ``lookup_forms``), or a link
    to one of its comments (``…#comment-12``), whose id is then given as ``comment_id``.
    """
    with _opened(config, index) as opened:
        article = None
        for key in lookup_forms(id_or_url) if "://" in id_or_url else [id_or_url.strip()]:
            article = opened.get_article(key)
            if article is not None:
                break
        if article is None:
            return None
        comments = opened.get_comments(article["id"])
        from monitor.clusters.copies import copies

        also = copies(opened, article)
    data: dict[str, Any] = {"article": article, "comments": [_thread_comment(c) for c in comments],
                            "copies": also["copies"], "copies_total": also["total"]}
    anchor = id_or_url.partition("#")[2].strip()
    linked = next((c["id"] for c in comments if anchor and str(c.get("url") or "").endswith("#" + anchor)), None)
    if linked is not None:
        data["comment_id"] = linked
    return data


def counts(config: Config, *, index: SearchIndex | None = None) -> dict[str, int]:
    """Documents in the index by type."""
    with _opened(config, index) as opened:
        return opened.count()


def coverage(config: Config, request: SearchRequest, *, split: CoverageSplit = "source",
             max_series: int = COVERAGE_MAX_SERIES, index: SearchIndex | None = None) -> dict[str, Any]:
    """Documents per day, week or month matching the request, in all and per source or topic (the largest
    ``max_series``).

    The range runs from the first to the last day with a match, zeros filled in; the interval is chosen from
    its length (see ``bucketed``). A document with several topics counts in each of their series, so topic
    series may add up to more than the total.
    """
    request = resolved(request)
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
    totals = bucketed(facets.get("day", {}))
    interval = totals["interval"]
    series = [{"name": name, "total": sum(per_name[name].values()),
               "counts": bucketed(per_name[name], interval=interval, days=totals["days"])["counts"]}
              for name in names]
    return {"query": request.query, "split": split, "total": overall.total, "interval": interval,
            "days": totals["days"], "counts": totals["counts"],
            "series": sorted(series, key=lambda s: -s["total"])}


def bucketed(per_day: dict[str, int], *, interval: Interval | None = None,
             days: list[str] | None = None) -> dict[str, Any]:
    """Day counts summed per day, week (from Monday) or month, every bucket from the first to the last one with
    a count (zeros filled in): ``{"interval", "days" (each bucket's first day), "counts"}``.

    Without an ``interval`` it follows the range: days up to COVERAGE_DAILY_DAYS, weeks up to
    COVERAGE_WEEKLY_DAYS, months beyond, so a chart of years of coverage stays readable. ``days`` fixes the
    buckets (a series aligned with the total).
    """
    known = sorted(day[:10] for day in per_day)
    if days is None and not known:
        return {"interval": interval or "day", "days": [], "counts": []}
    if interval is None:
        span = (date.fromisoformat(known[-1]) - date.fromisoformat(known[0])).days + 1
        interval = "day" if span <= COVERAGE_DAILY_DAYS else "week" if span <= COVERAGE_WEEKLY_DAYS else "month"
    if days is None:
        first, last = bucket_start(known[0], interval), bucket_start(known[-1], interval)
        days = []
        while first <= last:
            days.append(first.isoformat())
            first = _next_bucket(first, interval)
    sums = dict.fromkeys(days, 0)
    for day, count in per_day.items():
        key = bucket_start(day[:10], interval).isoformat()
        if key in sums:
            sums[key] += count
    return {"interval": interval, "days": days, "counts": [sums[day] for day in days]}


def bucket_start(day: str, interval: Interval) -> date:
    start = date.fromisoformat(day)
    if interval == "week":
        return start - timedelta(days=start.weekday())
    if interval == "month":
        return start.replace(day=1)
    return start


def _next_bucket(start: date, interval: Interval) -> date:
    if interval == "day":
        return start + timedelta(days=1)
    if interval == "week":
        return start + timedelta(days=7)
    return date(start.year + (start.month == 12), start.month % 12 + 1, 1)


def create_alert(config: Config, fields: dict[str, Any], *, origin: AlertOrigin) -> dict[str, Any]:
    """Validate and store an alert made in the web UI or through the API, labelled with where it was made."""
    from monitor.alerts import service as alerts
    from monitor.alerts.notify import check_urls
    from monitor.alerts.rules import Alert

    alert = Alert.from_fields(_valid_alert_fields(fields), origin=origin)
    check_urls(alert.notify)
    with alerts.open_store(config) as store:
        store.add(alert)
    return alerts.describe(alert)


def test_notification(config: Config, name: str) -> list[dict[str, Any]]:
    """Send a test message to each of the alert's notify URLs now (not through the outbox): per URL (masked),
    whether it was taken and why not."""
    from monitor.alerts import service as alerts
    from monitor.alerts.notify import mask_url, send

    with alerts.open_store(config) as store:
        alert = store.get(name)
    results: list[dict[str, Any]] = []
    for url in alert.notify:
        try:
            send(url, title=f"Test from the media monitor: alert {name}",
                 body=f"This is a test of alert {name} (query: {alert.query}). Its real notifications will look "
                      f"like this one.")
        except MonitorError as exc:
            results.append({"url": mask_url(url), "sent": False, "error": str(exc)})
        else:
            results.append({"url": mask_url(url), "sent": True, "error": None})
    return results


def _valid_alert_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """The fields when they make a valid alert; otherwise ConfigError naming each field to fix."""
    from pydantic import ValidationError

    from monitor.alerts.rules import Alert

    try:
        Alert.from_fields(fields)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'alert'}: {e['msg'].removeprefix('Value error, ')}"
                             for e in exc.errors())
        raise ConfigError(f"invalid alert: {problems}") from None
    return fields


def update_alert(config: Config, name: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Change an alert made from the CLI or the API; fields left out of ``changes`` stay as they are
    (notify among them: its URLs are only ever shown masked, so a form cannot send them back)."""
    from monitor.alerts import service as alerts
    from monitor.alerts.notify import check_urls
    from monitor.alerts.rules import Alert

    with alerts.open_store(config) as store:
        current = store.get(name)
    if current.origin == "config":
        raise MonitorError(f"alert {name!r} comes from the config file: change it there")
    fields = _valid_alert_fields({**current.fields(), **changes, "name": name})
    check_urls(fields["notify"])
    # The alert store has no update yet: replace the rule, checked above so the add cannot fail.
    # What it had already triggered stays recorded (by name), so nothing is sent twice; it keeps its origin.
    alerts.remove_alert(config, name)
    with alerts.open_store(config) as store:
        store.add(Alert.from_fields(fields, origin=current.origin))
    return alerts.get_alert(config, name)


def replay_spool(config: Config) -> dict[str, Any]:
    """Write the spooled batches of the configured index; what they write is clustered and alerted on as a
    crawl's writes are (the same ``on_written`` subscribers). ``replayed``: the counts; ``alerts``: the matching."""
    from functools import partial

    from monitor.alerts.service import AlertMatching
    from monitor.clusters.store import ClusterAssignment
    from monitor.index import admin
    from monitor.index.written import Subscribers

    clusters = ClusterAssignment(partial(open_index, config.index.url))
    with AlertMatching(config) as alerts:
        try:
            stats = admin.spool_replay(config.index.url, config.spool_dir, on_written=Subscribers([clusters, alerts]))
        finally:
            clusters.close()
    return {"replayed": {k: v for k, v in vars(stats).items() if k != "new_ids"}, "alerts": dict(alerts.counts)}


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
    from monitor.extract import extract_html  # late: trafilatura's import is a quarter second no search needs

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


def _thread_comment(comment: dict[str, Any]) -> dict[str, Any]:
    return {key: comment.get(key) for key in THREAD_COMMENT_FIELDS}
