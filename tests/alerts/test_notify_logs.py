"""No secret of a notify URL reaches a log line: not ours, not Apprise's (which shows a password's first and last
character), not the HTTP client's."""
from __future__ import annotations

import logging

import pytest

from monitor.alerts import notify
from monitor.errors import SendFailed

PASSWORD = "Sup3rSecretPw"
ENV_SECRET = "Env5ecretValue"
# Nothing listens on port 9 of 127.0.0.1: each send fails after Apprise has logged its attempt.
URLS = (f"mailto://alice:{PASSWORD}@127.0.0.1:9?from=alice@example.com&to=bob@example.com",
        f"mailto://alice:{PASSWORD}@127.0.0.1:9?to=bob@example.com",  # refused by Apprise: it logs the URL
        "json://desk:{env:MONITOR_TEST_HOOK_SECRET}@127.0.0.1:9/hook",
        "json://127.0.0.1:9/hook/{env:MONITOR_TEST_HOOK_SECRET}")


def test_sending_logs_no_password_nor_its_first_and_last_character(caplog: pytest.LogCaptureFixture,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONITOR_TEST_HOOK_SECRET", ENV_SECRET)
    caplog.set_level(logging.DEBUG)
    failures = 0
    for url in URLS:
        try:
            notify.send(url, title="t", body="b")
        except SendFailed:
            failures += 1
    assert failures == len(URLS)
    apprise_lines = [r.getMessage() for r in caplog.records if r.name.startswith("apprise")]
    assert any("127.0.0.1" in line for line in apprise_lines)  # Apprise did log each attempt
    text = "\n".join(r.getMessage() for r in caplog.records)
    leaks = [s for s in (PASSWORD, ENV_SECRET, f"{PASSWORD[0]}...{PASSWORD[-1]}", f"{ENV_SECRET[0]}...{ENV_SECRET[-1]}")
             if s in text]
    assert leaks == []


def test_a_masked_url_shows_no_character_of_a_password() -> None:
    shown = notify.mask_url(f"mailto://alice:{PASSWORD}@mail.example.org?to=bob@example.com")
    assert "alice" in shown and "mail.example.org" in shown
    assert f"{PASSWORD[0]}...{PASSWORD[-1]}" not in shown and PASSWORD not in shown
