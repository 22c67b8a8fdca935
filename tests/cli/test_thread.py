"""`monitor thread` finds an article from a comment link and from any URL it was fetched or is known under."""
from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import monitor_json, run_monitor

pytestmark = pytest.mark.e2e  # the real command line in a subprocess, on a crawl of the local test site


def _article(crawled: dict[str, Any], outlet: str) -> dict[str, Any]:
    return next(a for a in crawled["truth"] if a["source"] == outlet and len(a["comments"]) >= 2)


def test_json_ld_comments_link_to_the_article_page_with_their_anchor_once(crawled: dict[str, Any]) -> None:
    truth = _article(crawled, "valley-post")
    thread = monitor_json("thread", truth["url"], config=crawled["config"])
    hits = json.loads(run_monitor("search", "", "--type", "comment", "--source", "valley-post", "--limit", "500",
                                  "--json", config=crawled["config"]).stdout)["hits"]
    urls = sorted(hit["url"] for hit in hits if hit["article_id"] == thread["article"]["id"])
    assert urls == sorted(c["url"] for c in truth["comments"])  # …/story#cmt-161, not …/story#http://…#cmt-161


def test_a_comment_link_opens_its_thread_and_marks_the_comment(crawled: dict[str, Any]) -> None:
    truth = _article(crawled, "harbor-times")
    linked = truth["comments"][1]
    data = monitor_json("thread", linked["url"], config=crawled["config"])
    assert data["article"]["url"] == truth["url"]
    marked = next(c for c in data["comments"] if c["id"] == data["comment_id"])
    assert (marked["author"], marked["text"]) == (linked["author"], linked["text"])
    shown = run_monitor("thread", linked["url"], config=crawled["config"]).stdout
    assert f"▶ the linked comment  {linked['author']}" in shown


@pytest.mark.parametrize("form", ["no trailing slash", "tracking parameters", "www host"])
def test_the_urls_an_article_is_met_under_open_the_same_thread(crawled: dict[str, Any], form: str) -> None:
    truth = _article(crawled, "harbor-times")
    url = truth["url"]
    met = {"no trailing slash": url.rstrip("/"),  # the site redirects this to the article
           "tracking parameters": url + "?utm_source=rss&utm_medium=feed",
           "www host": url.replace("://", "://www.", 1)}[form]
    assert met != url
    data = monitor_json("thread", met, config=crawled["config"])
    assert data["article"]["url"] == url and len(data["comments"]) == len(truth["comments"])


def test_an_unknown_url_is_refused_with_how_to_find_it(crawled: dict[str, Any]) -> None:
    done = run_monitor("thread", f"{crawled['base_url']}/harbor-times/2020/01/01/never-written/",
                       config=crawled["config"], check=False)
    assert done.returncode == 2
    assert "in the index" in done.stderr and "monitor search" in done.stderr
