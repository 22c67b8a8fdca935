"""Joomla comment plugins: JomComment (div#pc_N), JComments (div#comment-item-N), Komento (li#kmt-N)."""
from __future__ import annotations

from monitor.extract.comments.engine import Spec
from monitor.extract.comments.html import class_xpath

SPECS = (
    Spec(name="jomcomment", items="//div[starts-with(@id, 'pc_')][.//*[starts-with(@id, 'comment-text-container')]]",
         markers=("comment-text-container",)),
    Spec(
        name="jcomments",
        items="//div[starts-with(@id, 'comment-item-')]",
        author=(f".//*[{class_xpath('comment-author')}]",),
        date=(f".//*[{class_xpath('comment-date')}]",),
        markers=("comment-item-",),
    ),
    Spec(name="komento", items="//li[starts-with(@id, 'kmt-')][.//*[contains(@class, 'kmt-body') or contains(@class, 'kmt-text')]]",
         markers=("kmt-",)),
)
