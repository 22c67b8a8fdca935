"""`monitor check` run as a user runs it: one line per check, a clear line for what to fix, a non-zero exit."""
from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

from monitor.index.engine import open_engine_index
from tests.conftest import run_monitor, write_config

pytestmark = pytest.mark.e2e  # the real command line in a subprocess, against the local test site


def _lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(("ok ", "FAIL "))]


def test_a_crawled_setup_passes_every_check_offline(crawled: dict[str, Any]) -> None:
    done = run_monitor("check", config=crawled["config"])
    lines = _lines(done.stdout)
    assert [line.split(":")[0].split()[1] for line in lines] == ["config", "index", "state"]
    assert all(line.startswith("ok ") for line in lines)
    assert "2 sources" in lines[0] and "articles" in lines[1]
    assert done.stdout.strip().endswith("3 checks passed")


def test_online_every_feed_and_sitemap_resolves_to_article_urls(crawled: dict[str, Any]) -> None:
    done = run_monitor("check", "--online", config=crawled["config"])
    sources = yaml.safe_load(crawled["config"].read_text(encoding="utf-8"))["sources"]
    wanted = {url for source in sources for url in (*source["feeds"], *source["sitemaps"])}
    resolved = [line for line in _lines(done.stdout) if line.startswith(("ok   feed", "ok   sitemap"))]
    assert {line.split()[3].rstrip(":") for line in resolved} == wanted
    assert all(" 0 look like articles" not in line and "look like articles" in line for line in resolved)


def test_a_feed_that_is_gone_fails_the_check_with_its_status(crawled: dict[str, Any], tmp_path: Path) -> None:
    gone = f"{crawled['base_url']}/harbor-times/no-such-feed.xml"
    config = write_config(tmp_path, [{"name": "harbor-times", "feeds": [gone]}])
    done = run_monitor("check", "--online", config=config, check=False)
    assert done.returncode == 1
    assert [line for line in _lines(done.stdout) if line.startswith("FAIL")] == [
        f"FAIL feed harbor-times {gone}: HTTP 404 Not Found"]


def test_a_bad_config_names_file_line_and_key_and_exits_non_zero(tmp_path: Path) -> None:
    path = tmp_path / "monitor.yaml"
    path.write_text("sources:\n  - name: gazette\n    feedz: [\"https://gazette.example/feed\"]\n", encoding="utf-8")
    done = run_monitor("check", "--config", str(path), check=False)
    assert done.returncode == 1
    assert done.stdout.startswith("FAIL config")
    assert f"{path}:3: sources.0.feedz: unknown key" in " ".join(done.stdout.split())


def test_an_unreachable_index_fails_the_check(tmp_path: Path) -> None:
    config = write_config(tmp_path, [{"name": "gazette", "feeds": ["http://127.0.0.1:9/feed"]}],
                          index={"url": "http://127.0.0.1:9"})
    done = run_monitor("check", config=config, check=False)
    assert done.returncode == 1
    failed = [line for line in _lines(done.stdout) if line.startswith("FAIL")]
    assert [line.split(": ")[0] for line in failed] == ["FAIL index http://127.0.0.1:9"]
    assert "cannot reach the search engine" in done.stdout


def test_the_config_monitor_init_writes_says_to_check_it_with_monitor_check(tmp_path: Path) -> None:
    run_monitor("init", str(tmp_path / "monitor.yaml"))
    header = (tmp_path / "monitor.yaml").read_text(encoding="utf-8").splitlines()[:3]
    assert any("monitor --config monitor.yaml check" in line for line in header)
    assert not any("crawl --help" in line for line in header)


def test_a_search_engine_index_is_reached_and_counted(opensearch_url: str, tmp_path: Path) -> None:
    config = write_config(tmp_path, [{"name": "gazette", "feeds": ["http://127.0.0.1:9/feed"]}],
                          index={"url": opensearch_url})
    prefix = f"monitor-check-{uuid.uuid4().hex[:12]}"
    try:
        done = run_monitor("check", config=config, env={"MONITOR_INDEX_PREFIX": prefix})
    finally:
        made = open_engine_index(opensearch_url, prefix=prefix)  # the check made the empty aliases: ours to drop
        try:
            made.drop()
        finally:
            made.close()
    index = next(line for line in _lines(done.stdout) if line.startswith("ok   index"))
    assert "opensearch" in index.lower() and "0 articles, 0 comments" in index
