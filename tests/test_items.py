"""The items' plain dicts: what the index, the spool and the API read of an article and its comments."""
from __future__ import annotations

from dataclasses import asdict

from monitor.items import ArticleItem, Comment


def _article() -> ArticleItem:
    comment = Comment(id="c1", article_id="a1", position=1, text="First!", author="Ann", topics=["energy"],
                      published="2026-12-01T10:00:00+01:00", likes=3, native_id="comment-7")
    return ArticleItem(id="a1", url="https://news.example/a", canonical_url="https://news.example/a", source="news",
                       title="Grid", text="Body", authors=["B. Writer"], tags=["grid", "power"], topics=["energy"],
                       comment_count=1, cluster_sources=["news"], comments=[comment], cluster_signature="AAAA")


def test_article_dict_is_asdict_without_comments_and_signature() -> None:
    article = _article()
    expected = asdict(article)
    expected.pop("cluster_signature")
    comments = expected.pop("comments")

    assert article.to_dict() == expected
    assert list(article.to_dict()) == list(expected)  # field order is the document contract's
    assert article.to_dict(with_comments=True) == {**expected, "comments": comments}
    assert article.comments[0].to_dict() == comments[0]


def test_dicts_hold_copies_of_the_lists() -> None:
    article = _article()
    data = article.to_dict(with_comments=True)
    data["authors"].append("Someone else")
    data["tags"].clear()
    data["comments"][0]["topics"].append("crime")

    assert article.authors == ["B. Writer"]
    assert article.tags == ["grid", "power"]
    assert article.comments[0].topics == ["energy"]
