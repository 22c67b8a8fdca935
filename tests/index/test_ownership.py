"""An article belongs to the source that stored it: another source's document with the same id never replaces it."""
from __future__ import annotations

from monitor.index.base import SearchIndex
from monitor.items import ArticleItem, Comment
from monitor.urls import article_id

VICTIM = "https://ledger.example/news/bridge-reopens.html"


def article(source: str, title: str, text: str, *, comment: str) -> ArticleItem:
    doc_id = article_id(VICTIM)
    item = ArticleItem(id=doc_id, url=VICTIM if source == "ledger" else "https://evil.example/post/1",
                       canonical_url=VICTIM, source=source, title=title, text=text)
    item.comments = [Comment(id=f"{doc_id}-{source}", article_id=doc_id, position=1, text=comment, source=source)]
    item.comment_count = 1
    return item


def test_a_document_of_one_source_is_never_replaced_by_another_sources(search_index: SearchIndex) -> None:
    search_index.upsert([article("ledger", "Bridge reopens", "The bridge reopened.", comment="Good news")],
                        seen_at="2026-12-01T10:00:00+00:00")
    stats = search_index.upsert([article("evil", "Buy pills", "Cheap pills here.", comment="spam")],
                                seen_at="2026-12-01T11:00:00+00:00")
    assert stats.articles_new == stats.articles_updated == 0 and stats.comments_new == 0
    stored = search_index.get_article(VICTIM)
    assert stored is not None
    assert (stored["source"], stored["title"], stored["text"]) == ("ledger", "Bridge reopens", "The bridge reopened.")
    assert [c["text"] for c in search_index.get_comments(stored["id"])] == ["Good news"]
    # its own source still updates it
    search_index.upsert([article("ledger", "Bridge reopens at last", "The bridge reopened.", comment="Good news")],
                        seen_at="2026-12-01T12:00:00+00:00")
    assert search_index.get_article(VICTIM)["title"] == "Bridge reopens at last"  # type: ignore[index]
