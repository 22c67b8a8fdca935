"""The product's Prometheus metrics: one registry per process, fed by the crawl supervisor and the alert sender."""
from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    PlatformCollector,
    ProcessCollector,
    disable_created_metrics,
    generate_latest,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily, Metric

from monitor.errors import BrokerUnavailable
from monitor.index.spool import Spool, spools_in
from monitor.runs.crawl import CrawlRun, summarize_stats

if TYPE_CHECKING:
    from monitor.config import Config

logger = logging.getLogger(__name__)

QUEUE = "crawls"  # the Celery queue the crawl jobs wait in (monitor.runs' cluster queue)
BROKER_TIMEOUT_SECONDS = 2.0  # a scrape waits at most this long for the broker before leaving its sample out
RATE_WINDOW_SECONDS = 30.0  # pages/s is measured over the last this many seconds of each running crawl
ALERT_OUTCOMES = ("sent", "retrying", "failed")  # monitor.alerts.deliver's counts
CONTENT_TYPE = CONTENT_TYPE_LATEST

disable_created_metrics()  # a `_created` series beside every counter only doubles what a scrape carries


@dataclass
class _Seen:
    """What the metrics took from one running crawl so far, so each progress update adds only what is new."""

    counts: dict[tuple[str, str], int] = field(default_factory=dict)  # (metric, label) -> value counted
    pages: deque[tuple[float, int]] = field(default_factory=deque)  # (monotonic time, pages fetched)


class Metrics:
    """The counters and gauges of one process, in a registry of their own.

    Counters come from each crawl's progress (``observe``) and from alert sends (``alert_sends``); gauges that
    depend on the world (the spool, the broker's queue) are read at scrape time from the ``watch``ed config.
    """

    def __init__(self, *, clock: Callable[[], float] = time.monotonic,
                 queue_depth: Callable[[str], int] | None = None) -> None:
        self.registry = CollectorRegistry()
        self._clock = clock
        self._queue_depth = queue_depth or queue_depth_of
        self._lock = threading.Lock()
        self._running: dict[int, _Seen] = {}  # id(CrawlRun) -> what was counted of it
        self._watched: Callable[[], Config] | None = None
        self._broker_down = False
        self._observed: Config | None = None  # the config of the last crawl observed, when nothing is watched
        self.runs = Counter("monitor_crawl_runs", "Crawl runs that ended, by source and status",
                            ["source", "status"], registry=self.registry)
        self.pages = Counter("monitor_pages_fetched", "Pages fetched by crawls (responses downloaded)",
                             registry=self.registry)
        self.articles = Counter("monitor_articles_indexed", "Articles written to the index, new or updated",
                                ["change"], registry=self.registry)
        self.comments = Counter("monitor_comments_indexed", "Comments written to the index, new or updated",
                                ["change"], registry=self.registry)
        self.spooled = Counter("monitor_articles_spooled", "Articles put in the spool because the index did not "
                               "take them", registry=self.registry)
        self.sends = Counter("monitor_alert_sends", "Alert notifications handed to Apprise, by outcome",
                             ["outcome"], registry=self.registry)
        self.errors = Counter("monitor_errors", "Errors of crawls, by kind (the crawl summary's errors)",
                              ["kind"], registry=self.registry)
        for change in ("new", "updated"):
            self.articles.labels(change)
            self.comments.labels(change)
        for outcome in ALERT_OUTCOMES:
            self.sends.labels(outcome)  # present at 0, so rate() sees the first send
        self.registry.register(_Live(self))
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)

    def watch(self, config: Callable[[], Config]) -> None:
        """Read the spool and the broker's queue of this (current) config at each scrape."""
        self._watched = config

    def observe(self, run: CrawlRun, config: Config, *, ended: bool = False) -> None:
        """A crawl's progress (or, ``ended``, its final counters and status): count what is new since last time."""
        self._observed = config
        summary = summarize_stats(run.stats)
        values = {("pages", ""): summary["pages_fetched"], ("spooled", ""): summary["spooled"],
                  ("articles", "new"): summary["articles_new"], ("articles", "updated"): summary["articles_updated"],
                  ("comments", "new"): summary["comments_new"], ("comments", "updated"): summary["comments_updated"],
                  **{("errors", kind): count for kind, count in summary["errors"].items()},
                  # Sends of the crawl's own alert matching, counted in its process (pipelines/alerts.py).
                  **{("sends", outcome): int(run.stats.get(f"monitor/alerts/{outcome}", 0) or 0)
                     for outcome in ALERT_OUTCOMES}}
        with self._lock:
            if ended:
                seen = self._running.pop(id(run), None) or _Seen()
            else:
                seen = self._running.setdefault(id(run), _Seen())
            for key, value in values.items():
                added = value - seen.counts.get(key, 0)
                if added > 0:
                    self._count(key, added)
                    seen.counts[key] = value
            if ended:
                self.runs.labels(run.source, run.status).inc()
            else:
                now = self._clock()
                seen.pages.append((now, summary["pages_fetched"]))
                while seen.pages and now - seen.pages[0][0] > RATE_WINDOW_SECONDS:
                    seen.pages.popleft()

    def _count(self, key: tuple[str, str], added: int) -> None:
        metric, label = key
        if metric == "pages":
            self.pages.inc(added)
        elif metric == "spooled":
            self.spooled.inc(added)
        else:
            counter = {"articles": self.articles, "comments": self.comments, "errors": self.errors,
                       "sends": self.sends}[metric]
            counter.labels(label).inc(added)

    def alert_sends(self, counts: Mapping[str, int]) -> None:
        """What one delivery round of the outbox did (monitor.alerts.deliver's counts by outcome)."""
        for outcome in ALERT_OUTCOMES:
            if counts.get(outcome):
                self.sends.labels(outcome).inc(counts[outcome])

    def running(self) -> tuple[int, float]:
        """Crawls running now, and their pages per second over the last RATE_WINDOW_SECONDS together."""
        with self._lock:
            rate = 0.0
            for seen in self._running.values():
                if len(seen.pages) > 1 and seen.pages[-1][0] > seen.pages[0][0]:
                    (first, low), (last, high) = seen.pages[0], seen.pages[-1]
                    rate += (high - low) / (last - first)
            return len(self._running), rate

    def config(self) -> Config | None:
        return self._watched() if self._watched else self._observed

    def queue_depth(self, broker: str) -> int | None:
        """The broker's crawl queue depth; None while the broker does not answer (said once, not every scrape)."""
        try:
            depth = self._queue_depth(broker)
        except BrokerUnavailable as exc:
            logger.log(logging.DEBUG if self._broker_down else logging.WARNING,
                       "crawl queue depth left out of the metrics: %s", exc)
            self._broker_down = True
            return None
        if self._broker_down:
            logger.info("crawl queue depth in the metrics again: the broker answers")
        self._broker_down = False
        return depth

    def exposition(self) -> bytes:
        """The metrics in Prometheus' text format (serve it as CONTENT_TYPE)."""
        return generate_latest(self.registry)


