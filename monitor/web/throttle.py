"""Failed-authentication throttling per client address: a few free guesses, then a doubling wait (HTTP 429)."""
from __future__ import annotations

import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import HTTPException

logger = logging.getLogger(__name__)

FREE_FAILURES = 5  # a person mistyping the token gets this many tries before any wait
FIRST_WAIT_SECONDS = 4.0  # then 4 s, 8 s, 16 s, … per further failure
MAX_WAIT_SECONDS = 900.0
FORGET_SECONDS = 3600.0  # an address quiet this long starts afresh
MAX_ADDRESSES = 10_000  # bounded memory: a flood from many addresses evicts the oldest


@dataclass
class _Record:
    failures: int = 0
    blocked_until: float = 0.0
    last_failure: float = 0.0


class Throttled(HTTPException):
    """429 Too Many Requests with Retry-After: the address failed too often; nothing is checked until then."""

    def __init__(self, seconds: float) -> None:
        wait = max(1, math.ceil(seconds))
        super().__init__(429, f"too many failed logins or tokens from this address: try again in {wait} s (Retry-After)",
                         headers={"Retry-After": str(wait)})


class AuthThrottle:
    """Counts failed logins and bearer tokens per address; ``check`` raises Throttled while the address waits.

    The wait applies to every credential the address presents, the right one too: otherwise an attacker
    would learn which guess was right from the answer. Credential-free requests (open reads) are not touched.
    """

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._records: OrderedDict[str, _Record] = OrderedDict()

    def check(self, address: str) -> None:
        with self._lock:
            record = self._records.get(address)
            wait = record.blocked_until - self._clock() if record else 0.0
        if wait > 0:
            raise Throttled(wait)

    def failed(self, address: str, *, what: str) -> None:
        """Record one failure (``what`` failed: never the credential itself) and log it with the address."""
        now = self._clock()
        with self._lock:
            record = self._records.pop(address, None)
            if record is None or now - record.last_failure > FORGET_SECONDS:
                record = _Record()
            record.failures += 1
            record.last_failure = now
            wait = 0.0
            if record.failures >= FREE_FAILURES:
                wait = min(MAX_WAIT_SECONDS, FIRST_WAIT_SECONDS * 2 ** (record.failures - FREE_FAILURES))
                record.blocked_until = now + wait
            self._records[address] = record
            while len(self._records) > MAX_ADDRESSES:
                self._records.popitem(last=False)
            failures = record.failures
        if wait:
            logger.warning("authentication failed: %s; throttled for %.0f s after %d failures client=%s",
                           what, wait, failures, address)
        else:
            logger.warning("authentication failed: %s (%d in a row) client=%s", what, failures, address)

    def succeeded(self, address: str) -> None:
        with self._lock:
            self._records.pop(address, None)
