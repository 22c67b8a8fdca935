"""Browser rendering for sources that ask for it (`render: comments|page`): scrapy-playwright settings and request meta."""
from __future__ import annotations

from typing import Any

from monitor.config import CrawlConfig, SourceConfig

__all__ = ["BROWSER_ARGS", "MAX_CONTEXTS", "MAX_PAGES_PER_CONTEXT", "render_meta", "render_settings"]

HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-dev-shm-usage"]
# One context, four pages at once: NOTES.md measured 1-2 GB RSS for Debian's chromium at 8 pages; half that bound
# keeps one crawl's browser under about 1 GB on the small servers the monitor runs on.
MAX_CONTEXTS = 1
MAX_PAGES_PER_CONTEXT = 4
# What a rendered page does not need to show its comments: none of these is fetched.
_SKIPPED_RESOURCES = frozenset({"image", "media", "font"})
CLICK_PAUSE_MS = 400  # after a click, for the thread's next page to arrive
# Clicks "load more comments" / "show replies" (buttons and links by their words), then lets the page settle.
_CLICK_MORE = """async ([limit, pause]) => {
  const words = /^(\\s*)(load|show|view|see)\\s+(more|all|older|\\d+)?\\s*(comments?|replies|repl(y|ies))|more comments|show replies/i;
  let clicked = 0;
  for (; clicked < limit; clicked++) {
    const target = [...document.querySelectorAll('button, a, [role=button]')].find(
      (el) => words.test(el.textContent || '') && el.offsetParent !== null && !el.disabled);
    if (!target) break;
    target.click();
    await new Promise((done) => setTimeout(done, pause));
  }
  return clicked;
}"""


def _abort(request: Any) -> bool:
    return bool(request.resource_type in _SKIPPED_RESOURCES)


def render_settings(crawl: CrawlConfig) -> dict[str, Any]:
    """The Scrapy settings that put a browser behind http(s): only for a crawl of a source with ``render``."""
    return {
        "DOWNLOAD_HANDLERS": {"http": HANDLER, "https": HANDLER},
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": {"executable_path": crawl.browser, "headless": True, "args": BROWSER_ARGS},
        "PLAYWRIGHT_MAX_CONTEXTS": MAX_CONTEXTS,
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": MAX_PAGES_PER_CONTEXT,
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": int(crawl.download_timeout * 1000),
        "PLAYWRIGHT_ABORT_REQUEST": _abort,
    }


def render_meta(source: SourceConfig) -> dict[str, Any]:
    """Request meta that renders the page: plain requests (meta without ``playwright``) never touch the browser."""
    from scrapy_playwright.page import PageMethod  # only a rendering crawl imports the browser integration

    methods = [PageMethod("wait_for_load_state", "networkidle")]
    if source.render == "comments":
        if source.render_wait_for:
            methods.append(PageMethod("wait_for_selector", source.render_wait_for))
        methods += [PageMethod("evaluate", _CLICK_MORE, [source.render_clicks, CLICK_PAUSE_MS]),
                    PageMethod("wait_for_load_state", "networkidle")]
    return {"playwright": True, "playwright_page_methods": methods}
