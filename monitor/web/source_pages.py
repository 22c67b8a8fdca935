"""The sources pages of the web UI: the list with its add form, one source's page, and their write forms."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

import yaml
from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from monitor.errors import ConfigError
from monitor.runs import status as run_status
from monitor.state.sources import definition_of
from monitor.web import sources
from monitor.web.deps import web_state
from monitor.web.pages import LIVE_SECONDS, RUN_ROWS, checked_form, done, error_page, page_reader, render
from monitor.web.source_forms import definition_from_form, form_from_definition, schedule_from_text, source_form
from monitor.web.state import WebState

WEB_ORIGIN = "web"

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
reads = APIRouter(dependencies=[Depends(page_reader)])


@reads.get("/sources")
def sources_page(request: Request, source: str | None = Query(None)) -> Response:
    return _list_page(request, web_state(request), source=source)


def _list_page(request: Request, web: WebState, *, source: str | None = None, form: dict[str, str] | None = None,
               error: str | None = None, tested: dict[str, Any] | None = None, status_code: int = 200) -> Response:
    config = web.config
    crawled = {s.name for s in config.sources}
    chosen = source if source in crawled else None
    views = sources.views(config)
    not_crawled = [v for v in views if v.shadowed or v.error]
    return render(request, "sources.html", status_code=status_code, status=run_status.sources(config),
                  source=chosen, runs=run_status.runs(config, source=chosen, limit=RUN_ROWS),
                  refresh_seconds=LIVE_SECONDS, run_rows=RUN_ROWS, not_crawled=not_crawled,
                  form=form or {}, error=error, tested=tested, adding=form is not None)


@router.post("/sources")
def add_source(request: Request, csrf_token: str = Form(""), action: str = Form("add"),
               form: dict[str, str] = Depends(source_form)) -> Response:
    """Add the source, or with action=test only run its dry run (nothing is stored)."""
    web = checked_form(request, csrf_token)
    try:
        data = definition_from_form(form)
        if action == "test":
            return _list_page(request, web, form=form, tested=sources.dry_run_draft(web.config, data))
        added = sources.add(web.config, data, origin=WEB_ORIGIN)
    except ConfigError as exc:
        return _list_page(request, web, form=form, error=str(exc), status_code=400)
    except HTTPException as exc:
        return _list_page(request, web, form=form, error=str(exc.detail), status_code=exc.status_code)
    return done(_page_of(added.name), f"Source {added.name} added.")


@reads.get("/sources/{name}")
def source_page(request: Request, name: str) -> Response:
    return _source_page(request, web_state(request), name)


def _source_page(request: Request, web: WebState, name: str, *, form: dict[str, str] | None = None,
                 error: str | None = None, schedule_error: str | None = None, typed_schedule: str | None = None,
                 tested: dict[str, Any] | None = None, status_code: int = 200) -> Response:
    config = web.config
    try:
        view = sources.view(config, name)
    except HTTPException as exc:
        return error_page(request, exc.status_code, str(exc.detail))
    row = next((s for s in run_status.sources(config)["sources"] if s["name"] == name), None)
    crawled = next((s for s in config.sources if s.name == name), None)
    definition = definition_of(crawled) if crawled is not None else view.definition
    return render(request, "source.html", status_code=status_code, view=view, row=row,
                  definition_yaml=yaml.safe_dump(definition, sort_keys=False, allow_unicode=True),
                  form=form or form_from_definition(view.definition), error=error, schedule_error=schedule_error,
                  schedule=form_from_definition(view.definition)["schedule"] if typed_schedule is None
                  else typed_schedule, tested=tested,
                  runs=run_status.runs(config, source=name, limit=RUN_ROWS) if crawled else [])


@router.post("/sources/{name}")
def edit_source(request: Request, name: str, csrf_token: str = Form(""),
                form: dict[str, str] = Depends(source_form)) -> Response:
    web = checked_form(request, csrf_token)
    try:
        sources.edit(web.config, name, definition_from_form({**form, "name": form["name"] or name}))
    except ConfigError as exc:
        return _source_page(request, web, name, form=form, error=str(exc), status_code=400)
    except HTTPException as exc:
        return _source_page(request, web, name, form=form, error=str(exc.detail), status_code=exc.status_code)
    return done(_page_of(name), f"Source {name} saved.")


@router.post("/sources/{name}/schedule")
def reschedule_source(request: Request, name: str, csrf_token: str = Form(""), schedule: str = Form("")) -> Response:
    web = checked_form(request, csrf_token)
    try:
        sources.reschedule(web.config, name, schedule_from_text(schedule))
    except ConfigError as exc:
        return _source_page(request, web, name, schedule_error=str(exc), typed_schedule=schedule, status_code=400)
    except HTTPException as exc:
        return _source_page(request, web, name, schedule_error=str(exc.detail), typed_schedule=schedule,
                            status_code=exc.status_code)
    shown = schedule.strip() or "the default schedule (serve.default_schedule), or on demand only"
    return done(_page_of(name), f"Source {name} rescheduled: {shown}.")


@router.post("/sources/{name}/pause")
def pause_source(request: Request, name: str, csrf_token: str = Form("")) -> Response:
    web = checked_form(request, csrf_token)
    sources.pause(web.config, name, origin=WEB_ORIGIN)
    return done(_page_of(name), f"Source {name} paused: it is not crawled on its schedule until you resume it.")


@router.post("/sources/{name}/resume")
def resume_source(request: Request, name: str, csrf_token: str = Form("")) -> Response:
    web = checked_form(request, csrf_token)
    sources.resume(web.config, name)
    return done(_page_of(name), f"Source {name} resumed: it is crawled on its schedule again.")


@router.post("/sources/{name}/delete")
def delete_source(request: Request, name: str, csrf_token: str = Form("")) -> Response:
    web = checked_form(request, csrf_token)
    sources.remove(web.config, name)
    return done("/sources", f"Source {name} deleted; its runs and documents stay.")


@router.post("/sources/{name}/test")
def test_source(request: Request, name: str, csrf_token: str = Form("")) -> Response:
    web = checked_form(request, csrf_token)
    return _source_page(request, web, name, tested=sources.dry_run_source(web.config, name))


@router.post("/sources/{name}/crawl")
def crawl_source(request: Request, name: str, csrf_token: str = Form("")) -> Response:
    web = checked_form(request, csrf_token)
    if name not in {s.name for s in web.config.sources}:
        return error_page(request, 404, f"no source named {name!r}")
    outcome = web.crawl_now(name)
    return done(f"/sources?source={quote(name, safe='')}", f"Crawl of {name} {outcome}.")


def _page_of(name: str) -> str:
    return f"/sources/{quote(name, safe='')}"


router.include_router(reads)
