"""The article body: trafilatura, tuned per page by what the page declares, with fallbacks when it keeps too little."""
from __future__ import annotations

import logging
import re
from collections import Counter

from lxml.html import HtmlElement
from trafilatura import bare_extraction
from trafilatura.baseline import baseline

from monitor.extract.article.cascade import shortcuts

logger = logging.getLogger(__name__)

# On pages that declare themselves articles, precision mode drops boilerplate balanced mode keeps
# (AEB F1 .960 → .969); on other pages (shops, forums, institutional pages) it cuts real text, so
# they get balanced mode. Precision mode sometimes cuts the article itself: below RETRY_SHARE of the
# page's <p> text we also run balanced mode and keep it when precision kept under KEEP_SHARE of it.
# Tuned together on aeb + trafilatura-eval + fundus (1,429 pages): shares from 0.2 to 0.5 score
# the same; 0.3 retries on ~4% of the pages.
RETRY_SHARE = 0.3
KEEP_SHARE = 0.3
# The publisher's JSON-LD articleBody replaces the extraction when the extraction is almost all
# inside it (shingle precision ≥ .97) but covers little of it (recall < .85): trafilatura then
# stopped early in a long article. Looser bounds let in articleBody fields padded with captions
# or related stories (checked on the same 1,429 pages).
STRUCTURED_PRECISION = 0.97
STRUCTURED_RECALL = 0.85
MIN_STRUCTURED = 500
# Below this many characters an extraction counts as empty (trafilatura's own minimum output size).
MIN_TEXT = 25
_BLOCK_TAGS = ("p", "div", "section", "li", "blockquote", "pre", "td", "h2", "h3", "h4")
_TOKEN = re.compile(r"\w+")


def extract_body(
    tree: HtmlElement, url: str, *, article_like: bool = True, structured_body: str | None = None
) -> str:
    """The clean article text of a parsed page, paragraphs separated by newlines, reader comments left out.

    ``article_like``: the page declares itself an article (then boilerplate is cut harder).
    ``structured_body``: the page's JSON-LD articleBody, a check on the extraction and a fallback.
    """
    text = _trafilatura(tree, url, precision=article_like)
    if article_like and len(text) < RETRY_SHARE * _paragraph_chars(tree):
        balanced = _trafilatura(tree, url, precision=False)
        if len(text) < KEEP_SHARE * len(balanced):
            logger.debug("precision extraction too short, balanced kept: %s < %s url=%s",
                         len(text), len(balanced), url)
            text = balanced
    structured = _clean_structured(structured_body)
    if len(structured) >= MIN_STRUCTURED and len(text) >= MIN_TEXT:
        precision, recall = _overlap(reference=structured, candidate=text)
        if precision >= STRUCTURED_PRECISION and recall < STRUCTURED_RECALL:
            logger.debug("extraction stopped early (recall %.2f), JSON-LD articleBody used url=%s", recall, url)
            return structured
    if len(text) >= MIN_TEXT:
        return text
    for name, candidate in (("json-ld", structured), ("baseline", _baseline(tree)),
                            ("largest block", _largest_block(tree))):
        if len(candidate) >= MIN_TEXT:
            logger.debug("trafilatura found no body, %s used url=%s", name, url)
            return candidate
    return text


def _trafilatura(tree: HtmlElement, url: str, *, precision: bool) -> str:
    # trafilatura copies an lxml tree before pruning it, so one parse serves every pass;
    # bare_extraction keeps the text as the page wrote it (extract() also NFC-normalises)
    with shortcuts():
        document = bare_extraction(
            tree,
            url=url or None,
            include_comments=False,
            include_tables=True,
            favor_precision=precision,
        )
    raw = getattr(document, "text", None) or ""
    lines = (line.strip() for line in raw.splitlines())
    return "\n".join(line for line in lines if line)


def _paragraph_chars(tree: HtmlElement) -> int:
    return sum(len(" ".join(element.text_content().split())) for element in tree.iter("p"))


def _shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text.lower())
    return Counter(tuple(tokens[i:i + 4]) for i in range(max(1, len(tokens) - 3)))


def _overlap(*, reference: str, candidate: str) -> tuple[float, float]:
    """Share of the candidate's word 4-grams found in the reference, and of the reference's found in the candidate."""
    ref, cand = _shingles(reference), _shingles(candidate)
    common = sum((ref & cand).values())
    return (common / max(1, sum(cand.values())), common / max(1, sum(ref.values())))


def _clean_structured(body: str | None) -> str:
    if not body:
        return ""
    if "<" in body and ">" in body:
        body = re.sub(r"<(?:br|/p|/div|/h\d|/li)\s*/?>", "\n", body, flags=re.IGNORECASE)
        body = re.sub(r"<[^>]+>", " ", body)
    lines = (" ".join(line.split()) for line in body.splitlines())
    return "\n".join(line for line in lines if line)


def _baseline(tree: HtmlElement) -> str:
    try:
        _, text, _ = baseline(tree)
    except (ValueError, TypeError) as exc:  # baseline chokes on some malformed trees
        logger.debug("baseline extraction failed: %s", exc)
        return ""
    return text.strip()


def _largest_block(tree: HtmlElement) -> str:
    """The paragraphs of the element holding the most paragraph text, inside <article>/<main> when there is one."""
    scopes = tree.xpath("//article|//main|//*[@role='main']") or [tree]
    groups: dict[HtmlElement, list[str]] = {}
    for scope in scopes:
        for element in scope.iter(*_BLOCK_TAGS):
            own = " ".join(" ".join([element.text or ""] + [child.tail or "" for child in element]).split())
            if not own or element.xpath("ancestor::*[self::nav or self::footer or self::aside or self::form]"):
                continue
            parent = element.getparent()
            groups.setdefault(parent if parent is not None else element, []).append(own)
    if not groups:
        return ""
    best = max(groups.values(), key=lambda texts: sum(map(len, texts)))
    return "\n".join(best)
