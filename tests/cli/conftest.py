"""A crawl of two outlets of the local test site (WordPress and JSON-LD markup), shared by the CLI tests."""
from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from monitor.demo.server import demo_sources
from tests.conftest import TestSite, monitor_json, write_config

OUTLETS = ("harbor-times", "valley-post")


@pytest.fixture(scope="package")
def crawled(test_site: TestSite, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The config of a finished crawl of OUTLETS and the site's truth about their articles."""
    directory: Path = tmp_path_factory.mktemp("cli")
    sources = [s for s in demo_sources(test_site.base_url) if s["name"] in OUTLETS]
    config = write_config(directory, sources)
    summary = monitor_json("crawl", config=config)
    assert {run["status"] for run in summary["runs"]} == {"finished"}
    with urllib.request.urlopen(f"{test_site.base_url}/_admin/truth", timeout=10) as response:
        truth = [a for a in json.load(response) if a["source"] in OUTLETS and a["expect"] == "indexed"]
    return {"config": config, "truth": truth, "base_url": test_site.base_url}
