"""A source's extraction options as one small frozen value: built once per crawl, pickled with every page."""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any
from urllib.parse import urlsplit

from monitor.errors import ConfigError

__all__ = ["ApiFields", "ArticleSelectors", "CommentSelectors", "CommentsApiOptions", "ExtractionOptions"]


def _given(value: object) -> dict[str, str]:
    """The fields of a selectors value that are set, as the mapping the comment extractors take."""
    return {f.name: getattr(value, f.name) for f in fields(value) if getattr(value, f.name)}  # type: ignore[arg-type]


def _build(cls: type[Any], data: Mapping[str, Any] | None, where: str) -> Any:
    if data is None:
        return cls()
    if not isinstance(data, Mapping):
        raise ConfigError(f"extraction options: {where} must be a mapping, not {type(data).__name__}")
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"extraction options: unknown key {where}.{unknown[0]} (known: {', '.join(sorted(known))})")
    return cls(**data)


@dataclass(frozen=True, slots=True)
class ArticleSelectors:
    """A source's own selectors for article fields; empty: the generic extractors decide."""

    title: str = ""
    body: str = ""
    author: str = ""
    date: str = ""

    def given(self) -> dict[str, str]:
        return _given(self)


@dataclass(frozen=True, slots=True)
class CommentSelectors:
    """A source's own comment markup: ``item`` (inside ``container``) finds comments, the rest read one."""

    container: str = ""
    item: str = ""
    author: str = ""
    date: str = ""
    text: str = ""
    id: str = ""
    parent: str = ""
    likes: str = ""

    def given(self) -> dict[str, str]:
        return _given(self)


@dataclass(frozen=True, slots=True)
class ApiFields:
    """JSON paths (dotted, relative to one comment) of each comment field of a comments API answer."""

    id: str = "id"
    parent: str = "parent"
    author: str = "author"
    date: str = "date"
    text: str = "text"
    likes: str = ""


@dataclass(frozen=True, slots=True)
class CommentsApiOptions:
    """How to read a comments API answer (no URL, no secrets: those stay with the crawler)."""

    items: str = ""  # JSON path of the list of comments; empty: the answer is the list
    fields: ApiFields = field(default_factory=ApiFields)
    next: str = ""  # JSON path of the next page's URL or cursor
    html_text: bool = False

    @classmethod
    def of(cls, options: CommentsApiOptions | Mapping[str, Any]) -> CommentsApiOptions:
        """``options`` as it is, or built from the plain mapping of ``CommentsApiConfig.extraction_options()``."""
        if isinstance(options, CommentsApiOptions):
            return options
        data = dict(options)
        data["fields"] = _build(ApiFields, data.get("fields"), "comments_api.fields")
        return _build(cls, data, "comments_api")


@dataclass(frozen=True, slots=True)
class ExtractionOptions:
    """Everything a source tells extraction: its selectors and how to read its comments API."""

    article: ArticleSelectors = field(default_factory=ArticleSelectors)
    comments: CommentSelectors = field(default_factory=CommentSelectors)
    comments_api: CommentsApiOptions | None = None
    # Whose pages these are: a rel=canonical / og:url outside them is not trusted as the article's id (it could
    # claim another source's article). Empty: any host, any URL (a saved page, a test fixture).
    own_hosts: tuple[str, ...] = ()
    own_pattern: str = ""  # the source's article_url_pattern, when it has one
    trust_canonical: bool = True  # False: the id comes from the fetched URL (the canonical claims another's)
    platform: str | None = None  # the comment platform the source forces: only that one is looked for

    @classmethod
    def of(cls, options: ExtractionOptions | Mapping[str, Any] | None, *, own_hosts: tuple[str, ...] = (),
           own_pattern: str = "") -> ExtractionOptions:
        """``options`` as it is, or built from the plain mapping of ``SourceConfig.extraction_options()``
        (``{"selectors": {"article": …, "comments": …}, "comments_api": …}``); None: no options."""
        if options is None:
            return replace(DEFAULT, own_hosts=own_hosts, own_pattern=own_pattern) if own_hosts or own_pattern else DEFAULT
        if isinstance(options, ExtractionOptions):
            return options
        unknown = sorted(set(options) - {"selectors", "comments_api", "platform"})
        if unknown:
            raise ConfigError(f"extraction options: unknown key {unknown[0]} (known: comments_api, platform, selectors)")
        selectors = options.get("selectors") or {}
        unknown = sorted(set(selectors) - {"article", "comments"})
        if unknown:
            raise ConfigError(f"extraction options: unknown key selectors.{unknown[0]} (known: article, comments)")
        api = options.get("comments_api")
        return cls(
            article=_build(ArticleSelectors, selectors.get("article"), "selectors.article"),
            comments=_build(CommentSelectors, selectors.get("comments"), "selectors.comments"),
            comments_api=CommentsApiOptions.of(api) if api else None,
            own_hosts=own_hosts,
            own_pattern=own_pattern,
            platform=options.get("platform") or None,
        )

    def trusts_canonical(self, canonical: str) -> bool:
        """Whether a page's declared canonical URL may give its id: on one of the source's hosts, of its URL shape."""
        if not self.trust_canonical:
            return False
        host = (urlsplit(canonical).hostname or "").lower()
        if self.own_hosts and not any(host == d or host.endswith("." + d) for d in self.own_hosts):
            return False
        return not self.own_pattern or re.search(self.own_pattern, canonical) is not None


DEFAULT = ExtractionOptions()
