"""The `search_index` fixture: every backend contract test runs once per backend available here.

SQLite and OpenSearch always run (OpenSearch from the session's `opensearch_url` fixture in tests/engines.py:
MONITOR_TEST_OPENSEARCH_URL, else a local one it starts), Elasticsearch when MONITOR_TEST_ES_URL is set;
each engine test gets its own index prefix and drops it afterwards.
"""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.index.base import SearchIndex
from monitor.index.sqlite import SQLiteIndex
from tests.filesystems import full_disk, read_only_dir  # noqa: F401 - fixtures for the fault tests here

ENGINE_URL_FIXTURE = {"opensearch": "opensearch_url", "elasticsearch": "elasticsearch_url"}
BACKENDS = ["sqlite", "opensearch"] + (["elasticsearch"] if os.environ.get("MONITOR_TEST_ES_URL") else [])


def open_backend(name: str, tmp_path: Path, request: pytest.FixtureRequest) -> tuple[SearchIndex, object]:
    """A fresh, empty index of the named backend and what cleaning it up needs."""
    if name == "sqlite":
        return SQLiteIndex(tmp_path / "index" / "monitor.db"), None
    from monitor.index.engine import open_engine_index

    index = open_engine_index(
        request.getfixturevalue(ENGINE_URL_FIXTURE[name]), prefix=f"monitor-test-{uuid.uuid4().hex[:12]}",
        refresh=True, retry_waits=(0.1, 0.2),
    )
    return index, index


@pytest.fixture(params=BACKENDS)
def search_index(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchIndex]:
    index, engine = open_backend(request.param, tmp_path, request)
    try:
        yield index
    finally:
        if engine is not None:
            engine.drop()  # type: ignore[attr-defined]
        index.close()
