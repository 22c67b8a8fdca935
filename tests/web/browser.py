"""Driving Debian's Chromium with Playwright: launch options, a watched page, screenshots kept as artifacts."""
from __future__ import annotations

import shutil
from typing import Any
from urllib.parse import urlsplit

from tests.web.webtools import ARTIFACTS

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
TIMEOUT_MS = 20_000


class Watched:
    """A page whose dialogs, page errors and console messages are recorded."""

    def __init__(self, page: Any, *, scheme: str = "light") -> None:
        self.page = page
        self.scheme = scheme
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.console: list[str] = []
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", lambda message: self.console.append(f"{message.type}: {message.text}"))

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def csp_violations(self) -> list[str]:
        return [line for line in self.console if "Content Security Policy" in line or "Refused to" in line]


def open_page(browser: Any, base_url: str, *, scheme: str = "light", width: int = 1200) -> tuple[Any, Watched]:
    """A fresh context (no cookies) that reaches 127.0.0.1 only, in the colour scheme and width asked for."""
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": 900}, color_scheme=scheme)
    context.set_default_timeout(TIMEOUT_MS)

    def local_only(route: Any) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            route.abort()

    context.route("**/*", local_only)
    return context, Watched(context.new_page(), scheme=scheme)
