"""One answer of the demo site, before the HTTP server writes it out."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class Response:
    """Status, body and headers; ``last_modified`` and ETag make it answerable with 304."""

    status: int
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    last_modified: datetime | None = None
    delay: float = 0.0  # seconds to sleep before answering: the slow page
    cacheable: bool = True  # False: no ETag/Last-Modified, never 304 (errors, admin)
