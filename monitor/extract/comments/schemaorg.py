"""schema.org Comment in microdata and RDFa (Drupal 7 SIOC, Drupal 8 schema:Comment)."""
from __future__ import annotations

import re

from monitor.extract.comments.engine import Spec
from monitor.extract.comments.html import Element, owners_of_attributes

_TYPE_RE = re.compile(r"(?:^|[\s/:#])(?:Comment|UserComments|Answer|Reply)(?:\s|$)")


def find_items(tree: Element) -> list[Element]:
    """Elements whose itemtype/typeof names a comment type, found from the (few) attributes themselves."""
    return [el for el in owners_of_attributes(tree, ("itemtype", "typeof"), ("omment", "nswer", "eply"))
            if _is_comment(el)]


def _is_comment(el: Element) -> bool:
    return bool(_TYPE_RE.search(el.get("itemtype") or el.get("typeof") or ""))


SPEC = Spec(
    name="schemaorg",
    items="//*[@itemtype or @typeof]",  # what find_items() scans faster
    keep=_is_comment,
    markers=("Comment", "Answer", "Reply"),
    author=(
        ".//*[@itemprop='author' or @property='schema:author' or @rel='sioc:has_creator']"
        "//*[@itemprop='name' or contains(@property, 'name')]",
        ".//*[@itemprop='author' or @property='schema:author' or @property='sioc:has_creator']",
        ".//*[@itemprop='creator']//*[@itemprop='name']",
    ),
)
