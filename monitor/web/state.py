"""What the web app keeps while it runs: the config, the guard, open index handles, and how to start a crawl."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from monitor.config import Config, SourceConfig
from monitor.errors import CrawlRefused
from monitor.index import SearchIndex, is_engine_url, open_index
from monitor.state.merge import with_stored_sources
from monitor.state.sources import read_revision
from monitor.web.auth import Guard
from monitor.web.saved import SavedSearches

if TYPE_CHECKING:
    from monitor.runs.supervisor import CrawlSupervisor

logger = logging.getLogger(__name__)

CrawlTrigger = Callable[[str], str]  # source -> "started" or "queued"; raises CrawlRefused


class WebState:
    """Index handles are opened once and reused: an engine index writes its templates on open, which a
    request must not pay for. SQLite gets one connection per worker thread so reads run side by side."""

    def __init__(self, config: Config | Callable[[], Config], *, guard: Guard,
                 crawl_now: CrawlTrigger | None = None) -> None:
        self._config = config
        self.guard = guard
        self._crawl_now = crawl_now
        self._lock = threading.Lock()
        self._local = threading.local()
        self._shared: SearchIndex | None = None
        self._opened: list[SearchIndex] = []
        self._url: str | None = None
        self._supervisor: CrawlSupervisor | None = None
        self._saved: SavedSearches | None = None
        self._merged: tuple[Config, int | None, Config] | None = None  # (base config, sources revision, merged)

    @property
    def config(self) -> Config:
        """The current config, with the sources of the state store merged in as they are now: a source added
        in the UI shows at once, before `monitor serve` (here or in another process) has reloaded."""
        base = self._config() if callable(self._config) else self._config
        revision = read_revision(base.state_url)
        merged = self._merged
        if merged is None or merged[0] is not base or merged[1] != revision:
            merged = (base, revision, with_stored_sources(base, SourceConfig.model_validate))
            self._merged = merged
        return merged[2]

    def index(self) -> SearchIndex:
        url = self.config.index.url
        if url != self._url:  # a reloaded config may point elsewhere
            self.close()
            self._url = url
        if not is_engine_url(url):
            index = getattr(self._local, "index", None)
            if index is None or getattr(self._local, "url", None) != url:
                index = open_index(url)
                self._local.index, self._local.url = index, url
                with self._lock:
                    self._opened.append(index)
            return index
        with self._lock:
            if self._shared is None:
                self._shared = open_index(url)
                self._opened.append(self._shared)
            return self._shared

    def saved(self) -> SavedSearches:
        """Saved searches and feed tokens, in the current config's state store."""
        path = self.config.state_url
        with self._lock:
            if self._saved is None or self._saved.path != path:
                self._saved = SavedSearches(path)
            return self._saved

    def crawl_now(self, source: str) -> str:
        """Start a crawl of ``source``: ``started`` or ``queued``. Raises CrawlRefused when it cannot start now."""
        config = self.config
        config.source(source)
        if self._crawl_now is not None:  # inside `monitor serve`: its supervisor runs it
            return self._crawl_now(source)
        if config.cluster.enabled:  # a worker runs it
            from monitor.runs.cluster import crawl_now

            return crawl_now(config, source)
        from monitor.runs.serve import server_pid

        pid = server_pid(config.state_db)
        if pid is not None:
            raise CrawlRefused(f"`monitor serve` (pid {pid}) runs the crawls of this state store; start the web "
                               f"UI inside it, or use `monitor crawl {source}`")
        return self._own_supervisor(config).start(source)

    def _own_supervisor(self, config: Config) -> CrawlSupervisor:
        """The supervisor of the crawls this app starts when no server runs them (made at the first one)."""
        from monitor.runs.records import RunStore
        from monitor.runs.supervisor import CrawlSupervisor

        with self._lock:
            if self._supervisor is None:
                self._supervisor = CrawlSupervisor(RunStore(config.state_url), config)
            elif self._supervisor.config is not config:
                self._supervisor.set_config(config)
            return self._supervisor

    def close(self) -> None:
        with self._lock:
            opened, self._opened, self._shared = self._opened, [], None
        self._local = threading.local()
        for index in opened:
            try:
                index.close()
            except Exception:  # closing at shutdown: nothing left to lose
                logger.debug("index close failed", exc_info=True)
        supervisor, self._supervisor = self._supervisor, None
        if supervisor is not None:
            supervisor.stop(grace=0, reason="the web server stopped before the crawl ended")
