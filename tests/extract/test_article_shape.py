"""Extraction's article fields are the document's: same names and types as ArticleItem, described once each."""
from __future__ import annotations

import dataclasses

from monitor.extract.article import ArticleFields
from monitor.items import ArticleItem


def test_every_extracted_field_is_an_article_document_field_of_the_same_type() -> None:
    document = {f.name: f.type for f in dataclasses.fields(ArticleItem)}
    extracted = {f.name: f.type for f in dataclasses.fields(ArticleFields)}
    assert len(extracted) >= 10
    # The page may not say a field the document always has (its canonical URL falls back to the fetched one).
    assert {name: kind for name, kind in extracted.items() if kind not in (document.get(name), f"{document.get(name)} | None")} == {}
