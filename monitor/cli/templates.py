"""The commented monitor.yaml that `monitor init` writes."""
from __future__ import annotations

CONFIG_TEMPLATE = """\
# monitor.yaml: what the media monitor crawls and where it keeps what it found.
# Relative paths are relative to this file. Check it with: monitor --config monitor.yaml check --online

# Where documents are indexed. The embedded default needs no server:
index:
  url: "sqlite:///data/monitor.db"
  # Elasticsearch or OpenSearch instead (credentials come from the environment,
  # MONITOR_INDEX_USERNAME / MONITOR_INDEX_PASSWORD or MONITOR_INDEX_API_KEY, never from this file):
  # url: "http://localhost:9200"

# Run logs and other state.
data_dir: data

# How politely to crawl. These defaults suit most news sites.
crawl:
  user_agent: "MediaMonitor/0.1 (+mailto:you@example.org)"   # say who you are
  obey_robots: true
  concurrency_per_domain: 4
  download_delay: 0.25        # seconds between requests to one site (AutoThrottle adapts it)
  download_timeout: 30
  max_page_bytes: 10000000    # larger pages are skipped and counted

# The sites to watch. Each needs at least one of feeds, sitemaps or start_urls.
sources:
  - name: example-news                      # a short name, used in commands and search filters
    feeds:                                  # RSS 0.9x/1.0/2.0, Atom or JSON Feed
      - "https://news.example.org/rss.xml"
    sitemaps:                               # sitemaps, sitemap indexes, news sitemaps, or a robots.txt
      - "https://news.example.org/robots.txt"
    start_urls:                             # home, section and tag pages
      - "https://news.example.org/"
    follow_depth: 1                         # link hops from start_urls to other listing pages
    # allowed_domains: [news.example.org]   # default: the hosts of the URLs above
    # article_url_pattern: "/20\\\\d\\\\d/"      # a regex for article URLs; otherwise recognised by heuristics
    # refresh_comments_for: 3d              # re-fetch known articles this young to pick up new comments
    # max_articles: 500                     # at most this many article pages per crawl
    schedule: "*/30 * * * *"                # when `monitor serve` crawls it: cron, or "15m", or {every: 15m, jitter: 2m}

# `monitor serve`: the long-running scheduler (see README, "Running on a server").
# serve:
#   max_concurrent_crawls: 2    # crawls at once over all sources (a source never runs twice at once)
#   crawl_timeout: 2h           # a crawl still running then is killed and recorded as timeout
#   grace_period: 60s           # on SIGTERM, running crawls get this long to finish
#   misfire_grace: 1d           # runs missed while the server was down are caught up (once) within this
#   unhealthy_after: 3          # failed runs in a row before `monitor sources` flags a source
#   default_schedule: 1h        # for sources without a schedule (default: those are crawled only by hand)
#   timezone: UTC               # of cron schedules

# What to watch for. Topics tag every article (and its comments); `monitor search --topic NAME`.
# A source with `keep: topics` indexes only articles that match a topic.
# topics:
#   - name: air-defence
#     query: '"air defense" OR "air defence" OR ppo'

# Alerts: a message when new coverage or a new reader comment matches (any Apprise URL).
# Secrets come from the environment with {env:NAME}. Also: monitor alerts add|list|test|history.
# alerts:
#   - name: bridge-watch
#     query: 'bridge AND (toll OR closure)'
#     types: [article, comment]
#     notify: ["mailtos://{env:SMTP_USER}:{env:SMTP_PASSWORD}@mail.example.org?to=you@example.org"]
#     mode: immediate             # or digest, with digest_schedule: "0 8 * * *"

# The web UI and JSON API (`monitor web`, and inside `monitor serve`). Writes need $MONITOR_API_TOKEN.
# web:
#   host: 127.0.0.1
#   port: 8080
#   open_reads: true            # false: searching needs the token too
#   metrics: local              # /metrics without the token from this machine; public, token or off
"""
