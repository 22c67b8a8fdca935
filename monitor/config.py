"""The config schema (index, crawl, sources, topics, alerts), loading from YAML and errors that name the key."""
from __future__ import annotations

import os
import re
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote, urlsplit

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from monitor.errors import ConfigError
from monitor.timeranges import span

CONFIG_ENV = "MONITOR_CONFIG"
DEFAULT_CONFIG_NAME = "monitor.yaml"
DEFAULT_INDEX_URL = "sqlite:///data/monitor.db"
DEFAULT_USER_AGENT = "MediaMonitor/0.1 (+https://github.com/media-monitor; self-hosted news monitor)"


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> timedelta:
    """'90s', '15m', '6h', '3d', '1w' → timedelta."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a duration: write a number and a unit s, m, h, d or w, like 15m or 3d")
    return timedelta(seconds=float(match.group(1)) * _UNIT_SECONDS[match.group(2)])


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class IndexConfig(_Strict):
    url: str = DEFAULT_INDEX_URL

    @field_validator("url")
    @classmethod
    def _known_scheme(cls, url: str) -> str:
        from monitor.index import backend_of

        try:
            backend_of(url)
        except ConfigError:
            raise ValueError("must start with sqlite:/// (embedded) or http(s):// (Elasticsearch/OpenSearch)") from None
        if "@" in urlsplit(url).netloc:
            raise ValueError(
                "must not hold credentials; set MONITOR_INDEX_USERNAME/MONITOR_INDEX_PASSWORD "
                "or MONITOR_INDEX_API_KEY in the environment instead"
            )
        return url


class CrawlConfig(_Strict):
    user_agent: str = DEFAULT_USER_AGENT
    obey_robots: bool = True
    concurrency_per_domain: int = Field(4, ge=1, le=64)
    download_delay: float = Field(0.25, ge=0)
    download_timeout: float = Field(30.0, gt=0)
    max_page_bytes: int = Field(10_000_000, ge=10_000)
    autothrottle: bool = True
    browser: str = "/usr/bin/chromium"  # the chromium that renders pages of sources with `render` (Debian's)


def _as_duration(value: Any) -> Any:
    return parse_duration(value) if isinstance(value, str) else value


class ScheduleConfig(_Strict):
    """When a source is crawled: a five-field cron (in serve.timezone) or an interval, with optional jitter."""

    cron: str | None = None
    every: timedelta | None = None
    jitter: timedelta | None = None  # each run starts up to this much later, so sources do not all start at once

    @field_validator("every", "jitter", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        return _as_duration(value)

    @field_validator("cron")
    @classmethod
    def _cron(cls, cron: str | None) -> str | None:
        if cron is not None:
            from apscheduler.triggers.cron import (
                CronTrigger,  # late: only configs with schedules need it
            )

            try:
                CronTrigger.from_crontab(cron, timezone="UTC")
            except ValueError as exc:
                raise ValueError(f"{cron!r} is not a cron schedule ({exc}); write five fields: "
                                 f"minute hour day month weekday, like \"*/30 * * * *\"") from None
        return cron

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        """``"15m"`` is an interval, ``"*/30 * * * *"`` a cron."""
        if isinstance(value, str):
            return {"cron": value} if len(value.split()) == 5 else {"every": value}
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> ScheduleConfig:
        if (self.cron is None) == (self.every is None):
            raise ValueError("give exactly one of cron (like \"*/30 * * * *\") or every (like 15m)")
        if self.every is not None and self.every.total_seconds() < 1:
            raise ValueError("every must be at least 1s")
        return self

    def describe(self) -> str:
        """The schedule as a person says it, e.g. ``cron */30 * * * *`` or ``every 15 min (jitter 1 min)``."""
        text = f"cron {self.cron}" if self.cron else f"every {span(self.every) if self.every else None}"
        return f"{text} (jitter {span(self.jitter)})" if self.jitter else text


class ServeConfig(_Strict):
    """`monitor serve`: how many crawls at once, how long one may take, how it stops, where its state lives."""

    max_concurrent_crawls: int = Field(2, ge=1, le=256)
    crawl_timeout: timedelta = timedelta(hours=2)  # a crawl still running then is killed and recorded as timeout
    grace_period: timedelta = timedelta(seconds=60)  # on SIGTERM, running crawls get this long to finish
    misfire_grace: timedelta = timedelta(days=1)  # a run missed by less than this is caught up (once) at start
    state_store: str = "state.db"  # SQLite: schedules, run records, HTTP validators; relative to data_dir
    unhealthy_after: int = Field(3, ge=1)  # failed runs in a row before a source is flagged failing
    default_schedule: ScheduleConfig | None = None  # for sources without their own; none: only scheduled ones run
    timezone: str = "UTC"  # of cron schedules
    watch_config: bool = True  # reload when the config file changes (SIGHUP always reloads)
    run_new_sources_now: bool = True  # a newly scheduled source is crawled at once, then on its schedule

    @field_validator("crawl_timeout", "grace_period", "misfire_grace", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        return _as_duration(value)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, zone: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{zone!r} is not a time zone name like UTC or Europe/Berlin") from None
        return zone


class ClusterConfig(_Strict):
    """Several machines: a Celery broker for the crawl jobs and a shared database for the state store."""

    broker: str | None = None  # redis://host:6379/0 or amqp://user:pass@host//; none: crawls run on this machine
    state: str | None = None  # postgresql://user:pass@host/db; none: SQLite under data_dir (serve.state_store)
    lease: timedelta = timedelta(seconds=60)  # a source's crawl lease (and the leader lock) lapse this long after
    # their holder stops renewing them, e.g. when it is killed
    # A job a worker took and did not acknowledge is delivered again after this long (Redis's visibility timeout):
    # how soon a killed worker's job is redone. A crawl that runs longer meets its own copy, which waits for the
    # source's lease (it re-queues itself) and is dropped once the run is done.
    redeliver_after: timedelta = timedelta(minutes=10)

    @field_validator("lease", "redeliver_after", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        return _as_duration(value)

    @field_validator("broker")
    @classmethod
    def _broker_url(cls, url: str | None) -> str | None:
        if url is not None and urlsplit(url).scheme not in ("redis", "rediss", "amqp", "amqps"):
            raise ValueError(f"{url!r} is not a broker URL: use redis://host:6379/0 (Redis) or "
                             "amqp://user:password@host:5672// (RabbitMQ)")
        return url

    @field_validator("state")
    @classmethod
    def _state_url(cls, url: str | None) -> str | None:
        if url is not None and urlsplit(url).scheme.split("+")[0] not in ("postgresql", "postgres", "sqlite"):
            raise ValueError(f"{url!r} is not a state store URL: use postgresql://user:password@host:5432/monitor")
        return url

    @property
    def enabled(self) -> bool:
        """Crawls go through the broker to `monitor worker` processes."""
        return self.broker is not None


_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*(?::[A-Za-z_][A-Za-z0-9_]*)?)\}")
API_BUILTINS = frozenset({"page", "cursor", "url"})  # filled by the crawler, not from the page


def placeholders(template: str) -> list[str]:
    """The ``{name}`` and ``{env:NAME}`` placeholders of a URL or header template."""
    return _PLACEHOLDER.findall(template)


def fill_template(template: str, values: dict[str, str], *, quote_values: bool = True) -> str:
    """``{name}`` filled from ``values`` (URL-quoted unless told not to); ``{env:NAME}`` must be in ``values`` too."""
    def one(match: re.Match[str]) -> str:
        value = values.get(match.group(1), "")
        return quote(value, safe="") if quote_values else value
    return _PLACEHOLDER.sub(one, template)


def _check_selector(expression: str) -> str:
    from monitor.extract.selectors import (
        compile_selector,  # lxml/parsel only when selectors are configured
    )

    try:
        compile_selector(expression)
    except ValueError as exc:
        raise ValueError(f"{expression!r} is not a valid CSS or XPath selector: {exc}") from None
    return expression


class ArticleSelectors(_Strict):
    """Per-source overrides of article fields; CSS, or XPath when the expression starts with / ( or ./"""

    title: str = ""
    body: str = ""
    author: str = ""
    date: str = ""

    @field_validator("*")
    @classmethod
    def _valid(cls, value: str) -> str:
        return _check_selector(value) if value else value


class CommentSelectors(_Strict):
    """Per-source comment markup: ``item`` (inside ``container``) finds comments; the rest are relative to an item."""

    container: str = ""
    item: str = ""
    author: str = ""
    date: str = ""
    text: str = ""
    id: str = ""
    parent: str = ""
    likes: str = ""

    @field_validator("*")
    @classmethod
    def _valid(cls, value: str) -> str:
        return _check_selector(value) if value else value

    @model_validator(mode="after")
    def _has_items(self) -> CommentSelectors:
        if any(getattr(self, f) for f in type(self).model_fields) and not self.item:
            raise ValueError("item is required: the selector of one comment")
        return self


class SelectorsConfig(_Strict):
    article: ArticleSelectors = ArticleSelectors()
    comments: CommentSelectors = CommentSelectors()


class ValueRule(_Strict):
    """Where a value for the comments API URL is found in the article page: one of regex, css or xpath."""

    regex: str = ""
    css: str = ""
    xpath: str = ""

    @model_validator(mode="after")
    def _exactly_one(self) -> ValueRule:
        given = [k for k in ("regex", "css", "xpath") if getattr(self, k)]
        if len(given) != 1:
            raise ValueError("give exactly one of regex, css or xpath")
        if self.regex:
            try:
                re.compile(self.regex)
            except re.error as exc:
                raise ValueError(f"regex is not a valid regular expression: {exc}") from None
        else:
            _check_selector(self.css or self.xpath)
        return self


class CommentFields(_Strict):
    """JSON paths (dotted, relative to one comment) of each comment field; empty: not given by the API."""

    id: str = "id"
    parent: str = "parent"
    author: str = "author"
    date: str = "date"
    text: str = "text"
    likes: str = ""


class CommentsApiConfig(_Strict):
    """Comments loaded from a JSON endpoint: a URL template filled from the article page, JSON paths for the fields."""

    url: str
    values: dict[str, ValueRule] = {}
    items: str = ""  # JSON path of the list of comments; empty: the answer is the list
    fields: CommentFields = CommentFields()
    next: str = ""  # JSON path of the next page's URL or cursor; empty: count {page} until an empty page
    first_page: int = Field(1, ge=0)
    html_text: bool = False
    max_pages: int = Field(20, ge=1, le=1000)
    headers: dict[str, str] = {}

    @model_validator(mode="after")
    def _known_placeholders(self) -> CommentsApiConfig:
        if urlsplit(self.url.split("{", 1)[0]).scheme not in ("http", "https") and not self.url.startswith("{"):
            raise ValueError(f"url {self.url!r} is not an http(s) URL template")
        known = API_BUILTINS | set(self.values)
        for template in (self.url, *self.headers.values()):
            for name in placeholders(template):
                if not name.startswith("env:") and name not in known:
                    raise ValueError(f"placeholder {{{name}}} is neither in values nor one of "
                                     f"{{page}}, {{cursor}}, {{url}}, {{env:NAME}}")
        return self

    def env_names(self) -> list[str]:
        """The environment variables the URL and headers take secrets from."""
        names = [p[4:] for t in (self.url, *self.headers.values()) for p in placeholders(t) if p.startswith("env:")]
        return list(dict.fromkeys(names))

    def extraction_options(self) -> dict[str, Any]:
        """What extraction needs to read an answer (no URL, no secrets)."""
        return {"items": self.items, "fields": self.fields.model_dump(), "next": self.next,
                "html_text": self.html_text}


_ENV_ONLY = re.compile(r"\{env:[A-Za-z_][A-Za-z0-9_]*\}")


class PlatformOptions(_Strict):
    """A source's settings for one comment platform (``platforms: {disqus: {api_key: "{env:DISQUS_KEY}"}}``)."""

    enabled: bool = True  # false: the platform is recorded on the article, never asked
    force: bool = False  # look for this platform alone on the source's pages
    api_key: str = ""  # Disqus' public API key, Vuukle's: as {env:NAME}
    token: str = ""  # a GitHub token for giscus/utterances (optional; raises GitHub's rate limit): as {env:NAME}
    url: str = ""  # the platform's API base URL, over the one the page names (self-hosted Isso, Remark42, Coral…)
    site: str = ""  # the site or forum id, over the one the page names
    page_size: int = Field(50, ge=1, le=100)

    @field_validator("api_key", "token")
    @classmethod
    def _from_env(cls, value: str) -> str:
        if value and not _ENV_ONLY.fullmatch(value.strip()):
            raise ValueError("write it as {env:NAME} and set NAME in the environment: keys never go in the file")
        return value.strip()

    @field_validator("url")
    @classmethod
    def _http(cls, url: str) -> str:
        if url and urlsplit(url).scheme not in ("http", "https"):
            raise ValueError(f"{url!r} is not an http(s) URL")
        return url

    def env_names(self) -> list[str]:
        return [value[5:-1] for value in (self.api_key, self.token) if value]


class SourceConfig(_Strict):
    name: str
    feeds: list[str] = []
    sitemaps: list[str] = []
    start_urls: list[str] = []
    follow_depth: int = Field(1, ge=0, le=5)
    allowed_domains: list[str] = []
    article_url_pattern: str = ""
    max_articles: int | None = Field(None, ge=1)
    # all: index every article; topics: only articles that match at least one topic (with their comments).
    keep: Literal["all", "topics"] = "all"
    # The site's own search (or tag) pages with a {query} placeholder, crawled for every topic's keywords.
    search_urls: list[str] = []
    # Known articles younger than this are fetched again to pick up new comments.
    refresh_comments_for: timedelta = timedelta(days=3)
    # Comment pages (/comment-page-2/, ?cpage=2, "older comments") fetched per article; 0: only the article page.
    max_comment_pages: int = Field(50, ge=0, le=1000)
    comments_api: CommentsApiConfig | None = None
    # Comment platforms the pages embed (Disqus, Isso, …): keys, API hosts, one forced, some switched off.
    platforms: dict[str, PlatformOptions] = {}
    # Requests to a comment platform per article (pages of comments, replies); what is left is counted as partial.
    max_platform_requests: int = Field(30, ge=1, le=1000)
    # Article pages rendered in a headless browser: "page" waits for the network to settle, "comments" also
    # waits for render_wait_for (a CSS selector of the comment container) and clicks "load more" up to
    # render_clicks times. None: plain HTTP, and no browser ever starts for this source.
    render: Literal["comments", "page"] | None = None
    render_wait_for: str = ""
    render_clicks: int = Field(10, ge=0, le=100)
    # Only the article pages on these hosts (and their subdomains) are rendered; empty: all of the source's.
    render_domains: list[str] = []
    # And only those whose path starts with one of these ("/live/"); empty: any path.
    render_paths: list[str] = []

    def renders(self, url: str) -> bool:
        """Whether the article page at ``url`` is rendered in the browser."""
        if not self.render:
            return False
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        domains = [d.lower().strip(".") for d in self.render_domains]
        return ((not domains or any(host == d or host.endswith("." + d) for d in domains))
                and (not self.render_paths or any((parts.path or "/").startswith(p) for p in self.render_paths)))

    @field_validator("render_paths")
    @classmethod
    def _paths(cls, paths: list[str]) -> list[str]:
        for path in paths:
            if not path.startswith("/"):
                raise ValueError(f"{path!r} is not a URL path: write it from the first slash, like /live/")
        return paths
    selectors: SelectorsConfig = SelectorsConfig()
    # When `monitor serve` crawls it: "*/30 * * * *", "15m", or {every: 15m, jitter: 1m}; none: serve.default_schedule.
    schedule: ScheduleConfig | None = None

    @field_validator("refresh_comments_for", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        return parse_duration(value) if isinstance(value, str) else value

    @field_validator("name")
    @classmethod
    def _slug(cls, name: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name):
            raise ValueError("must be a short name of letters, digits, '-', '_' or '.' (it is used in commands)")
        return name

    @field_validator("feeds", "sitemaps", "start_urls")
    @classmethod
    def _http_urls(cls, urls: list[str]) -> list[str]:
        for url in urls:
            if urlsplit(url).scheme not in ("http", "https"):
                raise ValueError(f"{url!r} is not an http(s) URL")
        return urls

    @field_validator("search_urls")
    @classmethod
    def _search_templates(cls, urls: list[str]) -> list[str]:
        for url in urls:
            if urlsplit(url).scheme not in ("http", "https"):
                raise ValueError(f"{url!r} is not an http(s) URL")
            if "{query}" not in url:
                raise ValueError(f"{url!r} needs a {{query}} placeholder where the keywords go, "
                                 f"like https://site/search?q={{query}}")
        return urls

    @field_validator("article_url_pattern")
    @classmethod
    def _regex(cls, pattern: str) -> str:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"is not a valid regular expression: {exc}") from None
        return pattern

    @field_validator("platforms")
    @classmethod
    def _known_platforms(cls, platforms: dict[str, PlatformOptions]) -> dict[str, PlatformOptions]:
        from monitor.extract.comments.platforms.names import PLATFORM_NAMES  # no parser imports for a config check

        for name in platforms:
            if name not in PLATFORM_NAMES:
                raise ValueError(f"{name!r} is not a comment platform the monitor knows "
                                 f"(known: {', '.join(PLATFORM_NAMES)})")
        forced = [name for name, options in platforms.items() if options.force]
        if len(forced) > 1:
            raise ValueError(f"only one platform can be forced, not {' and '.join(forced)}")
        return platforms

    def forced_platform(self) -> str | None:
        return next((name for name, options in self.platforms.items() if options.force), None)

    @model_validator(mode="after")
    def _has_entry_points(self) -> SourceConfig:
        if not (self.feeds or self.sitemaps or self.start_urls or self.search_urls):
            raise ValueError("needs at least one of feeds, sitemaps, start_urls or search_urls")
        return self

    def secrets(self) -> dict[str, str]:
        """The ``env:NAME`` values the source needs, from the environment; a missing one is a ConfigError."""
        found: dict[str, str] = {}
        for name in self.comments_api.env_names() if self.comments_api else []:
            value = os.environ.get(name)
            if not value:
                raise ConfigError(f"source {self.name!r}: comments_api needs the environment variable {name}, "
                                  f"which is not set")
            found[f"env:{name}"] = value
        for platform, options in self.platforms.items():
            for name in options.env_names() if options.enabled else []:
                value = os.environ.get(name)
                if not value:
                    raise ConfigError(f"source {self.name!r}: platforms.{platform} needs the environment variable "
                                      f"{name}, which is not set")
                found[f"env:{name}"] = value
        return found

    def extraction_options(self) -> dict[str, Any]:
        """The source's options for extraction (plain data, no secrets): selectors and how to read its comments API."""
        options: dict[str, Any] = {}
        selectors = self.selectors.model_dump(exclude_defaults=True)
        if selectors:
            options["selectors"] = selectors
        if self.comments_api:
            options["comments_api"] = self.comments_api.extraction_options()
        if self.forced_platform():
            options["platform"] = self.forced_platform()
        return options

    def domains(self) -> list[str]:
        """allowed_domains, or the hosts of the configured URLs."""
        if self.allowed_domains:
            return list(self.allowed_domains)
        hosts = {urlsplit(u).hostname or "" for u in [*self.feeds, *self.sitemaps, *self.start_urls, *self.search_urls]}
        return sorted(h for h in hosts if h)


def _check_cron(cron: str) -> None:
    """Raise ValueError saying what is wrong with a five-field cron expression (UTC)."""
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(cron, timezone=UTC)
    except ValueError as exc:
        raise ValueError(f"{cron!r} is not a cron schedule ({exc}); write five fields: "
                         f"minute hour day month weekday, like \"0 8 * * *\" (UTC)") from None


def _valid_query(query: str) -> str:
    from monitor.errors import QueryError
    from monitor.query import parse  # late, like the other validators' imports: `monitor --help` stays quick

    try:
        parse(query)
    except QueryError as exc:
        raise ValueError(f"the query does not parse: {exc}") from None
    return query


class TopicConfig(_Strict):
    name: str
    query: str

    @field_validator("query")
    @classmethod
    def _query(cls, query: str) -> str:
        return _valid_query(query)


class AlertConfig(_Strict):
    """A saved search that notifies: right away (immediate) or one message per schedule (digest)."""

    name: str
    query: str
    types: list[Literal["article", "comment"]] = ["article", "comment"]
    sources: list[str] = []
    topics: list[str] = []
    languages: list[str] = []
    notify: list[str] = Field(min_length=1)  # Apprise URLs; {env:NAME} is replaced from the environment
    mode: Literal["immediate", "digest"] = "immediate"
    digest_schedule: str | None = None  # cron, e.g. "0 8 * * *"
    # document (the default): every matching copy notifies; cluster: a story reprinted by many outlets notifies
    # once, its later copies join that match's history. Not the default: two different stories wrongly taken
    # for one would silence the second, and a missed alert costs more than a repeated one. Comments always
    # count one by one.
    once_per: Literal["cluster", "document"] = "document"

    @field_validator("name")
    @classmethod
    def _slug(cls, name: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name):
            raise ValueError("must be a short name of letters, digits, '-', '_' or '.' (it is used in commands)")
        return name

    @field_validator("query")
    @classmethod
    def _query(cls, query: str) -> str:
        return _valid_query(query)

    @field_validator("notify")
    @classmethod
    def _apprise_urls(cls, urls: list[str]) -> list[str]:
        for url in urls:
            if "://" not in url:
                raise ValueError("each notify entry is an Apprise URL like json://host/path, mailto://…, "
                                 "tgram://{env:TELEGRAM_TOKEN}/chat_id")
        return urls

    @field_validator("digest_schedule")
    @classmethod
    def _cron(cls, schedule: str | None) -> str | None:
        if schedule is not None:
            _check_cron(schedule)
        return schedule

    @model_validator(mode="after")
    def _digest_needs_schedule(self) -> AlertConfig:
        if self.mode == "digest" and not self.digest_schedule:
            raise ValueError("mode: digest needs digest_schedule (cron, like \"0 8 * * *\" for 08:00 every day)")
        return self


class NotificationConfig(_Strict):
    """How failed sends are retried: after retry_after, doubling up to max_retry_after, at most max_attempts."""

    retry_after: timedelta = timedelta(seconds=30)
    max_retry_after: timedelta = timedelta(hours=1)
    max_attempts: int = Field(20, ge=1)

    @field_validator("retry_after", "max_retry_after", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        return parse_duration(value) if isinstance(value, str) else value


_HOST_NAME = re.compile(r"^(\*|(\*\.)?[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?|[0-9a-f:.]+)$")


class WebConfig(_Strict):
    """`monitor web` (and the web server of `monitor serve`): where it listens, whether reads need the token,
    the host names it answers to, and the proxies whose forwarded headers it believes."""

    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)
    open_reads: bool = True  # false: searching and reading need MONITOR_API_TOKEN too (writes always do)
    # Host names (or addresses) the UI and API answer to; a request naming any other Host is refused, which is
    # what stops DNS rebinding. `host` (when not 0.0.0.0 or ::) and the address a request arrived at are added.
    # "*.example.org" allows the subdomains; "*" switches the check off.
    allowed_hosts: list[str] = ["127.0.0.1", "localhost", "::1"]
    # Addresses or networks (10.0.0.0/8) of reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are
    # believed: the client address (login throttling) and https (Secure cookies, HSTS) come from them.
    trusted_proxies: list[str] = []
    # Who may read /metrics: `local` (default) a client on this machine without the token, anyone else with it;
    # `public` anyone who reaches the server (a Prometheus on another machine of a private network); `token` only
    # with MONITOR_API_TOKEN; `off` not served.
    metrics: Literal["local", "public", "token", "off"] = "local"

    @field_validator("allowed_hosts")
    @classmethod
    def _host_names(cls, hosts: list[str]) -> list[str]:
        cleaned = [h.strip().lower().rstrip(".").removeprefix("[").removesuffix("]") for h in hosts]
        for given, host in zip(hosts, cleaned, strict=True):
            if not _HOST_NAME.match(host):
                raise ValueError(f"{given!r} is not a host name: write it as it appears in the browser's address "
                                 f"bar, without scheme, port or path (monitor.example.org, 192.0.2.7)")
        return cleaned

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_addresses(cls, proxies: list[str]) -> list[str]:
        import ipaddress

        for proxy in proxies:
            try:
                ipaddress.ip_network(proxy.strip(), strict=False)
            except ValueError:
                raise ValueError(f"{proxy!r} is not an IP address or network (like 127.0.0.1, ::1 or 10.0.0.0/8); "
                                 f"proxies are named by address, not by host name") from None
        return [p.strip() for p in proxies]


class Config(_Strict):
    index: IndexConfig = IndexConfig()
    crawl: CrawlConfig = CrawlConfig()
    sources: list[SourceConfig] = []
    topics: list[TopicConfig] = []
    alerts: list[AlertConfig] = []
    notifications: NotificationConfig = NotificationConfig()
    serve: ServeConfig = ServeConfig()
    cluster: ClusterConfig = ClusterConfig()
    web: WebConfig = WebConfig()
    data_dir: str = "data"
    path: Path | None = Field(None, exclude=True)  # the file it came from
    store_sources: frozenset[str] = Field(frozenset(), exclude=True)  # sources added in the UI (monitor.state.merge)

    @model_validator(mode="after")
    def _unique_source_names(self) -> Config:
        names = [s.name for s in self.sources]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"source names must be unique; repeated: {', '.join(dupes)}")
        for kind, items in (("topic", self.topics), ("alert", self.alerts)):
            names = [i.name for i in items]
            dupes = sorted({n for n in names if names.count(n) > 1})
            if dupes:
                raise ValueError(f"{kind} names must be unique; repeated: {', '.join(dupes)}")
        keeps_topics = [s.name for s in self.sources if s.keep == "topics"]
        if keeps_topics and not self.topics:
            raise ValueError(f"sources {', '.join(keeps_topics)} say keep: topics, but no topics are configured; "
                             "add topics: [{name, query}] or set keep: all")
        return self

    @property
    def spool_dir(self) -> Path:
        """Where batches the search engine did not take wait to be replayed."""
        return Path(self.data_dir) / "spool"

    @property
    def state_db(self) -> Path:
        """The monitor's own state (alerts, what was sent, the notification outbox; schedules, runs, HTTP
        validators): SQLite under data_dir (serve.state_store)."""
        return Path(self.data_dir) / self.serve.state_store

    @property
    def state_url(self) -> str:
        """The state store as an SQLAlchemy URL: cluster.state, or the SQLite file under data_dir."""
        return self.cluster.state or f"sqlite:///{self.state_db}"

    def schedule_of(self, source: SourceConfig) -> ScheduleConfig | None:
        """The source's schedule, or serve.default_schedule."""
        return source.schedule or self.serve.default_schedule

    def source(self, name: str) -> SourceConfig:
        for source in self.sources:
            if source.name == name:
                source.secrets()  # a crawl must not start without them
                return source
        known = ", ".join(s.name for s in self.sources) or "none configured"
        raise ConfigError(f"no source named {name!r} in {self.path or 'the config'} (known: {known})")


