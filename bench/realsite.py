"""A news site on 127.0.0.1 made of the real pages in ../shared/data: sitemaps, a feed, sections, one URL per copy."""
from __future__ import annotations

import contextlib
import gzip
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpora import DATA, aeb_pages, fundus_pages, trafilatura_eval_pages  # noqa: E402

PER_SITEMAP = 1000
PER_SECTION = 100
FEED_ENTRIES = 100
_CANONICAL = re.compile(rb"<link\b[^>]*\brel\s*=\s*[\"']?canonical\b[^>]*>", re.I)
_OG_URL = re.compile(rb"<meta\b[^>]*\bproperty\s*=\s*[\"']?og:url\b[^>]*>", re.I)
_HEAD = re.compile(rb"<head\b[^>]*>", re.I)


def real_pages(data: Path = DATA) -> list[bytes]:
    """Every HTML page of the article and comment corpora, in a fixed order."""
    paths = [p.path for p in (*aeb_pages(data), *trafilatura_eval_pages(data), *fundus_pages(data))]
    paths += sorted((data / "dragnet-train" / "html").glob("*.html.gz"))
    paths += sorted((data / "comments-dev" / "html").glob("*.html.gz"))
    return [gzip.decompress(path.read_bytes()) for path in paths]


def with_canonical(page: bytes, url: str) -> bytes:
    """The page with its own URL as rel=canonical and og:url, so that every copy is an article of its own."""
    page = _OG_URL.sub(b"", _CANONICAL.sub(b"", page))
    tag = f'<link rel="canonical" href="{url}"><meta property="og:url" content="{url}">'.encode()
    head = _HEAD.search(page)
    if head is None:
        return tag + page
    return page[:head.end()] + tag + page[head.end():]


