"""WordPress and WordPress.com comments (any theme): li/article/div#comment-N, children in ul.children."""
from __future__ import annotations

import re

from monitor.extract.comments.engine import Spec
from monitor.extract.comments.html import Element, classes

_ID_RE = re.compile(r"^(?:li-)?comment-\d+$")


def _is_comment(el: Element) -> bool:
    if el.tag not in ("li", "article", "div") or not _ID_RE.match(el.get("id") or ""):
        return False
    wrapper = el.getparent()
    words = set(classes(el)) | (set(classes(wrapper)) if wrapper is not None else set())
    return not {"pingback", "trackback"}.intersection(words)


SPECS = (
    Spec(
        name="wordpress",
        items="//@id[starts-with(., 'comment-') or starts-with(., 'li-comment-')]",
        keep=_is_comment,
        markers=("comment-",),
        author=(".//*[contains(concat(' ', normalize-space(@class), ' '), ' comment-author ')]//*[contains(concat(' ', normalize-space(@class), ' '), ' fn ')]",),
    ),
)
