"""A context variable set for the length of a ``with`` block: how this package switches library patches on."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")


@contextmanager
def scoped(variable: ContextVar[T], value: T) -> Iterator[None]:
    """``variable`` is ``value`` inside the block, what it was before after it."""
    token = variable.set(value)
    try:
        yield
    finally:
        variable.reset(token)
