"""The web UI: server-rendered pages for search, articles with their threads, coverage, alerts, sources, login."""
from __future__ import annotations

from typing import Any, Literal
from urllib.parse import quote, unquote

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from monitor import service
from monitor.alerts import service as alerts
from monitor.errors import MonitorError, QueryError
from monitor.web import paused
from monitor.web.auth import (
    CSRF_COOKIE,
    CSRF_FIELD,
    SESSION_COOKIE,
    SESSION_SECONDS,
    TOKEN_ENV,
    new_csrf_nonce,
    same_origin,
)
from monitor.web.chart import coverage_chart
from monitor.web.deps import web_state
from monitor.web.feeds import feed_path
from monitor.web.params import MAX_OFFSET, SearchParams, decode_cursor, encode_cursor
from monitor.web.present import build_environment, by_date, pager, thread_rows
from monitor.web.state import WebState
from monitor.web.throttle import Throttled

PAGE_SIZE = 20
MAX_PAGE = MAX_OFFSET // PAGE_SIZE  # the index pages by offset this far; the API's cursor goes further
HISTORY_ROWS = 50
RUN_ROWS = 30
LIVE_SECONDS = 3  # how often the sources page polls the API for runs and health
ENV = build_environment()
FLASH_COOKIE = "monitor_flash"
FLASH_SECONDS = 60
MAX_FLASH_LENGTH = 300


class Redirect(Exception):
    """Answered with 303 See Other (the app's handler)."""

    def __init__(self, location: str) -> None:
        self.location = location


