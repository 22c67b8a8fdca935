"""One list of sources: monitor.yaml's, then the state store's (web UI and API); a name in monitor.yaml is the file's.

Why the file wins: it is what an operator reviews, versions and deploys, and `monitor serve` reloads it when it
changes. Were a UI edit to override it, an edit of the file would silently do nothing. So a source named in
monitor.yaml is shown read-only in the UI ("from monitor.yaml"); a stored source that the file later names too
is shadowed ("shadowed by monitor.yaml") until it is deleted. Pausing is not a definition: any source can be
paused from the UI, which only stops its scheduled crawls.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal

from pydantic import ValidationError

from monitor.state.sources import StoredSource, definition_of, read_sources

if TYPE_CHECKING:  # the config sits above the state store: it hands its model in (``validate``)
    from monitor.config import Config, SourceConfig

logger = logging.getLogger(__name__)

FROM_FILE: Final = "monitor.yaml"
FROM_STORE: Final = "ui"
Origin = Literal["monitor.yaml", "ui"]
Validate = Callable[[dict[str, Any]], "SourceConfig"]  # SourceConfig.model_validate


def describe_errors(exc: ValidationError) -> str:
    """A source's validation errors, each with the field to fix."""
    lines = []
    for error in exc.errors():
        key = ".".join(str(p) for p in error["loc"]) or "(the source)"
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown key (check its spelling; see `monitor init` for every key)"
        lines.append(f"{key}: {message}")
    return "invalid source: " + "; ".join(lines)


def validated(definition: dict[str, Any], validate: Validate) -> tuple[SourceConfig | None, str | None]:
    """The source, or None and what is wrong with it."""
    try:
        return validate(definition), None
    except ValidationError as exc:
        return None, describe_errors(exc)


def file_sources(config: Config) -> list[SourceConfig]:
    """The sources monitor.yaml holds (a merged config remembers which of its sources came from the store)."""
    return [s for s in config.sources if s.name not in config.store_sources]


def merge_sources(config: Config, stored: Sequence[StoredSource], validate: Validate) -> Config:
    """``config`` with the stored sources after the file's; merging a merged config again gives the same list."""
    own = file_sources(config)
    names = {s.name for s in own}
    added: list[SourceConfig] = []
    for entry in stored:
        if entry.name in names:
            continue  # shadowed: the file's definition is the one crawled
        source, error = validated(entry.definition, validate)
        if source is None:
            logger.warning("stored source left out: %s source=%s", error, entry.name)
            continue
        if source.keep == "topics" and not config.topics:
            logger.warning("stored source left out: it says keep: topics, but no topics are configured "
                           "source=%s", entry.name)
            continue
        added.append(source)
    return config.model_copy(update={"sources": [*own, *added],
                                     "store_sources": frozenset(s.name for s in added)})


def with_stored_sources(config: Config, validate: Validate) -> Config:
    """The config with the state store's sources merged in (read-only: nothing is written)."""
    stored, _ = read_sources(config.state_url)
    return merge_sources(config, stored, validate)


@dataclass(frozen=True)
class SourceView:
    """A source as the UI and API show it: where it comes from, whether the UI may change it, paused since when."""

    name: str
    origin: Origin
    definition: dict[str, Any]
    paused: str | None = None
    shadowed: bool = False  # stored, but monitor.yaml names it too: the file's is crawled
    error: str | None = None  # stored, but its definition no longer validates
    added_by: str | None = None  # web | api, for stored sources

    @property
    def editable(self) -> bool:
        return self.origin == FROM_STORE and not self.shadowed

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "origin": self.origin, "editable": self.editable, "paused": self.paused,
                "shadowed": self.shadowed, "error": self.error, "added_by": self.added_by,
                "definition": self.definition}


def source_views(config: Config, stored: Sequence[StoredSource], paused: Mapping[str, str],
                 validate: Validate) -> list[SourceView]:
    """Every source of the file and the store, by origin then name; shadowed and invalid stored ones included."""
    own = file_sources(config)
    names = {s.name for s in own}
    views = [SourceView(s.name, FROM_FILE, definition_of(s), paused=paused.get(s.name)) for s in own]
    for entry in stored:
        views.append(SourceView(entry.name, FROM_STORE, entry.definition, paused=paused.get(entry.name),
                                shadowed=entry.name in names, error=validated(entry.definition, validate)[1],
                                added_by=entry.origin))
    return views
