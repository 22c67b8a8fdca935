"""Pausing alerts through the alert service's own calls: out of matching while paused, back as it was after."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from monitor.alerts import service as alerts
from monitor.config import Config, load_config
from monitor.errors import MonitorError
from monitor.web import paused

HOOK = "json://127.0.0.1:9/hook"


@pytest.fixture
def config(tmp_path: Path, state_section: dict[str, Any]) -> Config:
    path = tmp_path / "monitor.yaml"
    path.write_text(yaml.safe_dump({
        "index": {"url": "sqlite:///data/monitor.db"},
        "sources": [{"name": "lab", "feeds": ["http://127.0.0.1:9/feed.xml"]}],
        "alerts": [{"name": "from-config", "query": "pelican", "notify": [HOOK]}],
        **state_section,
    }), encoding="utf-8")
    loaded = load_config(path)
    alerts.list_alerts(loaded)  # the store syncs the config's alerts on open
    return loaded


def test_a_paused_alert_leaves_matching_and_comes_back_unchanged(config: Config) -> None:
    alerts.add_alert(config, {"name": "ferry", "query": "ferry OR harbour", "notify": [HOOK], "types": ["comment"]})
    before = alerts.get_alert(config, "ferry")
    assert paused.pause(config, "ferry")["paused"]
    assert "ferry" not in {a["name"] for a in alerts.list_alerts(config)}
    listed = {a["name"]: a for a in paused.with_paused(config)}
    assert listed["ferry"]["paused"] and listed["from-config"]["paused"] is None
    assert paused.history(config, "ferry", limit=10) == []
    assert paused.resume(config, "ferry") == before
    assert alerts.get_alert(config, "ferry") == before and paused.paused_alerts(config) == []


def test_pausing_is_refused_where_it_could_not_hold_and_resuming_never_overwrites(config: Config) -> None:
    with pytest.raises(MonitorError, match="config file"):
        paused.pause(config, "from-config")
    with pytest.raises(MonitorError, match="no alert"):
        paused.pause(config, "missing")
    alerts.add_alert(config, {"name": "ferry", "query": "ferry", "notify": [HOOK]})
    paused.pause(config, "ferry")
    alerts.add_alert(config, {"name": "ferry", "query": "something else", "notify": [HOOK]})
    with pytest.raises(MonitorError, match="made while this one was paused"):
        paused.resume(config, "ferry")
    assert alerts.get_alert(config, "ferry")["query"] == "something else"
    assert paused.discard(config, "ferry") and not paused.discard(config, "ferry")
    with pytest.raises(MonitorError, match="not paused"):
        paused.resume(config, "ferry")
