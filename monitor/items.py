"""The documents that flow through the crawl: PageItem → ArticleItem (with its Comments); each field says how it is indexed."""
from __future__ import annotations

from dataclasses import KW_ONLY, dataclass, field, fields
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # monitor.extract imports this module
    from monitor.extract.comments.leads import LeadOptions
    from monitor.extract.options import ExtractionOptions

# How a document field is stored and searched in every backend (monitor.documents reads it):
# keyword = exact value, text = words, date = ISO 8601, integer, keywords = a list of exact values,
# stored = kept and shown but neither searched nor filtered.
FieldKind = Literal["keyword", "text", "date", "integer", "keywords", "stored"]
KIND = "index_kind"


KEYWORD: dict[str, FieldKind] = {KIND: "keyword"}
TEXT: dict[str, FieldKind] = {KIND: "text"}
DATE: dict[str, FieldKind] = {KIND: "date"}
INTEGER: dict[str, FieldKind] = {KIND: "integer"}
KEYWORDS: dict[str, FieldKind] = {KIND: "keywords"}
STORED: dict[str, FieldKind] = {KIND: "stored"}


def _plain_fields(item: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """``dataclasses.asdict`` for the flat items below, whose fields hold strings, numbers, None and lists of
    strings: the lists copied, nothing deep-copied (asdict's recursion was a tenth of the index writer)."""
    data = {}
    for name in names:
        value = getattr(item, name)
        data[name] = list(value) if type(value) is list else value
    return data


@dataclass
class CommentPayload:
    """An extra response fetched for a page's comments (a comment page or a JSON API answer)."""

    url: str
    body: bytes
    content_type: str = ""
    encoding: str | None = None
    platform: str | None = None  # the comment platform that answered (monitor.extract.comments.platforms)

    def __repr__(self) -> str:
        return (f"CommentPayload(url={self.url!r}, bytes={len(self.body)}, content_type={self.content_type!r}, "
                f"platform={self.platform!r})")


@dataclass
class PageItem:
    """A fetched article page, as the spider hands it to extraction."""

    url: str
    html: bytes
    source: str
    encoding: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    fetched_at: str = ""  # ISO 8601 UTC
    comment_payloads: list[CommentPayload] = field(default_factory=list)
    options: ExtractionOptions | None = None  # the source's, built once per crawl (selectors, comments API)
    platform_status: str | None = None  # how reading the page's comment platform went (ArticleItem.comment_platform_status)
    leads: LeadOptions | None = None  # what the crawl follows beyond the page: extraction finds where (CommentLeads)
    requested_url: str = ""  # the URL asked for, when a redirect ended at ``url``
    rendered: bool = False  # the page came from a headless browser (its platform embeds ran)

    def __repr__(self) -> str:
        # Scrapy logs items by their repr ("Error processing ..."): never a page body in a log line.
        extra = sum(len(p.body) for p in self.comment_payloads)
        return (f"PageItem(url={self.url!r}, source={self.source!r}, bytes={len(self.html)}, "
                f"comment_payloads={len(self.comment_payloads)}, payload_bytes={extra})")


# Field order is the order of the document contract in DESIGN.md: documents and API answers list them so.


@dataclass
class Comment:
    """One reader comment; ``parent_id`` is the ``id`` of the comment it answers, None at top level."""

    id: str = field(metadata=KEYWORD)
    _: KW_ONLY
    type: str = field(default="comment", metadata=KEYWORD)
    article_id: str = field(metadata=KEYWORD)
    parent_id: str | None = field(default=None, metadata=KEYWORD)
    depth: int = field(default=1, metadata=INTEGER)  # 1 = top level
    position: int = field(metadata=INTEGER)  # 1-based, page order
    author: str | None = field(default=None, metadata=TEXT)
    published: str | None = field(default=None, metadata=DATE)  # ISO 8601, with offset when the page gives one
    text: str = field(metadata=TEXT)
    likes: int | None = field(default=None, metadata=INTEGER)
    native_id: str | None = field(default=None, metadata=KEYWORD)  # the site's own id for the comment, when it has one
    language: str | None = field(default=None, metadata=KEYWORD)
    topics: list[str] = field(default_factory=list, metadata=KEYWORDS)
    source: str = field(default="", metadata=KEYWORD)
    url: str = field(default="", metadata=KEYWORD)  # article url + anchor
    article_title: str | None = field(default=None, metadata=TEXT)
    platform: str | None = field(default=None, metadata=KEYWORD)  # the comment platform it came from (None: the page itself)
    first_seen: str | None = field(default=None, metadata=DATE)  # set by the index
    last_seen: str | None = field(default=None, metadata=DATE)  # set by the index

    def to_dict(self) -> dict[str, Any]:
        return _plain_fields(self, _COMMENT_FIELDS)


_COMMENT_FIELDS = tuple(f.name for f in fields(Comment))


@dataclass
class ArticleItem:
    """An extracted article and its comment thread."""

    id: str = field(metadata=KEYWORD)
    _: KW_ONLY
    type: str = field(default="article", metadata=KEYWORD)
    url: str = field(metadata=KEYWORD)
    canonical_url: str = field(metadata=KEYWORD)
    source: str = field(metadata=KEYWORD)
    title: str | None = field(default=None, metadata=TEXT)
    text: str = field(default="", metadata=TEXT)
    authors: list[str] = field(default_factory=list, metadata=KEYWORDS)
    published: str | None = field(default=None, metadata=DATE)
    modified: str | None = field(default=None, metadata=DATE)
    language: str | None = field(default=None, metadata=KEYWORD)
    site_name: str | None = field(default=None, metadata=KEYWORD)
    tags: list[str] = field(default_factory=list, metadata=KEYWORDS)
    image: str | None = field(default=None, metadata=STORED)
    topics: list[str] = field(default_factory=list, metadata=KEYWORDS)
    first_seen: str | None = field(default=None, metadata=DATE)  # first_seen, last_seen, comment_count: set by the index
    last_seen: str | None = field(default=None, metadata=DATE)
    comment_count: int = field(default=0, metadata=INTEGER)
    # The comment platform the page embeds (monitor.extract.comments.platforms), who hosts its thread there
    # (forum, site id, repository) and the thread's key; the count the page promises, to hold comment_count to.
    comment_platform: str | None = field(default=None, metadata=KEYWORD)
    comment_platform_site: str | None = field(default=None, metadata=KEYWORD)
    comment_thread: str | None = field(default=None, metadata=KEYWORD)
    comments_expected: int | None = field(default=None, metadata=INTEGER)
    # read | partial (a platform request failed) | unread (no client, switched off, a key missing); None: not fetched
    comment_platform_status: str | None = field(default=None, metadata=KEYWORD)
    # cluster_*: set by monitor.clusters, never by extraction; cluster_id is the id of the cluster's first copy,
    # which alone carries the cluster's size and the sources that published it.
    cluster_id: str | None = field(default=None, metadata=KEYWORD)
    cluster_size: int | None = field(default=None, metadata=INTEGER)
    cluster_sources: list[str] = field(default_factory=list, metadata=KEYWORDS)
    comments: list[Comment] = field(default_factory=list)  # indexed as documents of their own
    # Not a document field: the text's near-duplicate signature (monitor.clusters.keys), computed where the article
    # was extracted so that the crawl's main process need not; None: not computed (or the text is too short).
    cluster_signature: str | None = field(default=None, repr=False, compare=False)

    def to_dict(self, *, with_comments: bool = False) -> dict[str, Any]:
        data = _plain_fields(self, _ARTICLE_FIELDS)
        if with_comments:
            data["comments"] = [comment.to_dict() for comment in self.comments]
        return data


# The document's fields: the comments are documents of their own, the signature only travels with the item.
_ARTICLE_FIELDS = tuple(f.name for f in fields(ArticleItem) if f.name not in ("comments", "cluster_signature"))
