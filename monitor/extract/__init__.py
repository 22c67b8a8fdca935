"""Page → article + comment thread: parses the page once, runs the article and comment extractors, links the thread."""
from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urldefrag

from lxml.html import HtmlElement

from monitor.errors import ExtractionError
from monitor.extract.article import article_fields
from monitor.extract.article.overrides import apply_article_selectors
from monitor.extract.comments import RawComment, extract_comments
from monitor.extract.comments.leads import CommentLeads, find_leads
from monitor.extract.comments.merge import prefer
from monitor.extract.comments.platforms import PlatformThread, comments_expected, detect_platform, platform_comments
from monitor.extract.comments.thread import comment_thread
from monitor.extract.options import ExtractionOptions
from monitor.extract.page import ParsedPage, decode_html, parse_page
from monitor.items import ArticleItem, Comment, CommentPayload, PageItem
from monitor.timestamps import parse_timestamp
from monitor.urls import article_id, canonicalize_url, comment_id

__all__ = ["CommentLeads", "ExtractionOptions", "ParsedPage", "decode_html", "extract_fetched", "extract_html",
           "extract_more_comments", "extract_page", "extract_parsed", "link_thread", "parse_page"]

logger = logging.getLogger(__name__)


def extract_page(page: PageItem) -> ArticleItem:
    """Extract the article and its comments from a fetched page."""
    return extract_fetched(page)[0]


def extract_fetched(page: PageItem) -> tuple[ArticleItem, CommentLeads | None]:
    """``extract_page``, and where the article's comments continue (``page.leads``: what the crawl follows;
    None, or a page that carries its comment payloads already: no leads)."""
    parsed, options, thread = _read(page)
    # Before the extractors, which may prune the tree.
    leads = (find_leads(parsed, page.html, page.leads, thread)
             if page.leads is not None and not page.comment_payloads else None)
    article = _extract(parsed, thread, source=page.source, fetched_at=_parse_fetched_at(page.fetched_at),
                       payloads=page.comment_payloads, options=options, platform_status=page.platform_status)
    return article, leads


def _read(page: PageItem) -> tuple[ParsedPage, ExtractionOptions, PlatformThread | None]:
    """A fetched page parsed, its source's options, and the comment platform it embeds."""
    parsed = parse_page(page.html, page.url, encoding=page.encoding, content_type=page.headers.get("Content-Type"))
    options = page.options or ExtractionOptions()
    return parsed, options, detect_platform(parsed, only=options.platform)


def extract_html(
    html: str | bytes,
    url: str,
    *,
    source: str = "",
    fetched_at: datetime | None = None,
    payloads: Sequence[CommentPayload] = (),
    options: ExtractionOptions | Mapping[str, Any] | None = None,
) -> ArticleItem:
    """Extract from markup already in hand (a saved page, a test fixture).

    ``payloads``: the article's other comment pages and comments API answers; ``options``: the source's
    extraction options, typed or as the plain mapping ``SourceConfig.extraction_options()`` gives.
    """
    return extract_parsed(parse_page(html, url), source=source, fetched_at=fetched_at, payloads=payloads,
                          options=ExtractionOptions.of(options))


def extract_parsed(
    page: ParsedPage,
    *,
    source: str = "",
    fetched_at: datetime | None = None,
    payloads: Sequence[CommentPayload] = (),
    options: ExtractionOptions | None = None,
    platform_status: str | None = None,
) -> ArticleItem:
    """Extract from a page parsed once: the article, then the comments from the same tree.

    ``platform_status``: how the crawler's reading of the page's comment platform went (None: not fetched).
    """
    options = options or ExtractionOptions()
    return _extract(page, detect_platform(page, only=options.platform), source=source, fetched_at=fetched_at,
                    payloads=payloads, options=options, platform_status=platform_status)


def _extract(page: ParsedPage, thread: PlatformThread | None, *, source: str, fetched_at: datetime | None,
             payloads: Sequence[CommentPayload], options: ExtractionOptions,
             platform_status: str | None) -> ArticleItem:
    """``extract_parsed``, with the comment platform the page embeds (``thread``) found already."""
    url = page.url
    fields = article_fields(page)
    article_selectors = options.article.given()
    if article_selectors:
        fields = apply_article_selectors(fields, page.tree, article_selectors, fetched_at=fetched_at)
    canonical = canonicalize_url(fields.canonical_url or url)
    if fields.canonical_url and canonical != canonicalize_url(url) and not options.trusts_canonical(canonical):
        # An article belongs to the source that fetched it: a canonical URL elsewhere would take over another's id.
        logger.warning("canonical URL not trusted as the id (%s): the fetched URL gives it url=%s", canonical, url)
        canonical = canonicalize_url(url)
    article = ArticleItem(
        id=article_id(canonical),
        url=url,
        canonical_url=canonical,
        source=source,
        title=fields.title,
        text=fields.text,
        authors=fields.authors,
        published=fields.published,
        modified=fields.modified,
        language=fields.language,
        site_name=fields.site_name,
        tags=fields.tags,
        image=fields.image,
    )
    return _with_comments(article, page, thread, fetched_at=fetched_at, payloads=payloads, options=options,
                          platform_status=platform_status)


