"""Tags articles and comments with their topics; drops off-topic articles where the source says keep: topics."""
from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

from monitor.config import Config, load_config
from monitor.items import ArticleItem
from monitor.topics import TopicTagger

logger = logging.getLogger(__name__)


class TopicsPipeline:
    def __init__(self, *, config: Config, stats: Any) -> None:
        self.tagger = TopicTagger(config.topics)
        self.keep = {s.name: s.keep for s in config.sources}
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "TopicsPipeline":
        config = load_config(crawler.settings.get("MONITOR_CONFIG") or None)
        if not config.topics:
            raise NotConfigured("no topics configured")
        return cls(config=config, stats=crawler.stats)

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
