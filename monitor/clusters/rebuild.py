"""`monitor clusters rebuild`: keys and clusters for an index that exists, page by page, resumable after a kill."""
from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from monitor.clusters.store import assign, store_keys
from monitor.errors import MonitorError
from monitor.index.base import SearchIndex
from monitor.index.identity import folder_name

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

PAGE_SIZE = 500  # articles per step: one scan, one keys write, one assignment, then the progress is recorded


@dataclass
class RebuildProgress:
    """Where a rebuild is: the last article done (first_seen, id) and how many are done."""

    index: str  # the identity of the index it is for (monitor.index.identity)
    after: tuple[str, str] | None = None
    done: int = 0
    joined: int = 0  # articles that went into another article's cluster

    @classmethod
    def load(cls, path: Path, *, index: str) -> RebuildProgress:
        if not path.exists():
            return cls(index=index)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            after = data.get("after")
            progress = cls(index=str(data["index"]), after=(str(after[0]), str(after[1])) if after else None,
                           done=int(data.get("done", 0)), joined=int(data.get("joined", 0)))
        except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
            raise MonitorError(f"the rebuild progress file {path} is unreadable ({exc}): delete it, or run "
                               f"`monitor clusters rebuild --restart`") from exc
        if progress.index != index:
            raise MonitorError(f"the rebuild progress file {path} is for {progress.index}, not {index}")
        return progress

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".part")
        partial.write_text(json.dumps(asdict(self)), encoding="utf-8")
        os.replace(partial, path)  # a kill mid-write leaves the last whole record


def progress_file(data_dir: Path, identity: str) -> Path:
    return Path(data_dir) / "clusters" / f"rebuild-{folder_name(identity)}.json"


def rebuild(index: SearchIndex, *, identity: str, data_dir: Path, restart: bool = False,
            page_size: int = PAGE_SIZE, on_page: Callable[[RebuildProgress, int], None] | None = None) -> RebuildProgress:
    """Fingerprint every article and assign its cluster, earliest first, so that each finds the copies before it.

    Progress is written after each page (under data_dir/clusters); a rebuild that was stopped continues from
    there, and the file goes once the last page is done. ``restart`` starts from the first article again.
    """
    path = progress_file(data_dir, identity)
    if restart:
        path.unlink(missing_ok=True)
    progress = RebuildProgress.load(path, index=identity)
    if progress.done:
        logger.info("clusters rebuild resumes done=%d after=%s", progress.done, progress.after)
    while page := index.scan_articles(after=progress.after, limit=page_size):
        ids = [str(a["id"]) for a in page]
        store_keys(index, {doc_id: str(a.get("text") or "") for doc_id, a in zip(ids, page, strict=True)})
        report = assign(index, ids, regroup_old=False)
        progress.after = (str(page[-1]["first_seen"]), ids[-1])
        progress.done += len(page)
        progress.joined += report.moved
        progress.save(path)
        if on_page is not None:
            on_page(progress, len(page))
    from monitor.index.engine import EngineIndex

    if isinstance(index, EngineIndex):
        index.backfill_collapse_keys()
    path.unlink(missing_ok=True)
    logger.info("clusters rebuilt articles=%d joined=%d", progress.done, progress.joined)
    return progress
