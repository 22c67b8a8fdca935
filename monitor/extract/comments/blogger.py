"""Blogger comments: classic (dl#comments-block dt/dd) and threaded (li.comment with comment-replies)."""
from __future__ import annotations

from monitor.extract.comments.engine import Spec, read_items
from monitor.extract.comments.fields import clean_author
from monitor.extract.comments.html import (
    Element,
    class_xpath,
    collect_text,
    is_noise,
    text_of,
)
from monitor.extract.comments.model import Context, RawComment
from monitor.extract.dates import parse_date

SPECS = (
    Spec(
        name="blogger-threaded",
        items=f"//li[{class_xpath('comment')}][*[{class_xpath('comment-block')}]]",
        markers=("comment-block",),
    ),
)


def classic(tree: Element, ctx: Context) -> list[RawComment]:
    """The classic layout: author in dt, text in the dd after it, date in the comment-footer dd."""
    comments: list[RawComment] = []
    for position, dt in enumerate(tree.xpath("//dl[@id='comments-block']/dt"), start=1):
        body = dt.getnext()
        if body is None or body.tag != "dd":
            continue
        footer = body.getnext()
        author = clean_author(collect_text(dt, lambda e: is_noise(e) or "comm-num" in (e.get("class") or "")))
        text = collect_text(body, is_noise)
        published = None
        if footer is not None and footer.tag == "dd":
            stamp = footer.xpath(f".//*[{class_xpath('comment-timestamp')}]") or [footer]
            published = parse_date(text_of(stamp[0]), relative_to=ctx.fetched_at, languages=ctx.languages)
        key = dt.get("id") or next(iter(dt.xpath("./a/@name")), None) or f"pos-{position}"
        if text:
            comments.append(RawComment(key=key, parent_key=None, author=author, published=published, text=text, depth=1))
    return comments


def threaded(tree: Element, ctx: Context) -> list[RawComment]:
    items = tree.xpath(SPECS[0].items)
    return read_items(items, ctx, SPECS[0]) if items else []
