"""The on_written hook: every write path reports each write once, with exactly the documents it wrote."""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from monitor.index.base import UpsertStats
from monitor.items import ArticleItem

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())


@dataclass(frozen=True)
class Written:
    """One write that reached the index: its articles (with their comments) and what it changed.

    ``stats.new_ids`` names the new or changed documents; a document the index refused is not among them.
    """

    articles: list[ArticleItem] = field(default_factory=list)
    stats: UpsertStats = field(default_factory=UpsertStats)


OnWritten = Callable[[Written], None]


class Subscribers:
    """The steps after a write (alerts; near-duplicate clusters), called in the order they subscribed.

    A Subscribers is itself an OnWritten, so a writer takes one or a plain function alike. A subscriber that
    raises is logged with what it missed; the others and the writer go on (the documents are written).
    """

    def __init__(self, subscribers: Iterable[OnWritten] = ()) -> None:
        self._subscribers: list[OnWritten] = list(subscribers)

    def __repr__(self) -> str:
        return f"Subscribers({self._subscribers!r})"

    def __len__(self) -> int:
        return len(self._subscribers)

    def subscribe(self, subscriber: OnWritten) -> OnWritten:
        """Add a subscriber; returns it, so this can decorate a function."""
        self._subscribers.append(subscriber)
        return subscriber

    def __call__(self, written: Written) -> None:
        if not written.articles:
            return
        for subscriber in list(self._subscribers):
            try:
                subscriber(written)
            except Exception:  # noqa: BLE001 - the edge of the write: say which documents this step missed
                logger.exception("a step after the index write failed; it missed these documents subscriber=%r "
                                 "articles=%d ids=%s", subscriber, len(written.articles),
                                 ",".join(a.id for a in written.articles[:20]))
