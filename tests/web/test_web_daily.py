"""The UI as people use it every day, in real Chromium, light and dark: whole words in tables and the nav at
375 px, the coverage chart over all the data with labelled axes and drag-to-zoom, readable dates, numbered pages,
undated comments last, flash messages, the scheduler's state and relative date ranges."""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from monitor.config import load_config
from monitor.index import open_index
from monitor.items import ArticleItem
from monitor.urls import article_id, canonicalize_url
from tests.web.browser import Watched, open_page
from tests.web.webtools import DEEP_URL, TOKEN, Server

pytestmark = pytest.mark.e2e  # a crawl of the test site, a real server and a browser

OLD_URL = "http://127.0.0.1:9/lab/the-zeppelin-bridge-of-2019/"
OLD_DAY = "2019-06-15"
SCHEMES = ["light", "dark"]
# Lines a text wraps over in the browser: distinct tops of its text's client rects.
LINES_JS = """(selector) => Array.from(document.querySelectorAll(selector)).map((element) => {
  const range = document.createRange();
  range.selectNodeContents(element);
  const tops = new Set(Array.from(range.getClientRects()).filter((r) => r.width > 0).map((r) => Math.round(r.top)));
  return [element.textContent.trim(), tops.size];
})"""


@pytest.fixture(scope="module")
def old_coverage(web: Server) -> str:
    """An article of 2019 that matches `bridge`: years older than the rest of the test data."""
    with open_index(load_config(web.config_path).index.url) as index:
        index.upsert([ArticleItem(id=article_id(OLD_URL), url=OLD_URL, canonical_url=canonicalize_url(OLD_URL),
                                  source="lab", title="The zeppelin bridge of 2019",
                                  text="An old bridge story about a zeppelin.", published=f"{OLD_DAY}T08:00:00+00:00",
                                  language="en")], seen_at="2025-03-22T00:00:00Z")
    return OLD_DAY


@pytest.fixture
def narrow(chromium: Any, web: Server, color_scheme: str) -> Iterator[Watched]:
    context, watched = open_page(chromium, web.url, scheme=color_scheme, width=375)
    yield watched
    context.close()
    assert not watched.errors, watched.errors


def background_luminance(page: Watched) -> float:
    rgb = page.page.evaluate("getComputedStyle(document.body).backgroundColor")
    red, green, blue = (int(n) for n in re.findall(r"\d+", rgb)[:3])
    return (0.2126 * red + 0.7152 * green + 0.0722 * blue) / 255


def log_in(page: Watched, next_path: str) -> None:
    page.page.goto(f"/login?next={next_path}")
    page.page.fill("input[name=token]", TOKEN)
    page.page.click("form.login button[type=submit]")
    page.page.wait_for_url(f"**{next_path}")


@pytest.mark.parametrize("color_scheme", SCHEMES)
@pytest.mark.parametrize("path", ["/alerts", "/sources"])
def test_at_375_px_table_headers_and_the_nav_keep_whole_words_and_nothing_spills_sideways(
        narrow: Watched, path: str, color_scheme: str) -> None:
    narrow.page.goto(path)
    headers = narrow.page.evaluate(LINES_JS, "th")
    nav = narrow.page.evaluate(LINES_JS, "header.top nav a, header.top .who a")
    assert len(headers) >= 7 and len(nav) == 6  # the five pages and "Log in"
    assert [text for text, lines in headers + nav if lines != 1] == []
    width = narrow.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1]
    assert (background_luminance(narrow) < 0.3) == (color_scheme == "dark")
    assert narrow.csp_violations() == []
    narrow.shot(f"narrow{path.replace('/', '-')}-{color_scheme}")


