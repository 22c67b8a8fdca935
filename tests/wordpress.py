"""WordPress comment markup for the tests that build article pages of their own."""
from __future__ import annotations


def comment(number: int, text: str) -> str:
    """A WordPress comment: its id, author (Reader N), date (March N, 2026) and text."""
    return (f'<li id="comment-{number}" class="comment"><article class="comment-body"><footer class="comment-meta">'
            f'<b class="fn">Reader {number}</b><time datetime="2026-03-0{number}T10:00:00Z">March {number}</time>'
            f'</footer><div class="comment-content"><p>{text}</p></div></article></li>')
