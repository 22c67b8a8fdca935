"""Adding, editing, pausing, rescheduling and testing sources from the web (UI and API alike), over the state store."""
from __future__ import annotations

from typing import Any

from fastapi import HTTPException, status

from monitor.config import Config, SourceConfig
from monitor.errors import ConfigError
from monitor.runs.dryrun import dry_run
from monitor.state.merge import FROM_FILE, SourceView, source_views, validated
from monitor.state.sources import SourceStore, read_sources


def views(config: Config) -> list[SourceView]:
    stored, paused = read_sources(config.state_url)
    return source_views(config, stored, paused, SourceConfig.model_validate)


def view(config: Config, name: str) -> SourceView:
    for found in views(config):
        if found.name == name:
            return found
    raise HTTPException(status.HTTP_404_NOT_FOUND, f"no source named {name!r}")


def add(config: Config, data: dict[str, Any], *, origin: str) -> SourceView:
    """Store a new source; its name must be free in monitor.yaml and in the store."""
    source = checked(config, data)
    taken = [v for v in views(config) if v.name == source.name]
    if taken:
        owner = "monitor.yaml" if any(v.origin == FROM_FILE for v in taken) else "the UI"
        raise HTTPException(status.HTTP_409_CONFLICT, f"a source named {source.name!r} exists already "
                                                      f"(in {owner}): pick another name")
    SourceStore(config.state_url).add(source, origin=origin)
    return view(config, source.name)


def edit(config: Config, name: str, data: dict[str, Any]) -> SourceView:
    """Replace a stored source's definition (its name stays)."""
    editable(config, name)
    if data.get("name", name) != name:
        raise ConfigError(f"name: a source cannot be renamed (it names its runs and documents); add {data['name']!r} "
                          f"as a new source and delete {name!r}")
    SourceStore(config.state_url).replace(checked(config, {**data, "name": name}))
    return view(config, name)


def reschedule(config: Config, name: str, schedule: Any) -> SourceView:
    """A new schedule ("15m", a five-field cron, {every, jitter}); None: serve.default_schedule (or manual only)."""
    current = editable(config, name)
    data = {k: v for k, v in current.definition.items() if k != "schedule"}
    if schedule not in (None, ""):
        data["schedule"] = schedule
    SourceStore(config.state_url).replace(checked(config, data))
    return view(config, name)


def remove(config: Config, name: str) -> None:
    """Delete a stored source (a shadowed one too); monitor.yaml's are deleted in the file."""
    found = view(config, name)
    if found.origin == FROM_FILE:
        raise HTTPException(status.HTTP_409_CONFLICT, f"source {name!r} is in monitor.yaml: delete it there")
    SourceStore(config.state_url).remove(name)


def pause(config: Config, name: str, *, origin: str) -> SourceView:
    """Stop the scheduled crawls of any source (monitor.yaml's too): pausing changes when, not what."""
    view(config, name)
    SourceStore(config.state_url).pause(name, origin=origin)
    return view(config, name)


def resume(config: Config, name: str) -> SourceView:
    if view(config, name).paused is None:
        raise HTTPException(status.HTTP_409_CONFLICT, f"source {name!r} is not paused")
    SourceStore(config.state_url).resume(name)
    return view(config, name)


def dry_run_source(config: Config, name: str) -> dict[str, Any]:
    """The dry run of the source the crawl would use (monitor.yaml's, for a shadowed name)."""
    view(config, name)
    source = next((s for s in config.sources if s.name == name), None)
    if source is None:  # stored, but its definition does not validate (the view says why)
        raise HTTPException(status.HTTP_409_CONFLICT, f"source {name!r} cannot be tested: "
                                                      f"{view(config, name).error or 'it is not crawled'}")
    return dry_run(source, crawl=config.crawl)


def dry_run_draft(config: Config, data: dict[str, Any]) -> dict[str, Any]:
    """The dry run of a source not added yet (nothing is stored)."""
    return dry_run(checked(config, data), crawl=config.crawl)


def editable(config: Config, name: str) -> SourceView:
    found = view(config, name)
    if found.origin == FROM_FILE:
        raise HTTPException(status.HTTP_409_CONFLICT, f"source {name!r} is defined in monitor.yaml, which wins over "
                                                      f"the UI: change it in the file")
    if found.shadowed:
        raise HTTPException(status.HTTP_409_CONFLICT, f"monitor.yaml now defines a source named {name!r} too, and "
                                                      f"the file's is the one crawled: delete this one")
    return found


def validate_source(data: dict[str, Any]) -> SourceConfig:
    """A definition through the config's own model; errors name each field to fix."""
    source, error = validated(data, SourceConfig.model_validate)
    if source is None:
        raise ConfigError(error)
    return source


def checked(config: Config, data: dict[str, Any]) -> SourceConfig:
    """A definition through the config's model, and the checks the whole config would make of it."""
    source = validate_source(data)
    if source.keep == "topics" and not config.topics:
        raise ConfigError("keep: topics needs topics in monitor.yaml, and none are configured; choose keep: all")
    return source
