"""How scraped data is shown in HTML: the Jinja2 environment (autoescape on), highlights, safe links, thread trees."""
from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from monitor.documents import utc_iso

TEMPLATES_DIR = Path(__file__).parent / "templates"
HIGHLIGHT = re.compile(r"«([^«»]*)»")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_NESTING = 8  # reply groups nested on the article page; deeper replies are listed flat in the deepest


def highlight(snippet: str | None) -> Markup:
    """A snippet whose «matched words» become <mark>: every piece is escaped first, then wrapped."""
    text = _CONTROL.sub(" ", snippet or "")
    out: list[str] = []
    position = 0
    for match in HIGHLIGHT.finditer(text):
        out.append(str(escape(text[position:match.start()])))
        out.append(f"<mark>{escape(match.group(1))}</mark>")
        position = match.end()
    out.append(str(escape(text[position:])))
    return Markup("".join(out))


def http_url(url: Any) -> str | None:
    """The URL when it is http(s) with a host; anything else (javascript:, data:, relative) is not a link."""
    if not isinstance(url, str):
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def paragraphs(text: str | None) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n|\n", text or "") if p.strip()]


def short_date(value: str | None) -> str:
    """``2026-11-24T09:30:00+00:00`` → ``24 Nov 2026, 09:30``; a bare date → ``24 Nov 2026``; not a date: as is."""
    if not value:
        return ""
    text = str(value).strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if len(text) <= 10:
        return moment.strftime("%-d %b %Y")
    return moment.strftime("%-d %b %Y, %H:%M")


def timestamp(value: str | None) -> Markup:
    """A ``<time>`` showing the readable date, with the full stamp in its datetime and on hover (title)."""
    if not value:
        return Markup("")
    full = escape(str(value).strip())
    return Markup(f'<time datetime="{full}" title="{full}">{escape(short_date(value))}</time>')


@dataclass(frozen=True)
class Pager:
    """Numbered result pages around the current one: ``numbers`` holds None where a gap is shown as …"""

    page: int
    last: int
    numbers: list[int | None]


def pager(page: int, total: int, size: int, max_page: int, *, around: int = 2) -> Pager | None:
    """None when everything fits on one page."""
    last = min(max(1, -(-total // size)), max_page)
    if last <= 1 and page <= 1:
        return None
    wanted = sorted({1, last, *range(max(1, page - around), min(last, page + around) + 1)})
    numbers: list[int | None] = []
    for number in wanted:
        previous = numbers[-1] if numbers else None
        if previous is not None and number - previous == 2:
            numbers.append(previous + 1)  # one hidden page: show it rather than a gap
        elif previous is not None and number - previous > 2:
            numbers.append(None)
        numbers.append(number)
    return Pager(page=page, last=last, numbers=numbers)


def query_string(params: dict[str, Any], **changes: Any) -> str:
    """The current search's parameters with some changed (None removes one); list values repeat the key."""
    merged = {**params, **changes}
    pairs: list[tuple[str, str]] = []
    for key, value in merged.items():
        if value is None or value == "" or value == []:
            continue
        for item in value if isinstance(value, (list, tuple)) else [value]:
            pairs.append((key, str(item)))
    return "?" + urlencode(pairs) if pairs else "?"


@dataclass
class ThreadRow:
    """One comment of a thread as the article page shows it, in page order (see ``thread_rows``)."""

    comment: dict[str, Any]
    replies: int = 0  # > 0: the comment opens a reply group holding this many comments
    closes: int = 0  # reply groups that end after this comment
    answers: dict[str, Any] | None = None  # the comment it replies to, when shown flattened below it


def thread_rows(comments: Iterable[dict[str, Any]], *, max_nesting: int = MAX_NESTING) -> list[ThreadRow]:
    """Comments (page order) as a flat list that the template nests by opening and closing reply groups.

    Replies nest under their parent up to ``max_nesting`` groups deep; deeper replies are listed flat in the
    deepest group, each naming the comment it answers. A thread hundreds of replies deep (a comments API can
    hand one over) so stays valid markup that browsers nest as written, and nothing here recurses. A reply
    whose parent is unknown (or comes later on the page) is shown at the top.
    """
    items = list(comments)
    children: list[list[int]] = [[] for _ in items]
    roots: list[int] = []
    seen: dict[str, int] = {}
    for position, comment in enumerate(items):
        parent = seen.get(comment.get("parent_id") or "")
        (children[parent] if parent is not None else roots).append(position)
        seen.setdefault(str(comment.get("id")), position)
    # Depth-first in page order; each entry: (comment, its depth in the thread, the comment it answers).
    order: list[tuple[int, int, int | None]] = []
    stack: list[tuple[int, int, int | None]] = [(r, 1, None) for r in reversed(roots)]
    while stack:
        position, depth, parent = stack.pop()
        order.append((position, depth, parent))
        stack.extend((child, depth + 1, position) for child in reversed(children[position]))
    below = [0] * len(items)  # how many comments each one's replies hold, all the way down
    for position, _, parent in reversed(order):
        if parent is not None:
            below[parent] += 1 + below[position]
    rows: list[ThreadRow] = []
    groups = [min(depth - 1, max_nesting) for _, depth, _ in order]  # reply groups around each comment
    for n, (position, depth, parent) in enumerate(order):
        opens = bool(children[position]) and depth <= max_nesting
        after = groups[n + 1] if n + 1 < len(order) else 0
        rows.append(ThreadRow(items[position], replies=below[position] if opens else 0,
                              closes=0 if opens else groups[n] - after,
                              answers=items[parent] if parent is not None and depth > max_nesting + 1 else None))
    return rows


def by_date(comments: Iterable[dict[str, Any]], *, newest: bool) -> list[ThreadRow]:
    """Comments flat in date order (each naming the comment it answers); undated ones last, in page order."""
    items = list(comments)
    known = {str(c.get("id")): c for c in items}
    dated = [(stamp, c) for c in items if (stamp := utc_iso(c.get("published")))]
    dated.sort(key=lambda pair: pair[0], reverse=newest)
    undated = [c for c in items if not utc_iso(c.get("published"))]
    return [ThreadRow(c, answers=known.get(c.get("parent_id") or "")) for c in [*(c for _, c in dated), *undated]]


def build_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,  # every template, whatever its name: scraped text is hostile
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(highlight=highlight, http_url=http_url, paragraphs=paragraphs, short_date=short_date,
                       timestamp=timestamp,
                       tojson_attr=lambda value: json.dumps(value, ensure_ascii=False))
    env.globals.update(query_string=query_string)
    return env
