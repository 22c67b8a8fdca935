"""Cheap signs that a block is a reader comment (an author, a date, reply affordances) and dates without a year."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

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
_YEAR_RE = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)|(?<![\d.])\d{1,2}[./-]\d{1,2}[./-]\d{2}(?!\d)|'\d{2}(?!\d)")
_DATEY_RE = re.compile(f"{_MONTH_WORD}|(?<![\\d.])\\d{{1,2}}[./]\\d{{1,2}}\\.?(?![\\d.])", re.IGNORECASE)
_REPLY_WORDS = re.compile(
    r"(?i)^\s*(?:reply|antworten|répondre|responder|rispondi|reageer|beantwoorden|odpowiedz|responder|"
    r"permalink|link)\s*$"
)
# class words of reply/avatar affordances (group 1) and of name blocks (group 2)
_CLASS_SIGNS_RE = re.compile(r"(?i)(reply|permalink|avatar|gravatar|respond|userpic)|(author|name|user|nick|poster|commenter|\bfn\b)")
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


def signs(record: list[Element]) -> Signs:
    """The signs of a record (one element, or a header and a body) from one walk over its first elements."""
    found = Signs()
    text_parts: list[str] = []
    for root in record:
        for walked, el in enumerate(root.iter(etree.Element)):
            if walked >= MAX_WALK:
                break
            tag = el.tag
            if tag in ("script", "style", "noscript", "form", "textarea"):
                continue
            own = el.text or ""
            if tag == "a":
                link_text = " ".join("".join(el.itertext()).split())
                found.link_chars += len(link_text)
                if 1 < len(link_text) <= 40 and len(link_text.split()) <= 4:
                    found.named = True
                if _REPLY_WORDS.match(link_text):
                    found.affordance = True
            elif tag in ("b", "strong", "cite") and 1 < len(own.strip()) <= 40:
                found.named = True
            elif tag == "img":
                found.affordance = found.affordance or bool(
                    _AVATAR_RE.search(f"{el.get('class') or ''} {el.get('src') or ''}"))
            elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                found.headings += 1
            elif tag == "time" or el.get("datetime"):
                found.dated = True
            words = el.get("class")
            if words and not (found.affordance and found.named):
                for m in _CLASS_SIGNS_RE.finditer(words):
                    if m.group(1):
                        found.affordance = True
                    elif not found.named and 1 < len("".join(el.itertext()).strip()) <= 40:
                        found.named = True
            text_parts.append(own)
            if el is not root:
                text_parts.append(el.tail or "")
    if len(record) == 2 and not found.named:  # a short head beside the text block: a name (and date) line
        head = " ".join(" ".join(record[0].itertext()).split())
        found.named = 1 < len(head) <= 80
    text = " ".join(" ".join(text_parts).split())
    found.chars = len(text)
    found.words = text.count(" ") + 1 if text else 0
    probe = text if len(text) <= 500 else f"{text[:300]} {text[-200:]}"
    found.dated = found.dated or bool(DATE_HINT_RE.search(probe))
    found.bylined = bool(BYLINE_RE.search(probe))
    return found


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
