"""Reddit-like markup: the 2020 redesign (div#t1_… with "level N") and old Reddit (div.thing.comment)."""
from __future__ import annotations

import re

from monitor.extract.comments.engine import Spec
from monitor.extract.comments.html import Element

_LEVEL_RE = re.compile(r"^\s*level\s+(\d+)\s*$", re.I)
_PADDING_RE = re.compile(r"padding-left\s*:\s*(\d+)px")


def _level(el: Element) -> int | None:
    for span in el.xpath(".//span[starts-with(normalize-space(.), 'level ')][position() = 1]")[:1]:
        m = _LEVEL_RE.match(span.text_content())
        if m:
            return int(m.group(1))
    m = _PADDING_RE.search(el.get("style") or "")
    return 1 + (int(m.group(1)) - 16) // 21 if m else None


SPECS = (
    Spec(
        name="reddit-2020",
        items="//div[starts-with(@id, 't1_')][.//*[@data-test-id='comment']]",
        text=(".//*[@data-test-id='comment']",),
        depth=_level,
        markers=("t1_",),
    ),
    Spec(
        name="reddit-old",
        items="//div[@data-fullname][contains(concat(' ', normalize-space(@class), ' '), ' comment ')]",
        author=(".//*[contains(concat(' ', normalize-space(@class), ' '), ' author ')]",),
        text=(".//*[contains(@class, 'usertext-body')]//*[contains(@class, 'md')]",),
        markers=("data-fullname",),
    ),
)
