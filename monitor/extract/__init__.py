"""Page → article + comment thread: decodes the page, runs the article and comment extractors, links the thread."""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any, Mapping, Sequence

import lxml.html
from trafilatura.utils import load_html
from w3lib.encoding import html_to_unicode

from monitor.errors import ExtractionError
from monitor.extract.article import extract_article_fields
from monitor.extract.comments import RawComment, extract_comments
from monitor.extract.overrides import apply_article_selectors
from monitor.extract.thread import comment_thread
from monitor.items import ArticleItem, Comment, CommentPayload, PageItem
from monitor.urls import article_id, canonicalize_url, comment_id

__all__ = ["extract_page", "extract_html", "decode_html", "link_thread"]

logger = logging.getLogger(__name__)
_UTF8_PARSER = lxml.html.HTMLParser(encoding="utf-8")


def decode_html(body: bytes, *, encoding: str | None = None, content_type: str | None = None) -> str:
    """Bytes to text: the encoding the crawler decided, else UTF-8 when the bytes are valid UTF-8, else the
    HTTP header, BOM, <meta> or detection."""
    if encoding:
        try:
            return body.decode(encoding, errors="replace")
        except LookupError:
            logger.warning("unknown encoding %s; detecting instead", encoding)
    try:
        # Markup that is valid UTF-8 is UTF-8, whatever a stale <meta charset> or header says: multi-byte
        # UTF-8 sequences almost never form by chance in legacy encodings (GB2312 pages served as UTF-8).
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    header = f"text/html; charset={content_type}" if content_type and "=" not in content_type else content_type
    _, text = html_to_unicode(header, body)
    return text


def extract_page(page: PageItem) -> ArticleItem:
    """Extract the article and its comments from a fetched page."""
    html = decode_html(page.html, encoding=page.encoding, content_type=page.headers.get("Content-Type"))
    fetched_at = _parse_fetched_at(page.fetched_at)
    return extract_html(html, page.url, source=page.source, fetched_at=fetched_at,
                        payloads=page.comment_payloads, options=page.options)


def extract_html(
    html: str | bytes,
    url: str,
    *,
    source: str = "",
    fetched_at: datetime | None = None,
    payloads: Sequence[CommentPayload] = (),
    options: Mapping[str, Any] | None = None,
) -> ArticleItem:
    """Extract from markup already in hand (a saved page, a test fixture).

    ``payloads``: the article's other comment pages and comments API answers; ``options``: the source's
    extraction options (``SourceConfig.extraction_options()``: selectors, how to read its comments API).
    """
    options = options or {}
    if isinstance(html, bytes):
        html = decode_html(html)
    if not html.strip():
        raise ExtractionError(f"empty page: {url}")
    # One parse serves the article and the comments: trafilatura and htmldate copy a tree before pruning it
    # and the comment extractors only read it.
    tree = _parse(html, url)
    fields = extract_article_fields(html, url, tree=tree)
    article_selectors = (options.get("selectors") or {}).get("article")
    if article_selectors:
        fields = apply_article_selectors(fields, tree, article_selectors, fetched_at=fetched_at)
    pages = [(url, tree)]
    api_answers = []
    for payload in payloads:
        if "json" in payload.content_type.lower():
            api_answers.append(payload.body)
            continue
        text = decode_html(payload.body, encoding=payload.encoding, content_type=payload.content_type)
        try:
            pages.append((payload.url, _parse(text, payload.url)))
        except ExtractionError as exc:
            logger.warning("comment page skipped: %s url=%s", exc, payload.url)
    if len(pages) == 1 and not api_answers:
        raw_comments = extract_comments(tree, url, fetched_at=fetched_at, language=fields.language,
                                        selectors=(options.get("selectors") or {}).get("comments"), html=html,
                                        article_published=fields.published, article_text=fields.text)
    else:
        raw_comments = comment_thread(pages, api_answers, fetched_at=fetched_at, language=fields.language,
                                      options=options)
    canonical = canonicalize_url(fields.canonical_url or url)
    doc_id = article_id(canonical)
    article = ArticleItem(
        id=doc_id,
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
    article.comments = link_thread(raw_comments, article)
    article.comment_count = len(article.comments)
    return article


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
                url=f"{article.url}#{native}" if native else article.url,
                article_title=article.title,
            )
        )
    depth_of: dict[str, int] = {}
    for comment in comments:
        depth_of[comment.id] = depth_of.get(comment.parent_id, 0) + 1 if comment.parent_id else 1
        comment.depth = depth_of[comment.id]
    return comments


def _parse(html: str, url: str) -> lxml.html.HtmlElement:
    if not html.strip():
        raise ExtractionError(f"empty page: {url}")
    # trafilatura's own loader first, so the article sees the tree plain trafilatura would (HTML comments
    # dropped, faulty markup repaired; it falls back to bytes for a str with an <?xml encoding?> declaration)
    tree = load_html(html)
    if tree is not None:
        return tree
    try:
        # Bytes, not str: lxml refuses a str that starts with an <?xml encoding=...?> declaration.
        return lxml.html.document_fromstring(html.encode("utf-8"), parser=_UTF8_PARSER)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"cannot parse HTML of {url}: {exc}") from None


def _parse_fetched_at(value: str) -> datetime:
    if value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    return datetime.now(timezone.utc)
