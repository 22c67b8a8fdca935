"""The UI in real headless Chromium (Debian's, driven by Playwright): search, threads, alerts, the chart, hostile text."""
from __future__ import annotations

import pytest

from monitor.urls import article_id
from tests.web.browser import Watched
from tests.web.webtools import DEEP_COMMENTS, DEEP_URL, HOSTILE_URL, TOKEN, Server

pytestmark = pytest.mark.e2e  # a crawl of the test site and a real server

def test_search_shows_highlighted_hits_and_facet_counts(page: Watched) -> None:
    page.page.goto("/")
    page.page.fill("input[name=q]", "bridge")
    page.page.click("form.filters button[type=submit]")
    page.page.wait_for_selector("ol.hits li.hit")
    assert page.page.locator("ol.hits mark").count() > 0
    assert page.page.locator("li.hit.comment").count() > 0 and page.page.locator("li.hit.article").count() > 0
    assert page.page.locator("section.facet[data-facet=source] li").count() >= 2
    page.shot("search")
    page.page.click("section.facet[data-facet=type] a:text('comment')")
    page.page.wait_for_url("**type=comment**")
    assert page.page.locator("li.hit.article").count() == 0


def test_an_article_opens_with_its_thread_and_a_reply_chain_expands(page: Watched) -> None:
    page.page.goto("/?q=harbor&type=article&sort=date")
    titles = page.page.locator("li.hit.article a.title")
    for n in range(titles.count()):
        titles.nth(n).click()
        page.page.wait_for_selector("article.story h1")
        if page.page.locator(".thread details.replies").count():
            break
        page.page.go_back()
    replies = page.page.locator(".thread details.replies").first
    nested = replies.locator("article.comment").first
    assert not nested.is_visible()
    replies.locator("summary").first.click()
    assert nested.is_visible()
    assert page.page.locator("dl.meta").is_visible()
    page.shot("article-thread")
    page.page.click("button[data-expand=all]")  # app.js runs under the CSP
    assert all(d.get_attribute("open") is not None for d in page.page.locator(".thread details.replies").all())


def test_a_comment_hit_opens_its_article_at_the_comment(page: Watched) -> None:
    page.page.goto("/?q=bridge&type=comment")
    link = page.page.locator("li.hit.comment a.title").first
    comment_id = (link.get_attribute("href") or "").split("#c-", 1)[1]
    link.click()
    target = page.page.locator(f"#c-{comment_id}")
    target.wait_for()
    assert target.is_visible()
    assert "linked" in (target.get_attribute("class") or "")


def test_an_alert_created_in_the_form_is_listed(page: Watched) -> None:
    page.page.goto("/alerts")
    page.page.click("header.top a:text('Log in')")
    page.page.fill("input[name=token]", TOKEN)
    page.page.click("form.login button[type=submit]")
    page.page.wait_for_url("**/alerts")
    page.page.fill("input[name=name]", "browser-ferry")
    page.page.fill("input[name=query]", "ferry AND timetable")
    page.page.fill("textarea[name=notify]", "json://127.0.0.1:9/hook")
    page.page.click("form.alert-form button[type=submit]")
    page.page.wait_for_url("**/alerts/browser-ferry")
    page.page.fill("input[name=days]", "3650")
    page.page.click("section.test button[type=submit]")
    assert int(page.page.locator("p.tested strong").inner_text()) > 0
    page.shot("alert-tested")
    page.page.goto("/alerts")
    row = page.page.locator("tr[data-alert=browser-ferry]")
    assert "ferry AND timetable" in row.inner_text()
    page.shot("alerts")


def test_the_coverage_chart_is_drawn(page: Watched) -> None:
    page.page.goto("/coverage?q=bridge&split=source")
    chart = page.page.locator("svg.coverage-chart")
    box = chart.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 100
    bars = chart.locator("rect.bar")
    assert bars.count() > 0
    assert max(float(bars.nth(n).get_attribute("height") or 0) for n in range(bars.count())) > 50
    assert chart.locator("polyline.line").count() >= 2
    assert page.page.locator("ul.legend li").count() >= 3
    page.page.select_option("select[name=split]", "topic")  # app.js submits the form on change
    page.page.wait_for_url("**split=topic**")
    assert "harbour" in page.page.locator("ul.legend").inner_text()
    page.shot("coverage")


@pytest.mark.parametrize("which", ["raw", "crawled"])
def test_hostile_comments_run_no_script_and_show_as_text(page: Watched, web: Server, which: str) -> None:
    if which == "raw":
        page.page.goto(f"/articles/{article_id(HOSTILE_URL)}")
    else:
        page.page.goto("/?q=title:%22bridge+toll+plan%22&type=article")
        page.page.click("li.hit.article a.title")
    page.page.wait_for_selector("article.story h1")
    page.page.click("button[data-expand=all]")
    for author in page.page.locator(".comment .author").all():
        author.hover()
    page.page.wait_for_timeout(300)  # lets any injected handler or timer fire before we look
    assert page.dialogs == []
    assert page.page.evaluate("document.querySelectorAll('.thread script, .thread img, .thread svg, .story script')"
                              ".length") == 0
    assert not [a for a in page.page.locator("a").all() if (a.get_attribute("href") or "").startswith("javascript")]
    text = page.page.locator(".thread").inner_text()
    if which == "raw":
        assert '<script>alert("xss-script")</script>The tolls are a scandal.' in text
        assert '<img src=x onerror=alert("xss-img")>' in text
        assert "Raw <i>markup</i> in comments" in page.page.locator("article.story h1").inner_text()
    else:
        assert "The tolls are a scandal." in text and "Nobody is clicking that link." in text
    page.shot(f"hostile-{which}")


def test_a_thread_hundreds_of_replies_deep_shows_every_comment_and_opens_at_a_deep_one(page: Watched) -> None:
    aid = article_id(DEEP_URL)
    page.page.goto(f"/articles/{aid}#c-{aid}-d{DEEP_COMMENTS}")
    deepest = page.page.locator(f"#c-{aid}-d{DEEP_COMMENTS}")
    deepest.wait_for()
    assert deepest.is_visible() and "linked" in (deepest.get_attribute("class") or "")
    assert page.page.locator(".thread article.comment").count() == DEEP_COMMENTS + 1
    # The browser nests the markup as written: the last top-level comment is not inside the chain.
    assert page.page.evaluate(f"document.getElementById('c-{aid}-last').parentElement.tagName") == "SECTION"
    page.page.click(f"#c-{aid}-d{DEEP_COMMENTS} a.answers")
    assert page.page.evaluate("location.hash") == f"#c-{aid}-d{DEEP_COMMENTS - 1}"
    page.shot("deep-thread")
