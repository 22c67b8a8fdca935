"""Runs one markup kind: comment elements found by XPath → RawComments with fields and thread links."""
from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import unquote

from monitor.extract.comments.evidence import DATE_HINT_RE, in_article_year, lacks_year
from monitor.extract.comments.fields import (
    AUTHOR_XPATHS,
    TEXT_XPATHS,
    author_from_header,
    clean_author,
    find_author,
    find_key,
    find_likes,
    find_published,
    find_text,
    header_block,
    key_aliases,
    own,
    strip_header_lines,
)
from monitor.extract.comments.html import Element, class_xpath, classes, text_of
from monitor.extract.comments.model import Context, RawComment
from monitor.extract.comments.ownership import Ownership
from monitor.extract.dates import find_date, parse_date

logger = logging.getLogger(__name__)

# Wrappers that hold the replies to the comment just before them (Drupal's div.indented, WordPress' ul.children).
REPLY_CONTAINER_WORDS = frozenset(
    """indented children replies comment-replies comment-children sub-comments subcomments child-comments
    comments-children replies-list reply-list nested-comments comment-thread-children thread-children
    comment-replies-list""".split()
)
HEADER_XPATH = (
    f".//*[{class_xpath('comment-header', 'comment-meta', 'commentmetadata', 'comment-info', 'comment-author', 'meta', 'cm-meta', 'byline', 'postedby', 'posted', 'submitted', 'comment-footer', 'footer', 'info', 'details', 'small', 'header', 'dsq-comment-header', 'comment-head', 'comment__header', 'comment__meta')}]"
    " | .//header | .//footer | .//cite"
)
_TITLE_XPATH = ".//h3 | .//h4 | .//h5 | .//h6"
_DEPTH_CLASS_RE = re.compile(r"(?:^|[-_])(?:depth|level)[-_]?(\d{1,2})$")
_REPLY_TO_RE = re.compile(
    r"^\s*(in reply to|reply to|replying to|antwort auf|als antwort auf|in antwort auf|в ответ на|у відповідь на"
    r"|відповідь на|ответ на)\b",
    re.I,
)


@dataclass(frozen=True)
class Spec:
    """One kind of comment markup: where its comments are and, where the defaults miss, its fields."""

    name: str
    items: str  # XPath of the comment elements, or of an attribute of theirs (cheaper: see html.owners_of_attributes)
    author: tuple[str, ...] = ()  # XPaths tried before the defaults
    date: tuple[str, ...] = ()
    text: tuple[str, ...] = ()
    depth: Callable[[Element], int | None] | None = None
    keep: Callable[[Element], bool] | None = None  # filters what ``items`` found
    min_items: int = 1
    # Strings one of which the page's markup holds wherever this kind can match (() = no test): a page
    # without them skips the XPath search, so pages without comments pay almost nothing.
    markers: tuple[str, ...] = ()


def run(tree: Element, spec: Spec, ctx: Context, *, candidates: list[Element] | None = None) -> list[RawComment]:
    """All comments of ``spec``'s kind on the page, in page order (``candidates``: found already, not by ``items``)."""
    if candidates is None:
        found = tree.xpath(spec.items)
        # an attribute result is a str subclass that knows its element
        candidates = [node.getparent() if isinstance(node, str) else node for node in found]  # type: ignore[attr-defined]
    items = _items(candidates, spec)
    if len(items) < spec.min_items:
        return []
    return read_items(items, ctx, spec)


def _items(found: list[Element], spec: Spec) -> list[Element]:
    seen: set[Element] = set()
    items: list[Element] = []
    for el in found:
        if el in seen or (spec.keep is not None and not spec.keep(el)):
            continue
        if el.xpath("ancestor::form | ancestor::template | ancestor::noscript"):
            continue
        seen.add(el)
        items.append(el)
    return drop_wrapped(items)


def drop_wrapped(items: list[Element]) -> list[Element]:
    """Drop an element nested in another with the same comment number (li#li-comment-5 > div#comment-5)."""
    item_set = set(items)
    kept: list[Element] = []
    for el in items:
        number = _number(el)
        anc = next((a for a in el.iterancestors() if a in item_set), None)
        if number and anc is not None and _number(anc) == number:
            continue
        kept.append(el)
    return kept


def _number(el: Element) -> str | None:
    found = re.findall(r"\d{2,}", el.get("id") or "")
    return found[-1] if found else None


