"""The web UI and JSON API (FastAPI): ``create_app(config)`` builds the ASGI app; ``server`` runs it."""
from __future__ import annotations

from monitor.web.app import create_app

__all__ = ["create_app"]