def extract_more_comments(page: PageItem, article: ArticleItem) -> ArticleItem:
    """``article``, extracted from ``page`` before its comment payloads came, with the thread of the page and
    its payloads: ``extract_page``'s comment part alone (the article's fields are read, not extracted again)."""
    parsed, options, thread = _read(page)
    return _with_comments(replace(article, comments=[]), parsed, thread,
                          fetched_at=_parse_fetched_at(page.fetched_at), payloads=page.comment_payloads,
                          options=options, platform_status=page.platform_status)


def _with_comments(article: ArticleItem, page: ParsedPage, thread: PlatformThread | None, *,
                   fetched_at: datetime | None, payloads: Sequence[CommentPayload], options: ExtractionOptions,
                   platform_status: str | None) -> ArticleItem:
    """``article`` given the comment thread of ``page`` and its ``payloads`` (other comment pages, API and
    platform answers), and what the page says of its platform and comment count."""
    url = page.url
    pages: list[tuple[str, HtmlElement]] = [(url, page.tree)]
    api_answers = []
    platform_answers: list[bytes] = []
    for payload in payloads:
        if payload.platform is not None:
            if thread is not None and payload.platform == thread.platform:
                platform_answers.append(payload.body)
            continue
        if "json" in payload.content_type.lower():
            api_answers.append(payload.body)
            continue
        try:
            other = parse_page(payload.body, payload.url, encoding=payload.encoding, content_type=payload.content_type)
        except ExtractionError as exc:
            logger.warning("comment page skipped: %s url=%s", exc, payload.url)
            continue
        pages.append((payload.url, other.tree))
    comment_selectors = options.comments.given() or None
    if len(pages) == 1 and not api_answers:
        raw_comments = extract_comments(page.tree, url, fetched_at=fetched_at, language=article.language,
                                        selectors=comment_selectors, html=page.utf8,
                                        article_published=article.published, article_text=article.text,
                                        jsonld=page.jsonld)
    else:
        raw_comments = comment_thread(pages, api_answers, fetched_at=fetched_at, language=article.language,
                                      options=options)
    if thread is not None and platform_answers:
        # The platform's version of a comment wins over a server-rendered copy of it in the page.
        raw_comments = prefer(platform_comments(thread.platform, platform_answers), raw_comments)
    if thread is not None:
        article.comment_platform = thread.platform
        article.comment_platform_site = thread.site
        article.comment_thread = thread.thread
        article.comment_platform_status = platform_status
    article.comments_expected = thread.expected if thread is not None else comments_expected(page)
    article.comments = link_thread(raw_comments, article)
    article.comment_count = len(article.comments)
    return article


def comment_url(article_url: str, native_id: str | None) -> str:
    """The link to a comment: the article's URL with the comment's anchor. A site id that is itself a URL
    (JSON-LD ``…/story#cmt-161``) gives its anchor, so the URL is not doubled, and never another page."""
    if not native_id:
        return article_url
    if "://" in native_id:
        anchor = urldefrag(native_id).fragment
        return f"{article_url}#{anchor}" if anchor else article_url
    return f"{article_url}#{native_id}"


def link_thread(raw: Sequence[RawComment], article: ArticleItem) -> list[Comment]:
    """Give comments stable ids, positions, parents and depths; a parent that is not on the page makes a top-level comment."""
    ids: dict[str, str] = {}
    occurrences: dict[tuple[str | None, str], int] = {}
    comments: list[Comment] = []
    for position, raw_comment in enumerate(raw, start=1):
        key = (raw_comment.author, raw_comment.text)
        occurrence = occurrences.get(key, 0)
        occurrences[key] = occurrence + 1
        native = raw_comment.key if raw_comment.key and not raw_comment.key.startswith("pos-") else None
        cid = comment_id(article.id, native_id=native, author=raw_comment.author, text=raw_comment.text,
                         occurrence=occurrence)
        if raw_comment.key:
            ids[raw_comment.key] = cid
        parent_id = ids.get(raw_comment.parent_key) if raw_comment.parent_key else None
        comments.append(
            Comment(
                id=cid,
                article_id=article.id,
                text=raw_comment.text,
                position=position,
                parent_id=parent_id,
                author=raw_comment.author,
                published=raw_comment.published,
                likes=raw_comment.likes,
                native_id=native,
                language=article.language,
                source=article.source,
                url=comment_url(article.url, native),
                article_title=article.title,
                platform=raw_comment.platform,
            )
        )
    depth_of: dict[str, int] = {}
    for comment in comments:
        depth_of[comment.id] = depth_of.get(comment.parent_id, 0) + 1 if comment.parent_id else 1
        comment.depth = depth_of[comment.id]
    return comments


def _parse_fetched_at(value: str) -> datetime:
    moment = parse_timestamp(value)
    return moment if isinstance(moment, datetime) else datetime.now(UTC)
