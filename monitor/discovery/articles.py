"""Does a URL look like one article (rather than a home, section, tag, author, search or file URL)?"""
from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, unquote, urlsplit

__all__ = ["looks_like_article"]

# Files that are never an article page.
_NOT_PAGES = {
    "xml", "rss", "atom", "rdf", "json", "pdf", "jpg", "jpeg", "png", "gif", "webp", "svg", "ico", "bmp",
    "tif", "tiff", "avif", "mp3", "mp4", "m4a", "m3u8", "ogg", "wav", "webm", "mov", "avi", "zip", "gz",
    "rar", "7z", "css", "js", "txt", "csv", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "epub", "woff",
    "woff2", "ttf", "exe", "dmg", "apk",
}
_PAGE_EXTENSIONS = {"html", "htm", "shtml", "php", "asp", "aspx", "jsp", "cms", "ece"}
# Path segments that mark listings, archives and site furniture, in the languages we crawl.
_LISTING_SEGMENTS = {
    "tag", "tags", "category", "categories", "categoria", "categorie", "kategorie", "rubrik", "rubrique",
    "author", "authors", "autor", "autoren", "auteur", "auteurs", "autore", "profile", "profil", "user", "users",
    "topic", "topics", "thema", "themen", "section", "sections", "search", "suche", "recherche", "buscar",
    "busca", "ricerca", "szukaj", "poisk", "login", "logout", "signin", "sign-in", "signup", "sign-up",
    "register", "account", "subscribe", "newsletter", "newsletters", "feed", "feeds", "rss", "wp-admin",
    "wp-login.php", "wp-json", "cdn-cgi", "about", "about-us", "contact", "contacts", "impressum", "imprint",
    "privacy", "privacy-policy", "datenschutz", "terms", "cookies", "sitemap", "archive", "archives", "archiv",
}
_ARTICLE_SEGMENTS = {"article", "articles", "story", "stories", "artikel", "articolo", "post", "posts", "p"}
_INDEX_NAMES = {"index", "default", "home", "main", "start"}
_ID_KEYS = {"p", "id", "aid", "nid", "artid", "articleid", "article_id", "newsid", "news_id", "storyid",
            "story_id", "idxno", "contentid", "content_id", "postid", "post_id"}
_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec"
# /2024/05/01/, /2024/may/01/, /2024-05-01/, /20240501/, /2024/0501/ (and the same inside a segment)
_DATE = re.compile(
    r"(?<!\d)(?:19|20)\d\d"
    rf"(?:[/\-_.]?(?:0[1-9]|1[0-2])[/\-_.]?(?:0[1-9]|[12]\d|3[01])|/(?:{_MONTHS})/\d\d?)"
    r"(?!\d)",
    re.I,
)
_YEAR_MONTH = re.compile(r"(?<!\d)(?:19|20)\d\d[/\-_.](?:0[1-9]|1[0-2])(?!\d)")
_LONG_ID = re.compile(r"\d{5,}")
_PAGE_N = re.compile(r"/(?:page|seite|pagina|strona|p)/\d+/?$", re.I)
_WORD_SPLIT = re.compile(r"[-_+]+")


def looks_like_article(url: str, *, pattern: str = "") -> bool:
    """``pattern`` (a regex searched in the URL) decides when given; otherwise the URL's shape does."""
    if pattern:
        return _compiled(pattern).search(url) is not None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    if parts.scheme.lower() not in ("http", "https"):
        return False
    path = unquote(parts.path)
    segments = [segment for segment in path.lower().split("/") if segment]
    if _is_listing_or_file(path, segments):
        return False
    if _query_has_id(parts.query):
        return True
    if not segments:
        return False
    return _path_is_article(path, segments)


@lru_cache(maxsize=64)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _is_listing_or_file(path: str, segments: list[str]) -> bool:
    if segments:
        last = segments[-1]
        stem, dot, extension = last.rpartition(".")
        if dot and extension in _NOT_PAGES:
            return True
        if dot and extension in _PAGE_EXTENSIONS and stem in _INDEX_NAMES:
            return True
    if any(segment in _LISTING_SEGMENTS for segment in segments):
        return True
    return _PAGE_N.search(path) is not None


def _query_has_id(query: str) -> bool:
    for key, value in parse_qsl(query):
        digits = value.isdigit()
        if digits and key.lower() in _ID_KEYS and len(value) >= 2:
            return True
    return False


def _path_is_article(path: str, segments: list[str]) -> bool:
    date = _DATE.search(path)
    if date is not None and path[date.end():].strip("/"):
        return True  # something after the date: /2024/05/01/ alone is a day archive
    year_month = _YEAR_MONTH.search(path)
    if year_month is not None and _is_slug(path[year_month.end():].strip("/").split("/")[-1]):
        return True
    if any(_LONG_ID.search(segment) for segment in segments):
        return True
    if any(_is_slug(segment) for segment in segments):
        return True
    if len(segments) >= 2 and segments[-2] in _ARTICLE_SEGMENTS:
        return True
    stem, dot, extension = segments[-1].rpartition(".")
    if dot and extension in {"html", "htm", "shtml"}:
        # A one-word page two levels down (/sport/football.html) is usually a section.
        return len(segments) >= 3 or any(ch.isdigit() or ch in "-_" for ch in stem)
    return False


def _is_slug(segment: str) -> bool:
    # Four or more words joined by hyphens: tuned on news URLs, where section names rarely exceed three.
    stem = segment.rpartition(".")[0] or segment
    words = [word for word in _WORD_SPLIT.split(stem) if word]
    return len(words) >= 4 and len(stem) >= 16
