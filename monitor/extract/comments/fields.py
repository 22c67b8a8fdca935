"""Field finders for one comment element: author, date, text, likes and the site's id, by markup kind."""
from __future__ import annotations

import re
from collections.abc import Callable

from monitor.extract.comments.evidence import in_article_year, lacks_year
from monitor.extract.comments.html import (
    BLOCK_TAGS,
    Element,
    class_xpath,
    collect_text,
    is_element,
    is_hidden,
    is_noise,
    text_of,
)
from monitor.extract.comments.model import Context
from monitor.extract.comments.ownership import Ownership
from monitor.extract.dates import MONTHS as _MONTHS
from monitor.extract.dates import find_date, parse_date

Owner = Callable[[Element], "Element | None"]

AUTHOR_XPATHS: tuple[str, ...] = (
    ".//*[@itemprop='author' or @property='schema:author' or @rel='sioc:has_creator']"
    "//*[@itemprop='name' or contains(@property, 'name')]",
    ".//*[@itemprop='author' or @property='schema:author']",
    ".//*[contains(@property, 'foaf:name')]",
    f".//*[{class_xpath('fn')}]",
    f".//*[{class_xpath('comment-author-name', 'comment__author-name', 'author-name', 'authorname', 'author_name', 'comment-author__name', 'commenter-name', 'comment-user-name', 'user-name', 'username', 'postedname', 'comment_author', 'commentauthor', 'comment-author-link', 'nickname', 'nick', 'poster', 'dsq-comment-header-author', 'comment__author', 'comment-username')}]",
    ".//*[starts-with(@id, 'dsq-author-user')]",
    ".//cite[not(.//cite)]",
    f".//*[{class_xpath('comment-author', 'author', 'commenter', 'user', 'name', 'comment-name', 'user-link')}]",
    ".//*[contains(@class, 'comment-author') or contains(@class, 'comment_author') or contains(@class, 'commentAuthor')"
    " or contains(@class, 'author-name') or contains(@class, 'user-name') or contains(@class, 'username')]",
    ".//a[@rel='author' or @rel='external nofollow' or @rel='nofollow ugc' or @rel='external nofollow ugc']",
)
DATE_ATTR_XPATHS: tuple[str, ...] = (
    ".//*[@itemprop='dateCreated' or @itemprop='datePublished' or @itemprop='commentTime' "
    "or contains(@property, 'dateCreated') or contains(@property, 'datePublished') "
    "or contains(@property, 'dc:date') or contains(@property, 'dc:created')]",
    ".//time[@datetime]",
    ".//*[@data-datetime or @data-date]",
    ".//abbr[@title]",
)
DATE_TEXT_XPATHS: tuple[str, ...] = (
    f".//*[{class_xpath('comment-date', 'comment-time', 'comment-meta-time', 'comment-timestamp', 'comment_date', 'comment_time', 'commentdate', 'comment__date', 'comment__time', 'datetime', 'date', 'time', 'timestamp', 'published', 'postedtime', 'posted-on', 'dsq-comment-header-time', 'comment-metadata', 'commentmetadata', 'comment-meta', 'submitted', 'meta', 'metas', 'metadata', 'byline', 'small')}]",
    ".//time",
    ".//*[contains(@class, 'date') or contains(@class, 'time') or contains(@class, 'Date') or contains(@class, 'meta')]",
    ".//a[contains(@href, '#c') or contains(@href, 'comment') or contains(@href, 'showComment') or @title]",
)
TEXT_XPATHS: tuple[str, ...] = (
    ".//*[@itemprop='text' or @itemprop='commentText' or @property='schema:text' or @property='content:encoded'"
    " or @property='sioc:content' or @itemprop='comment' or @data-test-id='comment']",
    f".//*[{class_xpath('comment-content', 'comment-body', 'comment-text', 'comment_text', 'comment_content', 'comment_body', 'commentbody', 'commenttext', 'comment-message', 'comment__body', 'comment__content', 'comment__text', 'comment-entry-content', 'dsq-comment-message', 'post-message', 'field-name-comment-body', 'usertext-body', 'message-body', 'cmt-body', 'comment-copy')}]",
    ".//*[contains(@class, 'comment-text') or contains(@class, 'comment-content') or contains(@class, 'comment-body')"
    " or contains(@class, 'comment_text') or contains(@class, 'comment_content') or contains(@class, 'commentText')"
    " or contains(@class, 'comment-message') or contains(@class, 'commentContent') or contains(@class, 'commentBody')]",
    f".//*[{class_xpath('content', 'text', 'body', 'message', 'entry', 'entry-content', 'md')}]",
)
LIKES_XPATHS: tuple[str, ...] = (
    ".//*[@itemprop='upvoteCount']",
    f".//*[{class_xpath('likes', 'like-count', 'likes-count', 'comment-likes', 'votes', 'vote-count', 'score', 'points', 'karma', 'rating', 'comment-rating', 'jc_comment_panel_total', 'upvotes')}]",
)
_LIKES_RE = re.compile(
    r"^\s*([+-]?\d+)\s*(?:likes?|points?|votes?|punkte|stimmen|gefällt mir|лайк\w*|голос\w*|подоба\w*)?\s*$", re.I
)
_LIKES_IN_TEXT_RE = re.compile(r"^\s*(\d+)\s+(likes?|points?|votes?|Punkte|Likes|лайк\w*|голос\w*|вподоба\w*)\s*$", re.I)
_AUTHOR_PREFIX = re.compile(
    r"^\s*(?:posted|written|submitted|comment(?:ed)?|geschrieben|kommentar|eingesandt|gepostet)?\s*"
    r"(?:by|von|від|от|автор|par|por|door|przez)\s*:?\s*|^\s*(?:posted|written|submitted|gepostet)\s*:\s*",
    re.I,
)
_AUTHOR_SUFFIX = re.compile(
    r"\s*(?:said|says|wrote|writes|sagt|sagte|schreibt|schrieb|meint|meinte|kommentierte|antwortete|написал[аи]?|"
    r"пишет|пише|написав|написала|replied|commented)\s*(?:[.:…]+)?\s*$",
    re.I,
)
_TRAILING_JOIN = re.compile(r"(?:\s+(?:on|at|am|um|le|el|il|в|о|в)|\s*[|·•—–\-,:@]+)\s*$", re.I)
_STRONG_DATE_TOKEN = re.compile(
    r"^(?:\d{1,2}:\d{2}(?::\d{2})?(?:[ap]m)?|\d{1,2}\.\d{1,2}\.?|\d{1,4}[./-]\d{1,2}[./-]\d{1,4}(?:t[\d:+z.-]*)?|(?:19|20)\d{2}"
    r"|\d{1,2}(?:st|nd|rd|th)|\d{1,2}[ap]m)$"
)
_DAY_TOKEN = re.compile(r"^\d{1,2}$")
_SEPARATOR_TOKENS = frozenset("| · • — – - / ~ * ||".split())
_CLOCK_WORDS = frozenset("am pm a.m. p.m. uhr г р года року h".split())
_WEEKDAYS = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun
    montag dienstag mittwoch donnerstag freitag samstag sonnabend sonntag mo di mi do fr sa so
    понеділок вівторок середа четвер пʼятниця п'ятниця субота неділя пн вт ср чт пт сб нд
    понедельник вторник среда четверг пятница суббота воскресенье вс""".split()
)
_BAD_AUTHORS = frozenset(
    """reply antworten permalink comment comments says said posted by report link quote share like
    at on am um in le el il de den the von від от в о на à a la par por""".split()
)
KEY_ID_RE = re.compile(r"(?i)^[a-z]{1,12}[-_]\d+$|^(?:(?:div-|li-)?comment[-_]?(?:item[-_]?)?|c|dsq-comment-|pc_|t1_|kmt-|post-|cmt[-_]?|reply-)?[-_]?[0-9a-z]*\d[0-9a-z_]*$")

_TEXT_NODES = ".//text()[normalize-space()]"


def own(item: Element, xpath: str, owner: Owner) -> list[Element]:
    """Matches of ``xpath`` below ``item`` that belong to it, not to a comment nested inside it."""
    if isinstance(owner, Ownership):
        return [e for e in owner.own(item, xpath) if is_element(e)]
    return [e for e in item.xpath(xpath) if is_element(e) and e is not item and owner(e) is item]


def clean_author(raw: str | None) -> str | None:
    if not raw:
        return None
    name = " ".join(raw.split())
    for _ in range(2):
        name = _AUTHOR_PREFIX.sub("", name)
        name = _AUTHOR_SUFFIX.sub("", name)
        name = _TRAILING_JOIN.sub("", name).strip(" :,-|")
    if not name or len(name) > 80 or name.lower() in _BAD_AUTHORS:
        return None
    return name


def author_from_header(header: str) -> str | None:
    """The author in a header line such as "Posted by: Ann | 3 May 2012" or "Ann — July 10th, 2012"."""
    for chunk in header_chunks(header):
        name = clean_author(chunk)
        if name and not re.fullmatch(r"[\W\d_]+", name):
            # A header line holding a sentence is not a name.
            return name if len(name.split()) <= 6 else None
    return None


def header_chunks(header: str) -> list[str]:
    """The runs of words in a header line that are neither date nor time nor separator."""
    tokens = header.split()
    words = [t.lower().strip(".,;:()[]@") for t in tokens]
    strong = [bool(_STRONG_DATE_TOKEN.match(w)) or w in _CLOCK_WORDS for w in words]
    datey = list(strong)
    changed = True
    while changed:  # month names, weekdays and bare day numbers count next to a surer date part
        changed = False
        for i, word in enumerate(words):
            near = datey[max(0, i - 1): i] + datey[i + 1: i + 2]
            if not datey[i] and any(near) and (word in _MONTHS or word in _WEEKDAYS or _DAY_TOKEN.match(word)):
                datey[i] = changed = True
    chunks: list[list[str]] = [[]]
    for token, is_date in zip(tokens, datey):
        if is_date or token in _SEPARATOR_TOKENS:
            chunks.append([])
        else:
            chunks[-1].append(token)
    return [" ".join(c) for c in chunks if c]


def find_author(item: Element, owner: Owner, xpaths: tuple[str, ...] = AUTHOR_XPATHS) -> tuple[str | None, Element | None]:
    for xp in xpaths:
        for el in own(item, xp, owner):
            if is_hidden(el, item):
                continue
            raw = el.get("content") or text_of(el) or (el.get("title") if el.tag == "a" else None)
            if raw and el.tag != "a" and len(raw.split()) > 3:
                # a name block that also holds a rank or fan count ("SUPER USER NICENESS 152 Fans"): its link
                link = next((t for a in el.iter("a") if 1 < len(t := text_of(a)) <= 40), None)
                raw = link or raw
            if raw and len(raw) > 80:
                continue
            if not raw:
                continue
            # Only a line that also holds a date is cut into parts ("Ann — 17.07.2011"); "Zach Even - Esh" stays whole.
            dated = find_date(raw) or any(_STRONG_DATE_TOKEN.match(t.strip(".,;:()")) for t in raw.lower().split())
            name = author_from_header(raw) if dated else clean_author(raw)
            if name:
                return name, el
    return None, None


def _date_from_attr(el: Element, ctx: Context) -> str | None:
    for attr in ("content", "datetime", "data-datetime", "data-date", "title"):
        value = el.get(attr)
        if value:
            parsed = parse_date(value, relative_to=ctx.fetched_at, languages=ctx.languages)
            if parsed:
                return parsed
    return None


def find_published(
    item: Element, owner: Owner, ctx: Context, xpaths: tuple[str, ...] = ()
) -> tuple[str | None, Element | None, str | None]:
    """(ISO date, the element it came from, the raw date text) for the comment element ``item``."""
    published, el, raw = _find_published(item, owner, ctx, xpaths)
    if raw and ctx.article_published and lacks_year(raw) and not _stamped(el):
        published = in_article_year(raw, ctx.article_published, ctx.languages) or published
    return published, el, raw


def _stamped(el: Element | None) -> bool:
    """The element carries a machine date (with its year) in an attribute."""
    return el is not None and any(
        re.search(r"(?:19|20)\d\d", el.get(a) or "") for a in ("content", "datetime", "data-datetime", "data-date", "title")
    )


def _find_published(
    item: Element, owner: Owner, ctx: Context, xpaths: tuple[str, ...] = ()
) -> tuple[str | None, Element | None, str | None]:
    for xp in xpaths + DATE_ATTR_XPATHS:
        for el in own(item, xp, owner):
            parsed = _date_from_attr(el, ctx)
            if parsed:
                return parsed, el, text_of(el) or None
            if xp in xpaths:
                raw = text_of(el)
                parsed = parse_date(raw, relative_to=ctx.fetched_at, languages=ctx.languages) if raw else None
                if parsed:
                    return parsed, el, raw
    for tier, xp in enumerate(DATE_TEXT_XPATHS):
        for el in own(item, xp, owner):
            title = el.get("title")
            if title:
                parsed = find_date(title, languages=ctx.languages)  # absolute dates in tooltips beat "2 hours ago"
                if parsed:
                    return parsed, el, text_of(el) or title
            raw = text_of(el)
            if not raw or len(raw) > 200:
                continue
            parsed = find_date(raw, relative_to=ctx.fetched_at, languages=ctx.languages)
            if parsed is None and tier == 0 and len(raw) <= 60:  # dateparser only where the class says date
                parsed = parse_date(raw, relative_to=ctx.fetched_at, languages=ctx.languages)
            if parsed:
                return parsed, el, raw
    # A bare date line between the author and the text: a short text node that is nearly all date.
    nodes = owner.own(item, _TEXT_NODES) if isinstance(owner, Ownership) else item.xpath(_TEXT_NODES)
    for node in nodes:
        parent = node.getparent()
        raw = " ".join(str(node).split())
        if parent is None or owner(parent) is not item or len(raw) > 40 or is_noise(parent):
            continue
        if not header_chunks(raw) or len(" ".join(header_chunks(raw))) <= 4:
            parsed = find_date(raw, relative_to=ctx.fetched_at, languages=ctx.languages)
            if parsed is None and ctx.article_published and lacks_year(raw):
                parsed = in_article_year(raw, ctx.article_published, ctx.languages)
            if parsed:
                return parsed, None, raw
    return None, None, None


def find_likes(item: Element, owner: Owner) -> int | None:
    for el in own(item, ".//*[@data-like-count or @data-likes or @data-score]", owner):
        value = el.get("data-like-count") or el.get("data-likes") or el.get("data-score") or ""
        if value.lstrip("-").isdigit():
            return int(value)
    for xp in LIKES_XPATHS:
        for el in own(item, xp, owner):
            m = _LIKES_RE.match(el.get("content") or text_of(el))
            if m:
                return int(m.group(1))
    for el in own(item, ".//*[not(*)]", owner):
        if el.text and len(el.text) < 30:
            m = _LIKES_IN_TEXT_RE.match(el.text)
            if m:
                return int(m.group(1))
    return None


def header_block(el: Element, item: Element) -> Element | None:
    """The line (a small block) around a date or author element, where the author usually sits too."""
    node = el
    while node is not None and node is not item:
        if node.tag in BLOCK_TAGS or node.tag in ("cite", "span") and node is not el and len(text_of(node)) > len(text_of(el)):
            if len(text_of(node)) <= 200:
                return node
            return None
        node = node.getparent()
    return None


def find_text(
    item: Element, owner: Owner, skip_extra: set[Element], xpaths: tuple[str, ...] = TEXT_XPATHS
) -> str:
    def skip(e: Element) -> bool:
        return e in skip_extra or is_noise(e) or (owner(e) is not item and e is not item and _is_item(e, owner))

    for xp in xpaths:
        for el in own(item, xp, owner):
            if is_hidden(el, item) or el in skip_extra:
                continue
            text = collect_text(el, skip)
            if text:
                return text

    def skip_residual(e: Element) -> bool:
        return skip(e) or e.tag in ("h1", "h2", "h3", "h4", "h5", "h6", "cite", "small")

    residual = collect_text(item, skip_residual)
    # Paragraphs hold the text when what lies outside them is only a header line or two.
    paragraphs = [
        collect_text(p, skip)
        for p in own(item, ".//p | .//blockquote | .//pre", owner)
        if not skip_residual(p) and not any(a in skip_extra or is_noise(a) for a in p.iterancestors() if a is not item and owner(a) is item)
        and not any(a.tag in ("p", "blockquote", "pre") and owner(a) is item for a in p.iterancestors() if a is not item)
    ]
    joined = "\n".join(t for t in paragraphs if t)
    if joined and len(residual) - len(joined) < 100:
        return joined
    return residual


def strip_header_lines(text: str, author: str | None, date_raw: str | None) -> str:
    """Drop first or last lines that only repeat the author or the date."""
    lines = text.split("\n")
    drop = {x.strip().lower() for x in (author, date_raw) if x}

    def is_header(line: str) -> bool:
        low = line.strip().lower()
        if low in drop or (author and low.rstrip(":") in (f"{author.lower()} says", f"{author.lower()} said")):
            return True
        return len(low) <= 40 and bool(find_date(low)) and len(" ".join(header_chunks(line))) <= 4

    while len(lines) > 1 and is_header(lines[0]):
        lines.pop(0)
    while len(lines) > 1 and is_header(lines[-1]):
        lines.pop()
    return "\n".join(lines)


def _is_item(el: Element, owner: Owner) -> bool:
    return owner(el) is el


def find_key(item: Element, owner: Owner) -> str | None:
    """The site's own id of the comment: on the element, an element inside it, or an anchor just before it."""
    candidates: list[str] = []
    for attr in ("id", "data-comment-id", "data-id", "data-commentid", "data-fullname", "data-cid"):
        value = item.get(attr)
        if value:
            candidates.append(value)
    for el in own(item, ".//*[@id or @name][position() < 4]", owner)[:6]:
        candidates.append(el.get("id") or el.get("name") or "")
    prev = item.getprevious()
    if prev is not None and prev.tag == "a" and (prev.get("id") or prev.get("name")):
        candidates.append(prev.get("id") or prev.get("name") or "")
    about = item.get("about")
    if about:
        candidates.append(about.rsplit("#", 1)[-1])
    for value in candidates:
        if value and KEY_ID_RE.match(value) and not re.fullmatch(r"(?i)(comments?|comment-?form|respond)", value):
            return value
    return None


def key_aliases(key: str) -> set[str]:
    """Forms under which other markup refers to a comment key (for reply-to links)."""
    aliases = {key}
    digits = re.findall(r"[0-9a-f]*\d[0-9a-f]*", key.split("_")[-1] if key.startswith("t1_") else key)
    if digits:
        aliases.add(max(digits, key=len))
    return aliases
