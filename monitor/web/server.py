"""Running the web app: `monitor web` in the foreground, or as a service in the `monitor serve` process."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import uvicorn

from monitor.config import Config
from monitor.web.app import create_app
from monitor.web.state import CrawlTrigger

if TYPE_CHECKING:
    from monitor.runs.serve import ServeContext

logger = logging.getLogger(__name__)

STOP_SECONDS = 10.0


def build_server(config: Config | Callable[[], Config], *, host: str, port: int, token: str | None = None,
                 crawl_now: CrawlTrigger | None = None, log_level: str = "info") -> uvicorn.Server:
    """A uvicorn server for the app; ``serve()`` it in an event loop, or ``run()`` it in a thread."""
    app = create_app(config, token=token, crawl_now=crawl_now, bind_host=host)
    settings = uvicorn.Config(app, host=host, port=port, log_level=log_level, access_log=False,
                              proxy_headers=False, server_header=False, timeout_graceful_shutdown=5)
    return uvicorn.Server(settings)


def run(config: Config, *, host: str, port: int) -> None:
    """`monitor web`: serve until Ctrl-C / SIGTERM (uvicorn handles the signals)."""
    build_server(config, host=host, port=port).run()


class WebService:
    """The web server inside `monitor serve` (its Service protocol): uvicorn in a thread of the serve process,
    the current (reloaded) config, and crawls started through the server's scheduler."""

    name = "web"

    def __init__(self, *, host: str | None = None, port: int | None = None) -> None:
        self.host = host
        self.port = port
        self.server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self, context: ServeContext) -> None:
        config = context.config()
        self.server = build_server(context.config, host=self.host or config.web.host,
                                   port=self.port if self.port is not None else config.web.port,
                                   crawl_now=context.crawl_now)
        # uvicorn leaves signals alone outside the main thread: they stay the serve loop's.
        self._thread = threading.Thread(target=self.server.run, name="web", daemon=True)
        self._thread.start()

    @property
    def started(self) -> bool:
        return bool(self.server and self.server.started)

    def stop(self) -> None:
        if self.server is None or self._thread is None:
            return
        self.server.should_exit = True
        self._thread.join(STOP_SECONDS)
        if self._thread.is_alive():
            logger.warning("web server did not stop within %ss", STOP_SECONDS)


def bound_port(server: uvicorn.Server) -> Any:
    """The port a started server listens on (useful with port 0)."""
    return server.servers[0].sockets[0].getsockname()[1]
