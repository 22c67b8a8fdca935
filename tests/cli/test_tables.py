"""Tables and help at 80 columns, through the real command: no column cut to "…", schedules said as spans."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_monitor, write_config

pytestmark = pytest.mark.e2e  # the real command line in a subprocess
NARROW = {"COLUMNS": "80"}
BOX = "│┃┆┊║"
HOOK = "json://127.0.0.1:9/bridge-hook"


def _narrow(*args: str, config: Path) -> list[str]:
    lines = run_monitor(*args, config=config, env=NARROW).stdout.splitlines()
    assert lines, f"monitor {' '.join(args)} printed nothing"
    return lines


def _fits(lines: list[str]) -> None:
    assert max(len(line) for line in lines) <= 80
    assert not [line for line in lines if "…" in line]  # nothing cut short
    assert not [line for line in lines if line.rstrip()[-1:] in BOX or line.lstrip()[:1] in BOX]


@pytest.fixture(scope="module")
def alerts_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    config = write_config(tmp_path_factory.mktemp("tables"), [
        {"name": "harbor-times", "feeds": ["http://127.0.0.1:9/feed"], "schedule": "1m"},
        {"name": "northern-ledger", "feeds": ["http://127.0.0.1:9/atom"], "schedule": {"every": "2h", "jitter": "90s"}},
        {"name": "valley-post", "feeds": ["http://127.0.0.1:9/json"], "schedule": "*/30 * * * *"},
    ])
    run_monitor("alerts", "add", "bridge-watch", "bridge AND toll", "--notify", HOOK, config=config)
    run_monitor("alerts", "add", "morning-digest", "ferry", "--notify", HOOK, "--digest", "0 8 * * *",
                "--source", "harbor-times", config=config)
    return config


def test_alerts_list_keeps_each_alert_s_name_mode_and_origin_whole(alerts_config: Path) -> None:
    lines = _narrow("alerts", "list", config=alerts_config)
    _fits(lines)
    text = "\n".join(lines)
    for word in ("bridge-watch", "morning-digest", "immediate", "digest", "0 8 * * *", "cli", "sources", "harbor-times"):
        assert word in text


def test_alerts_list_wide_gives_each_field_its_column_on_one_line(alerts_config: Path) -> None:
    lines = _narrow("alerts", "list", "--wide", config=alerts_config)
    row = next(line for line in lines if line.startswith("bridge-watch"))
    assert "bridge AND toll" in row and HOOK in row and "immediate" in row
    assert lines[1].split() == ["name", "query", "mode", "digest_schedule", "types", "sources", "topics", "languages",
                                "notify", "origin"]


def test_sources_say_their_schedules_as_spans(alerts_config: Path) -> None:
    lines = _narrow("sources", config=alerts_config)
    _fits(lines)
    rows = {line.split()[0]: line for line in lines if line.split() and line.split()[0].endswith(("times", "ledger",
                                                                                                   "post"))}
    assert "every 1 min" in rows["harbor-times"]
    assert "every 2 h (jitter 1 min 30 s)" in " ".join(line.strip() for line in lines)
    assert "cron */30 * * * *" in rows["valley-post"]
    assert ":00:" not in "\n".join(lines)


def test_crawl_runs_show_every_column_at_80(crawled: dict[str, Any]) -> None:
    lines = _narrow("runs", config=crawled["config"])
    _fits(lines)
    header = next(line for line in lines if line.startswith("id "))
    assert header.split() == ["id", "source", "status", "started", "min", "pages", "articles", "comments", "reason"]
    assert sum(1 for line in lines if " finished " in line) == 2


def test_flags_show_as_flags_in_help() -> None:
    lines = run_monitor("search", "--help", env=NARROW).stdout.splitlines()
    facets = next(line for line in lines if "--facets" in line)
    assert "<bool>" not in facets and "Also count hits" in facets
    assert "<str>" in next(line for line in lines if "--sort" in line)  # options that take a value still say so
