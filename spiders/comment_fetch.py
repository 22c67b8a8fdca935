"""An article's comment pages, comments-API answers and platform thread, fetched one after another once its
extraction found where they are (CommentLeads); then its PageItem goes on with them."""
from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urldefrag, urljoin

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from monitor.config import PlatformOptions, SourceConfig, fill_template
from monitor.extract.comments import platforms
from monitor.extract.comments.api import api_page
from monitor.extract.comments.leads import CommentLeads, LeadOptions
from monitor.extract.comments.pages import comment_page_urls, may_link_comment_pages
from monitor.extract.comments.platforms import (
    Answer,
    Client,
    PlatformRequest,
    PlatformSettings,
    PlatformThread,
    PlatformUnavailable,
)
from monitor.extract.options import ExtractionOptions
from monitor.items import CommentPayload, PageItem
from monitor.middlewares import PLATFORM, PLATFORM_PAGED, NotModified
from monitor.secrets import mask_secrets
from spiders.errors import error_kind
from spiders.responses import content_type, is_html, parsed, request_of

__all__ = ["ApiState", "CommentFetch", "CommentFetching", "PlatformFetch", "lead_options"]

logger = logging.getLogger(__name__)

# An article whose comment platform was not read, or not wholly: what a user can do something about.
UNREAD = frozenset({"unread", "partial"})
PLATFORM_UNREAD = "comments_platform_unread"


def lead_options(source: SourceConfig) -> LeadOptions:
    """What extraction is to look for beyond an article page of ``source``: its comment pages and API (the
    platform it embeds is always looked for)."""
    api = source.comments_api
    values = () if api is None else tuple(
        (name, tuple((k, v) for k, v in rule.model_dump().items() if isinstance(v, str)))
        for name, rule in api.values.items())
    return LeadOptions(comment_pages=source.max_comment_pages > 0, has_api=api is not None, api_values=values)


@dataclass
class ApiState:
    """Where an article's comments API paging stands."""

    values: dict[str, str]
    page: int
    cursor: str = ""
    next_url: str | None = None
    requests: int = 0
    followed: set[str] = field(default_factory=set)


@dataclass
class PlatformFetch:
    """Where reading an article's comment platform stands: the requests left, and whether one failed."""

    thread: PlatformThread
    client: Client
    settings: PlatformSettings
    queue: list[PlatformRequest]
    requests: int = 0
    failed: bool = False


@dataclass
class CommentFetch:
    """An article page waiting for its other comment pages and API answers before it goes to extraction."""

    item: PageItem
    seen: set[str]
    queue: list[str] = field(default_factory=list)
    pages: int = 0
    api: ApiState | None = None
    platform: PlatformFetch | None = None


