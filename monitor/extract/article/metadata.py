"""Article metadata from the page's structured data: JSON-LD first, then OpenGraph and meta tags."""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from lxml.html import HtmlElement

from monitor.extract.article.authors import clean_authors
from monitor.extract.article.fields import ArticleFields
from monitor.extract.dates import normalize_datetime
from monitor.extract.page import ParsedPage, elements
from monitor.timestamps import parse_timestamp

# schema.org types whose node describes the article itself (not the site or a breadcrumb).
ARTICLE_TYPES = frozenset(
    {
        "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
        "backgroundnewsarticle", "reviewnewsarticle", "askpublicnewsarticle", "blogposting",
        "liveblogposting", "socialmediaposting", "scholarlyarticle", "techarticle", "report",
        "posting", "review", "creativework", "videoobject", "medicalwebpage",
    }
)
PAGE_TYPES = frozenset({"webpage", "itempage", "collectionpage", "profilepage", "aboutpage"})

# meta names/properties that carry the first publication date, strongest first
PUBLISHED_KEYS = (
    "article:published_time", "og:article:published_time", "og:published_time", "article:published",
    "datepublished", "publishdate", "publish-date", "publish_date", "pubdate", "parsely-pub-date",
    "sailthru.date", "dc.date.issued", "dcterms.issued", "dc.date.created", "dcterms.created",
    "article.published", "article_date_original", "original-publish-date", "citation_publication_date",
    "cxenseparse:recs:publishtime", "date", "dc.date", "dcterms.date",
)
MODIFIED_KEYS = (
    "article:modified_time", "og:article:modified_time", "og:updated_time", "datemodified",
    "article:modified", "dc.date.modified", "dcterms.modified", "last-modified", "lastmod",
)
AUTHOR_KEYS = ("author", "article:author", "dc.creator", "dcterms.creator", "parsely-author",
               "sailthru.author", "citation_author", "byl", "twitter:creator")


@dataclass
class PageMetadata(ArticleFields):
    """What the page says about itself, each field None/empty when it says nothing (``text`` is the body's, later)."""

    article_body: str | None = None  # the JSON-LD articleBody, when the page ships one
    is_article: bool = False  # the page declares itself an article (schema.org type or og:type)


def extract_metadata(page: ParsedPage) -> PageMetadata:
    """Read title, authors, dates, language, site name, tags, image and canonical URL from a parsed page."""
    tree, url = page.tree, page.url
    node = _article_node(page.jsonld)
    meta = page.meta
    md = PageMetadata()

    md.title = _first_text(_ld_text(node, "headline"), _first(meta, "og:title"), _first(meta, "twitter:title"))
    md.published = _first_date(_ld_values(node, "datePublished"), _ld_values(node, "dateCreated"),
                               *(meta.get(key, []) for key in PUBLISHED_KEYS), _time_dates(tree))
    if md.published and md.published.endswith("+00:00"):
        md.published = _local_form(md.published, [*_ld_values(node, "datePublished"), *_ld_values(node, "dateCreated"),
                                                   *(v for key in PUBLISHED_KEYS for v in meta.get(key, []))])
    md.modified = _first_date(_ld_values(node, "dateModified"), *(meta.get(key, []) for key in MODIFIED_KEYS))
    md.authors = clean_authors(_ld_people(node.get("author") if node else None)) or clean_authors(
        value for key in AUTHOR_KEYS for value in meta.get(key, [])
    )
    md.language = _language(tree, node, meta)
    md.site_name = _first_text(_first(meta, "og:site_name"), _ld_name(node.get("publisher") if node else None),
                               _first(meta, "application-name"))
    md.tags = _tags(node, meta)
    md.image = _absolute(url, _first_text(_ld_image(node.get("image") if node else None),
                                          _first(meta, "og:image"), _first(meta, "twitter:image")))
    md.canonical_url = _canonical(page.links, url, meta)
    md.is_article = bool(node and _types(node) & ARTICLE_TYPES) or (_first(meta, "og:type") or "").lower() in (
        "article", "og:article", "news", "blog", "blogposting")
    body = node.get("articleBody") if node else None
    md.article_body = body.strip() if isinstance(body, str) and body.strip() else None
    return md


# --- JSON-LD ---------------------------------------------------------------------------------


def _types(node: dict[str, Any]) -> set[str]:
    value = node.get("@type") or []
    values = value if isinstance(value, list) else [value]
    return {str(v).lower().rsplit("/", 1)[-1] for v in values}


