"""The Grafana dashboard in deploy/grafana asks only for metrics, and labels, that the registry really exposes."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from monitor.config import config_from_dict
from monitor.runs.crawl import CrawlRun, Outcome
from monitor.runs.metrics import Metrics
from monitor.runs.records import FINISHED
from tests.conftest import PROJECT_ROOT

DASHBOARD = PROJECT_ROOT / "deploy" / "grafana" / "monitor-dashboard.json"
PROMQL_WORDS = {"sum", "max", "min", "avg", "by", "without", "rate", "increase", "label_values", "instance", "job"}


def exposed() -> dict[str, set[str]]:
    """Each series a Metrics registry exposes (counters by their _total name), with its label names, after one
    run with errors and alert sends so that every labelled family has a child."""
    metrics = Metrics()
    run = CrawlRun(source="ok", log_path=Path("/nonexistent.log"), progress_path=Path("/nonexistent.jsonl"),
                   started="2026-12-01T00:00:00+00:00", returncode=0, outcome=Outcome(FINISHED, None),
                   stats={"downloader/response_count": 2, "monitor/errors/extraction": 1, "monitor/alerts/sent": 1})
    metrics.observe(run, config_from_dict({}), ended=True)
    series: dict[str, set[str]] = {}
    for family in text_string_to_metric_families(metrics.exposition().decode()):
        series.setdefault(family.name + ("_total" if family.type == "counter" else ""), set())
        for sample in family.samples:
            series.setdefault(sample.name, set()).update(sample.labels)
    return series


def expressions(dashboard: dict[str, Any]) -> list[tuple[str, str]]:
    found = [(panel["title"], target["expr"]) for panel in dashboard["panels"] for target in panel["targets"]]
    found += [(variable["name"], variable["definition"]) for variable in dashboard["templating"]["list"]
              if variable["type"] == "query"]
    return found


def test_every_panel_asks_for_metrics_and_labels_the_registry_exposes() -> None:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    series = exposed()
    checked = expressions(dashboard)
    assert len(checked) >= 10
    problems = []
    for where, expr in checked:
        names = set(re.findall(r"\bmonitor_[a-z0-9_]+\b", expr))
        if not names:
            problems.append(f"{where}: {expr} names no monitor metric")
        problems += [f"{where}: {name} is not exposed" for name in sorted(names - set(series))]
        labels = set(re.findall(r"\b(?:by|without) \(([^)]*)\)", expr)) | set(re.findall(r"\b([a-z_]+)=~?\"", expr))
        used = {label.strip() for group in labels for label in group.split(",")} - PROMQL_WORDS
        known = set().union(*(series.get(name, set()) for name in names))
        problems += [f"{where}: label {label} is not one of {sorted(known)}" for label in sorted(used - known)]
    assert problems == []


def test_the_dashboard_covers_what_an_operator_watches_and_picks_its_datasource() -> None:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    text = " ".join(expr for _, expr in expressions(dashboard))
    for metric in ("monitor_crawl_runs_total", "monitor_crawl_queue_depth", "monitor_pages_fetched_total",
                   "monitor_articles_indexed_total", "monitor_comments_indexed_total", "monitor_spool_batches",
                   "monitor_alert_sends_total", "monitor_errors_total", "monitor_crawls_running"):
        assert metric in text
    assert {v["name"]: v["type"] for v in dashboard["templating"]["list"]} == {
        "datasource": "datasource", "instance": "query"}
    datasources = {json.dumps(t["datasource"]) for p in dashboard["panels"] for t in [p, *p["targets"]]}
    assert datasources == {json.dumps({"type": "prometheus", "uid": "${datasource}"})}
    assert len({p["id"] for p in dashboard["panels"]}) == len(dashboard["panels"])
