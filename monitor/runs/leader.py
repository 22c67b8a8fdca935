"""The leader lease of a cluster's `monitor serve`: only its holder schedules; a standby takes over when it lapses."""
from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable

import sqlalchemy as sa

from monitor.state.leases import Leases

logger = logging.getLogger(__name__)

LEADER = "leader"


class Leadership:
    """Tries for the leader lease every lease/3 seconds in a thread of its own, and renews it while held.

    ``on_lead`` runs when this process becomes the leader, ``on_follow`` when it stops being one (the lease was
    lost: the store was out of reach longer than the lease, or another took it after a stall). Both run in the
    leadership thread, one at a time.
    """

    def __init__(self, leases: Leases, *, ttl: float, on_lead: Callable[[], None],
                 on_follow: Callable[[], None]) -> None:
        self.leases = leases
        self.ttl = ttl
        self.holder = f"{socket.gethostname()}:{os.getpid()}"
        self.on_lead = on_lead
        self.on_follow = on_follow
        self._leading = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="leadership", daemon=True)

    @property
    def leading(self) -> bool:
        return self._leading.is_set()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop trying, and hand the lease over at once (a standby need not wait for it to lapse)."""
        self._stop.set()
        self._thread.join()
        if self._leading.is_set():
            self._leading.clear()
            try:
                self.leases.release([LEADER], holder=self.holder)
            except sa.exc.SQLAlchemyError as exc:
                logger.warning("leader lease not released (it lapses by itself): %s", exc)

    def _run(self) -> None:
        while True:
            self._tick()
            if self._stop.wait(self.ttl / 3):
                return

    def _tick(self) -> None:
        try:
            held = self.leases.acquire([LEADER], holder=self.holder, ttl=self.ttl)
        except sa.exc.SQLAlchemyError as exc:
            logger.warning("leader lease not renewed: %s", exc)
            # Not knowing is not leading: past the lease's end another may lead, so stop scheduling now.
            held = False
        if held and not self._leading.is_set():
            logger.info("leading: this server schedules and enqueues the crawls holder=%s", self.holder)
            self._leading.set()
            self._call(self.on_lead)
        elif not held and self._leading.is_set():
            logger.warning("no longer leading: another server schedules now holder=%s", self.holder)
            self._leading.clear()
            self._call(self.on_follow)
        elif not held and not self._leading.is_set():
            logger.debug("standing by: another server leads holder=%s", self.holder)

    @staticmethod
    def _call(callback: Callable[[], None]) -> None:
        try:
            callback()
        except Exception:  # noqa: BLE001 - the edge: leadership goes on; what failed is logged
            logger.exception("leadership change not carried out")
