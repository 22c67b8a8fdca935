"""Fault scenarios shared by tests/runs/test_faults.py and bench/faults.py: kill `monitor crawl` or `monitor serve`
mid-crawl, start again, and compare the documents on the test site with the documents in the index."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from monitor import service
from monitor.config import load_config
from monitor.demo.catalog import demo_sources
from monitor.index import SearchRequest
from monitor.runs.records import RunStore

ROOT = Path(__file__).resolve().parents[2]
SOURCE = "northern-ledger"  # its pages stay a normal size however many articles it has
WAIT_SECONDS = 120
# Slow enough that a kill lands mid-crawl, with articles both indexed and still to come.
CRAWL = {"download_delay": 0.05, "autothrottle": False, "concurrency_per_domain": 2, "download_timeout": 10,
         "max_page_bytes": 1_000_000}


@dataclass(frozen=True)
class Comparison:
    """The site's documents against the index's, for one source."""

    articles_expected: int
    articles_indexed: int  # of the expected ones, found in the index
    comments_expected: int
    comments_indexed: int  # of the expected articles' comments, found in their threads
    duplicated: int  # documents beyond one per expected article and comment
    missing: list[str]  # URLs of expected articles the index lacks, or whose thread is short

    @property
    def complete(self) -> bool:
        return (self.articles_indexed, self.comments_indexed, self.duplicated) == (
            self.articles_expected, self.comments_expected, 0)


def add_articles(base_url: str, count: int) -> None:
    """``count`` more articles on the source, beside the dozen (with comment threads) it has."""
    for i in range(count):
        body = json.dumps({"outlet": SOURCE, "section": ["city", "politics", "business", "sport"][i % 4],
                           "title": f"Fault story number {i} from the north",
                           "body": f"Paragraph one of fault story {i}.\n\nParagraph two of story {i}."}).encode()
        request = urllib.request.Request(f"{base_url}/_admin/articles", data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        urllib.request.urlopen(request, timeout=10).close()


def write_config(directory: Path, base_url: str, *, schedule: str | None = None) -> Path:
    source = next(s for s in demo_sources(base_url) if s["name"] == SOURCE)
    if schedule:
        source["schedule"] = schedule
    config = {"index": {"url": "sqlite:///data/monitor.db"}, "crawl": CRAWL, "sources": [source],
              "serve": {"grace_period": "0s", "crawl_timeout": "10m", "watch_config": False}}
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "monitor.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def start_monitor(config: Path, *args: str, log: Path) -> subprocess.Popen[bytes]:
    """`monitor --config CONFIG ARGS...` in a session of its own (as a terminal would run it)."""
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "monitor.cli", "--config", str(config), *args], cwd=ROOT,
                                stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True,
                                env={**os.environ, "COLUMNS": "200"})


def indexed_articles(config: Path) -> int:
    request = SearchRequest(query="", types=("article",), sources=(SOURCE,), limit=1)
    try:
        return service.search(load_config(config), request).total
    except Exception:  # noqa: BLE001 - the index may not exist yet
        return 0


def wait_for(condition: Callable[[], Any], what: str, *, timeout: float = WAIT_SECONDS) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def kill_mid_crawl(process: subprocess.Popen[bytes], config: Path, *, expected: int) -> int:
    """SIGKILL ``process`` once some but not all articles are indexed; how many were."""
    wait_for(lambda: process.poll() is not None or 0 < indexed_articles(config), "the first indexed articles")
    if process.poll() is not None:
        raise AssertionError(f"the process ended (code {process.returncode}) before it could be killed mid-crawl")
    indexed = indexed_articles(config)
    if indexed >= expected:
        raise AssertionError("the crawl was complete before it could be killed; slow it down (CRAWL)")
    process.kill()
    process.wait()
    return indexed


def crawl_pids(config: Path) -> list[int]:
    """The crawl subprocesses this config's runs started (each led its own process group)."""
    return [int(r["pid"]) for r in RunStore(load_config(config).state_db).runs(limit=1000) if r["pid"]]


def processes_of(groups: list[int]) -> list[str]:
    """Live processes (not zombies) in any of those process groups: what a killed supervisor left behind."""
    left = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text(encoding="ascii", errors="replace")
        except OSError:
            continue
        fields = text.rsplit(")", 1)[-1].split()
        if fields[0] not in ("Z", "X") and int(fields[2]) in groups:
            left.append(f"{stat.parent.name} {text.split(' (', 1)[1].split(')', 1)[0]}")
    return left


def site_truth(base_url: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{base_url}/_admin/truth", timeout=10) as response:
        return [a for a in json.load(response) if a["source"] == SOURCE and a["expect"] == "indexed"]


def compare(config: Path, base_url: str) -> Comparison:
    loaded = load_config(config)
    truth = site_truth(base_url)
    articles = service.search(loaded, SearchRequest(types=("article",), sources=(SOURCE,), limit=10_000))
    comments = service.search(loaded, SearchRequest(types=("comment",), sources=(SOURCE,), limit=1))
    urls = {hit["url"] for hit in articles.hits}
    missing, comments_indexed = [], 0
    for article in truth:
        thread = service.thread(loaded, article["url"]) if article["url"] in urls else None
        got = len(thread["comments"]) if thread else 0
        comments_indexed += min(got, len(article["comments"]))
        if thread is None or got < len(article["comments"]):
            missing.append(article["url"])
    articles_indexed = len(urls & {a["url"] for a in truth})
    return Comparison(
        articles_expected=len(truth), articles_indexed=articles_indexed,
        comments_expected=sum(len(a["comments"]) for a in truth), comments_indexed=comments_indexed,
        duplicated=max(articles.total - articles_indexed, 0) + max(comments.total - comments_indexed, 0),
        missing=missing)


def stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is not None and process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
