"""Session fixtures of the corpus floor tests: one process pool, and each corpus extracted once."""
from __future__ import annotations

import gzip
import json
import multiprocessing
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest

from tests.extract.corpus import (
    COMMENTS_DEV,
    DATA,
    Extracted,
    comments_dev_truths,
    extract_file,
    scorer,
)

WORKERS = 2  # the machine is shared: two workers leave room for the other engineers' tests


@pytest.fixture(scope="session")
def corpus_pool() -> Iterator[ProcessPoolExecutor]:
    # spawn, not fork: other session fixtures may have started threads by the time this one runs
    with ProcessPoolExecutor(max_workers=WORKERS, mp_context=multiprocessing.get_context("spawn")) as pool:
        yield pool


def _run(pool: ProcessPoolExecutor, jobs: list[tuple[str, str | None]]) -> list[Extracted]:
    return list(pool.map(extract_file, jobs, chunksize=8))


@pytest.fixture(scope="session")
def aeb_run(corpus_pool: ProcessPoolExecutor) -> tuple[list[str], list[Extracted]]:
    """(true bodies, our extractions) of the AEB pages."""
    truth = json.loads((DATA / "aeb" / "ground-truth.json").read_text(encoding="utf-8"))
    ids = sorted(truth)
    jobs = [(str(DATA / "aeb" / "html" / f"{i}.html.gz"), truth[i].get("url") or "") for i in ids]
    return [truth[i]["articleBody"] for i in ids], _run(corpus_pool, jobs)


@pytest.fixture(scope="session")
def trafilatura_eval_run(corpus_pool: ProcessPoolExecutor) -> tuple[list[dict[str, Any]], list[Extracted]]:
    """(truth items, our extractions) of the trafilatura-eval pages; article and comment floors share it."""
    truth = json.loads((DATA / "trafilatura-eval" / "evaldata.json").read_text(encoding="utf-8"))
    urls = list(truth)
    jobs = [(str(DATA / "trafilatura-eval" / "html" / f"{truth[u]['file']}.gz"), u) for u in urls]
    return [truth[u] for u in urls], _run(corpus_pool, jobs)


@pytest.fixture(scope="session")
def fundus_run(corpus_pool: ProcessPoolExecutor) -> tuple[list[dict[str, Any]], list[Extracted]]:
    base = DATA / "fundus"
    manifest = json.loads((base / "MANIFEST.json").read_text(encoding="utf-8"))
    truths = [json.loads((base / e["truth"]).read_text(encoding="utf-8"))[e["truth_key"]] for e in manifest]
    return truths, _run(corpus_pool, [(str(base / e["html"]), e["url"]) for e in manifest])


@pytest.fixture(scope="session")
def comments_dev_run(corpus_pool: ProcessPoolExecutor) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """(truth, our `monitor extract --json` comments in the scorer's shape) for every comments-dev page."""
    truths = comments_dev_truths()
    extracted = _run(corpus_pool, [(str(COMMENTS_DEV / t["html"]), t.get("url")) for t in truths])
    return [(truth, e.rows) for truth, e in zip(truths, extracted)]


@dataclass(frozen=True)
class DragnetPage:
    """One dragnet-train page: the human copy of its article and of its comment section, and our extraction."""

    id: str
    with_comments: bool
    article: str
    comments: str
    extracted: Extracted


@pytest.fixture(scope="session")
def dragnet_run(corpus_pool: ProcessPoolExecutor) -> list[DragnetPage]:
    """Every dragnet-train page (those with comments first), extracted once for the body and comment floors."""
    base = DATA / "dragnet-train"
    with_comments = (base / "with_comments.txt").read_text().split()
    ids = [*with_comments, *(base / "without_comments.txt").read_text().split()]
    truths = [scorer().dragnet_truth(gzip.decompress((base / "Corrected" / f"{i}.txt.gz").read_bytes())) for i in ids]
    extracted = _run(corpus_pool, [(str(base / "html" / f"{i}.html.gz"), None) for i in ids])
    return [DragnetPage(i, i in with_comments, truth[0], truth[1], e) for i, truth, e in zip(ids, truths, extracted)]