@pytest.mark.parametrize("color_scheme", SCHEMES)
def test_the_coverage_chart_spans_all_the_data_labels_its_axes_and_zooms_by_dragging(
        page: Watched, old_coverage: str, color_scheme: str) -> None:
    page.page.goto("/coverage?q=bridge&split=source")
    chart = page.page.locator("svg.coverage-chart")
    assert chart.get_attribute("data-first") <= old_coverage  # years back, not just the last 365 days
    assert chart.get_attribute("data-interval") in ("week", "month")
    assert chart.locator("text.y-label").text_content() == f"documents per {chart.get_attribute('data-interval')}"
    assert chart.locator("text.x-label").text_content()
    assert chart.locator("text.x-tick").count() >= 3 and chart.locator("text.y-tick").count() >= 2
    assert page.page.locator(".zoom-hint").is_visible()  # app.js runs under the CSP
    page.shot(f"coverage-all-{color_scheme}")
    bars = chart.locator("rect.bar")
    last = bars.nth(bars.count() - 1).bounding_box()
    box = chart.bounding_box()
    assert last and box
    # Drag from a little left of the newest bucket to the chart's right edge.
    page.page.mouse.move(last["x"] - box["width"] * 0.08, box["y"] + box["height"] / 2)
    page.page.mouse.down()
    page.page.mouse.move(box["x"] + box["width"] * 0.9, box["y"] + box["height"] / 2, steps=5)
    page.page.mouse.move(box["x"] + box["width"] - 2, box["y"] + box["height"] / 2, steps=5)
    page.page.mouse.up()
    page.page.wait_for_url("**since=**")
    query = parse_qs(urlsplit(page.page.url).query)
    assert query["since"][0] > old_coverage and query["until"][0] >= query["since"][0]
    zoomed = page.page.locator("svg.coverage-chart")
    assert zoomed.get_attribute("data-first") >= query["since"][0][:8]  # the zoomed range, from its first bucket
    assert zoomed.locator("rect.bar").count() > 0
    assert page.page.locator("input[name=since]").input_value() == query["since"][0]
    assert page.csp_violations() == []
    page.shot(f"coverage-zoomed-{color_scheme}")


@pytest.mark.parametrize("color_scheme", SCHEMES)
def test_dates_are_readable_with_the_full_stamp_on_hover(page: Watched, color_scheme: str) -> None:
    page.page.goto("/?q=bridge&sort=date")
    stamp = page.page.locator("ol.hits time").first
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}(, \d{2}:\d{2})?", stamp.inner_text())
    full = stamp.get_attribute("title") or ""
    assert "T" in full and full == stamp.get_attribute("datetime")
    page.shot(f"dates-{color_scheme}")


@pytest.mark.parametrize("color_scheme", SCHEMES)
def test_result_pages_are_numbered_and_there_is_a_previous_page(page: Watched, color_scheme: str) -> None:
    page.page.goto("/?sort=date")
    first_titles = page.page.locator("ol.hits a.title").all_inner_texts()
    pages = page.page.locator("nav.pages")
    assert pages.locator("a:text-is('2')").count() == 1 and pages.locator("a[rel=prev]").count() == 0
    pages.locator("a:text-is('2')").click()
    page.page.wait_for_url("**page=2**")
    assert page.page.locator("nav.pages [aria-current=page]").inner_text() == "2"
    second_titles = page.page.locator("ol.hits a.title").all_inner_texts()
    assert second_titles and second_titles != first_titles
    page.shot(f"page-2-{color_scheme}")
    page.page.click("nav.pages a[rel=prev]")
    page.page.wait_for_url("**page=1**")
    assert page.page.locator("ol.hits a.title").all_inner_texts() == first_titles


def test_comments_in_date_order_list_the_undated_ones_last(page: Watched) -> None:
    aid = article_id(DEEP_URL)
    page.page.goto(f"/articles/{aid}")
    page.page.click("p.comment-order a:text('oldest first')")
    page.page.wait_for_url("**order=oldest**")
    ids = page.page.eval_on_selector_all(".thread article.comment", "nodes => nodes.map((n) => n.id)")
    assert ids[-1] == f"c-{aid}-last" and ids[0] == f"c-{aid}-d1"
    page.page.click("p.comment-order a:text('newest first')")
    page.page.wait_for_url("**order=newest**")
    ids = page.page.eval_on_selector_all(".thread article.comment", "nodes => nodes.map((n) => n.id)")
    assert ids[-1] == f"c-{aid}-last"
    page.shot("comments-by-date")


@pytest.mark.parametrize("color_scheme", SCHEMES)
def test_an_action_that_succeeded_says_so_once(page: Watched, color_scheme: str) -> None:
    log_in(page, "/alerts")
    assert page.page.locator(".flash").inner_text() == "Logged in."
    page.page.fill("input[name=name]", f"flash-{color_scheme}")
    page.page.fill("input[name=query]", "ferry")
    page.page.fill("textarea[name=notify]", "json://127.0.0.1:9/hook")
    page.page.click("form.alert-form button[type=submit]")
    page.page.wait_for_url(f"**/alerts/flash-{color_scheme}")
    assert page.page.locator(".flash").inner_text() == f"Alert flash-{color_scheme} created."
    page.shot(f"flash-{color_scheme}")
    page.page.reload()
    assert page.page.locator(".flash").count() == 0


