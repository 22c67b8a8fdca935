"""Cheap signs that a block is a reader comment (an author, a date, reply affordances) and dates without a year."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from itertools import islice

from lxml import etree

from monitor.extract.comments.html import Element
from monitor.extract.dates import MONTHS, find_date

# "Posted by X on DATE", "X says:", "X schrieb am …" in en, de, fr, es, it, nl, pt, pl (and the ones fields.py knows).
BYLINE_RE = re.compile(
    r"(?i)(?:^|\W)(?:posted|written|submitted|commented|geschrieben|verfasst|gepostet|publié|posté|écrit|publicado|"
    r"escrito|pubblicato|scritto|geplaatst|geschreven|opublikowane|dodane|napisane|postado|enviado)?\s*"
    r"(?:by|von|par|por|da|di|door|przez|от|від)\s*:?\s+\S"
    r"|\S\s+(?:says|said|wrote|writes|replied|sagt|sagte|schreibt|schrieb|meint|dit|a écrit|écrit|dice|escribió|"
    r"escreveu|diz|disse|scrive|ha scritto|scrisse|zegt|schreef|schrijft|napisał|napisała|pisze|odpowiada)\s*[:.,…]*(?:\s|$)"
)
# A date-like run: a month name, a numeric date, a clock time, an ISO stamp or a relative date.
_NUMERIC_DATE = r"\d{1,4}[./-]\d{1,2}[./-]\d{2,4}|\d{1,2}\.\s?\d{1,2}\.|\d{1,2}:\d{2}|\d{1,2}h\d{2}|\d{4}-\d{2}-\d{2}"
_MONTH_WORD = r"(?<!\w)(?:" + "|".join(sorted(map(re.escape, MONTHS), key=len, reverse=True)) + r")\.?(?!\w)"
_RELATIVE = (
    r"(?<!\w)(?:ago|vor|il y a|hace|fa|geleden|temu|atrás|yesterday|today|gestern|heute|hier|aujourd'hui|ayer|hoy|"
    r"ieri|oggi|gisteren|vandaag|wczoraj|dzisiaj|ontem|hoje)(?!\w)"
)
DATE_HINT_RE = re.compile(f"{_NUMERIC_DATE}|{_MONTH_WORD}|{_RELATIVE}", re.IGNORECASE)
_RELATIVE_RE = re.compile(_RELATIVE, re.IGNORECASE)
# The same tests as DATE_HINT_RE and BYLINE_RE, by the words of a text: a regex of 170 month names and one
# of optional verbs before "by" try every position of every candidate record; a set lookup per word does not.
_WORD_RE = re.compile(r"\w+")
_NUMERIC_DATE_RE = re.compile(_NUMERIC_DATE)
_DATE_WORDS = frozenset(m.lower() for m in MONTHS) | frozenset(
    "ago vor hace fa geleden temu atrás yesterday today gestern heute hier ayer hoy ieri oggi gisteren vandaag "
    "wczoraj dzisiaj ontem hoje".split())
_PHRASE_WORDS = frozenset({"il", "aujourd"})  # "il y a", "aujourd'hui": left to the regex
_BYLINE_WORDS = frozenset(
    "by von par por da di door przez от від postedby writtenby submittedby says said wrote writes replied sagt sagte "
    "schreibt schrieb meint dit écrit dice escribió escreveu diz disse scrive scritto scrisse zegt schreef schrijft "
    "napisał napisała pisze odpowiada".split())
_YEAR_RE = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)|(?<![\d.])\d{1,2}[./-]\d{1,2}[./-]\d{2}(?!\d)|'\d{2}(?!\d)")
_DATEY_RE = re.compile(f"{_MONTH_WORD}|(?<![\\d.])\\d{{1,2}}[./]\\d{{1,2}}\\.?(?![\\d.])", re.IGNORECASE)
_REPLY_WORDS = re.compile(
    r"(?i)^\s*(?:reply|antworten|répondre|responder|rispondi|reageer|beantwoorden|odpowiedz|responder|"
    r"permalink|link)\s*$"
)
_AVATAR_RE = re.compile(r"(?i)avatar|gravatar|userpic|profile")


@dataclass
class Signs:
    """What one candidate record shows, found in one walk over it."""

    chars: int = 0  # visible text
    link_chars: int = 0  # of which inside links
    dated: bool = False
    bylined: bool = False  # a "by X" / "X says" line
    named: bool = False  # a short link or a short bold/cite name
    affordance: bool = False  # avatar, reply or permalink
    headings: int = 0
    words: int = 0


MAX_WALK = 300  # elements looked at per record: a record holding a whole nested thread shows its signs early
_SKIPPED = frozenset({"script", "style", "noscript", "form", "textarea"})
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# searched in lower-cased text (a case-insensitive search costs several times more, and these run per element)
_AFFORDANCE_CLASS_RE = re.compile(r"reply|permalink|avatar|respond|userpic")
_NAME_CLASS_RE = re.compile(r"author|name|user|nick|poster|commenter|\bfn\b")
_AFFORDANCE_ATTR_RE = re.compile(r"avatar|userpic|profile")


@lru_cache(maxsize=8192)
def affording_class(words: str) -> bool:
    """A class attribute naming a reply, permalink or avatar affordance: cached, pages repeat them."""
    return bool(_AFFORDANCE_CLASS_RE.search(words.lower()))


def affords(el: Element) -> bool:
    """``el`` is a reply, permalink or avatar affordance: by its class, a link's short text, an image's source."""
    words = el.get("class")
    if words and affording_class(words):
        return True
    if el.tag == "a":
        link_text = el.text or ""
        if not link_text.strip() and len(el) <= 3:
            link_text = "".join(el.itertext())
        return len(link_text) < 30 and bool(_REPLY_WORDS.match(link_text))
    if el.tag == "img":
        return bool(_AFFORDANCE_ATTR_RE.search(f"{words or ''} {el.get('src') or ''}".lower()))
    return False


AFFORDING_TAGS = frozenset({"a", "img"})  # tags whose affordance is more than a class word


def mark_affordances(candidates: list[Element], marked: set[Element]) -> None:
    """Add each of ``candidates`` that affords() and its ancestors to ``marked``: over every element of a page
    with AFFORDING_TAGS or an affording_class(), ``marked`` ends up holding every element with an affordance
    in it or below it (what signs() calls an affordance, and more: the whole subtree, not its first MAX_WALK
    elements)."""
    for el in candidates:
        if not affords(el):
            continue
        node: Element | None = el
        while node is not None and node not in marked:
            marked.add(node)
            node = node.getparent()


def signs(record: list[Element]) -> Signs:
    """The signs of a record (one element, or a header and a body) from one walk over its first elements.

    Class words are searched once per record, joined, not once per element: this runs on every candidate."""
    found = Signs()
    text_parts: list[str] = []
    classed: list[tuple[Element, str]] = []
    for root in record:
        for el in islice(root.iter(etree.Element), MAX_WALK):
            tag = el.tag
            if tag in _SKIPPED:
                continue
            own = el.text or ""
            if tag == "a":
                # a link without children (most) is its text: no itertext() generator
                link_text = " ".join((own if not len(el) else "".join(el.itertext())).split())
                found.link_chars += len(link_text)
                if 1 < len(link_text) <= 40 and link_text.count(" ") < 4:
                    found.named = True
                if len(link_text) < 20 and _REPLY_WORDS.match(link_text):
                    found.affordance = True
            elif tag in ("b", "strong", "cite"):
                if 1 < len(own.strip()) <= 40:
                    found.named = True
            elif tag == "img":
                found.affordance = found.affordance or bool(
                    _AVATAR_RE.search(f"{el.get('class') or ''} {el.get('src') or ''}"))
            elif tag in _HEADING_TAGS:
                found.headings += 1
            elif tag == "time" or el.get("datetime"):
                found.dated = True
            words = el.get("class")
            if words:
                classed.append((el, words))
            text_parts.append(own)
            if el is not root:
                text_parts.append(el.tail or "")
    if classed and not found.affordance:
        found.affordance = bool(_AFFORDANCE_CLASS_RE.search(" ".join(w for _, w in classed).lower()))
    if classed and not found.named:
        found.named = any(_NAME_CLASS_RE.search(w.lower()) and 1 < len("".join(el.itertext()).strip()) <= 40 for el, w in classed)
    if len(record) == 2 and not found.named:  # a short head beside the text block: a name (and date) line
        head = " ".join(" ".join(record[0].itertext()).split())
        found.named = 1 < len(head) <= 80
    text = " ".join(" ".join(text_parts).split())
    found.chars = len(text)
    found.words = text.count(" ") + 1 if text else 0
    probe = text if len(text) <= 500 else f"{text[:300]} {text[-200:]}"
    words_seen = set(_WORD_RE.findall(probe.lower()))
    found.dated = found.dated or date_hint(probe, words_seen)
    found.bylined = not words_seen.isdisjoint(_BYLINE_WORDS) and bool(BYLINE_RE.search(probe))
    return found


def date_hint(text: str, words: set[str]) -> bool:
    """DATE_HINT_RE.search(text), ``words`` being the lower-cased words of ``text``."""
    if not words.isdisjoint(_DATE_WORDS) or _NUMERIC_DATE_RE.search(text):
        return True
    return not words.isdisjoint(_PHRASE_WORDS) and bool(_RELATIVE_RE.search(text))


def lacks_year(raw: str) -> bool:
    """A date text that names a day but no year ("Tuesday July 24, @11:35AM", "24.7."), and is not relative."""
    return bool(_DATEY_RE.search(raw)) and not _YEAR_RE.search(raw) and not _RELATIVE_RE.search(raw)


def in_article_year(raw: str, article_published: str | None, languages: list[str] | None) -> str | None:
    """A year-less comment date in the article's year, or the next one where that would predate the article
    (a comment cannot be older than what it answers)."""
    if not article_published:
        return None
    try:
        day = date.fromisoformat(article_published[:10])
    except ValueError:
        return None
    parsed = find_date(raw, relative_to=datetime(day.year, 12, 31, 23, 59), languages=languages)
    if not parsed or not parsed.startswith(str(day.year)):
        return None
    if parsed[:10] < day.isoformat():
        moved = f"{day.year + 1}{parsed[4:]}"
        try:
            date.fromisoformat(moved[:10])
        except ValueError:
            return parsed
        return moved
    return parsed