def render(request: Request, template: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page, with the CSRF token its forms need (the cookie half is set here when the browser has none)."""
    guard = web_state(request).guard
    nonce = request.cookies.get(CSRF_COOKIE)
    fresh = not nonce
    if fresh:
        nonce = new_csrf_nonce()
    flash = unquote(request.cookies.get(FLASH_COOKIE, ""))[:MAX_FLASH_LENGTH] or None
    html = ENV.get_template(template).render(
        request=request, path=request.url.path, csrf_field=CSRF_FIELD, csrf=guard.csrf_for(nonce or ""),
        writer=guard.is_writer(request), writes_enabled=guard.writes_enabled, token_env=TOKEN_ENV, flash=flash,
        **context)
    response = HTMLResponse(html, status_code=status_code)
    if flash:
        response.delete_cookie(FLASH_COOKIE, path="/", httponly=True, samesite="lax")
    if fresh:
        response.set_cookie(CSRF_COOKIE, nonce or "", httponly=True, samesite="lax", path="/",
                            secure=request.url.scheme == "https")
    return response


def done(location: str, message: str) -> RedirectResponse:
    """Redirect after a write that succeeded; the next page shows ``message`` once (a short-lived cookie)."""
    response = RedirectResponse(location, status_code=303)
    response.set_cookie(FLASH_COOKIE, quote(message[:MAX_FLASH_LENGTH]), max_age=FLASH_SECONDS, httponly=True,
                        samesite="lax", path="/")
    return response


def error_page(request: Request, status_code: int, detail: str) -> HTMLResponse:
    return render(request, "error.html", status_code=status_code, status=status_code, detail=detail)


def page_reader(request: Request) -> None:
    """Closed reads send a browser to the login form, and back here after it."""
    if not web_state(request).guard.can_read(request):
        raise Redirect(f"/login?next={quote(request.url.path + ('?' + request.url.query if request.url.query else ''))}")


def checked_form(request: Request, csrf_token: str) -> WebState:
    """A form post that writes: from this site, with its CSRF token, by someone logged in."""
    web = web_state(request)
    if not same_origin(request, web.guard.hosts) or not web.guard.csrf_ok(request, csrf_token):
        raise HTTPException(403, "this form did not come from this site, or it expired: reload the page and try again")
    if not web.guard.is_writer(request):
        raise Redirect(f"/login?next={quote(request.url.path)}")
    return web


router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
reads = APIRouter(dependencies=[Depends(page_reader)])


@reads.get("/")
def search_page(request: Request, params: SearchParams = Depends(),
                sort: Literal["relevance", "date"] = Query("relevance"),
                page: int = Query(1, ge=1, le=MAX_PAGE), after: str | None = Query(None),
                collapse: Literal["cluster"] | None = Query(None),
                cluster: str | None = Query(None, max_length=100)) -> Response:
    web = web_state(request)
    base = {**params.as_dict(), "collapse": collapse, "cluster": cluster or None}
    context: dict[str, Any] = {"params": base, "sort": sort, "after": after, "config": web.config,
                               "result": None, "error": None, "chart": None, "next_after": None, "paging": None}
    try:
        cursor = decode_cursor(after)
        result = service.search(web.config, params.request(
            sort=sort, limit=PAGE_SIZE, facets=True, search_after=cursor,
            offset=0 if cursor else (page - 1) * PAGE_SIZE, collapse=collapse == "cluster",
            cluster_id=cluster or None), index=web.index())
    except QueryError as exc:
        context["error"] = str(exc)
        return render(request, "search.html", status_code=400, **context)
    facets = result.facets or {}
    context.update(result=result, facets=facets,
                   next_after=encode_cursor(result.next_cursor) if after and len(result.hits) == PAGE_SIZE else None,
                   paging=None if after else pager(page, result.total, PAGE_SIZE, MAX_PAGE),
                   chart=coverage_chart(service.bucketed(facets.get("day", {}))))
    return render(request, "search.html", **context)


@reads.get("/articles/{article_id}")
def article_page(request: Request, article_id: str,
                 order: Literal["thread", "oldest", "newest"] = Query("thread")) -> Response:
    web = web_state(request)
    data = service.thread(web.config, article_id, index=web.index())
    if data is None:
        return error_page(request, 404, f"no article {article_id!r} in the index")
    rows = thread_rows(data["comments"]) if order == "thread" else by_date(data["comments"], newest=order == "newest")
    return render(request, "article.html", article=data["article"], comments=data["comments"], thread=rows,
                  order=order, copies=data.get("copies", []), copies_total=data.get("copies_total", 0))


@reads.get("/coverage")
def coverage_page(request: Request, params: SearchParams = Depends(),
                  split: Literal["source", "topic", "none"] = Query("source")) -> Response:
    web = web_state(request)
    context: dict[str, Any] = {"params": params.as_dict(), "split": split, "config": web.config, "error": None,
                               "coverage": None, "chart": None}
    try:
        data = service.coverage(web.config, params.request(), split=split, index=web.index())
    except QueryError as exc:
        context["error"] = str(exc)
        return render(request, "coverage.html", status_code=400, **context)
    return render(request, "coverage.html", **{**context, "coverage": data, "chart": coverage_chart(data)})


# ---------------------------------------------------------------- alerts


@reads.get("/alerts")
def alerts_page(request: Request) -> Response:
    web = web_state(request)
    return render(request, "alerts.html", alerts=paused.with_paused(web.config), form={}, error=None,
                  history=alerts.history(web.config, limit=HISTORY_ROWS), config=web.config)


@router.post("/alerts")
def create_alert(request: Request, csrf_token: str = Form(""), name: str = Form(""), query: str = Form(""),
                 notify: str = Form(""), types: list[str] = Form([]), sources: str = Form(""),
                 topics: str = Form(""), languages: str = Form(""), mode: str = Form("immediate"),
                 digest_schedule: str = Form(""), once_per: str = Form("document")) -> Response:
    web = checked_form(request, csrf_token)
    form = {"name": name.strip(), "query": query, "notify": notify, "types": types, "sources": sources,
            "topics": topics, "languages": languages, "mode": mode, "digest_schedule": digest_schedule,
            "once_per": once_per}
    try:
        service.create_alert(web.config, {"name": name.strip(), **_alert_fields(form)}, origin="web")
    except MonitorError as exc:
        return render(request, "alerts.html", status_code=400, alerts=paused.with_paused(web.config), form=form,
                      error=str(exc), history=alerts.history(web.config, limit=HISTORY_ROWS), config=web.config)
    return done(f"/alerts/{quote(name.strip(), safe='')}", f"Alert {name.strip()} created.")


@reads.get("/alerts/{name}")
def alert_page(request: Request, name: str, days: int | None = Query(None, ge=1, le=3650)) -> Response:
    web = web_state(request)
    return _alert_page(request, web, name, days=days)


def _alert_page(request: Request, web: WebState, name: str, *, days: int | None = None,
                error: str | None = None, form: dict[str, Any] | None = None, status_code: int = 200) -> Response:
    known = {a["name"]: a for a in paused.with_paused(web.config)}
    if name not in known:
        return error_page(request, 404, f"no alert named {name!r}")
    alert = known[name]
    tested = alerts.test_alert(web.config, name, days=days, limit=PAGE_SIZE) if days and not alert["paused"] else None
    if form is None:
        form = {**alert, "notify": "", "sources": ", ".join(alert.get("sources") or []),
                "topics": ", ".join(alert.get("topics") or []), "languages": ", ".join(alert.get("languages") or []),
                "digest_schedule": alert.get("digest_schedule") or ""}
    return render(request, "alert.html", status_code=status_code, alert=alert, tested=tested, days=days or 7,
                  history=paused.history(web.config, name, limit=HISTORY_ROWS), error=error, form=form,
                  feed=feed_path("alert", name, web.saved().feed_token("alert", name)))


@router.post("/alerts/{name}")
def edit_alert(request: Request, name: str, csrf_token: str = Form(""), query: str = Form(""),
               notify: str = Form(""), types: list[str] = Form([]), sources: str = Form(""), topics: str = Form(""),
               languages: str = Form(""), mode: str = Form("immediate"), digest_schedule: str = Form(""),
               once_per: str = Form("document")) -> Response:
    web = checked_form(request, csrf_token)
    form = {"name": name, "query": query, "notify": notify, "types": types, "sources": sources, "topics": topics,
            "languages": languages, "mode": mode, "digest_schedule": digest_schedule, "once_per": once_per}
    changes = _alert_fields(form)
    if not changes["notify"]:
        del changes["notify"]  # left empty: keep the URLs it has (they are only ever shown masked)
    try:
        service.update_alert(web.config, name, changes)
    except MonitorError as exc:
        return _alert_page(request, web, name, error=str(exc), form=form, status_code=400)
    return done(f"/alerts/{quote(name, safe='')}", f"Alert {name} saved.")


@router.post("/alerts/{name}/delete")
def delete_alert(request: Request, name: str, csrf_token: str = Form("")) -> Response:
    web = checked_form(request, csrf_token)
    if not paused.discard(web.config, name):
        alerts.remove_alert(web.config, name)
    web.saved().forget_feed("alert", name)
    return done("/alerts", f"Alert {name} deleted.")


@router.post("/alerts/{name}/pause")
def pause_alert(request: Request, name: str, csrf_token: str = Form("")) -> Response:
    web = checked_form(request, csrf_token)
    paused.pause(web.config, name)
    return done(f"/alerts/{quote(name, safe='')}", f"Alert {name} paused: nothing is matched or sent until you resume it.")


@router.post("/alerts/{name}/resume")
def resume_alert(request: Request, name: str, csrf_token: str = Form("")) -> Response:
    web = checked_form(request, csrf_token)
    paused.resume(web.config, name)
    return done(f"/alerts/{quote(name, safe='')}", f"Alert {name} resumed.")


@router.post("/alerts/{name}/notify-test")
def notify_test(request: Request, name: str, csrf_token: str = Form("")) -> Response:
    web = checked_form(request, csrf_token)
    if name not in {a["name"] for a in alerts.list_alerts(web.config)}:
        return error_page(request, 404, f"no alert named {name!r}")
    results = service.test_notification(web.config, name)
    failed = [r for r in results if not r["sent"]]
    if failed:
        message = "Test notification failed: " + "; ".join(str(r["error"]) for r in failed)
    else:
        message = f"Test notification sent to {len(results)} URL{'' if len(results) == 1 else 's'}."
    return done(f"/alerts/{quote(name, safe='')}", message)


def _alert_fields(form: dict[str, Any]) -> dict[str, Any]:
    def items(text: str) -> list[str]:
        return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]

    fields: dict[str, Any] = {"query": form["query"], "notify": [u.strip() for u in form["notify"].splitlines()
                                                                 if u.strip()],
                              "types": form["types"] or ["article", "comment"], "sources": items(form["sources"]),
                              "topics": items(form["topics"]), "languages": items(form["languages"]),
                              "mode": form["mode"], "once_per": form["once_per"]}
    if form["digest_schedule"].strip():
        fields["digest_schedule"] = form["digest_schedule"].strip()
    return fields


# ---------------------------------------------------------------- saved searches


@reads.get("/searches")
def searches_page(request: Request) -> Response:
    web = web_state(request)
    saved = web.saved()
    rows = [{"search": s, "feed": feed_path("search", s.name, saved.feed_token("search", s.name))}
            for s in saved.list()]
    return render(request, "searches.html", searches=rows)


@router.post("/searches")
def save_search(request: Request, csrf_token: str = Form(""), name: str = Form(""), q: str = Form(""),
                type: str = Form(""), source: list[str] = Form([]), topic: list[str] = Form([]),
                language: list[str] = Form([]), since: str = Form(""), until: str = Form(""),
                sort: str = Form("relevance")) -> Response:
    web = checked_form(request, csrf_token)
    params = {"q": q, "type": type or None, "source": source, "topic": topic, "language": language,
              "since": since or None, "until": until or None, "sort": sort if sort == "date" else None}
    try:
        SearchParams.from_saved(params)
        web.saved().add(name, params, origin="web")
    except MonitorError as exc:
        return error_page(request, 400, f"{exc}\n\nGo back, fix it and save again.")
    return done("/searches", f"Search {name.strip()} saved.")


@router.post("/searches/{name}/delete")
def delete_search(request: Request, name: str, csrf_token: str = Form("")) -> Response:
    web = checked_form(request, csrf_token)
    if not web.saved().remove(name):
        return error_page(request, 404, f"no saved search named {name!r}")
    return done("/searches", f"Saved search {name} deleted.")


# ---------------------------------------------------------------- sources: monitor/web/source_pages.py


@router.get("/favicon.ico")
def favicon() -> Response:
    return Response(status_code=204)


# ---------------------------------------------------------------- login


@router.get("/login")
def login_page(request: Request, next: str = Query("/")) -> Response:
    return render(request, "login.html", next=_local_path(next), error=None)


@router.post("/login")
def login(request: Request, csrf_token: str = Form(""), token: str = Form(""), next: str = Form("/")) -> Response:
    web = web_state(request)
    if not same_origin(request, web.guard.hosts) or not web.guard.csrf_ok(request, csrf_token):
        return render(request, "login.html", status_code=403, next=_local_path(next),
                      error="this form did not come from this site, or it expired: reload the page")
    if not web.guard.writes_enabled:
        return render(request, "login.html", status_code=403, next=_local_path(next),
                      error=f"logging in is switched off: the server was started without {TOKEN_ENV}")
    try:
        right = web.guard.login_ok(request, token)
    except Throttled as exc:
        page = render(request, "login.html", status_code=exc.status_code, next=_local_path(next), error=exc.detail)
        page.headers.update(exc.headers or {})
        return page
    if not right:
        return render(request, "login.html", status_code=401, next=_local_path(next), error="wrong token")
    response = done(_local_path(next), "Logged in.")
    response.set_cookie(SESSION_COOKIE, web.guard.new_session(), max_age=SESSION_SECONDS, httponly=True,
                        samesite="lax", path="/", secure=request.url.scheme == "https")
    return response


@router.post("/logout")
def logout(request: Request, csrf_token: str = Form("")) -> Response:
    web = web_state(request)
    if not same_origin(request, web.guard.hosts) or not web.guard.csrf_ok(request, csrf_token):
        return error_page(request, 403, "this form did not come from this site, or it expired: reload the page")
    web.guard.end_session(request.cookies.get(SESSION_COOKIE))  # a copy of the cookie must not live on
    response = done("/", "Logged out.")
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax",
                           secure=request.url.scheme == "https")
    return response


def _local_path(target: str) -> str:
    """Only a path on this site: never an open redirect to another one."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


router.include_router(reads)
