"""Real crawls of the lab's hostile pages and sitemaps: binary bodies, lying charsets, a canonical hijack, a gzip
bomb and an endless sitemap-index chain."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from monitor.demo import lab
from monitor.demo.server import demo_sources
from monitor.discovery import MAX_INDEX_DEPTH
from monitor.discovery.sitemaps import MAX_INFLATED_BYTES
from tests.conftest import PROJECT_ROOT, TestSite, monitor_json, run_monitor, write_config

pytestmark = pytest.mark.e2e


def _hostile_source(base: str, *, pattern: bool = True) -> dict[str, Any]:
    """The lab as a source whose only discovery is the hostile sitemaps (its selectors kept, no comments API)."""
    demo = next(s for s in demo_sources(base, with_test_pages=True) if s["name"] == "lab")
    source: dict[str, Any] = {
        "name": "lab", "feeds": [], "start_urls": [], "follow_depth": 0, "allowed_domains": ["127.0.0.1"],
        "sitemaps": [base + lab.HOSTILE_SITEMAP, base + lab.BOMB_SITEMAP, base + lab.CHAIN_SITEMAP],
        "selectors": demo["selectors"],
    }
    if pattern:
        source["article_url_pattern"] = demo["article_url_pattern"]
    return source


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        body: bytes = response.read()
        return body


def _stats(log: str) -> dict[str, int]:
    """The monitor counters of the crawl's final stats dump (its log), as a person reading the log sees them."""
    dump = log[log.rindex("Dumping Scrapy stats"):]
    return {key: int(value) for key, value in re.findall(r"'(monitor/[^']+)': (\d+)", dump)}


