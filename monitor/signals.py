"""The crawl's on_written subscribers: one list per crawler, which the index pipeline's writer calls and others join."""
from __future__ import annotations

import threading
from weakref import WeakKeyDictionary

from scrapy.crawler import Crawler

from monitor.index.written import Subscribers

_SUBSCRIBERS: WeakKeyDictionary[Crawler, Subscribers] = WeakKeyDictionary()
_LOCK = threading.Lock()


def written_subscribers(crawler: Crawler) -> Subscribers:
    """The steps after the index write in this crawl: ``written_subscribers(crawler).subscribe(fn)`` in a
    component's ``from_crawler``, and ``fn`` hears of every write of the crawl, once, with what it wrote."""
    with _LOCK:
        subscribers = _SUBSCRIBERS.get(crawler)
        if subscribers is None:
            subscribers = _SUBSCRIBERS[crawler] = Subscribers()
        return subscribers
