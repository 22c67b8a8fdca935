"""Where an article's comments continue, read from the extraction's own parse: comment pages, API values, platform."""
from __future__ import annotations

from dataclasses import dataclass, field

from monitor.extract.comments.api import page_values
from monitor.extract.comments.pages import comment_page_urls, may_link_comment_pages
from monitor.extract.comments.platforms import PlatformThread
from monitor.extract.page import ParsedPage

__all__ = ["CommentLeads", "LeadOptions", "find_leads"]


@dataclass(frozen=True)
class LeadOptions:
    """What the crawl follows beyond the page, from the source's config: built once per crawl."""

    comment_pages: bool = False  # the source fetches other comment pages (max_comment_pages > 0)
    # The source's comments API: each value its URL needs and the rule that finds it in the page
    # ({"regex"|"css"|"xpath": …}); empty: the source has no comments API.
    api_values: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()
    has_api: bool = False


@dataclass
class CommentLeads:
    """An article page's comments beyond the page itself: what the crawl is to ask for next."""

    pages: list[str] = field(default_factory=list)  # the other comment pages' URLs, in page order
    api_values: dict[str, str] | None = None  # the values the comments API URL needs; None: no thread there
    platform: PlatformThread | None = None  # the comment platform the page embeds

    def __bool__(self) -> bool:
        return bool(self.pages) or self.api_values is not None or self.platform is not None


def find_leads(page: ParsedPage, raw: bytes, options: LeadOptions, platform: PlatformThread | None) -> CommentLeads:
    """The leads of ``page`` (``raw``: the bytes it was served as, for the cheap marker check; ``platform``: the
    comment platform extraction found it embeds)."""
    leads = CommentLeads(platform=platform)
    if options.comment_pages and may_link_comment_pages(raw):
        leads.pages = comment_page_urls(page.tree, page.url)
    if options.has_api:
        rules = {name: dict(rule) for name, rule in options.api_values}
        leads.api_values = page_values(page.tree, rules, text=page.html)
    return leads