def test_the_sources_page_says_the_scheduler_is_not_running_instead_of_a_next_run(page: Watched) -> None:
    page.page.goto("/sources")
    assert "not running" in page.page.locator("p.server").inner_text()
    cells = page.page.locator("td.next-run").all_inner_texts()
    assert len(cells) >= 2 and set(cells) == {"not running"}


@pytest.mark.parametrize("color_scheme", SCHEMES)
def test_relative_date_ranges_are_typed_in_the_search_form(page: Watched, color_scheme: str) -> None:
    page.page.goto("/?q=bridge")
    everything = int(page.page.locator("p.total strong").inner_text())
    page.page.fill("input[name=since]", "3650d")
    page.page.click("form.filters button[type=submit]")
    page.page.wait_for_url("**since=3650d**")
    assert int(page.page.locator("p.total strong").inner_text()) == everything  # all of it is newer than that
    page.page.fill("input[name=since]", "yesterday")
    page.page.click("form.filters button[type=submit]")
    page.page.wait_for_url("**since=yesterday**")
    assert int(page.page.locator("p.total strong").inner_text()) < everything  # the test site's news is older
    assert page.page.locator("input[name=since]").input_value() == "yesterday"
    page.page.fill("input[name=since]", "someday")
    page.page.click("form.filters button[type=submit]")
    assert "7d" in page.page.locator(".error").inner_text()
    page.shot(f"relative-range-{color_scheme}")


def test_the_api_takes_relative_ranges_too(web: Server) -> None:
    import httpx

    with httpx.Client(base_url=web.url, timeout=60) as api:
        everything = api.get("/api/search", params={"q": "bridge", "limit": 0}).json()["total"]
        assert api.get("/api/search", params={"q": "bridge", "since": "3650d", "limit": 0}).json()["total"] == everything
        assert api.get("/api/search", params={"q": "bridge", "since": "this week", "limit": 0}).json()["total"] < everything
        refused = api.get("/api/search", params={"since": "someday"})
        assert refused.status_code == 400 and "yesterday" in refused.json()["detail"]
        coverage = api.get("/api/coverage", params={"q": "bridge", "since": "3650d"}).json()
        assert coverage["interval"] in ("day", "week", "month") and sum(coverage["counts"]) == everything




def test_the_api_export_streams_every_hit_past_the_page_cap(web: Server) -> None:
    import csv
    import io
    import json

    import httpx

    with httpx.Client(base_url=web.url, timeout=120) as api:
        total = api.get("/api/search", params={"limit": 0}).json()["total"]
        assert total > 500  # more than one API page can hold
        answer = api.get("/api/export", params={"format": "ndjson"})
        assert answer.headers["content-type"].startswith("application/x-ndjson")
        assert "attachment" in answer.headers["content-disposition"]
        ids = [json.loads(line)["id"] for line in answer.text.splitlines()]
        assert len(ids) == total == len(set(ids))
        comments = api.get("/api/export", params={"format": "csv", "type": "comment", "q": "bridge"})
        rows = list(csv.DictReader(io.StringIO(comments.text)))
        expected = api.get("/api/search", params={"q": "bridge", "type": "comment", "limit": 0}).json()["total"]
        assert len(rows) == expected > 0 and {r["type"] for r in rows} == {"comment"}
        assert api.get("/api/export", params={"q": '"unclosed'}).status_code == 400


@pytest.mark.parametrize("color_scheme", SCHEMES)
def test_a_search_downloads_as_csv_from_the_page(page: Watched, color_scheme: str) -> None:
    import csv

    page.page.goto("/?q=bridge")
    total = int(page.page.locator("p.total strong").inner_text())
    with page.page.expect_download() as download:
        page.page.click("p.export a:text('CSV')")
    rows = list(csv.DictReader(open(download.value.path(), encoding="utf-8")))
    assert len(rows) == total and download.value.suggested_filename.endswith(".csv")
    page.shot(f"export-link-{color_scheme}")