@dataclass
class Site:
    """The site's files under ``root``; ``urls`` are the article URLs (copy i of the corpus is ``urls[i]``)."""

    root: Path
    base: str
    urls: list[str]

    @property
    def sitemap(self) -> str:
        return self.base + "/sitemap.xml"

    @property
    def feed(self) -> str:
        return self.base + "/feed.xml"

    @property
    def sections(self) -> list[str]:
        return [f"{self.base}/section/{n}.html" for n in range((len(self.urls) + PER_SECTION - 1) // PER_SECTION)]

    @property
    def article_pattern(self) -> str:
        return "^" + re.escape(self.base) + r"/news/\d{4}/"

    def pages(self) -> Iterator[tuple[str, bytes]]:
        """(URL, body) of every article page as served."""
        for url in self.urls:
            yield url, (self.root / url.removeprefix(self.base + "/")).read_bytes()


def build(root: Path, base: str, pages: int, data: Path = DATA) -> Site:
    """Write ``pages`` article copies (the corpus cycled), the sitemap index, news sitemaps, a feed and sections."""
    corpus = real_pages(data)
    now = datetime.now(UTC).replace(microsecond=0)
    urls: list[str] = []
    entries: list[tuple[str, str, str]] = []
    for i in range(pages):
        when = now - timedelta(minutes=7 * i)
        path = f"news/{when:%Y/%m/%d}/{i:05d}.html"
        url = f"{base}/{path}"
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(with_canonical(corpus[i % len(corpus)], url))
        urls.append(url)
        entries.append((url, when.isoformat(), f"Story {i}"))
    (root / "sitemaps").mkdir(exist_ok=True)
    children = []
    for n in range(0, pages, PER_SITEMAP):
        name = f"sitemaps/news-{n // PER_SITEMAP}.xml"
        (root / name).write_text(_news_sitemap(entries[n:n + PER_SITEMAP]), encoding="utf-8")
        children.append(f"{base}/{name}")
    (root / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(f"<sitemap><loc>{escape(c)}</loc></sitemap>" for c in children) + "</sitemapindex>\n",
        encoding="utf-8")
    (root / "feed.xml").write_text(_feed(base, entries[:FEED_ENTRIES]), encoding="utf-8")
    (root / "section").mkdir(exist_ok=True)
    for n in range(0, pages, PER_SECTION):
        links = "".join(f'<li><a href="{escape(u)}">{escape(t)}</a></li>' for u, _, t in entries[n:n + PER_SECTION])
        (root / "section" / f"{n // PER_SECTION}.html").write_text(
            f"<!doctype html><html><head><title>Section {n // PER_SECTION}</title></head><body><ul>{links}</ul>"
            "</body></html>", encoding="utf-8")
    (root / "index.html").write_text("<!doctype html><html><body>"
                                     + "".join(f'<a href="/section/{n // PER_SECTION}.html">s</a>'
                                               for n in range(0, pages, PER_SECTION)) + "</body></html>")
    (root / "robots.txt").write_text(f"User-agent: *\nAllow: /\nSitemap: {base}/sitemap.xml\n", encoding="utf-8")
    return Site(root=root, base=base, urls=urls)


def _news_sitemap(entries: list[tuple[str, str, str]]) -> str:
    body = "".join(
        f"<url><loc>{escape(url)}</loc><news:news><news:publication><news:name>Bench</news:name>"
        f"<news:language>en</news:language></news:publication><news:publication_date>{when}</news:publication_date>"
        f"<news:title>{escape(title)}</news:title></news:news></url>"
        for url, when, title in entries)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{body}</urlset>\n')


def _feed(base: str, entries: list[tuple[str, str, str]]) -> str:
    items = "".join(f"<item><title>{escape(t)}</title><link>{escape(u)}</link><guid>{escape(u)}</guid>"
                    f"<pubDate>{datetime.fromisoformat(w):%a, %d %b %Y %H:%M:%S +0000}</pubDate></item>"
                    for u, w, t in entries)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Bench</title>'
            f"<link>{base}/</link><description>bench</description>{items}</channel></rss>\n")


def free_port(prefer: int = 80) -> int:
    """``prefer`` when it is free (news-please keeps the port in its allowed domain, which Scrapy then refuses),
    else any free port."""
    for port in (prefer, 0):
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise OSError("no free port")


def base_url(port: int) -> str:
    return "http://127.0.0.1" if port == 80 else f"http://127.0.0.1:{port}"


_NGINX_CONF = """{user}worker_processes 1;
daemon off;
master_process on;
error_log {dir}/error.log warn;
pid {dir}/nginx.pid;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    types {{ text/html html; application/xml xml; text/plain txt; }}
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    client_body_temp_path {dir}/tmp; proxy_temp_path {dir}/tmp; fastcgi_temp_path {dir}/tmp;
    uwsgi_temp_path {dir}/tmp; scgi_temp_path {dir}/tmp;
    server {{
        listen 127.0.0.1:{port} backlog=1024;
        root {root};
        location / {{ }}
    }}
}}
"""


@contextlib.contextmanager
def serve(root: Path, port: int, work: Path) -> Iterator[str]:
    """Serve ``root`` on 127.0.0.1:``port`` with nginx when it is installed, else Python's threading server.
    Yields the server's name."""
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx:
        (work / "tmp").mkdir(parents=True, exist_ok=True)
        conf = work / "nginx.conf"
        # As root nginx's worker would drop to nobody, who may not read a private temporary folder.
        user = "user root;\n" if os.geteuid() == 0 else ""
        conf.write_text(_NGINX_CONF.format(user=user, dir=work, port=port, root=root), encoding="utf-8")
        process = subprocess.Popen([nginx, "-p", str(work), "-c", str(conf), "-e", str(work / "error.log")],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            _wait_for(f"http://127.0.0.1:{port}/robots.txt")
            yield "nginx " + subprocess.run([nginx, "-v"], capture_output=True, text=True).stderr.strip().split("/")[-1]
        finally:
            process.terminate()
            process.wait(10)
        return
    handler = partial(_QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.request_queue_size = 1024
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield "python http.server"
    finally:
        server.shutdown()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


def _wait_for(url: str, seconds: float = 10.0) -> None:
    stop = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            if time.monotonic() > stop:
                raise
            time.sleep(0.05)
