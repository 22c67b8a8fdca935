"""What a notification says: per document title, source, date, snippet with «matched» words, link; batches and digests."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from monitor.alerts.rules import Alert
from monitor.query.snippets import make_snippet

# More matches than this for one alert in one batch go out as one message listing them all.
BATCH_THRESHOLD = 3
# A batch or digest message lists at most this many documents, then says how many more there are.
MAX_LISTED = 50
SNIPPET_WORDS = 40


def summarize(alert: Alert, doc: Mapping[str, Any]) -> dict[str, Any]:
    """The fields a message shows, with the snippet cut and marked now (digests send it later)."""
    return {
        "id": doc.get("id"),
        "type": doc.get("type") or "article",
        "title": doc.get("title"),
        "url": doc.get("url") or doc.get("canonical_url"),
        "source": doc.get("source"),
        "published": doc.get("published") or doc.get("first_seen"),
        "author": doc.get("author") if doc.get("type") == "comment" else "; ".join(doc.get("authors") or []),
        "article_title": doc.get("article_title"),
        "snippet": make_snippet(doc, alert.node, words=SNIPPET_WORDS),
    }


def _headline(item: Mapping[str, Any]) -> str:
    if item["type"] == "comment":
        return f"Comment by {item.get('author') or 'a reader'} on “{item.get('article_title') or 'an article'}”"
    return str(item.get("title") or item.get("url"))


def _block(item: Mapping[str, Any]) -> str:
    lines = [_headline(item), f"Source: {item.get('source') or '?'} · {item.get('published') or 'date unknown'}"]
    if item["type"] == "comment":
        lines.append(f"Article: {item.get('article_title') or '?'}")
    elif item.get("author"):
        lines.append(f"By: {item['author']}")
    if item.get("snippet"):
        lines.append(str(item["snippet"]))
    lines.append(str(item.get("url") or ""))
    return "\n".join(lines)


def single(alert: Alert, item: Mapping[str, Any]) -> tuple[str, str]:
    """(title, body) of the message for one match."""
    return f"[{alert.name}] {_headline(item)}", _block(item) + f"\n\nAlert {alert.name}: {alert.query}"


def listing(alert: Alert, items: Sequence[Mapping[str, Any]], *, what: str) -> tuple[str, str]:
    """(title, body) of one message for many matches: a batch, or a digest (``what`` says which)."""
    shown = items[:MAX_LISTED]
    body = "\n\n".join(f"{n}. {_block(item)}" for n, item in enumerate(shown, 1))
    if len(items) > len(shown):
        body += f"\n\n… and {len(items) - len(shown)} more (monitor search '{alert.query}')"
    noun = "match" if len(items) == 1 else "matches"
    return f"[{alert.name}] {what}: {len(items)} {noun}", body + f"\n\nAlert {alert.name}: {alert.query}"


def compose(alert: Alert, items: Sequence[Mapping[str, Any]]) -> list[tuple[str, str, list[str]]]:
    """The immediate messages for one batch of an alert's matches: (title, body, document ids) each."""
    if len(items) > BATCH_THRESHOLD:
        title, body = listing(alert, items, what="new")
        return [(title, body, [str(i["id"]) for i in items])]
    return [(*single(alert, item), [str(item["id"])]) for item in items]
