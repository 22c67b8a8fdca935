"""Why a request failed, as one short name for counters and the crawl summary."""
from __future__ import annotations

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import (
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.python.failure import Failure


def error_kind(failure: Failure) -> str:
    """A short name for why a request failed, for counters and the crawl summary."""
    if failure.check(HttpError):
        response = getattr(failure.value, "response", None)
        return f"http_{response.status}" if response is not None else "http_error"
    if failure.check(DownloadTimeoutError, TimeoutError, TCPTimedOutError):
        return "timeout"
    if failure.check(DownloadCancelledError):
        return "too_large"
    if failure.check(CannotResolveHostError, DNSLookupError):
        return "dns"
    if failure.check(DownloadConnectionRefusedError, ConnectionRefusedError):
        return "connection_refused"
    if failure.check(ResponseDataLossError):
        return "truncated"
    if failure.check(IgnoreRequest):
        message = str(failure.value)
        if "robots" in message:
            return "robots_disallowed"
        if "redirect" in message:
            return "redirect_loop"
        return "ignored"
    return failure.type.__name__ if failure.type else "unknown"
