"""Scrapy settings: pipeline order, politeness, limits. Values from monitor.yaml's `crawl:` are applied by the spider."""
from __future__ import annotations

BOT_NAME = "monitor"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# --- Politeness: start polite; monitor.yaml `crawl:` overrides these per run -----------------
ROBOTSTXT_OBEY = True
USER_AGENT = "MediaMonitor/0.1 (self-hosted news monitor)"
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOADER = "monitor.middlewares.PoliteDownloader"  # CONCURRENT_REQUESTS_PER_DOMAIN held without a delay too
DOWNLOAD_DELAY = 0.25
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.25
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
# Per response, not per crawl: Scrapy 2.19 starts this many asyncio tasks for every response's output, whatever
# it holds (scrapy/scrapy#5182). Our callbacks give one item or a few requests each, and at the default 100 the
# tasks alone halved a 100k-URL sitemap crawl (BENCHMARKS.md, issue 11).
CONCURRENT_ITEMS = 1

# --- Limits: a broken site must not stall or flood a crawl ----------------------------------
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10_000_000
DOWNLOAD_WARNSIZE = 0
RETRY_ENABLED = True
RETRY_TIMES = 2
REDIRECT_MAX_TIMES = 10
COOKIES_ENABLED = False
# --- No listeners: a crawl only makes requests ---------------------------------------------------
# Scrapy's remote control is a code-execution endpoint on 127.0.0.1 whose token sits in
# ~/.local/state/scrapy/job_files (left behind by a killed crawl); the telnet console is another way in.
REMOTE_CONTROL_ENABLED = False
TELNETCONSOLE_ENABLED = False

# Only successful pages reach the spider; errors arrive in its errback, where they are counted by kind.
HTTPERROR_ALLOWED_CODES: list[int] = [304]

# --- The pipeline: extract → topics → index → alerts (DESIGN.md) -------------------------------
ITEM_PIPELINES = {
    "pipelines.extract.ExtractPipeline": 100,
    "pipelines.topics.TopicsPipeline": 300,  # off unless topics are configured
    "pipelines.index.IndexPipeline": 500,
    "pipelines.clusters.ClustersPipeline": 600,  # near-duplicate clusters of what was written, before alerts
    "pipelines.alerts.AlertsPipeline": 700,  # matches what the index pipeline reports as written
}
# Conditional requests (ETag / Last-Modified from the state store): an unchanged page costs a 304.
DOWNLOADER_MIDDLEWARES = {
    "monitor.middlewares.ConditionalRequestsMiddleware": 580,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "monitor.middlewares.QuickMetaRefreshMiddleware": 575,  # Scrapy's own, without a whole-page decode per page
}
MONITOR_CONDITIONAL_REQUESTS = True
MONITOR_STATE_URL = ""  # the state store (HTTP validators), set from the config by the spider

STATS_CLASS = "monitor.extensions.QuickStats"
EXTENSIONS = {
    "monitor.extensions.ProgressReporter": 500,
    "monitor.extensions.ParentWatch": 510,  # no crawl outlives the supervisor that started it
    "monitor.extensions.MemoryTrim": 520,  # freed heap back to the system: memory per 1,000 pages flat
}
MONITOR_PROGRESS_FILE = ""  # JSON lines of crawl counters, written by ProgressReporter when set
MONITOR_MALLOC_TRIM_SECONDS = 30.0  # how often MemoryTrim runs glibc's malloc_trim(0); 0: never

LOG_LEVEL = "INFO"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"

# --- The config: read once per crawl ---------------------------------------------------------------
# MONITOR_CONFIG: the file (empty: $MONITOR_CONFIG, else ./monitor.yaml). The spider reads it once, in
# update_settings, and puts the validated Config under MONITOR_CONFIG_OBJECT (monitor.config.CRAWL_CONFIG);
# every component takes what it needs from there in from_crawler (monitor.config.crawl_config).
MONITOR_CONFIG = ""
MONITOR_CONFIG_OBJECT = None
