"""Article extraction: the clean body and its metadata (title, authors, dates, language, tags…) from one page."""
from __future__ import annotations

import logging

from monitor.extract.article.body import extract_body
from monitor.extract.article.fallbacks import fill_missing
from monitor.extract.article.fields import ArticleFields
from monitor.extract.article.localday import site_day
from monitor.extract.article.metadata import extract_metadata
from monitor.extract.page import ParsedPage, parse_page

logger = logging.getLogger(__name__)

__all__ = ["ArticleFields", "article_fields", "extract_article_fields"]


def extract_article_fields(html: str | bytes, url: str) -> ArticleFields:
    """Body and metadata of the article in ``html``; ExtractionError when the markup cannot be parsed at all."""
    return article_fields(parse_page(html, url))


def article_fields(page: ParsedPage) -> ArticleFields:
    """Body and metadata of the article on a page parsed already (trafilatura and htmldate copy its tree
    before they prune it, so the tree stays whole for the comment extractors)."""
    tree, url = page.tree, page.url
    md = extract_metadata(page)
    text = extract_body(tree, url, article_like=md.is_article, structured_body=md.article_body)
    if md.published:
        md.published = site_day(md.published, tree, url, language=md.language)
    fill_missing(md, tree, url)
    logger.debug("article extracted: %s chars, title=%s url=%s", len(text), bool(md.title), url)
    md.text = text
    return md

