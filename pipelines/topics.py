"""Tags articles and comments with their topics; drops off-topic articles where the source says keep: topics."""
from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

from monitor.config import TopicConfig, crawl_config
from monitor.items import ArticleItem
from monitor.topics import TopicTagger

logger = logging.getLogger(__name__)


class TopicsPipeline:
    def __init__(self, *, topics: Sequence[TopicConfig], keep: Mapping[str, str], stats: Any) -> None:
        """``keep``: per source name, "all" or "topics" (only articles that match a topic are kept)."""
        self.tagger = TopicTagger(topics)
        self.keep = dict(keep)
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TopicsPipeline:
        config = crawl_config(crawler.settings)
        if not config.topics:
            raise NotConfigured("no topics configured")
        return cls(topics=config.topics, keep={s.name: s.keep for s in config.sources}, stats=crawler.stats)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        self.tagger.tag(item)
        if item.topics:
            self.stats.inc_value("monitor/topics/tagged")
        elif self.keep.get(item.source) == "topics":
            self.stats.inc_value("monitor/skipped/off_topic")
            self.stats.inc_value("monitor/topics/dropped_comments", len(item.comments))
            logger.debug("off-topic article dropped source=%s url=%s", item.source, item.url)
            raise DropItem("off-topic (the source keeps only articles that match a topic)")
        return item
