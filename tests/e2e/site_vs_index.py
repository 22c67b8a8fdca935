"""What the test site publishes against what an index holds: documents expected, indexed, missing and duplicated."""
from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass, field

from monitor.index import SearchIndex


@dataclass
class Comparison:
    """``expected`` and ``indexed`` count articles and comments; ``missing`` names what the index lacks."""

    expected: int = 0
    indexed: int = 0
    duplicates: int = 0  # documents beyond one per published article or comment
    missing: list[str] = field(default_factory=list)  # article urls absent, or present with fewer comments

    @property
    def equal(self) -> bool:
        return self.expected == self.indexed and not self.missing and self.duplicates == 0


def published(base_url: str, sources: tuple[str, ...]) -> list[dict[str, object]]:
    """The articles of ``sources`` that a perfect crawl indexes, with their comments (the site's own truth)."""
    with urllib.request.urlopen(f"{base_url}/_admin/truth", timeout=10) as response:
        return [a for a in json.load(response) if a["source"] in sources and a["expect"] == "indexed"]


def compare(base_url: str, sources: tuple[str, ...], index: SearchIndex) -> Comparison:
    truth = published(base_url, sources)
    result = Comparison(expected=len(truth) + sum(len(a["comments"]) for a in truth))  # type: ignore[arg-type]
    counts = index.count()
    result.indexed = counts.get("article", 0) + counts.get("comment", 0)
    found = 0  # index documents that stand for one published article or comment each
    for article in truth:
        stored = index.get_article(str(article["url"]))
        comments = {c["id"] for c in index.get_comments(stored["id"])} if stored else set()
        expected_comments = len(article["comments"])  # type: ignore[arg-type]
        if stored is None or len(comments) < expected_comments:
            result.missing.append(str(article["url"]))
        found += (1 if stored else 0) + min(len(comments), expected_comments)
    result.duplicates = result.indexed - found
    return result