def _article_node(nodes: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
    """The node describing the article: an article type with a headline or body wins over a bare page."""
    best: tuple[int, dict[str, Any]] | None = None
    for node in nodes:
        types = _types(node)
        if types & ARTICLE_TYPES:
            score = 3 + bool(node.get("headline")) + bool(node.get("articleBody")) + bool(node.get("datePublished"))
        elif types & PAGE_TYPES:
            score = 1 + bool(node.get("datePublished"))
        else:
            continue
        if best is None or score > best[0]:
            best = (score, node)
    return best[1] if best else None


def _ld_values(node: dict[str, Any] | None, key: str) -> list[str]:
    if not node:
        return []
    value = node.get(key)
    values = value if isinstance(value, list) else [value]
    return [str(v) for v in values if isinstance(v, (str, int, float)) and str(v).strip()]


def _ld_text(node: dict[str, Any] | None, key: str) -> str | None:
    values = _ld_values(node, key)
    return values[0] if values else None


def _ld_name(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name")
    return value.strip() if isinstance(value, str) and value.strip() else None


def _ld_people(value: Any) -> list[str]:
    """Author names from a string, a Person/Organization, or a list of either."""
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict):
            name = item.get("name")
            if isinstance(name, list):
                names.extend(str(n) for n in name)
            elif isinstance(name, str):
                names.append(name)
            elif item.get("givenName") or item.get("familyName"):
                names.append(f"{item.get('givenName', '')} {item.get('familyName', '')}")
    return names


def _ld_image(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("url") or value.get("contentUrl")
        if isinstance(value, list):
            value = value[0] if value else None
    return value if isinstance(value, str) and value.strip() else None


# --- meta tags -------------------------------------------------------------------------------


def _first(meta: dict[str, list[str]], key: str) -> str | None:
    values = meta.get(key)
    return values[0] if values else None


def _first_text(*candidates: str | None) -> str | None:
    for candidate in candidates:
        if candidate:
            text = " ".join(candidate.split())
            if text:
                return text
    return None


def _time_dates(tree: HtmlElement) -> Iterator[str]:
    """datetime attributes of <time> elements marked as the publication date (searched only when asked for:
    most pages say it in JSON-LD or a meta tag first)."""
    for element in elements(tree, '//time[@pubdate or @itemprop="datePublished"]'
                                  '|//*[@itemprop="datePublished"][not(self::meta)]'):
        value = element.get("datetime") or element.get("content")
        if value:
            yield value


def _first_date(*groups: Iterable[str]) -> str | None:
    for group in groups:
        for value in group:
            normalized = normalize_datetime(value)
            if normalized:
                return normalized
    return None


def _local_form(utc: str, candidates: list[str]) -> str:
    """The same instant as the page also writes it in its own offset (a meta tag beside a UTC JSON-LD date),
    else ``utc``: the local form gives the day the site dates the article."""
    moment = parse_timestamp(utc)
    for value in candidates:
        other = normalize_datetime(value)
        if other and len(other) > 10 and not other.endswith("+00:00") and other[-6] in "+-":
            if parse_timestamp(other) == moment:
                return other
    return utc


def _language(tree: HtmlElement, node: dict[str, Any] | None, meta: dict[str, list[str]]) -> str | None:
    in_language = node.get("inLanguage") if node else None
    if isinstance(in_language, dict):
        in_language = in_language.get("alternateName") or in_language.get("name")
    for candidate in (tree.get("lang"), tree.get("xml:lang"), in_language if isinstance(in_language, str) else None,
                      _first(meta, "og:locale"), _first(meta, "content-language"), _first(meta, "language")):
        if candidate:
            code = re.split(r"[-_,; ]", candidate.strip().lower(), maxsplit=1)[0]
            if re.fullmatch(r"[a-z]{2,3}", code):
                return code
    return None


def _tags(node: dict[str, Any] | None, meta: dict[str, list[str]]) -> list[str]:
    raw: list[str] = []
    keywords = node.get("keywords") if node else None
    if isinstance(keywords, list):
        raw.extend(str(k) for k in keywords if isinstance(k, (str, int)))
    elif isinstance(keywords, str):
        raw.extend(keywords.split(","))
    if not raw:
        raw.extend(meta.get("article:tag", []))
    if not raw:
        for key in ("news_keywords", "keywords"):
            for value in meta.get(key, []):
                raw.extend(value.split(","))
    seen: dict[str, str] = {}
    for tag in raw:
        tag = " ".join(tag.split()).strip(" ;")
        if tag and len(tag) <= 100 and tag.casefold() not in seen:
            seen[tag.casefold()] = tag
    return list(seen.values())


def _absolute(base: str, link: str | None) -> str | None:
    if not link:
        return None
    if link.startswith("//"):
        return f"https:{link}"
    return urljoin(base, link) if base else link


def _canonical(links: list[HtmlElement], url: str, meta: dict[str, list[str]]) -> str | None:
    for element in links:
        if "canonical" in (element.get("rel") or "").lower().split() and (element.get("href") or "").strip():
            return _absolute(url, element.get("href", "").strip())
    return _absolute(url, _first(meta, "og:url"))
