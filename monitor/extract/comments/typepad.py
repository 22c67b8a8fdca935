"""TypePad and Movable Type comments: div#comment-<id> (hex on TypePad) with comment-content and footer."""
from __future__ import annotations

import re

from monitor.extract.comments.engine import Spec
from monitor.extract.comments.html import Element

_ID_RE = re.compile(r"^comment-(?=[0-9a-f]*\d)[0-9a-f]{4,}$")


def _is_comment(el: Element) -> bool:
    return el.tag in ("div", "li", "article") and bool(_ID_RE.match(el.get("id") or ""))


SPECS = (
    Spec(
        name="typepad-movabletype",
        items="//@id[starts-with(., 'comment-')]",
        keep=_is_comment,
        markers=("comment-",),
    ),
)