class CommentFetching:
    """The news spider's comment-paging state machine: each callback queues the next request, the last one
    yields the item; ``fetch_comments`` drives it for the extraction pipeline. The spider sets the attributes
    named here in its setup."""

    source: SourceConfig
    secrets: dict[str, str]
    extraction_options: ExtractionOptions
    crawler: Any
    rate_limited: set[str]  # platforms that answered 429 in this crawl

    async def fetch_comments(self, item: PageItem, leads: CommentLeads) -> PageItem:
        """``item`` with the comment pages, API answers and platform answers its ``leads`` point to, asked one
        after another through the engine's downloader (its middlewares apply: robots, offsite, retries, redirects,
        conditional requests), not its scheduler: the article waits in the item pipeline meanwhile."""
        outputs = list(self.comment_fetch(item, leads))
        while True:
            (out,) = outputs  # the state machine yields one request, or the item when it is done
            if isinstance(out, PageItem):
                return out
            outputs = list(await self._answer(out))

    async def _answer(self, request: scrapy.Request) -> Iterable[scrapy.Request | PageItem]:
        """What the request's callback makes of its response, or its errback of its failure."""
        try:
            response = await self.crawler.engine.download_async(request)
            if not 200 <= response.status < 300:  # what HttpErrorMiddleware does for a scheduled request
                raise HttpError(response, "Ignoring non-200 response")
        except Exception:  # noqa: BLE001 - every failure of a comment request costs only its comments
            failure = Failure()
            failure.request = request  # type: ignore[attr-defined]  # as Scrapy hands it to an errback
            assert request.errback is not None
            return request.errback(failure)
        assert request.callback is not None
        return request.callback(response, **request.cb_kwargs)

    def comment_fetch(self, item: PageItem, leads: CommentLeads) -> Iterator[scrapy.Request | PageItem]:
        """Start fetching the comments of the article ``item``, where its extraction's ``leads`` say they are."""
        fetch = CommentFetch(item, seen={urldefrag(item.url)[0], urldefrag(item.requested_url or item.url)[0]})
        if self.source.max_comment_pages:
            fetch.queue = list(leads.pages)
        api = self.source.comments_api
        if api is not None and leads.api_values is not None:
            fetch.api = ApiState(values=leads.api_values, page=api.first_page)
        if leads.platform is not None:
            fetch.platform = self.platform_fetch(item, leads.platform)
        yield from self.next_comment_request(fetch)

    def platform_fetch(self, item: PageItem, thread: PlatformThread) -> PlatformFetch | None:
        """The comment platform the page embeds, ready to be read; None (and the item's status) when it is not."""
        name = thread.platform
        self.crawler.stats.inc_value(f"monitor/platforms/{name}/found")
        options = self.source.platforms.get(name) or PlatformOptions()
        client = platforms.client(name)
        if not options.enabled:
            item.platform_status = "off"
            return None
        if client is None and item.rendered:
            # No API to read, but the browser ran the platform's embed: the thread is read from the rendered page.
            item.platform_status = "rendered"
            self.crawler.stats.inc_value(f"monitor/platforms/{name}/rendered")
            return None
        if client is None:
            item.platform_status = "unread"
            self.crawler.stats.inc_value(f"monitor/platforms/{name}/no_client")
            logger.info("comment platform %s not read: %s source=%s url=%s", name, platforms.unread_reason(name),
                        self.source.name, item.url)
            return None
        if name in self.rate_limited:
            item.platform_status = "unread"
            return None
        settings = PlatformSettings(
            api_key=fill_template(options.api_key, self.secrets, quote_values=False),
            token=fill_template(options.token, self.secrets, quote_values=False),
            url=options.url, site=options.site, page_size=options.page_size)
        try:
            queue = client.start(thread, settings)
        except PlatformUnavailable as exc:
            item.platform_status = "unread"
            self.crawler.stats.inc_value(f"monitor/platforms/{name}/unavailable")
            logger.warning("comment platform %s not read: %s source=%s url=%s", name, exc, self.source.name,
                           item.url)
            return None
        return PlatformFetch(thread=thread, client=client, settings=settings, queue=queue)

    def next_comment_request(self, fetch: CommentFetch) -> Iterator[scrapy.Request | PageItem]:
        """The article's next comment page or API page, or its PageItem when none is left."""
        while fetch.queue and fetch.pages < self.source.max_comment_pages:
            url = fetch.queue.pop(0)
            if url in fetch.seen:
                continue
            fetch.seen.add(url)
            fetch.pages += 1
            self.crawler.stats.inc_value("monitor/requests/comment_page")
            # Asked past the spider middlewares, so the Referer the article page would have given is set here.
            yield scrapy.Request(url, callback=self.parse_comment_page, errback=self.on_comment_error,
                                 headers={"Referer": fetch.item.url}, dont_filter=True, priority=30,
                                 cb_kwargs={"fetch": fetch})
            return
        api = self.source.comments_api
        if api is not None and fetch.api is not None and fetch.api.requests < api.max_pages:
            fill = {**fetch.api.values, "page": str(fetch.api.page), "cursor": fetch.api.cursor,
                    "url": fetch.item.url, **self.secrets}
            url = fetch.api.next_url or fill_template(api.url, fill)
            headers = {name: fill_template(value, fill, quote_values=False) for name, value in api.headers.items()}
            fetch.api.requests += 1
            self.crawler.stats.inc_value("monitor/requests/comments_api")
            # allow_offsite: the API may live on another host (Disqus); the source's config names it.
            yield scrapy.Request(url, headers=headers, callback=self.parse_comments_api,
                                 errback=self.on_comment_error, dont_filter=True, priority=30,
                                 meta={"allow_offsite": True, "referrer_policy": "no-referrer"},
                                 cb_kwargs={"fetch": fetch})
            return
        platform = fetch.platform
        if platform is not None and platform.queue and platform.requests < self.source.max_platform_requests:
            wanted = platform.queue.pop(0)
            platform.requests += 1
            self.crawler.stats.inc_value(f"monitor/requests/platform/{platform.thread.platform}")
            # allow_offsite: the platform lives on its own host; no referrer: the article URL is not the API's.
            meta: dict[str, Any] = {"allow_offsite": True, "referrer_policy": "no-referrer"}
            if self.conditional(platform, wanted):
                meta["conditional"] = PLATFORM
            yield scrapy.Request(wanted.url, method=wanted.method, headers=dict(wanted.headers), body=wanted.body,
                                 callback=self.parse_platform, errback=self.on_comment_error, dont_filter=True,
                                 priority=30, meta=meta, cb_kwargs={"fetch": fetch, "wanted": wanted})
            return
        if platform is not None:
            fetch.item.platform_status = "partial" if platform.failed or platform.queue else "read"
            if platform.queue:
                self.crawler.stats.inc_value(f"monitor/platforms/{platform.thread.platform}/capped")
        if fetch.item.platform_status in UNREAD:
            # Counted as an error of the run: `monitor sources` shows it per source.
            self.crawler.stats.inc_value(f"monitor/errors/{PLATFORM_UNREAD}")
        yield fetch.item

    def conditional(self, platform: PlatformFetch, wanted: PlatformRequest) -> bool:
        """Whether a platform request may be answered 304: a thread's one and only GET so far, whose URL holds no
        secret (validators are stored by URL). A 304 then says the whole stored thread stands."""
        if platform.requests != 1 or platform.queue or wanted.method != "GET":
            return False
        secrets = [s for s in (*self.secrets.values(), platform.settings.api_key, platform.settings.token) if s]
        return not any(secret in wanted.url for secret in secrets)

    def parse_platform(self, response: Response, fetch: CommentFetch,
                       wanted: PlatformRequest) -> Iterator[scrapy.Request | PageItem]:
        platform = fetch.platform
        assert platform is not None  # only a fetch reading a platform asks for its answers
        name = platform.thread.platform
        self.crawler.stats.inc_value(f"monitor/pages/platform/{name}")
        fetch.item.comment_payloads.append(CommentPayload(
            url=self.mask(response.url), body=response.body, content_type="application/json", platform=name))
        headers = {k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in response.headers.items()}
        try:
            platform.queue += platform.client.follow(
                wanted, Answer(url=response.url, status=response.status, headers=headers, body=response.body),
                platform.settings)
        except Exception:  # an answer shape the client did not foresee: what came so far stays
            logger.warning("comment platform answer unreadable platform=%s source=%s url=%s", name,
                           self.source.name, self.mask(response.url), exc_info=True)
            platform.failed = True
        if (platform.queue or platform.failed) and response.meta.get("conditional") == PLATFORM:
            # The thread pages (or this answer could not be read): a 304 for it next time would hide the rest of
            # the thread, so its validators are not kept.
            response.meta["conditional"] = PLATFORM_PAGED
        yield from self.next_comment_request(fetch)

    def parse_comment_page(self, response: Response, fetch: CommentFetch) -> Iterator[scrapy.Request | PageItem]:
        page_url = urldefrag(response.url)[0]
        # A redirect back to a page already in hand (comment-page-1 → the article) adds nothing.
        if is_html(response) and (page_url == urldefrag(request_of(response).url)[0] or page_url not in fetch.seen):
            assert isinstance(response, TextResponse)
            fetch.seen.add(page_url)
            self.crawler.stats.inc_value("monitor/pages/comment_page")
            fetch.item.comment_payloads.append(CommentPayload(
                url=response.url, body=response.body, content_type=content_type(response),
                encoding=response.encoding))
            if may_link_comment_pages(response.body):
                fetch.queue += [u for u in comment_page_urls(parsed(response), response.url) if u not in fetch.seen]
        yield from self.next_comment_request(fetch)

    def parse_comments_api(self, response: Response, fetch: CommentFetch) -> Iterator[scrapy.Request | PageItem]:
        api, state = self.source.comments_api, fetch.api
        assert api is not None and state is not None
        self.crawler.stats.inc_value("monitor/pages/comments_api")
        fetch.item.comment_payloads.append(CommentPayload(
            url=self.mask(response.url), body=response.body, content_type="application/json"))
        assert self.extraction_options.comments_api is not None  # a source with comments_api has its options
        answer = api_page(response.body, self.extraction_options.comments_api)
        if answer.count == 0:
            fetch.api = None
        elif api.next:
            if answer.next is None or answer.next in state.followed:
                fetch.api = None
            else:
                state.followed.add(answer.next)
                if answer.next.startswith(("http://", "https://", "/", "?")):
                    state.next_url = urljoin(response.url, answer.next)
                else:
                    state.cursor = answer.next
        elif "{page}" in api.url:
            state.page += 1
        else:
            fetch.api = None
        yield from self.next_comment_request(fetch)

    def on_comment_error(self, failure: Failure) -> Iterator[scrapy.Request | PageItem]:
        """A comment page or API page that fails costs only its comments: the article goes on."""
        request = failure.request  # type: ignore[attr-defined]
        fetch: CommentFetch = request.cb_kwargs["fetch"]
        if failure.check(NotModified) and request.callback == self.parse_platform and fetch.platform is not None:
            # The thread is as the last crawl stored it: those comments stay in the index, nothing to add.
            self.crawler.stats.inc_value(f"monitor/platforms/{fetch.platform.thread.platform}/not_modified")
            yield from self.next_comment_request(fetch)
            return
        kind = error_kind(failure)
        self.crawler.stats.inc_value(f"monitor/errors/comments_{kind}")
        logger.warning("comment fetch failed (%s); the article keeps the comments it has source=%s url=%s",
                       kind, self.source.name, self.mask(request.url))
        if request.callback == self.parse_comments_api:
            fetch.api = None
        elif request.callback == self.parse_platform and fetch.platform is not None:
            self.platform_failed(fetch.platform, failure)
        yield from self.next_comment_request(fetch)

    def platform_failed(self, platform: PlatformFetch, failure: Failure) -> None:
        """A platform request that failed: the thread is partial; a 404 is a thread nobody has commented on yet;
        a 429 (after Scrapy's retries) stops asking that platform for the rest of the crawl."""
        error = failure.value
        status = error.response.status if isinstance(error, HttpError) else None
        if status == 404 and platform.requests == 1:
            return
        platform.failed = True
        platform.queue.clear()
        if status == 429:
            self.rate_limited.add(platform.thread.platform)
            logger.warning("comment platform %s answers 429 (rate limited): not asked again in this crawl source=%s",
                           platform.thread.platform, self.source.name)

    def mask(self, text: str) -> str:
        return mask_secrets(text, self.secrets.values())
