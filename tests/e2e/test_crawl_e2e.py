"""End to end through the real `monitor` command: crawl the local test site, then search and read threads."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from monitor.demo import lab
from monitor.demo.server import demo_sources
from tests.conftest import (
    PROJECT_ROOT,
    TestSite,
    monitor_json,
    run_monitor,
    threads_json,
    write_config,
)

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module", autouse=True)
def comments_api_key() -> Iterator[str]:
    """The lab's comments API key, in the environment as a user would provide it (its config says {env:…})."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(lab.COMMENTS_API_KEY_ENV, lab.COMMENTS_API_KEY)
        yield lab.COMMENTS_API_KEY


@pytest.fixture(scope="module")
def crawled(test_site: TestSite, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Crawl every source of the test site once; the tests below read what it indexed."""
    directory = tmp_path_factory.mktemp("e2e")
    sources = demo_sources(test_site.base_url, with_test_pages=True)
    for source in sources:
        if source["name"] == "lab":
            source["follow_depth"] = 0  # only the lab's listed pages, so its error counts are exact
    config = write_config(directory, sources)
    test_site.clear_requests()  # counted below: this crawl's requests alone, whichever modules ran before
    summary = monitor_json("crawl", config=config)
    with urllib.request.urlopen(f"{test_site.base_url}/_admin/truth", timeout=10) as response:
        truth = json.load(response)
    return {"config": config, "summary": summary, "truth": truth, "requests": test_site.requests()}


def _runs(crawled: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {run["source"]: run for run in crawled["summary"]["runs"]}


def test_every_reachable_article_is_indexed_once_with_its_comments(crawled: dict[str, Any]) -> None:
    config = crawled["config"]
    expected = [article for article in crawled["truth"] if article["expect"] == "indexed"]
    assert len(expected) > 10
    # The first through the real command line, the rest through the same call in this process.
    threads = [monitor_json("thread", expected[0]["url"], config=config),
               *threads_json([article["url"] for article in expected[1:]], config=config)]
    for article, thread in zip(expected, threads, strict=True):
        assert thread["article"]["title"] == article["title"]
        assert thread["article"]["source"] == article["source"]
        assert len(thread["comments"]) == len(article["comments"]), article["url"]
        ids = [c["id"] for c in thread["comments"]]
        for got, want in zip(thread["comments"], article["comments"], strict=True):
            assert got["author"] == want["author"]
            expected_parent = None if want["parent"] is None else ids[want["parent"]]
            assert got["parent_id"] == expected_parent
            assert got["depth"] == want["depth"]
    # A truncated page still gives what it has.
    indexed = sum(1 for a in crawled["truth"] if a["expect"] in ("indexed", "partial"))
    everything = monitor_json("search", "", "--type", "article", "--limit", "1000", config=config)
    assert everything["total"] == indexed


def test_robots_disallowed_page_is_never_fetched(crawled: dict[str, Any]) -> None:
    disallowed = [a for a in crawled["truth"] if a["robots_disallowed"]]
    assert disallowed
    for article in disallowed:
        path = article["url"].split("127.0.0.1", 1)[1].split("/", 1)[1]
        assert not any(p.startswith("/" + path) for p in crawled["requests"])
    found = monitor_json("search", "moonlighting", config=crawled["config"])
    assert found["total"] == 0
    assert _runs(crawled)["harbor-times"]["skipped"].get("robots") == 1


def test_broken_pages_are_counted_by_kind_and_the_crawl_goes_on(crawled: dict[str, Any]) -> None:
    lab = _runs(crawled)["lab"]
    assert lab["status"] == "finished"
    assert lab["errors"].get("http_500") == 1
    assert lab["errors"].get("http_404") == 1
    assert lab["errors"].get("timeout") == 1
    assert lab["errors"].get("too_large") == 1
    assert lab["errors"].get("redirect_loop") == 1
    assert lab["skipped"].get("not_html") == 1


def test_declared_encodings_are_honoured(crawled: dict[str, Any]) -> None:
    encoded = [article for article in crawled["truth"]
               if article.get("encoding") in ("cp1251", "windows-1251", "latin-1", "iso-8859-1")]
    assert encoded
    for article, thread in zip(encoded, threads_json([a["url"] for a in encoded], config=crawled["config"]),
                               strict=True):
        assert thread["article"]["title"] == article["title"]
        assert article["text"][0][:60] in thread["article"]["text"]


def test_search_finds_comment_only_words_as_comments_with_their_article(crawled: dict[str, Any]) -> None:
    result = monitor_json("search", "bagpipes", config=crawled["config"])
    assert result["total"] >= 1
    hit = result["hits"][0]
    assert hit["type"] == "comment"
    assert "«bagpipes»" in hit["snippet"].lower()
    for key in ("article_id", "article_title", "parent_id", "depth", "position", "author", "url"):
        assert key in hit
    article = monitor_json("thread", hit["article_id"], config=crawled["config"])
    assert hit["id"] in [c["id"] for c in article["comments"]]


def test_search_filters_and_sorts(crawled: dict[str, Any]) -> None:
    config = crawled["config"]
    by_date = monitor_json("search", "", "--type", "article", "--source", "valley-post", "--sort", "date",
                           "--limit", "100", config=config)
    assert by_date["total"] == 12
    assert {h["source"] for h in by_date["hits"]} == {"valley-post"}
    dates = [h["published"] for h in by_date["hits"]]
    assert dates == sorted(dates, reverse=True)
    authors = {a["url"]: ", ".join(a["authors"]) for a in crawled["truth"]}
    assert all(h["author"] == authors[h["url"]] for h in by_date["hits"])
    comments = monitor_json("search", "", "--type", "comment", "--limit", "5", config=config)
    assert comments["hits"] and all(h["type"] == "comment" for h in comments["hits"])


def test_hostile_comment_markup_is_stored_as_plain_text(crawled: dict[str, Any]) -> None:
    hostile = next(a for a in crawled["truth"] if "hostile" in a["url"])
    thread = monitor_json("thread", hostile["url"], config=crawled["config"])
    assert [c["text"] for c in thread["comments"]] == [c["text"] for c in hostile["comments"]]
    stored = " ".join(c["text"] for c in thread["comments"]) + thread["article"]["text"]
    assert "<script" not in stored and "onerror" not in stored
    shown = run_monitor("thread", hostile["url"], config=crawled["config"]).stdout
    assert "\x1b" not in shown


def test_recrawl_changes_nothing(crawled: dict[str, Any]) -> None:
    config = crawled["config"]
    before = monitor_json("thread", crawled["truth"][0]["url"], config=config)
    again = monitor_json("crawl", "harbor-times", config=config)
    run = again["runs"][0]
    assert run["articles_new"] == 0 and run["comments_new"] == 0
    after = monitor_json("thread", crawled["truth"][0]["url"], config=config)
    assert after["article"]["first_seen"] == before["article"]["first_seen"]
    assert [c["id"] for c in after["comments"]] == [c["id"] for c in before["comments"]]


def test_malformed_query_says_where(crawled: dict[str, Any]) -> None:
    result = run_monitor("search", "bridge AND (toll", config=crawled["config"], check=False)
    assert result.returncode == 2
    assert "position" in result.stderr


def test_scrapy_crawl_news_runs_the_same_crawl(test_site: TestSite, tmp_path: Path) -> None:
    sources = [s for s in demo_sources(test_site.base_url) if s["name"] == "valley-post"]
    config = write_config(tmp_path, sources)
    env = {**os.environ, "MONITOR_CONFIG": str(config)}
    subprocess.run([sys.executable, "-m", "scrapy", "crawl", "news", "-a", "source=valley-post", "-s", "LOG_LEVEL=WARNING"],
                   cwd=PROJECT_ROOT, env=env, check=True, timeout=240, capture_output=True)
    result = monitor_json("search", "", "--type", "article", "--limit", "100", config=config)
    assert result["total"] == 12


# Runs `scrapy crawl` in this interpreter with an audit hook that notes who opens the config file.
_COUNT_CONFIG_READS = """
import atexit, json, os, sys, traceback
config = os.path.realpath(os.environ["MONITOR_CONFIG"])
readers = []
def audit(event, args):
    if event == "open" and isinstance(args[0], str) and os.path.realpath(args[0]) == config:
        frames = [f for f in traceback.extract_stack()[:-1] if os.sep + "monitor" + os.sep + "config.py" not in f.filename
                  and "pathlib" not in f.filename]
        readers.append(frames[-1].filename.rsplit(os.sep, 2)[-2:] + [frames[-1].name])
sys.addaudithook(audit)
atexit.register(lambda: open(os.environ["CONFIG_READS_FILE"], "w").write(json.dumps(readers)))
from scrapy.cmdline import execute
execute(sys.argv[1:])
"""


def test_one_crawl_reads_the_config_file_once(test_site: TestSite, tmp_path: Path) -> None:
    sources = [s for s in demo_sources(test_site.base_url) if s["name"] == "valley-post"]
    config = write_config(tmp_path, sources, topics=[{"name": "bridges", "query": "bridge"}])
    reads = tmp_path / "reads.json"
    env = {**os.environ, "MONITOR_CONFIG": str(config), "CONFIG_READS_FILE": str(reads)}
    subprocess.run([sys.executable, "-c", _COUNT_CONFIG_READS, "scrapy", "crawl", "news", "-a", "source=valley-post",
                    "-s", "LOG_LEVEL=WARNING"], cwd=PROJECT_ROOT, env=env, check=True, timeout=240, capture_output=True)
    assert monitor_json("search", "", "--type", "article", "--limit", "100", config=config)["total"] == 12
    assert json.loads(reads.read_text()) == [["spiders", "news.py", "update_settings"]]


def test_unknown_source_and_bad_config_fail_before_crawling(tmp_path: Path) -> None:
    config = write_config(tmp_path, [{"name": "a", "feeds": ["http://127.0.0.1:9/feed"]}])
    result = run_monitor("crawl", "nope", config=config, check=False)
    assert result.returncode == 2 and "no source named 'nope'" in result.stderr
    config.write_text("sources: [{name: a, feds: []}]\n")
    result = run_monitor("crawl", config=config, check=False)
    assert result.returncode == 2 and "sources.0.feds: unknown key" in result.stderr


def test_comment_pages_api_and_custom_markup_arrive_as_one_thread_each(crawled: dict[str, Any]) -> None:
    kinds = {a.get("lab_kind"): a for a in crawled["truth"]}
    wanted = [kinds[kind] for kind in ("comment-pages", "comments-api", "custom-cms")]
    for want, thread in zip(wanted, threads_json([w["url"] for w in wanted], config=crawled["config"]), strict=True):
        kind = want["lab_kind"]
        assert [c["text"] for c in thread["comments"]] == [c["text"] for c in want["comments"]], kind
    assert any(path.endswith("/comment-page-1/") for path in crawled["requests"])
    assert crawled["requests"].get("/lab/api/comments") == 3  # three pages, each fetched once


def test_a_crawl_without_the_api_key_in_the_environment_stops_before_it_starts(
        test_site: TestSite, tmp_path: Path) -> None:
    sources = [s for s in demo_sources(test_site.base_url, with_test_pages=True) if s["name"] == "lab"]
    config = write_config(tmp_path, sources)
    env = {k: v for k, v in os.environ.items() if k != lab.COMMENTS_API_KEY_ENV}
    result = subprocess.run([sys.executable, "-m", "monitor.cli", "--config", str(config), "crawl", "lab"],
                            capture_output=True, text=True, timeout=120, cwd=PROJECT_ROOT, env=env)
    assert result.returncode == 2
    assert "'lab'" in result.stderr and lab.COMMENTS_API_KEY_ENV in result.stderr


def test_the_api_key_never_reaches_the_crawl_log(test_site: TestSite, tmp_path: Path) -> None:
    sources = [s for s in demo_sources(test_site.base_url, with_test_pages=True) if s["name"] == "lab"]
    sources[0]["follow_depth"] = 0
    config = write_config(tmp_path, sources)
    log = tmp_path / "crawl.log"
    env = {**os.environ, "MONITOR_CONFIG": str(config)}
    # DEBUG: Scrapy then logs every request URL, the API's ?api_key= included.
    subprocess.run([sys.executable, "-m", "scrapy", "crawl", "news", "-a", "source=lab", "-s", "LOG_LEVEL=DEBUG",
                    "-s", f"LOG_FILE={log}"], cwd=PROJECT_ROOT, env=env, check=True, timeout=240, capture_output=True)
    text = log.read_text(encoding="utf-8")
    assert "/lab/api/comments?" in text
    assert "api_key=***" in text
    assert lab.COMMENTS_API_KEY not in text


# Runs `scrapy crawl` noting every network socket that starts listening (a bind alone may be a probe) and
# every file created under $HOME (a job file deleted at a clean exit stays behind when the crawl is killed).
_NOTE_LISTENERS = """
import atexit, json, os, socket, sys
listeners, written = [], []
home = os.environ["HOME"]
def audit(event, args):
    if event == "open" and isinstance(args[0], str) and args[0].startswith(home):
        mode, flags = args[1], args[2]
        if (mode and any(c in mode for c in "wax+")) or (mode is None and flags & (os.O_WRONLY | os.O_RDWR)):
            written.append(args[0])
sys.addaudithook(audit)
listen = socket.socket.listen
def noted(self, *args):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        listeners.append(repr(self.getsockname()))
    return listen(self, *args)
socket.socket.listen = noted
atexit.register(lambda: open(os.environ["LISTENERS_FILE"], "w").write(json.dumps([listeners, written])))
from scrapy.cmdline import execute
execute(sys.argv[1:])
"""


def test_a_crawl_opens_no_listening_port_and_leaves_no_job_files(test_site: TestSite, tmp_path: Path) -> None:
    sources = [s for s in demo_sources(test_site.base_url) if s["name"] == "valley-post"]
    config = write_config(tmp_path, sources)
    home, listeners = tmp_path / "home", tmp_path / "listeners.json"
    home.mkdir()
    env = {**os.environ, "MONITOR_CONFIG": str(config), "LISTENERS_FILE": str(listeners), "HOME": str(home),
           "XDG_STATE_HOME": str(home / ".local" / "state")}
    subprocess.run([sys.executable, "-c", _NOTE_LISTENERS, "scrapy", "crawl", "news", "-a", "source=valley-post",
                    "-s", "LOG_LEVEL=WARNING"], cwd=PROJECT_ROOT, env=env, check=True, timeout=240, capture_output=True)
    assert monitor_json("search", "", "--type", "article", "--limit", "100", config=config)["total"] == 12
    listening, written = json.loads(listeners.read_text())
    assert listening == []  # no remote-control endpoint, no telnet console
    assert written == []  # no job file with a token, not even for the length of the crawl
    assert [p for p in home.rglob("*") if p.is_file()] == []
