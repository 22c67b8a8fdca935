"""Disqus' server-side fallback markup (WordPress plugin): ul#dsq-comments li#dsq-comment-N."""
from __future__ import annotations

from monitor.extract.comments.engine import Spec

SPECS = (
    Spec(
        name="disqus",
        items="//li[starts-with(@id, 'dsq-comment-')] | //div[starts-with(@id, 'dsq-comment-') and contains(@class, 'dsq-comment ')]",
        author=(".//*[starts-with(@id, 'dsq-author-user')]",),
        text=(".//*[contains(@class, 'dsq-comment-message')]",),
        markers=("dsq-comment-",),
    ),
)
