"""The JSON API of sources under /api/sources: add, edit, delete, pause, resume, reschedule and test (dry run)."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response, status

from monitor.config import SourceConfig
from monitor.state.sources import definition_of
from monitor.web import sources
from monitor.web.api import NOT_FOUND, PROBLEMS, WRITE_PROBLEMS
from monitor.web.deps import require_reader, require_writer, web_state
from monitor.web.models import Problem
from monitor.web.source_models import DryRun, ScheduleIn, SourceOut
from monitor.web.state import WebState

CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": Problem, "description": "Owned by monitor.yaml (change it there), or the name is taken."}}
CHANGES = {**NOT_FOUND, **CONFLICT}
API_ORIGIN = "api"

router = APIRouter(prefix="/api", tags=["sources"], responses=PROBLEMS)
reads = APIRouter(dependencies=[Depends(require_reader)])
writes = APIRouter(dependencies=[Depends(require_writer)], responses=WRITE_PROBLEMS)


@reads.get("/sources/{name}", response_model=SourceOut, responses=NOT_FOUND,
           summary="One source: its definition, where it comes from, whether it is paused")
def get_source(name: str, web: WebState = Depends(web_state)) -> dict[str, Any]:
    return sources.view(web.config, name).as_dict()


@writes.post("/sources", response_model=SourceOut, status_code=status.HTTP_201_CREATED, responses=CONFLICT,
             summary="Add a source (the monitor.yaml schema of one source)")
def add_source(source: SourceConfig, web: WebState = Depends(web_state)) -> dict[str, Any]:
    return sources.add(web.config, definition_of(source), origin=API_ORIGIN).as_dict()


@writes.post("/sources/test", response_model=DryRun, summary="Test a source before adding it: a dry run, nothing is stored")
def test_draft(source: SourceConfig, web: WebState = Depends(web_state)) -> dict[str, Any]:
    return sources.dry_run_draft(web.config, definition_of(source))


@writes.put("/sources/{name}", response_model=SourceOut, responses=CHANGES,
            summary="Replace the definition of a source added in the UI or API")
def edit_source(name: str, source: SourceConfig, web: WebState = Depends(web_state)) -> dict[str, Any]:
    return sources.edit(web.config, name, definition_of(source)).as_dict()


@writes.delete("/sources/{name}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response, responses=CHANGES,
               summary="Delete a source added in the UI or API (its runs and documents stay)")
def delete_source(name: str, web: WebState = Depends(web_state)) -> Response:
    sources.remove(web.config, name)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@writes.post("/sources/{name}/pause", response_model=SourceOut, responses=NOT_FOUND,
             summary="Pause a source (any, monitor.yaml's too): no scheduled crawls until it is resumed")
def pause_source(name: str, web: WebState = Depends(web_state)) -> dict[str, Any]:
    return sources.pause(web.config, name, origin=API_ORIGIN).as_dict()


@writes.post("/sources/{name}/resume", response_model=SourceOut, responses=CHANGES, summary="Resume a paused source")
def resume_source(name: str, web: WebState = Depends(web_state)) -> dict[str, Any]:
    return sources.resume(web.config, name).as_dict()


@writes.put("/sources/{name}/schedule", response_model=SourceOut, responses=CHANGES,
            summary="Reschedule a source added in the UI or API")
def reschedule_source(name: str, schedule: ScheduleIn, web: WebState = Depends(web_state)) -> dict[str, Any]:
    return sources.reschedule(web.config, name, schedule.schedule).as_dict()


@writes.post("/sources/{name}/test", response_model=DryRun, responses=CHANGES,
             summary="Test a source: which feeds and sitemaps answer, how many article URLs, one sample extraction")
def test_source(name: str, web: WebState = Depends(web_state)) -> dict[str, Any]:
    return sources.dry_run_source(web.config, name)


router.include_router(reads)
router.include_router(writes)
