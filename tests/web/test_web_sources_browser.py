"""Sources in the UI, in real Chromium, light and dark: add (after a refused try and a dry run), edit, reschedule,
pause, resume and test; monitor.yaml's sources read-only with their badge; hostile pages shown as text."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from monitor.demo.catalog import demo_sources
from tests.conftest import TestSite, write_config
from tests.web.browser import Watched, open_page
from tests.web.test_web_sources_dryrun import HOSTILE_TITLE, Site
from tests.web.webtools import TOKEN, Server, start_server, stop_server

pytestmark = pytest.mark.e2e  # a real server, the test site and a browser

SCHEMES = ["light", "dark"]
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def site_sources(test_site: TestSite) -> dict[str, dict[str, Any]]:
    return {s["name"]: s for s in demo_sources(test_site.base_url)}


@pytest.fixture(scope="module")
def served(site_sources: dict[str, dict[str, Any]], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    config = write_config(tmp_path_factory.mktemp("sources-ui"), [site_sources["harbor-times"]])
    server = start_server(config)
    yield server
    stop_server(server)


@pytest.fixture
def api(served: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=served.url, timeout=60, headers=AUTH) as client:
        yield client


@pytest.fixture
def ui(chromium: Any, served: Server, color_scheme: str) -> Iterator[Watched]:
    """A browser page logged in to the server of this module."""
    context, watched = open_page(chromium, served.url, scheme=color_scheme)
    watched.page.goto("/login?next=/sources")
    watched.page.fill("input[name=token]", TOKEN)
    watched.page.click("form.login button[type=submit]")
    watched.page.wait_for_url("**/sources")
    yield watched
    context.close()
    assert not watched.errors, watched.errors
    assert not watched.dialogs, watched.dialogs


@pytest.mark.parametrize("color_scheme", SCHEMES)
def test_a_source_is_added_in_the_form_after_a_refused_try_and_a_dry_run(
        ui: Watched, api: httpx.Client, site_sources: dict[str, dict[str, Any]], color_scheme: str) -> None:
    page, name = ui.page, f"ledger-{color_scheme}"
    ledger = site_sources["northern-ledger"]
    page.click(".add-source summary")
    form = page.locator(".add-source form.source-form")
    form.locator("input[name=name]").fill(name)
    form.locator("textarea[name=feeds]").fill("ftp://example.org/feed")
    form.locator("button[value=add]").click()
    error = page.locator(".add-source .error").inner_text()
    assert "feeds: 'ftp://example.org/feed' is not an http(s) URL" in error
    assert page.locator(".add-source input[name=name]").input_value() == name  # what was typed stays
    ui.shot(f"sources-add-refused-{color_scheme}")

    form = page.locator(".add-source form.source-form")
    form.locator("textarea[name=feeds]").fill("\n".join(ledger["feeds"]))
    form.locator("textarea[name=sitemaps]").fill("\n".join(ledger["sitemaps"]))
    form.locator("textarea[name=allowed_domains]").fill("127.0.0.1")
    form.locator("input[name=article_url_pattern]").fill(ledger["article_url_pattern"])
    form.locator("button[value=test]").click()
    result = page.locator("section.dry-run")
    assert int(result.locator(".article-count").inner_text()) >= 10
    assert result.locator(".sample-title").inner_text().strip()
    assert result.locator("table.found tr.ok").count() == 2  # the feed and the news sitemap
    assert api.get(f"/api/sources/{name}").status_code == 404  # a test stores nothing
    ui.shot(f"sources-add-tested-{color_scheme}")

    page.locator(".add-source button[value=add]").click()
    page.wait_for_url(f"**/sources/{name}")
    assert page.locator(".flash").inner_text().strip() == f"Source {name} added."
    assert page.locator("h1 .badge.origin-ui").inner_text() == "added in the UI"
    assert api.get(f"/api/sources/{name}").json()["definition"]["feeds"] == ledger["feeds"]
    page.goto("/sources")
    row = page.locator(f"table.sources tr[data-source='{name}']")
    assert row.locator(".badge.origin-ui").count() == 1
    ui.shot(f"sources-added-{color_scheme}")


@pytest.mark.parametrize("color_scheme", SCHEMES)
def test_an_added_source_is_edited_rescheduled_paused_resumed_and_tested(
        ui: Watched, api: httpx.Client, site_sources: dict[str, dict[str, Any]], color_scheme: str) -> None:
    name = f"valley-{color_scheme}"
    assert api.post("/api/sources", json={**site_sources["valley-post"], "name": name}).status_code == 201
    page = ui.page
    page.goto(f"/sources/{name}")
    edit = page.locator("section.edit form.source-form")
    edit.locator("input[name=max_articles]").fill("4")
    edit.locator("button[type=submit]").click()
    assert page.locator(".flash").inner_text().strip() == f"Source {name} saved."
    assert api.get(f"/api/sources/{name}").json()["definition"]["max_articles"] == 4

    page.fill("form.schedule-form input[name=schedule]", "15m jitter 1m")
    page.click("form.schedule-form button[type=submit]")
    assert "rescheduled: 15m jitter 1m" in page.locator(".flash").inner_text()
    assert page.locator("dd.schedule").inner_text() == "every 15 min (jitter 1 min)"
    page.fill("form.schedule-form input[name=schedule]", "whenever")
    page.click("form.schedule-form button[type=submit]")
    assert "schedule.every: 'whenever' is not a duration" in page.locator("section.reschedule .error").inner_text()
    assert page.locator("form.schedule-form input[name=schedule]").input_value() == "whenever"  # kept, to fix
    assert api.get(f"/api/sources/{name}").json()["definition"]["schedule"] == {"every": "15m", "jitter": "1m"}
    ui.shot(f"source-rescheduled-{color_scheme}")

    page.click("form.pause button")
    assert "paused" in page.locator(".flash").inner_text()
    assert page.locator("h1 .badge.paused").count() == 1
    page.goto("/sources")
    assert page.locator(f"tr[data-source='{name}'] td.next-run").inner_text() == "paused"
    ui.shot(f"sources-paused-{color_scheme}")
    page.goto(f"/sources/{name}")
    page.click("form.resume button")
    assert "resumed" in page.locator(".flash").inner_text()
    assert page.locator("h1 .badge.paused").count() == 0
    assert api.get(f"/api/sources/{name}").json()["paused"] is None

    page.click("form.test button")
    result = page.locator("section.dry-run")
    assert int(result.locator(".article-count").inner_text()) >= 4
    assert result.locator(".sample-title").inner_text().strip()
    ui.shot(f"source-tested-{color_scheme}")


@pytest.mark.parametrize("color_scheme", SCHEMES)
def test_a_monitor_yaml_source_shows_read_only_with_its_badge(ui: Watched, color_scheme: str) -> None:
    page = ui.page
    assert page.locator("tr[data-source='harbor-times'] .badge.origin-file").inner_text() == "from monitor.yaml"
    page.goto("/sources/harbor-times")
    assert page.locator("h1 .badge.origin-file").inner_text() == "from monitor.yaml"
    assert page.locator("section.edit").count() == 0 and page.locator("form.schedule-form").count() == 0
    assert page.locator("form.delete").count() == 0
    assert "harbor-times/feed/" in page.locator("section.definition pre.yaml").inner_text()
    assert page.locator("form.pause button").count() == 1  # pausing is allowed: it changes when, not what
    ui.shot(f"source-from-file-{color_scheme}")


@pytest.mark.parametrize("color_scheme", SCHEMES)
def test_a_hostile_page_in_a_dry_run_is_shown_as_text(ui: Watched, color_scheme: str) -> None:
    hostile = Site()
    try:
        page = ui.page
        page.click(".add-source summary")
        form = page.locator(".add-source form.source-form")
        form.locator("input[name=name]").fill(f"hostile-{color_scheme}")
        form.locator("textarea[name=feeds]").fill(f"{hostile.base}/feed.xml")
        form.locator("button[value=test]").click()
        title = page.locator("section.dry-run .sample-title")
        assert title.inner_text() == HOSTILE_TITLE
        assert page.locator("section.dry-run script, section.dry-run b").count() == 0
        ui.shot(f"sources-hostile-{color_scheme}")
    finally:
        hostile.close()


@pytest.mark.parametrize("color_scheme", SCHEMES)
def test_at_375_px_the_add_form_and_a_source_page_fit_the_screen(
        chromium: Any, served: Server, api: httpx.Client, site_sources: dict[str, dict[str, Any]],
        color_scheme: str) -> None:
    name = f"narrow-{color_scheme}"
    assert api.post("/api/sources", json={**site_sources["valley-post"], "name": name}).status_code == 201
    context, narrow = open_page(chromium, served.url, scheme=color_scheme, width=375)
    try:
        narrow.page.goto("/login?next=/sources")
        narrow.page.fill("input[name=token]", TOKEN)
        narrow.page.click("form.login button[type=submit]")
        narrow.page.wait_for_url("**/sources")
        narrow.page.click(".add-source summary")
        for path in ("/sources", f"/sources/{name}", "/sources/harbor-times"):
            if path != "/sources":
                narrow.page.goto(path)
            width = narrow.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            assert width[0] <= width[1], path
            narrow.shot(f"narrow{path.replace('/', '-')}-{color_scheme}")
        assert narrow.csp_violations() == []
    finally:
        context.close()
    assert not narrow.errors, narrow.errors
