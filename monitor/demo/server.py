"""The demo news site's HTTP server: in a thread for tests and the demo, or in the foreground."""
from __future__ import annotations

import argparse
import logging
import os
import signal
import stat
import sys
import threading
from collections.abc import Sequence
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from monitor.demo.catalog import demo_sources, truth
from monitor.demo.site import DemoSite

__all__ = ["DemoSite", "demo_sources", "serve", "stop", "truth", "main"]

log = logging.getLogger(__name__)


class DemoServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer that knows its site and base URL."""

    daemon_threads = True
    # socketserver listens with a backlog of 5: a crawler that opens connections in bursts (Scrapy with more
    # than 24 requests in flight) overflows it, and each dropped SYN costs the client a 1 s retransmit.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], site: DemoSite) -> None:
        super().__init__(address, DemoHandler)
        self.site = site
        host, port = str(self.server_address[0]), int(self.server_address[1])
        self.base_url = f"http://{host}:{port}"

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A crawler that gives up on a slow or oversized page hangs up; that is expected, not an error.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class DemoHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "DemoNews/1.0"
    timeout = 30  # idle keep-alive connections let go of their thread
    server: DemoServer

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        site = self.server.site
        try:
            response = site.handle(self.command, self.path, dict(self.headers.items()), body,
                                   base=self.server.base_url)
        except Exception:  # the edge: one broken page must not take the server down
            log.exception("demo site failed path=%s", self.path)
            self.send_error(500)
            return
        if response.delay and site.stopping.wait(response.delay):
            self.close_connection = True
            return
        self.send_response(response.status)
        self.send_header("Date", formatdate(usegmt=True))
        if response.status != 304:
            self.send_header("Content-Type", response.content_type)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)) if response.status != 304 else "0")
        self.end_headers()
        if self.command != "HEAD" and response.status != 304:
            self.wfile.write(response.body)

    do_GET = do_HEAD = do_POST = do_DELETE = do_PUT = _answer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        log.debug("demo request %s", format % args)


def serve(site: DemoSite, *, host: str = "127.0.0.1", port: int = 0) -> tuple[DemoServer, str]:
    """Serve ``site`` from a daemon thread; returns the server and its base URL (``http://127.0.0.1:PORT``)."""
    server = DemoServer((host, port), site)
    site.base_url = server.base_url
    thread = threading.Thread(target=server.serve_forever, name="demo-site", daemon=True)
    thread.start()
    return server, server.base_url


def stop(server: DemoServer) -> None:
    """Stop serving, wake any slow page, and free the port."""
    server.site.stopping.set()
    server.shutdown()
    server.server_close()


def _watch_parent(stopped: threading.Event) -> None:
    """Stop when the parent process dies or closes our stdin pipe, so test servers never linger."""
    parent = os.getppid()

    def parent_gone() -> None:
        while not stopped.wait(0.5):
            if os.getppid() != parent:
                stopped.set()

    threading.Thread(target=parent_gone, daemon=True).start()
    try:
        fd = sys.stdin.fileno()
        is_pipe = stat.S_ISFIFO(os.fstat(fd).st_mode)
    except (OSError, ValueError, AttributeError):
        is_pipe = False
    if is_pipe:  # a terminal or /dev/null is not a parent's pipe: leave those alone

        def stdin_closed() -> None:
            # os.read, not sys.stdin: a daemon thread blocked in a buffered read aborts the
            # interpreter at exit.
            try:
                while os.read(fd, 4096):
                    pass
            except OSError:
                pass
            stopped.set()

        threading.Thread(target=stdin_closed, daemon=True).start()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m monitor.demo.server", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--test-pages", action="store_true", help="also serve the /lab/ outlet of broken pages")
    parser.add_argument("--slow-seconds", type=float, default=5.0, help="how long the lab's slow page waits")
    parser.add_argument("--large-page-bytes", type=int, default=3 * 1024 * 1024,
                        help="size of the lab's oversized page")
    args = parser.parse_args(argv)

    # The handlers first: a SIGTERM sent as soon as the address is printed stops the server cleanly.
    stopped = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopped.set())
    site = DemoSite(with_test_pages=args.test_pages, slow_seconds=args.slow_seconds,
                    large_page_bytes=args.large_page_bytes)
    server, base_url = serve(site, host=args.host, port=args.port)
    print(base_url, flush=True)
    _watch_parent(stopped)
    while not stopped.wait(0.5):
        pass
    stop(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
