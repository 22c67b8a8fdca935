"""Collapse in the JSON API and the search page, the article page's other copies; scraped names escaped."""
from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from monitor.config import config_from_dict
from monitor.index.sqlite import SQLiteIndex
from monitor.web.app import create_app
from tests.clusters.stories import FERRY, ORCHARD, copy
from tests.clusters.test_write import MONDAY, TUESDAY, write

HOSTILE = "<script>alert(1)</script>"


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    db = tmp_path / "data" / "monitor.db"
    with SQLiteIndex(db) as index:
        write(index, [copy(FERRY, source="gazette", number=1), copy(ORCHARD, source="gazette", number=2)], MONDAY)
        write(index, [copy(FERRY, source="ledger", number=7),
                      copy(FERRY, source=HOSTILE, number=3, title=f"Ferry {HOSTILE}")], TUESDAY)
    config = config_from_dict({"data_dir": str(tmp_path / "data"), "index": {"url": f"sqlite:///{db}"}},
                              path=tmp_path / "monitor.yaml")
    return TestClient(create_app(config, token=""), base_url="http://127.0.0.1")


def test_the_api_collapses_by_cluster_and_names_the_other_sources(client: TestClient) -> None:
    plain = client.get("/api/search", params={"q": "ferry", "type": "article"}).json()
    collapsed = client.get("/api/search", params={"q": "ferry", "type": "article", "collapse": "cluster"}).json()
    assert plain["total"] == 3 and collapsed["total"] == 1
    [hit] = collapsed["hits"]
    assert hit["cluster"]["id"] == "gazette-1" and hit["cluster"]["more"] == 2
    assert sorted([hit["source"], *hit["cluster"]["also"]]) == sorted(["gazette", "ledger", HOSTILE])


def test_the_api_refuses_an_unknown_collapse_and_a_cursor_with_collapse(client: TestClient) -> None:
    assert client.get("/api/search", params={"q": "ferry", "collapse": "story"}).status_code in (400, 422)
    answer = client.get("/api/search", params={"q": "ferry", "collapse": "cluster", "after": '["x", "y"]'})
    assert answer.status_code == 400 and "by offset" in answer.text


def test_the_search_page_shows_one_hit_per_story_with_also_published_by_escaped(client: TestClient) -> None:
    page = client.get("/", params={"q": "ferry", "type": "article", "collapse": "cluster"}).text
    assert page.count('class="hit article"') == 1
    assert "and 2 more" in page and "also published by" in page
    assert HOSTILE not in page and "&lt;script&gt;" in page


def test_the_article_page_and_its_api_list_the_other_copies(client: TestClient) -> None:
    answer = client.get("/api/articles/ledger-7").json()
    assert sorted(c["source"] for c in answer["copies"]) == sorted(["gazette", HOSTILE])
    assert answer["copies_total"] == 2
    page = client.get("/articles/ledger-7").text
    assert "Also published by" in page and HOSTILE not in page


def test_coverage_counts_copies_or_stories(client: TestClient) -> None:
    copies = client.get("/api/coverage", params={"q": "ferry", "type": "article", "split": "none"}).json()
    stories = client.get("/api/coverage", params={"q": "ferry", "type": "article", "split": "none",
                                                  "count": "stories"}).json()
    assert (copies["total"], sum(copies["counts"])) == (3, 3)
    assert (stories["total"], sum(stories["counts"])) == (1, 2)  # the story on each day it ran: Monday, Tuesday
