"""How scraped data is shown in HTML: the Jinja2 environment (autoescape on), highlights, safe links, thread trees."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import urlencode, urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

TEMPLATES_DIR = Path(__file__).parent / "templates"
HIGHLIGHT = re.compile(r"«([^«»]*)»")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def highlight(snippet: str | None) -> Markup:
    """A snippet whose «matched words» become <mark>: every piece is escaped first, then wrapped."""
    text = _CONTROL.sub(" ", snippet or "")
    out: list[str] = []
    position = 0
    for match in HIGHLIGHT.finditer(text):
        out.append(str(escape(text[position:match.start()])))
        out.append(f"<mark>{escape(match.group(1))}</mark>")
        position = match.end()
    out.append(str(escape(text[position:])))
    return Markup("".join(out))


def http_url(url: Any) -> str | None:
    """The URL when it is http(s) with a host; anything else (javascript:, data:, relative) is not a link."""
    if not isinstance(url, str):
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def paragraphs(text: str | None) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n|\n", text or "") if p.strip()]


def short_date(value: str | None) -> str:
    """``2026-11-24T09:30:00+00:00`` → ``2026-11-24 09:30``."""
    if not value:
        return ""
    return value[:16].replace("T", " ")


def query_string(params: dict[str, Any], **changes: Any) -> str:
    """The current search's parameters with some changed (None removes one); list values repeat the key."""
    merged = {**params, **changes}
    pairs: list[tuple[str, str]] = []
    for key, value in merged.items():
        if value is None or value == "" or value == []:
            continue
        for item in value if isinstance(value, (list, tuple)) else [value]:
            pairs.append((key, str(item)))
    return "?" + urlencode(pairs) if pairs else "?"


@dataclass
class CommentNode:
    comment: dict[str, Any]
    replies: list["CommentNode"] = field(default_factory=list)

    @property
    def reply_count(self) -> int:
        return sum(1 + r.reply_count for r in self.replies)


def comment_tree(comments: Iterable[dict[str, Any]]) -> list[CommentNode]:
    """Comments (page order) as a tree by parent_id; a reply whose parent is unknown is shown at the top."""
    nodes: dict[str, CommentNode] = {}
    roots: list[CommentNode] = []
    for comment in comments:
        node = CommentNode(comment)
        parent = nodes.get(comment.get("parent_id") or "")
        (parent.replies if parent else roots).append(node)
        nodes[comment["id"]] = node
    return roots


def build_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,  # every template, whatever its name: scraped text is hostile
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(highlight=highlight, http_url=http_url, paragraphs=paragraphs, short_date=short_date,
                       tojson_attr=lambda value: json.dumps(value, ensure_ascii=False))
    env.globals.update(query_string=query_string)
    return env
