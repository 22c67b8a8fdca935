"""wpDiscuz: its comments are WordPress comments, read through the same REST API (its own AJAX wants a nonce)."""
from __future__ import annotations

from collections.abc import Sequence

from monitor.extract.comments.model import RawComment
from monitor.extract.comments.platforms.wordpress import follow, read_comments, start

__all__ = ["NAME", "comments", "follow", "start"]

NAME = "wpdiscuz"


def comments(bodies: Sequence[bytes]) -> list[RawComment]:
    return read_comments(bodies, NAME)