@pytest.mark.parametrize("color_scheme", SCHEMES)
def test_a_saved_search_is_listed_and_its_feed_opens_with_its_own_token_only(
        page: Watched, web: Server, color_scheme: str) -> None:
    from xml.etree import ElementTree

    import httpx

    log_in(page, "/")
    page.page.goto("/?q=bridge&type=article&since=3650d")
    page.page.fill("form.save-search input[name=name]", f"bridges-{color_scheme}")
    page.page.click("form.save-search button[type=submit]")
    page.page.wait_for_url("**/searches")
    assert page.page.locator(".flash").inner_text() == f"Search bridges-{color_scheme} saved."
    row = page.page.locator(f"tr[data-search=bridges-{color_scheme}]")
    assert "bridge" in row.inner_text() and "web" in row.inner_text()
    page.shot(f"saved-searches-{color_scheme}")
    feed = row.locator("a.feed").get_attribute("href") or ""
    token = parse_qs(urlsplit(feed).query)["token"][0]
    assert len(token) >= 24 and token != TOKEN
    with httpx.Client(base_url=web.url, timeout=60) as client:
        answer = client.get(feed)
        assert answer.headers["content-type"].startswith("application/atom+xml")
        entries = ElementTree.fromstring(answer.content).findall("{http://www.w3.org/2005/Atom}entry")
        expected = client.get("/api/search", params={"q": "bridge", "type": "article", "limit": 0}).json()["total"]
        assert len(entries) == min(expected, 50) > 0
        assert client.get(feed.replace(token, token[:-1] + ("A" if token[-1] != "A" else "B"))).status_code == 404
        assert client.get(feed.split("?")[0], params={"token": TOKEN}).status_code == 404  # the API token is no key
    row.locator("button:text('Delete')").click()  # confirm() is dismissed by the watcher: nothing happens
    assert page.page.locator(f"tr[data-search=bridges-{color_scheme}]").count() == 1


def test_alerts_made_in_the_ui_and_the_api_say_so_and_have_feeds(page: Watched, web: Server) -> None:
    import httpx

    log_in(page, "/alerts")
    page.page.fill("input[name=name]", "origin-web")
    page.page.fill("input[name=query]", "bridge")
    page.page.fill("textarea[name=notify]", "json://127.0.0.1:9/hook")
    page.page.click("form.alert-form button[type=submit]")
    page.page.wait_for_url("**/alerts/origin-web")
    with httpx.Client(base_url=web.url, timeout=60, headers={"Authorization": f"Bearer {TOKEN}"}) as api:
        made = api.post("/api/alerts", json={"name": "origin-api", "query": "bridge",
                                             "notify": ["json://127.0.0.1:9/hook"]})
        assert made.status_code == 201 and made.json()["origin"] == "api"
        listed = {a["name"]: a for a in api.get("/api/alerts").json()["alerts"]}
        assert listed["origin-web"]["origin"] == "web" and listed["origin-api"]["origin"] == "api"
        changed = api.patch("/api/alerts/origin-web", json={"query": "bridge OR ferry"})
        assert changed.json()["origin"] == "web"  # an edit keeps where it was made
        feed = api.get(listed["origin-web"]["feed"])
        assert feed.status_code == 200 and b"<feed" in feed.content
    page.page.goto("/alerts")
    assert page.page.locator("tr[data-alert=origin-web] td").last.inner_text() == "web"
    assert page.page.locator("tr[data-alert=origin-api] td").last.inner_text() == "api"


@pytest.mark.parametrize("color_scheme", SCHEMES)
def test_a_test_notification_reaches_the_webhook_and_the_form_explains_apprise_urls(
        page: Watched, color_scheme: str) -> None:
    from tests.alerts.receivers import WebhookReceiver

    receiver = WebhookReceiver().up()
    try:
        log_in(page, "/alerts")
        page.page.click("#apprise-help summary")
        assert "mailtos://" in page.page.locator("#apprise-help").inner_text()
        page.page.fill("input[name=name]", f"notify-{color_scheme}")
        page.page.fill("input[name=query]", "bridge")
        page.page.fill("textarea[name=notify]", f"json://{receiver.base}/hook\njson://127.0.0.1:9/closed")
        page.page.click("form.alert-form button[type=submit]")
        page.page.wait_for_url(f"**/alerts/notify-{color_scheme}")
        page.page.click("form.notify-test button")
        page.page.wait_for_url(f"**/alerts/notify-{color_scheme}")
        flash = page.page.locator(".flash").inner_text()
        assert flash.startswith("Test notification failed") and "127.0.0.1:9" in flash  # the closed port, named
        assert [m["title"] for m in receiver.messages] == [f"Test from the media monitor: alert notify-{color_scheme}"]
        page.shot(f"notify-test-{color_scheme}")
    finally:
        receiver.down()


