"""The alerts service the crawl pipeline, the CLI and the web API call: match batches, manage rules, send, report."""
from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError

from monitor.alerts import message
from monitor.alerts.deliver import deliver_due
from monitor.alerts.digest import queue_digest, queue_due_digests
from monitor.alerts.matching import Matcher, open_matcher
from monitor.alerts.notify import check_urls, mask_url
from monitor.alerts.rules import Alert
from monitor.alerts.store import AlertStore, OutboxMessage, utcnow
from monitor.config import Config
from monitor.documents import article_document, comment_document, content_hash
from monitor.errors import ConfigError, MonitorError
from monitor.index import open_index
from monitor.index.written import Written
from monitor.items import ArticleItem

logger = logging.getLogger(__name__)


def open_store(config: Config) -> AlertStore:
    """The state DB with the config's alerts synced into it by name."""
    store = AlertStore(config.state_url)
    try:
        store.sync_config([Alert.from_config(a) for a in config.alerts])
    except BaseException:
        store.close()
        raise
    return store


def new_documents(articles: Sequence[ArticleItem], new_ids: Sequence[str]) -> list[dict[str, Any]]:
    """The index documents of a flushed batch that are new or changed (UpsertStats.new_ids)."""
    wanted = set(new_ids)
    docs: list[dict[str, Any]] = []
    for article in articles:
        if article.id in wanted:
            docs.append(article_document(article))
        docs += [d for d in (comment_document(article, c) for c in article.comments) if d["id"] in wanted]
    return list({d["id"]: d for d in docs}.values())


class AlertEngine:
    """What a crawl runs after each indexed batch: match the new documents, queue what is new, send what is due."""

    def __init__(self, config: Config, *, store: AlertStore, matcher: Matcher, watching: bool = True) -> None:
        self.config = config
        self.store = store
        self.matcher = matcher
        # False: no alert was loaded, so no document can match for as long as this engine lives.
        self.watching = watching

    @classmethod
    def open(cls, config: Config) -> AlertEngine:
        store = open_store(config)
        try:
            alerts = store.alerts()
            matcher = open_matcher(config.index.url, alerts)
        except BaseException:
            store.close()
            raise
        return cls(config, store=store, matcher=matcher, watching=bool(alerts))

    def process(self, docs: Sequence[dict[str, Any]], *, indexed_at: datetime | None = None) -> dict[str, int]:
        """Match ``docs`` and queue notifications for first-time matches; then send whatever is due."""
        counts = {"matches": 0, "messages": 0}
        if docs:
            found = self.matcher.match(docs)
            counts = self.store.record([(alert, doc, content_hash(doc)) for alert, doc in found],
                                       summarize=message.summarize, compose=message.compose,
                                       indexed_at=indexed_at or utcnow())
        return counts | self.deliver()

    def deliver(self) -> dict[str, int]:
        return deliver_due(self.store, self.config.notifications)

    def close(self) -> None:
        try:
            self.matcher.close()
        finally:
            self.store.close()


class AlertMatching:
    """The alerts' on_written subscriber outside a crawl (`monitor index spool --replay`): each written batch's
    new and changed documents are matched, queued and sent before the next write.

    The AlertEngine is opened at the first batch with something new, so a replay that writes nothing new
    costs nothing; ``counts`` adds up what ``AlertEngine.process`` answered. Use it as a context manager.
    """

    def __init__(self, config: Config) -> None:
        self.config = config
        self.counts: Counter[str] = Counter()
        self._engine: AlertEngine | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"AlertMatching(opened={self._engine is not None}, counts={dict(self.counts)})"

    def __call__(self, written: Written) -> None:
        docs = new_documents(written.articles, written.stats.new_ids)
        if not docs:
            return
        with self._lock:
            if self._engine is None:
                self._engine = AlertEngine.open(self.config)
            self.counts.update(self._engine.process(docs, indexed_at=utcnow()))

    def close(self) -> None:
        with self._lock:
            engine, self._engine = self._engine, None
        if engine is not None:
            engine.close()

    def __enter__(self) -> AlertMatching:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ---------------------------------------------------------------- what the CLI and the web API call


def describe(alert: Alert) -> dict[str, Any]:
    """An alert as shown to people: its notify URLs masked."""
    return {**alert.fields(), "notify": [mask_url(u) for u in alert.notify], "origin": alert.origin}


def list_alerts(config: Config) -> list[dict[str, Any]]:
    with open_store(config) as store:
        return [describe(a) for a in store.alerts()]


def add_alert(config: Config, fields: dict[str, Any]) -> dict[str, Any]:
    """Validate and store an alert made from the CLI or the API; errors name the field to fix."""
    try:
        alert = Alert.from_fields(fields, origin="cli")
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'alert'}: {e['msg'].removeprefix('Value error, ')}"
                             for e in exc.errors())
        raise ConfigError(f"invalid alert: {problems}") from None
    check_urls(alert.notify)
    with open_store(config) as store:
        store.add(alert)
    return describe(alert)


def remove_alert(config: Config, name: str) -> None:
    with open_store(config) as store:
        store.remove(name)


def get_alert(config: Config, name: str) -> dict[str, Any]:
    with open_store(config) as store:
        return describe(store.get(name))


def test_alert(config: Config, name: str, *, days: int = 7, limit: int = 100,
               now: datetime | None = None) -> dict[str, Any]:
    """What the alert would have matched among documents dated within the last ``days`` days; nothing is sent."""
    with open_store(config) as store:
        alert = store.get(name)
    since = ((now or utcnow()) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")
    with open_index(config.index.url) as index:
        result = index.search(alert.search_request(since=since, limit=limit))
    return {"alert": describe(alert), "since": since, "total": result.total, "hits": result.hits}


def history(config: Config, *, name: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """The outbox, newest first: what was (or is to be) sent, to where (masked), its status and attempts."""
    with open_store(config) as store:
        if name is not None:
            store.get(name)
        return [{**_shown(m), "copies": store.copies(m.alert, m.doc_ids)} for m in store.history(alert=name, limit=limit)]


def _shown(message_: OutboxMessage) -> dict[str, Any]:
    return {"id": message_.id, "alert": message_.alert, "kind": message_.kind, "to": mask_url(message_.url),
            "title": message_.title, "documents": len(message_.doc_ids), "status": message_.status,
            "attempts": message_.attempts, "created": message_.created, "sent_at": message_.sent_at,
            "next_attempt": message_.next_attempt if message_.status in ("pending", "retrying") else None,
            "last_error": message_.last_error}


def deliver(config: Config) -> dict[str, int]:
    """Send what is due in the outbox now (failed sends wait for their backoff)."""
    with open_store(config) as store:
        return deliver_due(store, config.notifications)


def send_due_digests(config: Config, now: datetime | None = None) -> dict[str, Any]:
    """Queue and send the digest of every digest alert whose schedule fired; what the scheduler calls."""
    with open_store(config) as store:
        queued = queue_due_digests(store, now=now)
        return {"digests": queued, **deliver_due(store, config.notifications, now=now)}


def digest_now(config: Config, name: str) -> dict[str, Any]:
    """Send the alert's waiting matches as one digest now, whatever its schedule."""
    with open_store(config) as store:
        alert = store.get(name)
        if alert.mode != "digest":
            raise MonitorError(f"alert {name!r} is immediate: its matches are sent as they come, there is no digest")
        matches = queue_digest(store, alert, at=utcnow())
        return {"digests": {name: matches}, **deliver_due(store, config.notifications)}
