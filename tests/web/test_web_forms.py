"""UI forms through real HTTP: login sets a session, writes need it, a CSRF token and a same-site Origin."""
from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from tests.web.webtools import TOKEN, Server

pytestmark = pytest.mark.e2e  # a crawl of the test site and a real server

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(page: httpx.Response) -> str:
    match = CSRF.search(page.text)
    assert match, "the page has no form token"
    return match.group(1)


@pytest.fixture
def browser(web: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=web.url, timeout=60) as client:
        yield client


def login(client: httpx.Client) -> None:
    token = csrf_of(client.get("/login"))
    answer = client.post("/login", data={"csrf_token": token, "token": TOKEN, "next": "/alerts"})
    assert answer.status_code == 303 and answer.headers["location"] == "/alerts"
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


def test_a_wrong_token_does_not_log_in(browser: httpx.Client) -> None:
    token = csrf_of(browser.get("/login"))
    answer = browser.post("/login", data={"csrf_token": token, "token": "guess", "next": "/"})
    assert answer.status_code == 401 and "wrong token" in answer.text
    assert "monitor_session" not in browser.cookies


def test_login_never_redirects_off_site(browser: httpx.Client) -> None:
    token = csrf_of(browser.get("/login"))
    answer = browser.post("/login", data={"csrf_token": token, "token": TOKEN, "next": "//evil.example/"})
    assert answer.headers["location"] == "/"


def test_creating_an_alert_from_the_form_needs_a_session(browser: httpx.Client) -> None:
    token = csrf_of(browser.get("/login"))  # one token per browser: the login form's serves every form
    form = {"csrf_token": token, "name": "form-alert", "query": "ferry", "notify": "json://127.0.0.1:9/x",
            "types": ["article"], "mode": "immediate", "once_per": "cluster"}
    anonymous = browser.post("/alerts", data=form)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    login(browser)
    created = browser.post("/alerts", data=form)
    assert created.status_code == 303 and created.headers["location"] == "/alerts/form-alert"
    assert 'data-alert="form-alert"' in browser.get("/alerts").text
    assert '<option value="cluster" selected>' in browser.get("/alerts/form-alert").text
    deleted = browser.post("/alerts/form-alert/delete", data={"csrf_token": token})
    assert deleted.status_code == 303
    assert 'data-alert="form-alert"' not in browser.get("/alerts").text


def test_a_form_without_its_csrf_token_or_from_another_site_is_refused(browser: httpx.Client) -> None:
    login(browser)
    token = csrf_of(browser.get("/alerts"))
    form = {"name": "csrf-alert", "query": "ferry", "notify": "json://127.0.0.1:9/x", "mode": "immediate"}
    assert browser.post("/alerts", data=form).status_code == 403
    assert browser.post("/alerts", data={**form, "csrf_token": "forged"}).status_code == 403
    cross = browser.post("/alerts", data={**form, "csrf_token": token}, headers={"Origin": "http://evil.example"})
    assert cross.status_code == 403
    assert 'data-alert="csrf-alert"' not in browser.get("/alerts").text


def test_the_search_page_marks_matches_after_escaping(browser: httpx.Client) -> None:
    page = browser.get("/", params={"q": "toll"})
    assert page.status_code == 200
    assert "<mark>toll</mark>" in page.text or "<mark>tolls</mark>" in page.text or "<mark>Toll</mark>" in page.text
    assert "«" not in page.text.split("<ol class=\"hits\">", 1)[1]
    broken = browser.get("/", params={"q": "toll AND ("})
    assert broken.status_code == 400 and "does not parse" in broken.text and "position" in broken.text
