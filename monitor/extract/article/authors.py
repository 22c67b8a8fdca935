"""Author bylines → clean person or organisation names ("By A and B, 3 May 2024" → ["A", "B"])."""
from __future__ import annotations

import re
from collections.abc import Iterable

# "By", "Von", "Por", "Par", "Door", "Di", "Av", "Przez", "Autor:" … at the start of a byline.
_PREFIX = re.compile(
    r"^\s*(?:(?i:written\s+by|posted\s+by|published\s+by|reported\s+by|text|texto|autor(?:in)?|author|auteur|bron|"
    r"by|von|por|par|door|przez|napisał|автор|від)|di|da|de|av|af|od)\s*[:\-–—]?\s+",
)
# Separators between several names; "," only splits when each side looks like a full name.
_SPLIT = re.compile(
    r"\s*(?:(?i:\band\b|\bund\b)|\bet\b|\by\b|\be\b|\bi\b|\bog\b|\ben\b|\boch\b|\bі\b|\bи\b|"
    r"&|\||;|/|\n|·|•)\s*",
)
_DATE_TAIL = re.compile(
    r"[\s,|–—-](?:(?i:updated|published|aktualisiert|veröffentlicht|stand)\b"
    r"|(?:on|am|le|el|il)\s+(?:\d|\w+\.?\s+\d)|\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\d{1,2}:\d{2}).*$",
)
_NOISE = re.compile(r"https?://\S+|\S+@\S+\.\w+|\(.*?\)|\[.*?\]", re.IGNORECASE)
_HANDLE = re.compile(r"^@\w+$")
# Generic words that are never a byline by themselves.
_NOT_NAMES = frozenset(
    {"admin", "administrator", "redaktion", "editor", "editors", "staff", "author", "autor", "unknown",
     "guest", "user", "anonymous", "none", "null", "webmaster", "team", "newsroom", "desk"}
)
_MAX_NAME_LENGTH = 80


def clean_authors(values: Iterable[str | None]) -> list[str]:
    """Names from raw author strings: prefixes, dates, links and roles dropped, several names split, duplicates gone."""
    names: dict[str, str] = {}
    for value in values:
        if not value:
            continue
        for name in _split(value):
            key = name.casefold()
            if key not in names:
                names[key] = name
    return list(names.values())


def _split(value: str) -> list[str]:
    text = " ".join(value.split())
    if text.lower().startswith(("http://", "https://", "www.")):
        return []
    text = _NOISE.sub(" ", text)
    text = _PREFIX.sub("", text)
    text = _DATE_TAIL.sub("", text)
    parts = _SPLIT.split(text)
    out: list[str] = []
    for part in parts:
        out.extend(_split_commas(part))
    return [name for name in (_tidy(part) for part in out) if name]


def _split_commas(part: str) -> list[str]:
    pieces = [p.strip() for p in part.split(",") if p.strip()]
    if len(pieces) < 2:
        return pieces
    # "Smith, John" is one inverted name; "Jane Doe, John Roe" are two people; "Jane Doe, Reuters" a name and an agency
    if len(pieces) == 2 and all(" " not in p for p in pieces):
        return [f"{pieces[1]} {pieces[0]}"]
    return pieces


def _tidy(name: str) -> str | None:
    name = _PREFIX.sub("", name).strip(" .,:;-–—|\"'“”")
    name = " ".join(name.split())
    if not name or len(name) > _MAX_NAME_LENGTH or _HANDLE.match(name):
        return None
    if name.casefold() in _NOT_NAMES or not any(ch.isalpha() for ch in name):
        return None
    if len(name.split()) > 6:
        return None
    return name
