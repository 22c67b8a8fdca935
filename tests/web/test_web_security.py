"""Attacks on the web server through real HTTP: token guessing, DNS rebinding, stolen sessions, proxies and TLS."""
from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from monitor.config import load_config
from monitor.errors import ConfigError
from monitor.index import open_index
from monitor.web.throttle import FREE_FAILURES
from tests.web.webtools import TOKEN, Server, hostile_article, start_server, stop_server

pytestmark = pytest.mark.e2e

AUTH = {"Authorization": f"Bearer {TOKEN}"}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
WRONG_TOKEN = "guessed-token-0451"


def write_site(directory: Path, **web: Any) -> Path:
    """A config with its own small index (the hostile article) and the given ``web:`` settings."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "monitor.yaml"
    path.write_text(yaml.safe_dump({"index": {"url": "sqlite:///data/monitor.db"}, "data_dir": "data",
                                    "sources": [], "web": web}))
    with open_index(load_config(path).index.url) as index:
        index.upsert([hostile_article()], seen_at="2025-03-22T00:00:00Z")
    return path


@pytest.fixture(scope="module")
def plain_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Default web settings: no trusted proxy, the default allowed hosts."""
    server = start_server(write_site(tmp_path_factory.mktemp("plain")))
    yield server
    stop_server(server)


@pytest.fixture(scope="module")
def proxied_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Behind a TLS proxy on 127.0.0.1, reached as monitor.example.org."""
    server = start_server(write_site(tmp_path_factory.mktemp("proxied"), trusted_proxies=["127.0.0.1"],
                                     allowed_hosts=["monitor.example.org"]))
    yield server
    stop_server(server)


def client(server: Server, **headers: str) -> httpx.Client:
    return httpx.Client(base_url=server.url, timeout=30, headers=headers)


def csrf_of(page: httpx.Response) -> str:
    match = CSRF.search(page.text)
    assert match, "the page has no form token"
    return match.group(1)


def log_in(browser: httpx.Client) -> str:
    """Logs in through the form; returns the session cookie's value."""
    token = csrf_of(browser.get("/login"))
    answer = browser.post("/login", data={"csrf_token": token, "token": TOKEN, "next": "/alerts"})
    assert answer.status_code == 303, answer.text[-500:]
    return str(browser.cookies["monitor_session"])