def read_items(
    items: list[Element], ctx: Context, spec: Spec | None = None, *, heads: Mapping[Element, Element] | None = None
) -> list[RawComment]:
    """Read every comment element and link each to its parent.

    ``heads``: for a comment whose author and date sit in a sibling block (dt before dd, a "Posted by" line
    after the text), that block; the item itself is the one with the text.
    """
    heads = heads or {}
    owner = Ownership([*items, *heads.values()])
    author_xps = (spec.author if spec else ()) + AUTHOR_XPATHS
    text_xps = (spec.text if spec else ()) + TEXT_XPATHS
    date_xps = spec.date if spec else ()
    comments: list[RawComment] = []
    keys: dict[Element, str] = {}
    alias_to_key: dict[str, str] = {}
    depth_of: dict[str, int] = {}
    last_at: dict[int, str] = {}
    used_keys: set[str] = set()
    for position, item in enumerate(items, start=1):
        published, date_el, date_raw = find_published(item, owner, ctx, date_xps)
        author, author_el = find_author(item, owner, author_xps)
        head = heads.get(item)
        if head is not None:
            if published is None:
                published, date_el, date_raw = find_published(head, owner, ctx, date_xps)
                if published is None:
                    date_raw = _head_date_raw(head)
                    published = parse_date(date_raw, relative_to=ctx.fetched_at, languages=ctx.languages) if date_raw else None
                    if date_raw and ctx.article_published and lacks_year(date_raw):
                        published = in_article_year(date_raw, ctx.article_published, ctx.languages) or published
            if author is None:
                author, author_el = find_author(head, owner, author_xps)
            if author is None:
                author = _author_from_headers(head, owner, date_el, date_raw) or author_from_header(text_of(head)[:200])
        skip: set[Element] = set()
        for el in (date_el, author_el):
            if el is not None:
                skip.add(el)
                block = header_block(el, item)
                if block is not None:
                    skip.add(block)
        if author is None:
            author, bold = author_from_bold(item, owner)
            if bold is not None:
                skip.add(bold)
        if author is None:
            author = _author_from_headers(item, owner, date_el, date_raw)
        if author is None:
            author = author_from_byline(item, owner)
        if author is None or published is None:
            line, line_author, line_date = meta_line(item, owner, ctx)
            if line is not None:
                author, published = author or line_author, published or line_date
                skip.add(line)
        text = strip_header_lines(find_text(item, owner, skip, text_xps), author, date_raw)
        if not text:  # a short comment said all in its title line (SB Nation's collapsed replies)
            text = next((t for h in own(item, _TITLE_XPATH, owner) if (t := text_of(h))), "")
        key = find_key(item, owner) or f"pos-{position}"
        if key in used_keys:
            key = f"{key}~{position}"
        used_keys.add(key)
        keys[item] = key
        parent, parent_ref = _explicit_parent(item, owner, alias_to_key)
        container = item.getparent()
        anc = owner(container) if container is not None else None
        if anc is not None:
            parent_ref = None
        if parent is None and anc is not None:
            parent = keys.get(anc)
        if parent is None and anc is None:
            depth = _marked_depth(item, spec)
            if depth is None:
                depth = 1 + _reply_container_count(item)
            if depth > 1:
                parent = _last_below(last_at, depth)
        depth = depth_of[parent] + 1 if parent in depth_of else 1
        depth_of[key] = depth
        last_at[depth] = key
        for deeper in [d for d in last_at if d > depth]:
            del last_at[deeper]
        for alias in key_aliases(key):
            alias_to_key.setdefault(alias, key)
        if not text:
            logger.debug("comment without text skipped key=%s url=%s", key, ctx.url)
            continue
        comments.append(
            RawComment(
                key=key,
                parent_key=parent,
                author=author,
                published=published,
                text=text,
                likes=find_likes(item, owner),
                depth=depth,
                parent_ref=parent_ref,
            )
        )
    return comments


_BYLINE_START_RE = re.compile(
    r"(?i)^\s*(?:posted|written|submitted|commented|geschrieben|verfasst|publié|posté|écrit|publicado|escrito|"
    r"pubblicato|scritto|geplaatst|napisane|postado|enviado)?\s*(?:by|von|par|por|da|di|door|przez)\s*:?\s+\S"
)
_SAYS_END_RE = re.compile(
    r"(?i)\s+(?:says|said|wrote|writes|replied|sagt|sagte|schreibt|schrieb|meint|dit|a écrit|dice|escribió|"
    r"escreveu|diz|disse|scrive|ha scritto|zegt|schreef|napisał|napisała|pisze)\s*[:.,…]*\s*$"
)
BYLINE_XPATH = ".//*[self::span or self::div or self::p or self::cite or self::em or self::small or self::li]"


def author_from_byline(item: Element, owner: Callable[[Element], Element | None]) -> str | None:
    """The name in the comment's own "by NAME" line: its link (a profile) when it has one, else the words."""
    for el in own(item, BYLINE_XPATH, owner):
        raw = text_of(el)
        if raw and len(raw) <= 80 and _SAYS_END_RE.search(raw):
            name = author_from_header(_SAYS_END_RE.sub("", raw))
            if name:
                return name
        if not raw or len(raw) > 120 or not _BYLINE_START_RE.match(raw):
            continue
        links = [text_of(a) for a in el.iter("a")]
        name = next((clean_author(t) for t in links if t and 1 < len(t) <= 60 and clean_author(t)), None)
        return name or author_from_header(raw)
    return None


_BOLD_XPATH = ".//b | .//strong"
_PROSE_TAGS = frozenset({"p", "blockquote", "q", "li", "dd", "td", "pre"})
_COUNTER_RE = re.compile(r"^\s*(?:\(?#?\d{1,4}[.):]?\)?)\s+")


