"""schema.org Comment in microdata and RDFa (Drupal 7 SIOC, Drupal 8 schema:Comment)."""
from __future__ import annotations

import re

from monitor.extract.comments.engine import Spec
from monitor.extract.comments.html import Element

_TYPE_RE = re.compile(r"(?:^|[\s/:#])(?:Comment|UserComments|Answer|Reply)(?:\s|$)")


def _is_comment(el: Element) -> bool:
    return bool(_TYPE_RE.search(el.get("itemtype") or el.get("typeof") or ""))


SPECS = (
    Spec(
        name="schemaorg",
        items="//*[@itemtype or @typeof]",
        keep=_is_comment,
        author=(
            ".//*[@itemprop='author' or @property='schema:author' or @rel='sioc:has_creator']"
            "//*[@itemprop='name' or contains(@property, 'name')]",
            ".//*[@itemprop='author' or @property='schema:author' or @property='sioc:has_creator']",
            ".//*[@itemprop='creator']//*[@itemprop='name']",
        ),
    ),
)
