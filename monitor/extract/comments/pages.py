"""Paginated comments: the links to an article's other comment pages, and those pages' order."""
from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urldefrag, urljoin, urlsplit

from lxml.html import HtmlElement

from monitor.extract.comments.html import classes, text_of
from monitor.extract.markers import ascii_spelled
from monitor.extract.page import as_tree, elements

__all__ = ["comment_page_urls", "may_link_comment_pages", "page_number", "order_pages"]

# URL shapes that only comment pagination uses: WordPress (/comment-page-2/, ?cpage=2), Blogger (?commentPage=2).
_PAGE_IN_URL = re.compile(
    r"/comment-page-(\d+)/?|[?&](?:cpage|commentPage|comment_page|comments_page|comments-page|commentspage)=(\d+)",
    re.I,
)
# Any page number, for ordering pages found by their "older/newer" links.
_ANY_NUMBER = re.compile(r"(?:/comment-page-|[?&][\w-]*page=|/page/|[?&]p=)(\d+)", re.I)
_AREA_IDS = frozenset("comments disqus_thread dsq-content comments-block comment-holder discussion respond-area".split())
_AREA_WORDS = ("comment", "disqus", "dsq-")
_NAV_WORDS = frozenset(
    """comment-navigation comments-navigation comment-nav comments-nav navigation nav-links nav-previous nav-next
    pagination comments-pagination comment-pagination page-numbers paging-control paging-control-container
    comment-pager pager wp-pagenavi""".split()
)
_MORE_WORDS = ("load-more", "loadmore", "more-comments", "show-more", "showmore", "older-comments", "newer-comments",
               "comments-more", "next-comments", "prev-comments")
# What a page must hold for comment_page_urls to find a link, looked for in its raw markup (ASCII words, so in
# any ASCII-compatible encoding): a comment-page URL shape (_PAGE_IN_URL), or a word an id or class of a comment
# area holds (_in_comment_area). A superset: the walk over the links decides.
_URL_MARKS = ("comment-page-", "cpage=", "commentpage=", "comment_page=", "comments_page=", "comments-page=",
              "commentspage=")
_AREA_MARKS = ("comment", "disqus", "dsq-", "discussion", "respond-area")
# "comment" first: most pages that hold any mark hold it, and the search stops there.
_MARKS = (b"comment", b"cpage=", b"disqus", b"dsq-", b"discussion", b"respond-area")  # the above, shortest forms
_MORE_TEXT = re.compile(
    r"^\W*(?:(?:older|newer|previous|next|more|earlier|later)\s+comments?|load\s+more(?:\s+comments?)?"
    r"|show\s+more\s+comments?|ältere\s+kommentare|neuere\s+kommentare|weitere\s+kommentare"
    r"|старіші\s+коментарі|новіші\s+коментарі|більше\s+коментарів|старые\s+комментарии|новые\s+комментарии"
    r"|ещё\s+комментарии|еще\s+комментарии|показать\s+ещё)\W*$",
    re.I,
)
_MORE_HINTS = ("comment", "load", "kommentare", "коментар", "комментари", "показать")


def may_link_comment_pages(body: bytes) -> bool:
    """False when ``body`` cannot link to another comment page (comment_page_urls would find none): then the
    page need not be parsed for it. Pages in UTF-16 or UTF-32 are always parsed."""
    if not ascii_spelled(body):
        return True
    low = body.lower()
    return any(mark in low for mark in _MARKS)


def comment_page_urls(page: str | bytes | HtmlElement, url: str) -> list[str]:
    """URLs of the article's other comment pages linked from ``page`` (served at ``url``), in page order.

    Found by URL shape anywhere (``/comment-page-N/``, ``?cpage=N`` on this article), and inside the comment
    area by the navigation around it: WordPress ``.comment-navigation`` / ``.navigation`` links, ``rel=next/prev``,
    and "older/newer comments" or "load more" links that have a real URL.
    """
    tree = as_tree(page)
    here, _ = urldefrag(url)
    base = _article_base(here)
    host = urlsplit(here).netloc.lower()
    found: list[str] = []
    # On a comment page a relative href takes the page's own comment-page part: every link is a candidate there.
    every = any(m in here.lower() for m in _URL_MARKS)
    nav = _Navigation()
    for a in tree.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")) or "replytocom=" in href:
            continue
        # Without a comment-page shape in the href its target has none either (the article URL has none): only
        # pagination inside the comment area is wanted, tested before any URL is joined.
        if not every and not _has_url_mark(href) and not nav.wanted(a):
            continue
        try:
            target, _ = urldefrag(urljoin(here, href))
            target_host = urlsplit(target).netloc.lower()
        except ValueError:  # scraped hrefs are hostile: "http://[broken/" is not a URL, the page goes on
            continue
        if target_host != host or target == here or _article_base(target) == target == base:
            continue
        if _PAGE_IN_URL.search(target):
            wanted = _article_base(target) == base
        else:
            wanted = nav.in_area(a) and _is_pagination(a)
        if wanted and target not in found:
            found.append(target)
    return found