def author_from_bold(item: Element, owner: Callable[[Element], Element | None]) -> tuple[str | None, Element | None]:
    """(the name, its element) in a short bold label at the head of the comment, outside its prose
    ("<strong>1 Ann</strong> | <small>DATE</small>"), a counter before it dropped."""
    for el in own(item, _BOLD_XPATH, owner)[:2]:
        node = el.getparent()
        while node is not None and node is not item and node.tag not in _PROSE_TAGS:
            node = node.getparent()
        if node is not item:
            continue
        raw = _COUNTER_RE.sub("", text_of(el))
        name = clean_author(raw) if 1 < len(raw) <= 40 and len(raw.split()) <= 4 else None
        if name:
            return name, el
    return None, None


META_XPATH = ".//div | .//p | .//span | .//small | .//footer | .//cite"
MAX_META_LINE = 150  # chars of a line that holds a comment's date (and often its author)


def meta_line(
    item: Element, owner: Callable[[Element], Element | None], ctx: Context
) -> tuple[Element | None, str | None, str | None]:
    """(the element, author, ISO date) of the comment's own short line that parses as a date, such as
    "posted on Wednesday, October 24, 2012 at 7:26 PM by Darren" or "October 25, 2012 | Ben" (a footer)."""
    for el in own(item, META_XPATH, owner):
        raw = text_of(el)
        if not raw or len(raw) > MAX_META_LINE or not DATE_HINT_RE.search(raw):
            continue
        published = find_date(raw, relative_to=ctx.fetched_at, languages=ctx.languages)
        if published is None and ctx.article_published and lacks_year(raw):
            published = in_article_year(raw, ctx.article_published, ctx.languages)
        if published is None:
            continue
        links = [t for a in el.iter("a") if 1 < len(t := text_of(a)) <= 60 and clean_author(t)]
        name = clean_author(links[0]) if len(links) == 1 else None
        return el, name or author_from_header(raw), published
    return None, None, None


def _head_date_raw(head: Element) -> str | None:
    raw = text_of(head)
    return raw if raw and len(raw) <= 200 else None


def _last_below(last_at: dict[int, str], depth: int) -> str | None:
    for d in range(depth - 1, 0, -1):
        if d in last_at:
            return last_at[d]
    return None


def _author_from_headers(
    item: Element, owner: Callable[[Element], Element | None], date_el: Element | None, date_raw: str | None
) -> str | None:
    headers: list[Element] = []
    if date_el is not None:
        block = header_block(date_el, item)
        if block is not None:
            headers.append(block)
    headers.extend(own(item, HEADER_XPATH, owner))
    for header in headers:
        raw = text_of(header)
        if raw and len(raw) <= 200:
            name = author_from_header(raw)
            if name:
                return name
    return None


def _explicit_parent(
    item: Element, owner: Callable[[Element], Element | None], alias_to_key: dict[str, str]
) -> tuple[str | None, str | None]:
    """(the key of the comment ``item`` says it answers, else None; the reference when none on the page matches)."""
    refs: list[str] = []
    for attr in ("data-parent-id", "data-parent", "data-parentid", "data-reply-to"):
        if item.get(attr):
            refs.append(item.get(attr) or "")
    for el in own(item, ".//*[contains(@rel, 'reply_of') or @itemprop='parentItem']", owner):
        refs.append(el.get("resource") or el.get("href") or el.get("content") or "")
    for el in own(item, ".//*[a[contains(@href, '#')]]", owner):
        if _REPLY_TO_RE.match(text_of(el)):
            refs.append(el.xpath("a[contains(@href, '#')]/@href")[0])
    for ref in refs:
        key = resolve_ref(ref, alias_to_key)
        if key:
            return key, None
    return None, next((r for r in refs if r.strip()), None)


def resolve_ref(ref: str, alias_to_key: dict[str, str]) -> str | None:
    ref = unquote(ref.strip())
    candidates = [ref, ref.rsplit("#", 1)[-1], ref.rstrip("/").rsplit("/", 1)[-1]]
    digits = re.findall(r"\d+", ref.rsplit("#", 1)[-1])
    if digits:
        candidates.append(digits[-1])
    for cand in candidates:
        if cand in alias_to_key:
            return alias_to_key[cand]
    return None


def _marked_depth(item: Element, spec: Spec | None) -> int | None:
    if spec is not None and spec.depth is not None:
        depth = spec.depth(item)
        if depth is not None:
            return depth
    for attr in ("data-depth", "aria-level", "data-level"):
        value = item.get(attr)
        if value and value.strip().isdigit():
            return int(value)
    # The item or a wrapper just around it may carry it: li.depth-2, div.wpd_comment_level-2
    node: Element | None = item
    for _ in range(4):
        if node is None:
            break
        for word in classes(node):
            m = _DEPTH_CLASS_RE.search(word)
            if m:
                return int(m.group(1))
        node = node.getparent()
    return None


def _reply_container_count(item: Element) -> int:
    count = 0
    for anc in item.iterancestors():
        if REPLY_CONTAINER_WORDS.intersection(w.replace("_", "-") for w in classes(anc)):
            count += 1
    return count
