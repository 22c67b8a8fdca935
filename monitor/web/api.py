"""The JSON API under /api: search, threads, coverage, alerts, sources and runs (all through the service layers)."""
from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Response, status
from fastapi import Path as PathParam
from fastapi.responses import PlainTextResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from monitor import export as exporting
from monitor import service
from monitor.alerts import service as alerts
from monitor.errors import MonitorError
from monitor.export import ExportFormat
from monitor.runs import status as run_status
from monitor.web import paused
from monitor.web.deps import require_reader, require_writer, web_state
from monitor.web.feeds import feed_path
from monitor.web.models import (
    AlertChanges,
    AlertHistory,
    AlertIn,
    AlertList,
    AlertOut,
    AlertTest,
    CoverageResponse,
    CrawlStarted,
    NotificationTests,
    Problem,
    RunList,
    SavedSearchIn,
    SavedSearchList,
    SavedSearchOut,
    SearchResponse,
    SourcesResponse,
    ThreadResponse,
)
from monitor.web.params import (
    MAX_LIMIT,
    MAX_OFFSET,
    SearchParams,
    decode_cursor,
    encode_cursor,
)
from monitor.web.saved import SavedSearch
from monitor.web.state import WebState

PROBLEMS: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "A malformed query or value; `detail` says what and where."},
    401: {"model": Problem, "description": "Reads are closed (web.open_reads: false): send the token."},
    503: {"model": Problem, "description": "The search index cannot be reached."},
}
WRITE_PROBLEMS: dict[int | str, dict[str, Any]] = {
    **PROBLEMS,
    401: {"model": Problem, "description": "No valid token: send Authorization: Bearer $MONITOR_API_TOKEN."},
    403: {"model": Problem, "description": "Writes are off: the server has no MONITOR_API_TOKEN."},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": Problem, "description": "No such thing."}}

router = APIRouter(prefix="/api", responses=PROBLEMS)
reads = APIRouter(dependencies=[Depends(require_reader)])
writes = APIRouter(dependencies=[Depends(require_writer)], responses=WRITE_PROBLEMS)


@reads.get("/search", response_model=SearchResponse, summary="Search articles and comments")
def search(
    params: SearchParams = Depends(),
    sort: Literal["relevance", "date"] = Query("relevance"),
    limit: int = Query(20, ge=0, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
    after: str | None = Query(None, description="Deep paging: the next_cursor of the previous page."),
    facets: bool = Query(False, description="Also count hits per source, type, language and day."),
    collapse: Literal["cluster"] | None = Query(
        None, description="cluster: one hit per story; the others (syndicated copies, near-duplicates) are counted in "
                          "the hit's `cluster` (`more`, `also` = their sources). Total and facets count stories; "
                          "pages go by offset."),
    web: WebState = Depends(web_state),
) -> dict[str, Any]:
    request = params.request(sort=sort, limit=limit, offset=offset, search_after=decode_cursor(after),
                             facets=facets, collapse=collapse == "cluster")
    result = service.search(web.config, request, index=web.index())
    return {"total": result.total, "hits": result.hits, "facets": result.facets,
            "next_cursor": encode_cursor(result.next_cursor)}


@reads.get("/export", response_class=StreamingResponse, summary="Every hit of a search as CSV or NDJSON (streamed)",
           responses={200: {"content": {"text/csv": {}, "application/x-ndjson": {}},
                            "description": "A download: newest first, every hit (no page limit)."}})
async def export(params: SearchParams = Depends(),
                 format: Literal["csv", "ndjson"] = Query("csv", description="csv (formula-safe) or ndjson."),
                 web: WebState = Depends(web_state)) -> StreamingResponse:
    return await export_response(web, params, format)


async def export_response(web: WebState, params: SearchParams, export_format: ExportFormat) -> StreamingResponse:
    """The first page is read before answering, so a query that does not parse is a 400, not a broken download.
    Each page is read in a worker thread with that thread's index handle."""
    config = web.config
    request = service.export_request(params.request())

    def page(after: list[Any] | None) -> tuple[list[dict[str, Any]], list[Any] | None]:
        return service.export_page(config, request, after, index=web.index())

    first, after = await run_in_threadpool(page, None)

    async def body() -> AsyncIterator[str]:
        nonlocal after
        for line in exporting.lines(first, export_format):
            yield line
        while after is not None:
            more, after = await run_in_threadpool(page, after)
            for line in exporting.lines(more, export_format, header=False):
                yield line

    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return StreamingResponse(body(), media_type=exporting.MEDIA_TYPES[export_format],
                             headers={"Content-Disposition": f'attachment; filename="monitor-{stamp}.{export_format}"'})


@reads.get("/articles/{article_id}", response_model=ThreadResponse, responses=NOT_FOUND,
           summary="One article and its comment thread")
def article(article_id: str, web: WebState = Depends(web_state)) -> dict[str, Any]:
    return _thread(web, article_id)


@reads.get("/thread", response_model=ThreadResponse, responses=NOT_FOUND,
           summary="One article and its comment thread, by URL or id")
def thread(url: str = Query(..., min_length=1, description="The article's URL (or id)."),
           web: WebState = Depends(web_state)) -> dict[str, Any]:
    return _thread(web, url)


def _thread(web: WebState, key: str) -> dict[str, Any]:
    data = service.thread(web.config, key, index=web.index())
    if data is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no article {key!r} in the index")
    return data


@reads.get("/coverage", response_model=CoverageResponse, summary="Documents per day, week or month for a query, per source or topic")
def coverage(params: SearchParams = Depends(),
             split: Literal["source", "topic", "none"] = Query("source"),
             count: Literal["copies", "stories"] = Query(
                 "copies", description="copies: every document; stories: copies of one story (syndicated, "
                                       "near-duplicates) count once."),
             web: WebState = Depends(web_state)) -> dict[str, Any]:
    return service.coverage(web.config, params.request(collapse=count == "stories"), split=split, index=web.index())


# ---------------------------------------------------------------- alerts


@reads.get("/alerts", response_model=AlertList, summary="Every alert (notify URLs masked)")
def list_alerts(web: WebState = Depends(web_state)) -> dict[str, Any]:
    return {"alerts": [_with_feed(web, a) for a in paused.with_paused(web.config)]}


@reads.get("/alerts/{name}", response_model=AlertOut, responses=NOT_FOUND, summary="One alert")
def get_alert(name: str, web: WebState = Depends(web_state)) -> dict[str, Any]:
    found = {a["name"]: a for a in paused.with_paused(web.config)}
    if name not in found:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no alert named {name!r}")
    return _with_feed(web, found[name])


def _with_feed(web: WebState, alert: dict[str, Any]) -> dict[str, Any]:
    return {**alert, "feed": feed_path("alert", alert["name"], web.saved().feed_token("alert", alert["name"]))}


@reads.get("/alerts/{name}/test", response_model=AlertTest, responses=NOT_FOUND,
           summary="What the alert would have matched in the last days (nothing is sent)")
def test_alert(name: str, days: int = Query(7, ge=1, le=3650), limit: int = Query(20, ge=1, le=MAX_LIMIT),
               web: WebState = Depends(web_state)) -> dict[str, Any]:
    _known_alert(web, name)
    return alerts.test_alert(web.config, name, days=days, limit=limit)


@reads.get("/alerts/{name}/history", response_model=AlertHistory, responses=NOT_FOUND,
           summary="The alert's notifications, newest first")
def alert_history(name: str, limit: int = Query(50, ge=1, le=1000),
                  web: WebState = Depends(web_state)) -> dict[str, Any]:
    if name not in {a["name"] for a in paused.with_paused(web.config)}:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no alert named {name!r}")
    return {"messages": paused.history(web.config, name, limit=limit)}


@reads.get("/history", response_model=AlertHistory, summary="Every alert's notifications, newest first")
def all_history(limit: int = Query(50, ge=1, le=1000), web: WebState = Depends(web_state)) -> dict[str, Any]:
    return {"messages": alerts.history(web.config, limit=limit)}


@writes.post("/alerts", response_model=AlertOut, status_code=status.HTTP_201_CREATED,
             responses={409: {"model": Problem, "description": "An alert of that name exists."}},
             summary="Create an alert")
def create_alert(alert: AlertIn, web: WebState = Depends(web_state)) -> dict[str, Any]:
    if alert.name in _alert_names(web) or alert.name in {a["name"] for a in paused.paused_alerts(web.config)}:
        raise HTTPException(status.HTTP_409_CONFLICT, f"an alert named {alert.name!r} exists")
    return service.create_alert(web.config, alert.model_dump(exclude_none=True), origin="api")


@writes.patch("/alerts/{name}", response_model=AlertOut, responses=NOT_FOUND, summary="Change an alert")
def edit_alert(name: str, changes: AlertChanges, web: WebState = Depends(web_state)) -> dict[str, Any]:
    _known_alert(web, name)
    return service.update_alert(web.config, name, changes.model_dump(exclude_none=True))


@writes.delete("/alerts/{name}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
               responses=NOT_FOUND, summary="Delete an alert")
def delete_alert(name: str, web: WebState = Depends(web_state)) -> Response:
    if not paused.discard(web.config, name):
        _known_alert(web, name)
        alerts.remove_alert(web.config, name)
    web.saved().forget_feed("alert", name)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@writes.post("/alerts/{name}/notify-test", response_model=NotificationTests, responses=NOT_FOUND,
             summary="Send a test notification to each of the alert's URLs now")
def notify_test(name: str, web: WebState = Depends(web_state)) -> dict[str, Any]:
    _known_alert(web, name)
    return {"results": service.test_notification(web.config, name)}


@writes.post("/alerts/{name}/pause", response_model=AlertOut, responses=NOT_FOUND,
             summary="Pause an alert: nothing matches or is sent until it is resumed")
def pause_alert(name: str, web: WebState = Depends(web_state)) -> dict[str, Any]:
    _known_alert(web, name)
    return _with_feed(web, paused.pause(web.config, name))


@writes.post("/alerts/{name}/resume", response_model=AlertOut, responses=NOT_FOUND, summary="Resume a paused alert")
def resume_alert(name: str, web: WebState = Depends(web_state)) -> dict[str, Any]:
    if name not in {a["name"] for a in paused.paused_alerts(web.config)}:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no paused alert named {name!r}")
    return _with_feed(web, {**paused.resume(web.config, name), "paused": None})


# ---------------------------------------------------------------- saved searches


@reads.get("/searches", response_model=SavedSearchList, summary="Saved searches, with their feeds")
def list_searches(web: WebState = Depends(web_state)) -> dict[str, Any]:
    return {"searches": [_saved_out(web, s) for s in web.saved().list()]}


@writes.post("/searches", response_model=SavedSearchOut, status_code=status.HTTP_201_CREATED,
             responses={409: {"model": Problem, "description": "A saved search of that name exists."}},
             summary="Save a search under a name")
def save_search(search: SavedSearchIn, web: WebState = Depends(web_state)) -> dict[str, Any]:
    params = search.model_dump(exclude={"name"})
    SearchParams.from_saved(params)  # a date or range that does not read is a 400 now, not in the feed later
    if web.saved().get(search.name.strip()) is not None:
        raise HTTPException(status.HTTP_409_CONFLICT, f"a saved search named {search.name!r} exists")
    return _saved_out(web, web.saved().add(search.name, params, origin="api"))


@writes.delete("/searches/{name}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
               responses=NOT_FOUND, summary="Delete a saved search")
def delete_search(name: str, web: WebState = Depends(web_state)) -> Response:
    if not web.saved().remove(name):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no saved search named {name!r}")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _saved_out(web: WebState, search: SavedSearch) -> dict[str, Any]:
    return {"name": search.name, "params": search.params, "origin": search.origin, "created": search.created,
            "feed": feed_path("search", search.name, web.saved().feed_token("search", search.name))}


def _alert_names(web: WebState) -> set[str]:
    return {a["name"] for a in alerts.list_alerts(web.config)}


def _known_alert(web: WebState, name: str) -> None:
    """An active alert; a paused one is a 409 that says to resume it."""
    if name not in _alert_names(web):
        if name in {a["name"] for a in paused.paused_alerts(web.config)}:
            raise HTTPException(status.HTTP_409_CONFLICT, f"alert {name!r} is paused: resume it first")
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no alert named {name!r}")


# ---------------------------------------------------------------- sources and runs


@reads.get("/sources", response_model=SourcesResponse, summary="Each source's schedule, last and next run, health")
def sources(web: WebState = Depends(web_state)) -> dict[str, Any]:
    return run_status.sources(web.config)


@reads.get("/runs", response_model=RunList, responses=NOT_FOUND, summary="Crawl runs, newest first")
def runs(source: str | None = Query(None), limit: int = Query(50, ge=1, le=1000),
         web: WebState = Depends(web_state)) -> dict[str, Any]:
    if source and source not in {s.name for s in web.config.sources}:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no source named {source!r}")
    return {"runs": run_status.runs(web.config, source=source or None, limit=limit)}


@reads.get("/runs/{run_id}/log", response_class=Response,
           responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}},
                            "description": "The log's text."}, **NOT_FOUND},
           summary="A run's log (its last MB), from whichever machine ran it")
def run_log(run_id: int = PathParam(ge=1, le=2**53), web: WebState = Depends(web_state)) -> PlainTextResponse:
    try:
        shown = run_status.run_log(web.config, run_id)
    except MonitorError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    return PlainTextResponse(shown.text)


@writes.post("/sources/{name}/crawl", response_model=CrawlStarted, status_code=status.HTTP_202_ACCEPTED,
             responses={**NOT_FOUND, 409: {"model": Problem, "description": "A crawl cannot start now."}},
             summary="Crawl a source now")
def crawl(name: str, web: WebState = Depends(web_state)) -> dict[str, Any]:
    if name not in {s.name for s in web.config.sources}:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no source named {name!r}")
    return {"source": name, "status": web.crawl_now(name)}


router.include_router(reads)
router.include_router(writes)
