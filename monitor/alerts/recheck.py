"""Alerts for what a killed crawl indexed: its new articles (and their comments) matched again, once each.

A crawl writes a batch, then matches it against the alerts; killed between the two (its machine died), it leaves
documents in the index that no alert saw, and the run that redoes the job finds them unchanged, so it would not
match them either. The worker that redoes such a job first calls ``recheck``, as does a worker whose crawl's alert
matching failed (the engine answered an error): the alert store remembers every (alert, document) it queued, so
what was queued once is not queued a second time.
"""
from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from monitor.config import Config

logger = logging.getLogger(__name__)

# First seen is the crawl machine's clock, the attempt's start the state store's: a margin for their skew.
CLOCK_SLACK = timedelta(minutes=5)
PAGE = 500


def recheck(config: Config, *, source: str, since: datetime) -> dict[str, int]:
    """Match against the alerts the articles of ``source`` first seen since ``since``, with their comments."""
    from monitor.alerts.service import AlertEngine
    from monitor.index import open_index

    docs: list[dict[str, Any]] = []
    after = ((since - CLOCK_SLACK).astimezone(UTC).isoformat(timespec="seconds"), "")
    with open_index(config.index.url) as index:
        while True:
            rows = index.scan_articles(after=after, limit=PAGE)
            if not rows:
                break
            after = (str(rows[-1]["first_seen"]), str(rows[-1]["id"]))
            for row in rows:
                if row["source"] != source:
                    continue
                article = index.get_article(str(row["id"]))
                if article is not None:
                    docs.append(article)
                    docs += index.get_comments(str(row["id"]))
    if not docs:
        return {"matches": 0, "messages": 0}
    engine = AlertEngine.open(config)
    try:
        counts = engine.process(docs)
    finally:
        engine.close()
    logger.info("alerts rechecked after a killed crawl: documents=%d messages=%d source=%s", len(docs),
                counts.get("messages", 0), source)
    return counts
