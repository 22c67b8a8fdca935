"""Helpers of the web tests: the hostile article, the app on a free 127.0.0.1 port in a thread, JSON reads."""
from __future__ import annotations

import json
import socket
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from monitor.config import load_config
from monitor.items import ArticleItem, Comment
from monitor.urls import article_id, canonicalize_url
from tests.conftest import PROJECT_ROOT

TOKEN = "web-test-token-7c1d"
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "web"
HOSTILE_URL = "http://127.0.0.1:9/lab/hostile-raw-markup/"
HOSTILE_TEXTS = (
    '<script>alert("xss-script")</script>The tolls are a scandal.',
    'See the photos <img src=x onerror=alert("xss-img")> of the queue.',
    '<a href="javascript:alert(1)">my blog</a> and «not a highlight» either',
    '</textarea><svg onload=alert("xss-svg")> nobody clicks that',
)
START_SECONDS = 30
DEEP_URL = "http://127.0.0.1:9/lab/a-very-long-argument/"
DEEP_COMMENTS = 300  # a comments API can hand over a reply chain this deep


@dataclass
class Server:
    url: str
    config_path: Path
    server: Any
    thread: threading.Thread


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def hostile_article() -> ArticleItem:
    """An article whose comments hold raw markup as their text (extraction strips it; the index could hold it)."""
    aid = article_id(HOSTILE_URL)
    comments = []
    for position, text in enumerate(HOSTILE_TEXTS, start=1):
        comments.append(Comment(id=f"{aid}-h{position}", article_id=aid, text=text, position=position,
                                depth=1 if position in (1, 2) else position - 1,
                                parent_id=None if position in (1, 2) else f"{aid}-h{position - 1}",
                                author=f'Mallory <b onmouseover=alert("xss-author")>{position}</b>',
                                published=f"2025-03-21T1{position}:00:00+00:00", source="lab",
                                url=HOSTILE_URL + f"#c{position}", article_title="Raw <i>markup</i> in comments"))
    return ArticleItem(id=aid, url="javascript:alert('xss-url')", canonical_url=canonicalize_url(HOSTILE_URL),
                       source="lab", title='Raw <i>markup</i> in comments <script>alert("xss-title")</script>',
                       text="Readers wrote markup. bridge toll", authors=["Lab <Robot>"],
                       published="2025-03-21T09:00:00+00:00", language="en", comments=comments,
                       image="javascript:alert('xss-image')")


def deep_thread_article(depth: int = DEEP_COMMENTS) -> ArticleItem:
    """An article whose comments are one reply chain ``depth`` deep, then a second top-level comment."""
    aid = article_id(DEEP_URL)
    comments = [Comment(id=f"{aid}-d{n}", article_id=aid, text=f"Chain reply number {n} of the argument.",
                        position=n, depth=n, parent_id=f"{aid}-d{n - 1}" if n > 1 else None,
                        author=f"Debater {n}", published="2025-03-20T10:00:00+00:00", source="lab",
                        url=DEEP_URL + f"#d{n}", article_title="A very long argument")
                for n in range(1, depth + 1)]
    comments.append(Comment(id=f"{aid}-last", article_id=aid, text="A fresh top-level remark.", position=depth + 1,
                            author="Latecomer", source="lab", url=DEEP_URL + "#last",
                            article_title="A very long argument"))
    return ArticleItem(id=aid, url=DEEP_URL, canonical_url=canonicalize_url(DEEP_URL), source="lab",
                       title="A very long argument", text="Readers replied to each other for a long time.",
                       published="2025-03-20T09:00:00+00:00", language="en", comments=comments)


def start_server(config_path: Path, *, token: str | None = TOKEN) -> Server:
    from monitor.web.server import build_server

    port = free_port()
    server = build_server(load_config(config_path), host="127.0.0.1", port=port, token=token, log_level="warning")
    thread = threading.Thread(target=server.run, name="web-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the web server did not start")
        time.sleep(0.05)
    return Server(f"http://127.0.0.1:{port}", config_path, server, thread)


def stop_server(server: Server) -> None:
    server.server.should_exit = True
    server.thread.join(15)



def get_json(url: str, **headers: str) -> Any:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as response:
        return json.load(response)
