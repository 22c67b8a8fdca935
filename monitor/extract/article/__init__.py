"""Article extraction: the clean body and its metadata (title, authors, dates, language, tags…) from one page."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from monitor.extract.article.body import extract_body
from monitor.extract.article.fallbacks import fill_missing
from monitor.extract.article.localday import site_day
from monitor.extract.article.metadata import extract_metadata
from monitor.extract.page import ParsedPage, parse_page

logger = logging.getLogger(__name__)

__all__ = ["ArticleFields", "article_fields", "extract_article_fields"]


@dataclass
class ArticleFields:
    """What extraction knows about an article; dates are ISO 8601, with the offset when the page gives one."""

    title: str | None = None
    text: str = ""
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    modified: str | None = None
    language: str | None = None
    site_name: str | None = None
    tags: list[str] = field(default_factory=list)
    image: str | None = None
    canonical_url: str | None = None


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
    return ArticleFields(
        title=md.title,
        text=text,
        authors=md.authors,
        published=md.published,
        modified=md.modified,
        language=md.language,
        site_name=md.site_name,
        tags=md.tags,
        image=md.image,
        canonical_url=md.canonical_url,
    )