@pytest.mark.parametrize("color_scheme", SCHEMES)
def test_the_api_docs_render_from_local_files_and_only_their_page_relaxes_the_csp(
        page: Watched, web: Server, color_scheme: str) -> None:
    import httpx

    requested: list[str] = []
    page.page.on("request", lambda request: requested.append(request.url))
    page.page.goto("/api/docs")
    page.page.wait_for_selector(".swagger-ui .opblock")
    assert page.page.locator(".swagger-ui .opblock").count() >= 10
    assert "/api/export" in page.page.locator(".swagger-ui").inner_text()
    assert requested and all(urlsplit(url).hostname == "127.0.0.1" for url in requested)  # no CDN
    assert page.csp_violations() == []
    page.shot(f"api-docs-{color_scheme}")
    with httpx.Client(base_url=web.url, timeout=60) as client:
        docs_policy = client.get("/api/docs").headers["content-security-policy"]
        app_policy = client.get("/").headers["content-security-policy"]
    assert "script-src 'self';" in docs_policy and "'unsafe-inline'" in docs_policy.split("style-src")[1].split(";")[0]
    assert "unsafe" not in app_policy and "data:" not in app_policy


def test_the_sources_page_follows_a_crawl_without_a_reload(page: Watched, web: Server) -> None:
    import httpx

    page.page.goto("/sources")
    page.page.evaluate("window.stillTheSamePage = true")
    before = page.page.eval_on_selector_all("table.runs tr[data-run]", "rows => rows.map((r) => Number(r.dataset.run))")
    source = page.page.locator("table.sources tr[data-source]").first.get_attribute("data-source")
    with httpx.Client(base_url=web.url, timeout=60, headers={"Authorization": f"Bearer {TOKEN}"}) as api:
        assert api.post(f"/api/sources/{source}/crawl").status_code == 202
    newest = max(before, default=0)
    page.page.wait_for_function(
        "(newest) => Array.from(document.querySelectorAll('table.runs tr[data-run]')).some("
        "(r) => Number(r.dataset.run) > newest && r.cells[2].textContent !== 'running')", arg=newest, timeout=120_000)
    assert page.page.evaluate("window.stillTheSamePage") is True
    row = page.page.locator("table.runs tr[data-run]").first
    assert row.locator("td").nth(1).inner_text() == source
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}", row.locator("td").nth(3).inner_text())
    last_run = page.page.locator(f"table.sources tr[data-source='{source}'] td.last-run").inner_text()
    assert last_run.split()[0] == row.locator("td").nth(2).inner_text()
    page.shot("sources-live")


@pytest.mark.parametrize("color_scheme", SCHEMES)
def test_an_alert_paused_in_the_ui_stops_matching_until_it_is_resumed(
        page: Watched, web: Server, color_scheme: str) -> None:
    import httpx

    from monitor.alerts import service as alerts

    name = f"pausable-{color_scheme}"
    config = load_config(web.config_path)
    with httpx.Client(base_url=web.url, timeout=60, headers={"Authorization": f"Bearer {TOKEN}"}) as api:
        assert api.post("/api/alerts", json={"name": name, "query": "ferry",
                                             "notify": ["json://127.0.0.1:9/hook"]}).status_code == 201
        log_in(page, f"/alerts/{name}")
        page.page.click("form.pause button")
        page.page.wait_for_url(f"**/alerts/{name}")
        assert page.page.locator(".flash").inner_text().startswith(f"Alert {name} paused")
        assert page.page.locator("h1 .badge").inner_text() == "paused"
        page.shot(f"alert-paused-{color_scheme}")
        assert name not in {a["name"] for a in alerts.list_alerts(config)}  # the matcher no longer sees it
        shown = api.get(f"/api/alerts/{name}").json()
        assert shown["paused"] and shown["origin"] == "api"
        assert api.get(f"/api/alerts/{name}/test").status_code == 409
        assert api.get(f"/api/alerts/{name}/history").status_code == 200
        page.page.goto("/alerts")
        assert page.page.locator(f"tr[data-alert={name}] td.state").inner_text() == "paused"
        page.page.goto(f"/alerts/{name}")
        page.page.click("form.resume button")
        page.page.wait_for_url(f"**/alerts/{name}")
        assert page.page.locator(".flash").inner_text() == f"Alert {name} resumed."
        back = {a["name"]: a for a in alerts.list_alerts(config)}
        assert back[name]["origin"] == "api" and back[name]["query"] == "ferry"
        assert api.get(f"/api/alerts/{name}").json()["paused"] is None
