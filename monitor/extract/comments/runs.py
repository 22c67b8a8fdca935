"""Comments that are runs of sibling elements (paragraphs and a "Posted by: X | DATE" line), not one element each."""
from __future__ import annotations

from monitor.extract.comments.engine import author_from_byline
from monitor.extract.comments.evidence import DATE_HINT_RE, in_article_year, lacks_year
from monitor.extract.comments.fields import (
    KEY_ID_RE,
    author_from_header,
    find_author,
    find_published,
)
from monitor.extract.comments.html import Element, collect_text, is_noise, text_of, tidy
from monitor.extract.comments.model import Context, RawComment
from monitor.extract.comments.ownership import Ownership
from monitor.extract.dates import parse_date

MAX_LINE = 200  # chars of the line that holds author and date


def read_runs(records: list[list[Element]], ctx: Context) -> list[RawComment]:
    """One comment per run: the short dated line gives author and date, the rest the text, an anchor its id."""
    comments: list[RawComment] = []
    used: set[str] = set()
    for position, run in enumerate(records, start=1):
        line = _meta_line(run)
        author = published = None
        if line is not None:
            owner = Ownership([line])
            published, _, raw = find_published(line, owner, ctx)
            if published is None:
                raw = text_of(line)
                published = parse_date(raw, relative_to=ctx.fetched_at, languages=ctx.languages)
                if ctx.article_published and lacks_year(raw):
                    published = in_article_year(raw, ctx.article_published, ctx.languages) or published
            author = find_author(line, owner)[0] or author_from_byline(line, owner) or author_from_header(text_of(line))
        text = tidy("\n".join(collect_text(el, is_noise) if el.tag != "a" else (el.tail or "")
                              for el in run if el is not line and not is_noise(el)))
        if not text:
            continue
        key = next((el.get("id") or el.get("name") or "" for el in run
                    if KEY_ID_RE.match(el.get("id") or el.get("name") or "")), "") or f"pos-{position}"
        if key in used:
            key = f"{key}~{position}"
        used.add(key)
        comments.append(RawComment(key=key, parent_key=None, author=author, published=published, text=text, depth=1))
    return comments


def _meta_line(run: list[Element]) -> Element | None:
    """The last short element of the run that shows a date: where author and date stand."""
    for el in reversed(run):
        raw = text_of(el)
        if raw and len(raw) <= MAX_LINE and DATE_HINT_RE.search(raw):
            return el
    return None