def find_config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """--config, then $MONITOR_CONFIG, then ./monitor.yaml."""
    if explicit:
        return Path(explicit)
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    return Path.cwd() / DEFAULT_CONFIG_NAME


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Read and validate the config; relative paths in it are made relative to the file. The sources added in
    the web UI or API (kept in the state store) follow the file's: every command sees the same list."""
    config_path = find_config_path(path).resolve()
    if not config_path.exists():
        raise ConfigError(
            f"config file {config_path} not found: write one with `monitor init`, "
            f"or pass --config FILE or set ${CONFIG_ENV}"
        )
    try:
        text = config_path.read_text(encoding="utf-8")
        raw = yaml.compose(text)
        data = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{config_path}: cannot read the config: {exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{config_path}: not valid YAML: {exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{config_path}: the top level must be a mapping (index:, crawl:, sources:, topics:)")
    config = config_from_dict(data, path=config_path, node=raw)
    from monitor.state.merge import with_stored_sources  # late: the sources added in the UI join the file's

    return with_stored_sources(config, SourceConfig.model_validate)


# The crawl settings key under which the spider hands the loaded Config to every component of its crawl.
CRAWL_CONFIG = "MONITOR_CONFIG_OBJECT"


def crawl_config(settings: Any) -> Config:
    """The crawl's config from its (Scrapy) settings, as the spider loaded it; no second read of the file."""
    config = settings.get(CRAWL_CONFIG)
    if not isinstance(config, Config):
        raise ConfigError(f"no config in the crawl settings ({CRAWL_CONFIG}): crawl with the news spider "
                          "(`monitor crawl` or `scrapy crawl news -a source=NAME`), which reads monitor.yaml once")
    return config


def config_from_dict(data: dict[str, Any], *, path: Path | None = None, node: Any = None) -> Config:
    """Validate a config mapping; errors name the file, the key (and its line when known) and what is wrong."""
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        where = str(path) if path else "config"
        lines = []
        for error in exc.errors():
            key = ".".join(str(p) for p in error["loc"]) or "(top level)"
            line = _line_of(node, error["loc"])
            at = f"{where}:{line}" if line else where
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "extra_forbidden":
                message = "unknown key (check its spelling; see `monitor init` for every key)"
            lines.append(f"{at}: {key}: {message}")
        raise ConfigError("invalid config:\n  " + "\n  ".join(lines)) from None
    base = path.parent if path else Path.cwd()
    return config.model_copy(update={"path": path, "index": _resolve_index(config.index, base),
                                     "data_dir": str((base / config.data_dir).resolve())})


def _resolve_index(index: IndexConfig, base: Path) -> IndexConfig:
    from monitor.index import backend_of, sqlite_path

    if backend_of(index.url) == "sqlite":
        db = sqlite_path(index.url)
        if not db.is_absolute():
            return IndexConfig(url=f"sqlite:///{(base / db).resolve()}")
    return index


def _line_of(node: Any, loc: tuple[Any, ...]) -> int | None:
    """The 1-based line of the YAML node at ``loc``, or of its nearest existing parent."""
    line = None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == part), None)
            key_node = next((k for k, v in node.value if k.value == part), None)
            if match is None:
                return line
            line = key_node.start_mark.line + 1 if key_node else line
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line
