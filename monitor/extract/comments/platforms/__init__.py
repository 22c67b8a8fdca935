"""Comment platforms: detection on the article page, and one client per platform on its public read API."""
from __future__ import annotations

import logging
from collections.abc import Sequence

from monitor.extract.comments.model import RawComment
from monitor.extract.comments.platforms import (
    comentario,
    commento,
    coral,
    discourse,
    disqus,
    giscus,
    isso,
    remark42,
    talkyard,
    utterances,
    viafoura,
    vuukle,
    wordpress,
    wpdiscuz,
)
from monitor.extract.comments.platforms.base import (
    Answer,
    Client,
    PlatformRequest,
    PlatformSettings,
    PlatformThread,
    PlatformUnavailable,
)
from monitor.extract.comments.platforms.detect import PLATFORM_NAMES, comments_expected, detect_platform
from monitor.extract.comments.platforms.unread import UNREAD, unread_reason

__all__ = ["CLIENTS", "PLATFORM_NAMES", "Answer", "Client", "PlatformRequest", "PlatformSettings", "PlatformThread",
           "PlatformUnavailable", "UNREAD", "client", "comments_expected", "detect_platform", "platform_comments",
           "unread_reason"]

logger = logging.getLogger(__name__)

# The platforms the monitor reads; a detected platform missing here is recorded on the article, not read (unread.py
# says why, per platform).
CLIENTS: dict[str, Client] = {c.NAME: c for c in (comentario, commento, coral, discourse, disqus, giscus, isso, remark42,
                                                   talkyard, utterances, viafoura, vuukle, wordpress, wpdiscuz)}


def client(name: str) -> Client | None:
    return CLIENTS.get(name)


def platform_comments(platform: str, bodies: Sequence[bytes]) -> list[RawComment]:
    """The comments of a platform's answers (in the order fetched), as one thread in that platform's order."""
    reader = client(platform)
    if reader is None:
        logger.warning("no client for comment platform %s: its answers are skipped", platform)
        return []
    try:
        return reader.comments(bodies)
    except Exception:  # a payload shape we did not foresee costs its comments, not the article
        logger.warning("comment platform answers unreadable platform=%s", platform, exc_info=True)
        return []