def _has_url_mark(href: str) -> bool:
    low = href.lower()
    # Every mark holds "page": one search rejects most hrefs.
    return "page" in low and any(mark in low for mark in _URL_MARKS)


def page_number(url: str) -> int | None:
    """The comment page number a URL names, if it names one."""
    match = _PAGE_IN_URL.search(url) or _ANY_NUMBER.search(url)
    if not match:
        return None
    return int(next(g for g in match.groups() if g is not None))


def order_pages(url: str, page: str | bytes | HtmlElement, others: Sequence[str]) -> list[int]:
    """Indexes into ``[url, *others]`` in comment-page order (page 1 first).

    The article page names no number: it is the page its comment navigation marks as current, else page 1
    when the others go forward (2, 3, ...), else the first number missing below them: WordPress' "newest page
    first" shows the last page at the article URL and links back to older ones.
    """
    numbers = [page_number(u) for u in others]
    known = {n for n in numbers if n is not None}
    current = _current_number(page)
    if current is None:
        current = 1 if 1 not in known else next(n for n in range(1, len(known) + 2) if n not in known)
    keyed = [(current, 0)] + [
        (n if n is not None else current + i + 1, i + 1) for i, n in enumerate(numbers)
    ]
    return [index for _, index in sorted(keyed)]


def _current_number(page: str | bytes | HtmlElement) -> int | None:
    for el in elements(as_tree(page), "//*[@aria-current='page' or contains(concat(' ', normalize-space(@class), ' '), ' current ')]"):
        if el.tag != "a" and _in_comment_area(el) and text_of(el).isdigit():
            return int(text_of(el))
    return None


def _article_base(url: str) -> str:
    """The URL without its comment-page part: the same for every comment page of one article."""
    base = _PAGE_IN_URL.sub(lambda m: "/" if m.group(0).startswith("/") else m.group(0)[0], url)
    return base.rstrip("?&").replace("?&", "?")


def _in_comment_area(el: HtmlElement) -> bool:
    return any(_is_area(node) for node in (el, *el.iterancestors()))


class _Navigation:
    """_is_pagination and _in_comment_area for the links of one page, each element's own test made once: links
    share their navigation blocks and ancestors, which the plain functions look at again for every link."""

    def __init__(self) -> None:
        self._area: dict[HtmlElement, bool] = {}  # the element or an ancestor is a comment area
        self._nav: dict[HtmlElement, bool] = {}  # the element's classes name a navigation or "more" block

    def wanted(self, a: HtmlElement) -> bool:
        return self.in_area(a) and self.pagination(a)

    def in_area(self, el: HtmlElement) -> bool:
        known = self._area
        todo: list[HtmlElement] = []
        node: HtmlElement | None = el
        answer = False
        while node is not None:
            answer_here = known.get(node)
            if answer_here is not None:
                answer = answer_here
                break
            if _is_area(node):
                answer = known[node] = True
                break
            todo.append(node)
            node = node.getparent()
        for seen in todo:
            known[seen] = answer
        return answer

    def pagination(self, a: HtmlElement) -> bool:
        rel = (a.get("rel") or "").lower().split()
        if "next" in rel or "prev" in rel or "previous" in rel:
            return True
        node: HtmlElement | None = a
        for _ in range(4):
            if node is None:
                break
            known = self._nav.get(node)
            if known is None:
                words = classes(node)
                known = self._nav[node] = bool(_NAV_WORDS.intersection(words)) or any(
                    w.startswith(_MORE_WORDS) for w in words)
            if known:
                return True
            node = node.getparent()
        # Every _MORE_TEXT phrase holds one of these words; the whole text (scripts left out) is read only then.
        rough = (a.text_content() or "").lower()
        return any(w in rough for w in _MORE_HINTS) and bool(_MORE_TEXT.match(text_of(a)))


def _is_area(node: HtmlElement) -> bool:
    ident = node.get("id")
    if ident:
        ident = ident.lower()
        if ident in _AREA_IDS or ident.startswith(("comments", "comment-nav", "dsq-")):
            return True
    value = node.get("class")
    if not value:
        return False
    # A class word that starts with an _AREA_WORDS word or ends with "-comments" holds one: most classes are
    # rejected unsplit.
    low = value.lower()
    if "comment" not in low and "disqus" not in low and "dsq-" not in low:
        return False
    words = classes(node)
    return any(w.startswith(_AREA_WORDS) or w.endswith(("-comments", "_comments")) for w in words) and not (
        "comment-respond" in words or "comment-form" in words)


def _is_pagination(a: HtmlElement) -> bool:
    rel = (a.get("rel") or "").lower().split()
    if "next" in rel or "prev" in rel or "previous" in rel:
        return True
    node: HtmlElement | None = a
    for _ in range(4):  # the link itself or the navigation block just around it
        if node is None:
            break
        words = classes(node)
        if _NAV_WORDS.intersection(words) or any(w.startswith(_MORE_WORDS) for w in words):
            return True
        node = node.getparent()
    return bool(_MORE_TEXT.match(text_of(a)))