@pytest.fixture(scope="module")
def hostile(own_site: TestSite, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Valley Post crawled, then the lab's hostile sitemaps, then Valley Post again, all with `monitor crawl`."""
    base = own_site.base_url
    valley = next(s for s in demo_sources(base) if s["name"] == "valley-post")
    config = write_config(tmp_path_factory.mktemp("hostile"), [valley, _hostile_source(base)])
    truth = json.loads(_get(f"{base}/_admin/truth"))
    victim_url = _claimed_canonical(base)
    first = monitor_json("crawl", "valley-post", config=config)["runs"][0]
    before = monitor_json("thread", victim_url, config=config)
    (run,) = monitor_json("crawl", "lab", config=config)["runs"]
    again = monitor_json("crawl", "valley-post", config=config)["runs"][0]
    return {"config": config, "base": base, "truth": truth, "victim_url": victim_url, "first": first,
            "before": before, "run": run, "again": again, "log": Path(run["log"]).read_text(encoding="utf-8"),
            "requests": own_site.requests()}


def _claimed_canonical(base: str) -> str:
    """The canonical URL the cross-canonical page declares: another outlet's article."""
    found = re.search(rb'<link rel="canonical" href="([^"]+)"', _get(_url(base, "cross-canonical")))
    assert found is not None and b"/valley-post/" in found.group(1)
    return found.group(1).decode()


def _url(base: str, kind: str) -> str:
    page = next(p for p in lab.build_hostile() if p.kind == kind)
    return base + page.article.path


def _spec(kind: str) -> lab.LabSpec:
    return next(s for s in lab.HOSTILE_SPECS if s.kind == kind)


def test_a_binary_body_served_as_html_is_refused_and_counted(hostile: dict[str, Any]) -> None:
    url = _url(hostile["base"], "binary")
    assert hostile["requests"].get(url.removeprefix(hostile["base"])) == 1  # fetched, then refused
    assert hostile["run"]["skipped"].get("binary") == 1
    assert hostile["run"]["errors"] == {}
    shown = run_monitor("thread", url, config=hostile["config"], check=False)
    assert shown.returncode != 0
    found = monitor_json("search", "", "--type", "article", "--source", "lab", "--limit", "100", config=hostile["config"])
    assert url not in [h["url"] for h in found["hits"]]
    assert not any("\ufffd" in (h.get("title") or "") for h in found["hits"])


def test_a_utf8_page_whose_header_says_utf16_is_indexed_readable(hostile: dict[str, Any]) -> None:
    spec = _spec("utf16-header")
    thread = monitor_json("thread", _url(hostile["base"], "utf16-header"), config=hostile["config"])
    article = thread["article"]
    assert article["title"] == spec.title
    assert spec.paragraphs[0] in article["text"] and spec.paragraphs[1] in article["text"]
    assert "\ufffd" not in article["text"] and "Ã" not in article["text"]
    assert monitor_json("search", "Brändli", config=hostile["config"])["total"] == 1


def test_a_page_claiming_another_sources_article_as_canonical_never_overwrites_it(hostile: dict[str, Any]) -> None:
    config, victim_url = hostile["config"], hostile["victim_url"]
    victim = next(a for a in hostile["truth"] if a["url"] == victim_url)
    assert victim["source"] == "valley-post" and hostile["before"]["article"]["title"] == victim["title"]
    after = monitor_json("thread", victim_url, config=config)
    for key in ("id", "source", "title", "text", "url", "first_seen"):
        assert after["article"][key] == hostile["before"]["article"][key], key
    assert [c["id"] for c in after["comments"]] == [c["id"] for c in hostile["before"]["comments"]]
    # the hostile page is indexed as itself, under its own URL and source
    spec = _spec("cross-canonical")
    own = monitor_json("thread", _url(hostile["base"], "cross-canonical"), config=config)["article"]
    assert (own["source"], own["title"]) == ("lab", spec.title)
    assert own["id"] != after["article"]["id"]
    # and the victim's own source still sees every one of its articles, none taken by the lab
    listed = monitor_json("search", "", "--type", "article", "--source", "valley-post", "--limit", "100", config=config)
    assert listed["total"] == hostile["first"]["articles_new"] == 12
    assert hostile["again"]["status"] == "finished" and hostile["again"]["articles_new"] == 0


def test_a_canonical_hijack_without_an_url_pattern_is_caught_by_ownership(own_site: TestSite, tmp_path: Path) -> None:
    """Without an article_url_pattern the shape check cannot tell; the index says whose article it is."""
    base = own_site.base_url
    valley = next(s for s in demo_sources(base) if s["name"] == "valley-post")
    source = _hostile_source(base, pattern=False)
    source["sitemaps"] = [base + lab.HOSTILE_SITEMAP]
    config = write_config(tmp_path, [valley, source])
    monitor_json("crawl", "valley-post", config=config)
    victim_url = _claimed_canonical(base)
    before = monitor_json("thread", victim_url, config=config)["article"]
    (run,) = monitor_json("crawl", "lab", config=config)["runs"]
    assert run["skipped"].get("canonical_of_other_source") == 1
    after = monitor_json("thread", victim_url, config=config)["article"]
    assert (after["source"], after["title"], after["text"]) == (before["source"], before["title"], before["text"])
    own = monitor_json("thread", _url(base, "cross-canonical"), config=config)["article"]
    assert (own["source"], own["title"]) == ("lab", _spec("cross-canonical").title)


def test_a_gzip_bomb_sitemap_is_read_up_to_the_cap_and_counted(hostile: dict[str, Any]) -> None:
    assert hostile["requests"].get(lab.BOMB_SITEMAP) == 1
    assert _stats(hostile["log"]).get("monitor/sitemaps/inflate_capped") == 1
    assert f"gzip sitemap inflates past {MAX_INFLATED_BYTES} bytes" in hostile["log"]
    # what came before the cap is kept: the bomb's one entry, the lab's newest article
    newest = max((a for a in hostile["truth"] if a.get("lab_kind")), key=lambda a: a["published"])
    assert monitor_json("thread", newest["url"], config=hostile["config"])["article"]["title"] == newest["title"]


def test_a_sitemap_index_chain_is_followed_to_the_stated_depth_and_no_further(hostile: dict[str, Any]) -> None:
    fetched = sorted(int(m.group(1)) for path in hostile["requests"]
                     if (m := re.fullmatch(r"/lab/sitemaps/chain-(\d+)\.xml", path)))
    # the configured index, then MAX_INDEX_DEPTH levels below it
    assert fetched == list(range(1, MAX_INDEX_DEPTH + 2))
    assert lab.CHAIN_DEPTH > MAX_INDEX_DEPTH + 1
    assert _stats(hostile["log"]).get("monitor/sitemaps/too_deep") == 1
    # the article at the chain's far end is never reached
    second = sorted((a for a in hostile["truth"] if a.get("lab_kind")), key=lambda a: a["published"])[-2]
    assert run_monitor("thread", second["url"], config=hostile["config"], check=False).returncode != 0


def test_the_hostile_crawl_ends_honestly(hostile: dict[str, Any]) -> None:
    run = hostile["run"]
    assert run["status"] == "finished"
    # the utf-16 page, the cross-canonical page and the bomb's entry
    assert run["articles_new"] == 3


def test_a_100k_url_sitemap_is_asked_for_as_the_downloader_has_room_and_a_stop_is_prompt(
        own_site: TestSite, tmp_path: Path) -> None:
    base = own_site.base_url
    source = _hostile_source(base)
    source["sitemaps"] = [base + lab.BULK_SITEMAP]
    config = write_config(tmp_path, [source])
    log = tmp_path / "crawl.log"
    env = {**os.environ, "MONITOR_CONFIG": str(config)}
    subprocess.run([sys.executable, "-m", "scrapy", "crawl", "news", "-a", "source=lab", "-s", "LOG_LEVEL=INFO",
                    "-s", f"LOG_FILE={log}", "-s", "CLOSESPIDER_PAGECOUNT=60"],
                   cwd=PROJECT_ROOT, env=env, check=True, timeout=240, capture_output=True)
    text = log.read_text(encoding="utf-8")
    dump = text[text.rindex("Dumping Scrapy stats"):]
    assert "'finish_reason': 'closespider_pagecount'" in dump
    assert _stats(text)["monitor/discovered/sitemap"] == lab.BULK_URLS
    # requests were built as the downloader took them, not all 100,000 up front
    enqueued = re.search(r"'scheduler/enqueued': (\d+)", dump)
    assert enqueued is not None and int(enqueued.group(1)) < 1_000
    stopped = re.search(r"crawl stopping: (\d+) sitemap entries not asked for", text)
    assert stopped is not None and int(stopped.group(1)) > lab.BULK_URLS - 1_000
