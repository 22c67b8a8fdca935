"""The commented monitor.yaml that `monitor init` writes."""
from __future__ import annotations

CONFIG_TEMPLATE = """\
# monitor.yaml: what the media monitor crawls and where it keeps what it found.
# Relative paths are relative to this file. Check it with: monitor --config monitor.yaml crawl --help

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
"""
