"""Script-built comment threads: all read with `render: comments`; without it none, and no browser process starts."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from monitor.config import load_config
from monitor.demo.platforms import PlatformSite, serve_platform_site
from monitor.index import open_index
from tests.conftest import PROJECT_ROOT, write_config

pytestmark = pytest.mark.e2e  # Debian's chromium, which scripts/test installs, as the browser tests need it

SCRIPTED = "/articles/js-built-thread/"


@pytest.fixture(scope="module")
def site() -> Iterator[PlatformSite]:
    platform_site = PlatformSite()
    server: ThreadingHTTPServer
    server, _ = serve_platform_site(platform_site)
    yield platform_site
    server.shutdown()
    server.server_close()


def _descendants(root: int) -> dict[int, str]:
    """The processes under ``root`` now, with their command lines."""
    parents: dict[int, int] = {}
    commands: dict[int, str] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            commands[int(entry)] = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(
                "utf-8", "replace")
        except OSError:
            continue
        parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: dict[int, str] = {}
    frontier = [root]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in found:
                found[child] = commands.get(child, "")
                frontier.append(child)
    return found


def crawl_watching_processes(config: Path) -> tuple[dict[str, Any], set[str]]:
    """`monitor crawl --json`, and every browser process that ran under it (sampled while it ran)."""
    process = subprocess.Popen([sys.executable, "-m", "monitor.cli", "--config", str(config), "crawl", "--json"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=PROJECT_ROOT,
                               stdin=subprocess.DEVNULL)
    browsers: set[str] = set()
    deadline = time.monotonic() + 240
    while process.poll() is None:
        browsers |= {cmd.split(" ", 1)[0] for cmd in _descendants(process.pid).values() if "chrom" in cmd}
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError("the crawl did not end")
        time.sleep(0.05)
    out, err = process.communicate()
    assert process.returncode == 0, err
    return json.loads(out), browsers


def _config(directory: Path, site: PlatformSite, **source: Any) -> Path:
    return write_config(directory, [{"name": "scripted", "feeds": [f"{site.base_url}/js-feed.xml"],
                                     "follow_depth": 0, **source}])


def _indexed(config: Path, site: PlatformSite) -> list[dict[str, Any]]:
    with open_index(load_config(config).index.url) as index:
        article = index.get_article(site.base_url + SCRIPTED)
        assert article is not None
        return list(index.get_comments(article["id"]))


def test_without_render_the_script_built_thread_gives_no_comment_and_no_browser_starts(
        site: PlatformSite, tmp_path: Path) -> None:
    summary, browsers = crawl_watching_processes(_config(tmp_path, site))
    assert [run["status"] for run in summary["runs"]] == ["finished"]
    assert _indexed(tmp_path / "monitor.yaml", site) == []
    assert browsers == set()
    assert site.requests["/js-comments.json"] == 0


def test_with_render_comments_every_comment_is_indexed_after_load_more(site: PlatformSite, tmp_path: Path) -> None:
    config = _config(tmp_path, site, render="comments", render_wait_for="#comments .comment-list")
    summary, browsers = crawl_watching_processes(config)
    assert [run["status"] for run in summary["runs"]] == ["finished"]
    assert browsers  # the crawl rendered in chromium, and the sampling above sees it
    comments = _indexed(config, site)
    thread = site.of("js").thread
    by_id = {c["id"]: c for c in comments}
    assert sorted((c["author"], c["text"], by_id[c["parent_id"]]["author"] if c["parent_id"] else None)
                  for c in comments) == sorted(
        (c.author, c.text, thread[c.parent].author if c.parent is not None else None) for c in thread)
    # The thread came in pages: the first with the page, the others by clicking "Load more comments".
    assert site.requests["/js-comments.json"] >= 3
