"""The leases a crawl of a source holds in a cluster, and the lock per source of `monitor crawl` made of them.

`monitor crawl` on a cluster's machine takes the leases a worker's job would, renewed while the crawl runs, so a
crawl by hand never runs beside a worker's crawl of the same source or site.
"""
from __future__ import annotations

import os
import socket
import threading
from collections.abc import Sequence
from urllib.parse import urlsplit

from monitor.config import Config, SourceConfig
from monitor.errors import CrawlRefused
from monitor.state.leases import Leases, Renewal
from monitor.state.locks import Lock


def lease_names(source: SourceConfig) -> list[str]:
    """The leases a crawl of ``source`` holds: the source, and each host it fetches from (politeness across workers:
    two sources on one site never crawl it at once, each keeping its own download_delay)."""
    hosts = {urlsplit(url).hostname for url in (*source.start_urls, *source.feeds, *source.sitemaps,
                                                *source.search_urls)}
    return [f"source:{source.name}", *(f"domain:{host.lower()}" for host in sorted(h for h in hosts if h))]


class LeaseLocks:
    """SourceLocks on the cluster's leases (see monitor.state.leases: in a cluster the lease is the lock)."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.names = lease_names
        self.leases = Leases(config.state_url)
        self.holder = f"{socket.gethostname()}:{os.getpid()}:crawl"
        self.ttl = config.cluster.lease.total_seconds()
        self._held: dict[str, tuple[list[str], Renewal]] = {}
        self._lock = threading.Lock()

    def acquire(self, sources: Sequence[str]) -> list[Lock]:
        wanted = {name: self.names(self.config.source(name)) for name in sources}
        names = sorted({lease for leases in wanted.values() for lease in leases})
        if not self.leases.acquire(names, holder=self.holder, ttl=self.ttl):
            held = ", ".join(f"{h.name} by {h.holder}" for h in self.leases.holders(names) if h.holder != self.holder)
            raise CrawlRefused(f"a worker of the cluster holds {held}: it crawls the source, or its site, now")
        with self._lock:
            for source, leases in wanted.items():
                renewal = Renewal(self.leases, leases, holder=self.holder, ttl=self.ttl, on_lost=lambda _: None)
                self._held[source] = (leases, renewal.__enter__())
        return []

    def attach(self, source: str, *, crawl_pid: int, run_id: int) -> None:
        pass

    def release(self, source: str) -> None:
        with self._lock:
            held = self._held.pop(source, None)
            others = {lease for leases, _ in self._held.values() for lease in leases}
        if held is not None:
            leases, renewal = held
            renewal.__exit__(None, None, None)
            self.leases.release([lease for lease in leases if lease not in others], holder=self.holder)
