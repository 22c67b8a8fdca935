"""The `search_index` fixture of the backend contract tests (tests/index/conftest.py), for cluster writes."""
from __future__ import annotations

from tests.index.conftest import search_index  # noqa: F401 - the fixture, once per backend