class _Live:
    """The gauges read when scraped: running crawls, pages/s, the spool, and the broker's queue of crawl jobs."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def describe(self) -> Iterable[Metric]:
        return self._families()

    def collect(self) -> Iterator[Metric]:
        running, rate = self.metrics.running()
        families = self._families()
        families[0].add_metric([], running)
        families[1].add_metric([], rate)
        config = self.metrics.config()
        if config is not None:
            batches, size = spool_size(config.spool_dir)
            families[2].add_metric([], batches)
            families[3].add_metric([], size)
            if config.cluster.broker:
                depth = self.metrics.queue_depth(config.cluster.broker)
                if depth is not None:  # a broker that does not answer gives no sample, not a failed scrape
                    families[4].add_metric([], depth)
        yield from families

    @staticmethod
    def _families() -> list[GaugeMetricFamily]:
        return [
            GaugeMetricFamily("monitor_crawls_running", "Crawls running in this process now"),
            GaugeMetricFamily("monitor_pages_per_second", f"Pages fetched per second by the running crawls (over "
                              f"the last {RATE_WINDOW_SECONDS:g}s)"),
            GaugeMetricFamily("monitor_spool_batches", "Batches waiting in the spool for the index"),
            GaugeMetricFamily("monitor_spool_bytes", "Bytes of the batches waiting in the spool"),
            GaugeMetricFamily("monitor_crawl_queue_depth", f"Crawl jobs waiting in the broker's {QUEUE!r} queue"),
        ]


def spool_size(root: Path) -> tuple[int, int]:
    """Batches waiting under the spool folder (every index's, and an unbound one's), and their bytes."""
    batches = Spool(root).pending() + [batch for _, found in spools_in(root) for batch in found]
    size = 0
    for batch in batches:
        try:
            size += batch.stat().st_size
        except FileNotFoundError:  # replayed between the listing and now
            continue
    return len(batches), size


def queue_depth_of(broker: str, queue: str = QUEUE, *, timeout: float = BROKER_TIMEOUT_SECONDS) -> int:
    """Messages waiting in ``queue`` on the broker (Redis: the lengths of its lists; RabbitMQ: the queue's count),
    0 when the queue does not exist yet. Raises BrokerUnavailable when the broker does not answer in ``timeout``."""
    from kombu import Connection
    from kombu.exceptions import ChannelError

    options: dict[str, Any] = {"socket_timeout": timeout, "socket_connect_timeout": timeout, "max_retries": 0}
    try:
        with Connection(broker, connect_timeout=timeout, transport_options=options) as connection:
            connection.ensure_connection(max_retries=0, timeout=timeout)
            channel = connection.channel()
            try:
                return int(channel.queue_declare(queue=queue, passive=True).message_count)
            except ChannelError:  # NOT_FOUND: nothing was ever queued, or the queue is empty (Redis)
                return 0
            finally:
                channel.close()
    except Exception as exc:  # noqa: BLE001 - the transports raise their own kinds (redis, amqp, socket)
        raise BrokerUnavailable(f"the broker {_masked(broker)} did not answer: {exc}") from exc


def _masked(url: str) -> str:
    from kombu.utils.url import maybe_sanitize_url

    return str(maybe_sanitize_url(url))


def serve_metrics(port: int, host: str, *, config: Callable[[], Config] | None = None,
                  metrics: Metrics | None = None) -> None:
    """Serve the process's metrics over HTTP on ``host``:``port`` from a daemon thread (`monitor worker
    --metrics-port`), without a token: bind it where only the scraper reaches. ``config``: the current config,
    whose spool and broker queue the gauges read (else the config of the crawls observed, from the first on)."""
    metrics = metrics or METRICS
    if config is not None:
        metrics.watch(config)
    start_http_server(port, addr=host, registry=metrics.registry)
    logger.info("metrics served on http://%s:%d/metrics", host, port)


# One per process, like prometheus_client's own default registry: the supervisor and the alert sender count into
# it from different layers without a registry handed through every call in between.
METRICS = Metrics()
