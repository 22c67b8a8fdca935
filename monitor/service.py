"""The service layer the CLI (and later the web API) call: search, thread, extract, crawl."""
from __future__ import annotations

import urllib.request
from pathlib import Path
from typing import Any

from monitor.config import Config
from monitor.errors import MonitorError
from monitor.extract import extract_html
from monitor.index import SearchRequest, SearchResult, open_index
from monitor.items import ArticleItem

THREAD_COMMENT_FIELDS = ("id", "parent_id", "depth", "position", "author", "published", "text", "likes")
FETCH_TIMEOUT_SECONDS = 30


def search(config: Config, request: SearchRequest) -> SearchResult:
    with open_index(config.index.url) as index:
        return index.search(request)


def thread(config: Config, id_or_url: str) -> dict[str, Any] | None:
    """One article and its comments in page order, or None when it is not indexed."""
    with open_index(config.index.url) as index:
        article = index.get_article(id_or_url)
        if article is None:
            return None
        comments = index.get_comments(article["id"])
    return {"article": article, "comments": [_thread_comment(c) for c in comments]}


def article_thread(article: ArticleItem) -> dict[str, Any]:
    """An extracted (not yet indexed) article in the same shape as `thread`."""
    return {
        "article": article.to_dict(),
        "comments": [_thread_comment(c.to_dict()) for c in article.comments],
    }


def extract(file_or_url: str, *, url: str | None = None, user_agent: str = "MediaMonitor/0.1") -> dict[str, Any]:
    """Run extraction alone on a saved page (or a page fetched now) and return the `thread` shape."""
    path = Path(file_or_url)
    if path.exists():
        body = path.read_bytes()
        if path.suffix == ".gz":
            import gzip

            body = gzip.decompress(body)
        page_url = url or path.resolve().as_uri()
    elif file_or_url.startswith(("http://", "https://")):
        request = urllib.request.Request(file_or_url, headers={"User-Agent": user_agent})
        try:
            with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_SECONDS) as response:  # noqa: S310
                body = response.read()
        except OSError as exc:
            raise MonitorError(f"cannot fetch {file_or_url}: {exc}") from None
        page_url = url or file_or_url
    else:
        raise MonitorError(f"{file_or_url} is neither a file nor an http(s) URL")
    return article_thread(extract_html(body, page_url))


def _thread_comment(comment: dict[str, Any]) -> dict[str, Any]:
    return {key: comment.get(key) for key in THREAD_COMMENT_FIELDS}
