"""Crawl-time signals between components that must not import each other (sent through Scrapy's signal manager)."""
from __future__ import annotations

# Sent by the index pipeline after each batch is written: kwargs ``articles`` (the ArticleItems of the
# batch) and ``stats`` (their UpsertStats; ``new_ids`` names the new or changed documents).
batch_indexed = object()
