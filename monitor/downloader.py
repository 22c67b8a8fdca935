"""Scrapy's downloader with a source's per-domain concurrency held when it crawls without a download delay."""
from __future__ import annotations

import logging
from time import monotonic

import scrapy
from scrapy.core.downloader import Downloader, Slot
from scrapy.crawler import Crawler
from scrapy.utils.defer import _schedule_coro

logger = logging.getLogger(__name__)

# The version whose queue pass this mends (checked against its source): others run Scrapy's own.
MENDED_SCRAPY = "2.19.0"


class PoliteDownloader(Downloader):
    """Scrapy 2.19 counts a request as transferring only once its download task first runs, so without a
    download delay one pass over a slot's queue hands out every queued request: up to CONCURRENT_REQUESTS at once
    to one site, whatever CONCURRENT_REQUESTS_PER_DOMAIN says, and a fresh connection for most of them (the pool
    keeps only the per-domain number). Here a request counts as transferring from the moment it is handed out."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        if scrapy.__version__ != MENDED_SCRAPY:
            logger.warning("Scrapy %s, not %s: its own downloader queue runs unmended, and without a download delay "
                           "it may exceed concurrency_per_domain", scrapy.__version__, MENDED_SCRAPY)

    def _process_queue(self, slot: Slot) -> None:
        if scrapy.__version__ != MENDED_SCRAPY or slot.latercall or slot.download_delay():
            # With a delay Scrapy hands out one request per pass, and the limit holds.
            super()._process_queue(slot)
            return
        while slot.queue and slot.free_transfer_slots() > 0:
            slot.lastseen = monotonic()
            request, queue_dfd = slot.queue.popleft()
            slot.transferring.add(request)  # _download adds it again (a set) and takes it out when done
            _schedule_coro(self._wait_for_download(slot, request, queue_dfd))