def cookie_header(*answers: httpx.Response) -> dict[str, str]:
    """The cookies the answers set, sent by hand: the test talks plain http to the server behind the "proxy",
    and a client rightly keeps Secure cookies off plain http."""
    cookies = {name: value for answer in answers for name, value in answer.cookies.items()}
    return {"Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items())}


def wait_out(answer: httpx.Response) -> None:
    time.sleep(int(answer.headers["retry-after"]) + 0.2)


# ---------------------------------------------------------------- failed authentication


def test_guessing_the_api_token_is_throttled_per_address_and_logged_without_the_token(
        proxied_site: Server, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    guesser = {"X-Forwarded-For": "203.0.113.9", "Host": "monitor.example.org"}
    wrong = {"Authorization": f"Bearer {WRONG_TOKEN}"}
    with client(proxied_site, **guesser) as api:
        codes = [api.delete("/api/alerts/nothing", headers=wrong).status_code for _ in range(FREE_FAILURES + 2)]
        assert codes[:FREE_FAILURES] == [401] * FREE_FAILURES
        assert codes[-1] == 429
        throttled = api.delete("/api/alerts/nothing", headers=AUTH)  # the right token waits too: no oracle
        assert throttled.status_code == 429 and int(throttled.headers["retry-after"]) >= 1
        assert "retry" in throttled.json()["detail"].lower()
        page = api.get("/alerts", headers=wrong)  # a page shows the wait too (its error page checks no token)
        assert page.status_code == 429 and "try again" in page.text
        assert api.get("/api/search").status_code == 200  # open reads need no credentials
        with client(proxied_site, **{**guesser, "X-Forwarded-For": "203.0.113.10"}) as neighbour:
            assert neighbour.delete("/api/alerts/nothing", headers=AUTH).status_code == 404
        wait_out(throttled)
        assert api.delete("/api/alerts/nothing", headers=AUTH).status_code == 404
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "203.0.113.9" in r.getMessage()]
    assert warnings, "failed authentication is logged with the client's address"
    assert not [r for r in caplog.records if WRONG_TOKEN in r.getMessage() or TOKEN in r.getMessage()]


def test_forwarded_addresses_are_ignored_unless_the_proxy_is_trusted(plain_site: Server) -> None:
    # Without web.trusted_proxies a guesser cannot dodge the throttle by inventing X-Forwarded-For.
    for n in range(FREE_FAILURES + 1):
        with client(plain_site, **{"X-Forwarded-For": f"198.51.100.{n}"}) as api:
            api.delete("/api/alerts/nothing", headers={"Authorization": f"Bearer {WRONG_TOKEN}"})
    with client(plain_site, **{"X-Forwarded-For": "198.51.100.200"}) as api:
        answer = api.delete("/api/alerts/nothing", headers=AUTH)
        assert answer.status_code == 429
        wait_out(answer)
        assert api.delete("/api/alerts/nothing", headers=AUTH).status_code == 404


def test_guessing_the_token_in_the_login_form_is_throttled(proxied_site: Server) -> None:
    headers = {"X-Forwarded-For": "203.0.113.20", "X-Forwarded-Proto": "https", "Host": "monitor.example.org",
               "Origin": "https://monitor.example.org"}
    with client(proxied_site, **headers) as browser:
        page = browser.get("/login")
        token, cookies = csrf_of(page), cookie_header(page)
        form = {"csrf_token": token, "token": WRONG_TOKEN, "next": "/"}
        codes = [browser.post("/login", data=form, headers=cookies).status_code for _ in range(FREE_FAILURES + 1)]
        assert codes[:FREE_FAILURES] == [401] * FREE_FAILURES and codes[-1] == 429
        right = browser.post("/login", data={**form, "token": TOKEN}, headers=cookies)
        assert right.status_code == 429 and "monitor_session" not in right.cookies
        assert "try again" in right.text
        wait_out(right)
        assert browser.post("/login", data={**form, "token": TOKEN}, headers=cookies).status_code == 303


# ---------------------------------------------------------------- hosts and origins


@pytest.mark.parametrize("path", ["/api/search", "/api/sources", "/api/runs", "/", "/healthz"])
def test_a_request_for_a_host_not_allowed_is_refused_naming_the_setting(plain_site: Server, path: str) -> None:
    with client(plain_site, Host="rebound.attacker.example") as api:
        answer = api.get(path)
    assert answer.status_code == 400
    assert "web.allowed_hosts" in answer.text and "rebound.attacker.example" in answer.text


def test_the_default_hosts_and_configured_ones_are_served(plain_site: Server, proxied_site: Server) -> None:
    port = plain_site.url.rsplit(":", 1)[1]
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", "localhost"):
        with client(plain_site, Host=host) as api:
            assert api.get("/api/search").status_code == 200, host
    with client(proxied_site, Host="monitor.example.org") as api:
        assert api.get("/api/search").status_code == 200
    with client(proxied_site, Host="other.example.org") as api:
        assert api.get("/api/search").status_code == 400


def test_a_form_posted_from_another_site_is_refused_even_when_it_names_itself_as_host(plain_site: Server) -> None:
    with client(plain_site) as browser:
        token = csrf_of(browser.get("/login"))
        form = {"csrf_token": token, "token": TOKEN, "next": "/"}
        both = browser.post("/login", data=form, headers={"Host": "evil.example", "Origin": "http://evil.example"})
        assert both.status_code == 400
        cross = browser.post("/login", data=form, headers={"Origin": "http://evil.example"})
        assert cross.status_code == 403
        assert "monitor_session" not in browser.cookies
        port = plain_site.url.rsplit(":", 1)[1]
        other_port = browser.post("/login", data=form, headers={"Origin": f"http://127.0.0.1:{int(port) + 1}"})
        assert other_port.status_code == 403
        same = browser.post("/login", data=form, headers={"Origin": plain_site.url})
        assert same.status_code == 303


def test_web_settings_that_cannot_work_are_refused_naming_the_key(tmp_path: Path) -> None:
    for web, says in (({"allowed_hosts": ["https://monitor.example.org/"]}, "web.allowed_hosts"),
                      ({"trusted_proxies": ["proxy.local"]}, "web.trusted_proxies")):
        path = tmp_path / "monitor.yaml"
        path.write_text(yaml.safe_dump({"web": web}))
        with pytest.raises(ConfigError) as caught:
            load_config(path)
        assert f"{says}" in str(caught.value) and "monitor.yaml" in str(caught.value)


# ---------------------------------------------------------------- sessions, proxies and TLS


def test_logging_out_ends_the_session_for_every_copy_of_the_cookie(plain_site: Server) -> None:
    with client(plain_site) as browser:
        session = log_in(browser)
        assert "Log out" in browser.get("/alerts").text
        logout = browser.post("/logout", data={"csrf_token": csrf_of(browser.get("/alerts"))})
        assert logout.status_code == 303
    with client(plain_site) as thief:
        thief.cookies.set("monitor_session", session)
        token = csrf_of(thief.get("/login"))
        page = thief.get("/alerts")
        assert "Log out" not in page.text
        write = thief.post("/alerts", data={"csrf_token": token, "name": "stolen", "query": "ferry",
                                            "notify": "json://127.0.0.1:9/x", "mode": "immediate"})
        assert write.status_code == 303 and write.headers["location"].startswith("/login")
    restarted = start_server(plain_site.config_path)  # the revocation outlives the process
    try:
        with client(restarted) as thief:
            thief.cookies.set("monitor_session", session)
            assert "Log out" not in thief.get("/alerts").text
    finally:
        stop_server(restarted)


def test_behind_a_trusted_tls_proxy_cookies_are_secure_and_hsts_is_sent(proxied_site: Server) -> None:
    headers = {"Host": "monitor.example.org", "X-Forwarded-Proto": "https", "Origin": "https://monitor.example.org"}
    with client(proxied_site, **headers) as browser:
        page = browser.get("/login")
        assert "secure" in page.headers["set-cookie"].lower()
        assert "max-age=" in page.headers["strict-transport-security"]
        answer = browser.post("/login", data={"csrf_token": csrf_of(page), "token": TOKEN, "next": "/"},
                              headers=cookie_header(page))
        assert answer.status_code == 303 and "secure" in answer.headers["set-cookie"].lower()
    with client(proxied_site, Host="monitor.example.org") as plain_http:
        assert "strict-transport-security" not in plain_http.get("/login").headers


def test_forwarded_https_from_an_untrusted_client_changes_nothing(plain_site: Server) -> None:
    with client(plain_site, **{"X-Forwarded-Proto": "https"}) as browser:
        page = browser.get("/login")
        assert "secure" not in page.headers["set-cookie"].lower()
        assert "strict-transport-security" not in page.headers
