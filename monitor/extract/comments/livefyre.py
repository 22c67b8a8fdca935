"""Livefyre's embedded stream as its script leaves it in the page: div.lf_comment_container#lf_comment_N."""
from __future__ import annotations

from monitor.extract.comments.engine import Spec

SPECS = (
    Spec(
        name="livefyre",
        items="//div[starts-with(@id, 'lf_comment_') and contains(@class, 'lf_comment_container')]",
        author=(".//*[contains(@class, 'lf_comment_user_nick')]",),
        date=(".//*[contains(@class, 'lf_comment_date')]",),
        text=(".//*[contains(concat(' ', normalize-space(@class), ' '), ' lf_body ')]",),
        markers=("lf_comment_container",),
    ),
)
