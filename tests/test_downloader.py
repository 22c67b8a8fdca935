"""A crawl without a download delay keeps to its per-domain concurrency (Scrapy 2.19 alone would not)."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import PROJECT_ROOT


class CountingSite(BaseHTTPRequestHandler):
    """Counts the requests it is answering at once, and the connections it was opened on."""

    protocol_version = "HTTP/1.1"
    lock = threading.Lock()
    active = peak = connections = 0

    def setup(self) -> None:
        with self.lock:
            CountingSite.connections += 1
        super().setup()

    def do_GET(self) -> None:  # noqa: N802 - the base class's name
        with self.lock:
            CountingSite.active += 1
            CountingSite.peak = max(CountingSite.peak, CountingSite.active)
        time.sleep(0.02)
        with self.lock:
            CountingSite.active -= 1
        body = b"<html><body><p>A page.</p></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), CountingSite)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


SPIDER = """
import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings

class Pages(scrapy.Spider):
    name = "pages"
    async def start(self):
        for n in range(80):
            yield scrapy.Request(f"{base}/page-{{n}}", dont_filter=True)
    def parse(self, response):
        pass

settings = get_project_settings()
settings.setdict({{"CONCURRENT_REQUESTS_PER_DOMAIN": 4, "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
                  "ROBOTSTXT_OBEY": False, "ITEM_PIPELINES": {{}}, "EXTENSIONS": {{}}, "LOG_LEVEL": "ERROR",
                  "DOWNLOADER_MIDDLEWARES": {{}}}}, priority="cmdline")
process = CrawlerProcess(settings)
process.crawl(Pages)
process.start()
"""


def test_a_crawl_without_a_delay_asks_a_site_at_most_its_per_domain_concurrency_at_once(site: str) -> None:
    script = textwrap.dedent(SPIDER.format(base=site))
    subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, check=True, timeout=120,
                   env={**os.environ, "SCRAPY_SETTINGS_MODULE": "monitor.settings"})
    assert CountingSite.peak == 4
    assert CountingSite.connections <= 8  # kept alive: not a fresh connection per request
