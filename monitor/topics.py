"""Topics: tag articles and comments with the configured topics they match, and the keywords a site search needs."""
from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote_plus

from monitor.config import TopicConfig
from monitor.documents import article_document, comment_document
from monitor.items import ArticleItem
from monitor.query import Node, Phrase, highlight_terms, parse, prepared


class TopicTagger:
    """Matches title and text with the Python matcher (the query language of monitor.query)."""

    def __init__(self, topics: Sequence[TopicConfig]) -> None:
        self.topics: list[tuple[str, Node]] = [(t.name, parse(t.query)) for t in topics]

    def tag(self, article: ArticleItem) -> ArticleItem:
        """Set ``article.topics`` to the topics it matches; each comment gets those plus the ones it matches."""
        if not self.topics:
            return article
        test = prepared(article_document(article))
        article.topics = [name for name, node in self.topics if test(node)]
        for comment in article.comments:
            own = prepared(comment_document(article, comment) | {"topics": []})
            comment.topics = list(dict.fromkeys([*article.topics, *(n for n, node in self.topics if own(node))]))
        return article


def search_keywords(topics: Sequence[TopicConfig]) -> list[str]:
    """What to type into a site's search box for the topics: each word or phrase a matching article contains.

    One search per keyword, not one per topic: site searches AND their words, and ``a OR b`` must find both.
    """
    keywords: list[str] = []
    for topic in topics:
        for leaf in highlight_terms(parse(topic.query)):
            keywords.append(" ".join(leaf.words) if isinstance(leaf, Phrase) else leaf.word)
    return list(dict.fromkeys(k for k in keywords if k))


def search_url(template: str, keyword: str) -> str:
    """A search URL template with its ``{query}`` filled in, URL-encoded."""
    return template.replace("{query}", quote_plus(keyword))
