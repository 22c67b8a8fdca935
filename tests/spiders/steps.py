"""What the crawl does with an article page, step by step, without an engine."""
from __future__ import annotations

from scrapy import Request
from scrapy.http import Response

from monitor.extract import extract_fetched
from monitor.items import PageItem
from spiders.news import NewsSpider


def comment_steps(spider: NewsSpider, response: Response) -> list[Request | PageItem]:
    """The spider's item for ``response``, its extraction's leads (found in this process, as a worker would),
    then the first step of fetching its comments: a request, or the item when nothing is left to fetch."""
    (item,) = spider.parse_article(response)
    _, leads = extract_fetched(item)
    assert leads is not None  # the spider asks for leads on every article
    return list(spider.comment_fetch(item, leads))
