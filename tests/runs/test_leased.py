"""A crawl's leases in a cluster: its source and each host it fetches from; `monitor crawl` takes them too."""
from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import config_from_dict
from monitor.errors import CrawlRefused
from monitor.runs.leased import LeaseLocks, lease_names
from monitor.state.leases import Leases


def _config(tmp_path: Path):  # noqa: ANN202 - a Config
    return config_from_dict({
        "data_dir": str(tmp_path / "data"),
        "sources": [{"name": "gazette", "feeds": ["https://News.example/feed"],
                     "start_urls": ["https://news.example/", "https://cdn.example/latest"]},
                    {"name": "gazette-sport", "start_urls": ["https://news.example/sport/"]}],
        "cluster": {"broker": "redis://127.0.0.1:6379/0", "state": f"sqlite:///{tmp_path / 'state.db'}",
                    "lease": "30s"},
    }, path=tmp_path / "monitor.yaml")


def test_a_crawl_leases_its_source_and_each_host_it_fetches_from(tmp_path: Path) -> None:
    config = _config(tmp_path)
    assert lease_names(config.source("gazette")) == ["source:gazette", "domain:cdn.example", "domain:news.example"]


def test_a_crawl_by_hand_is_refused_while_a_worker_crawls_another_source_of_the_same_site(tmp_path: Path) -> None:
    config = _config(tmp_path)
    leases = Leases(config.state_url)
    assert leases.acquire(lease_names(config.source("gazette")), holder="worker-1", ttl=30)
    locks = LeaseLocks(config)
    with pytest.raises(CrawlRefused, match="domain:news.example by worker-1"):
        locks.acquire(["gazette-sport"])
    leases.release(lease_names(config.source("gazette")), holder="worker-1")
    locks.acquire(["gazette-sport"])
    assert not leases.acquire(["domain:news.example"], holder="worker-1", ttl=30)
    locks.release("gazette-sport")
    assert leases.acquire(["domain:news.example"], holder="worker-1", ttl=30)
