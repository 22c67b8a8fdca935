"""once_per: cluster: a story reprinted by several outlets notifies once; its copies join that match's history."""
from __future__ import annotations

from pathlib import Path

from monitor.alerts.matching import PythonMatcher
from monitor.alerts.service import AlertEngine, history, open_store
from monitor.items import ArticleItem
from tests.alerts.receivers import WebhookReceiver
from tests.alerts.test_alerts import _article, _config, _run, hook  # noqa: F401 - hook is the receiver fixture


def _copy(n: int, cluster: str, title: str) -> ArticleItem:
    article = _article(n, title, "The night ferry stops for six weeks while the ramp is replaced.")
    article.cluster_id = cluster  # as the cluster step, which runs before the alerts, leaves it
    return article


def _engine(tmp_path: Path, hook: WebhookReceiver, **alert: str) -> AlertEngine:  # noqa: F811
    config = _config(tmp_path, hook, {"name": "ferry", "query": "ferry", **alert})
    engine = AlertEngine(config, store=open_store(config), matcher=PythonMatcher())
    engine.matcher.load(engine.store.alerts())
    return engine


def test_copies_of_a_story_notify_once_and_join_the_first_match_in_the_history(
        tmp_path: Path, hook: WebhookReceiver) -> None:  # noqa: F811
    engine = _engine(tmp_path, hook, once_per="cluster")
    try:
        assert _run(engine, [_copy(1, "a1", "Ferry stops")])["sent"] == 1
        later = _run(engine, [_copy(2, "a1", "UPDATE: Ferry stops"), _copy(3, "a1", "Ferry stops, officials say")])
        assert later["copies"] == 2 and later["matches"] == 0
        assert _run(engine, [_copy(4, "a4", "Another ferry story")])["sent"] == 1
    finally:
        engine.close()
    assert [m["title"] for m in hook.at("/ferry")] == ["[ferry] Ferry stops", "[ferry] Another ferry story"]
    messages = history(engine.config, name="ferry")
    assert [(m["title"], m["copies"]) for m in messages] == [
        ("[ferry] Another ferry story", []), ("[ferry] Ferry stops", ["a2", "a3"])]


def test_copies_in_one_batch_notify_once(tmp_path: Path, hook: WebhookReceiver) -> None:  # noqa: F811
    engine = _engine(tmp_path, hook, once_per="cluster")
    try:
        counts = _run(engine, [_copy(1, "a1", "Ferry stops"), _copy(2, "a1", "UPDATE: Ferry stops")])
    finally:
        engine.close()
    assert counts["sent"] == 1 and counts["copies"] == 1 and counts["matches"] == 1
    assert len(hook.at("/ferry")) == 1


def test_an_alert_once_per_document_notifies_every_copy(tmp_path: Path, hook: WebhookReceiver) -> None:  # noqa: F811
    engine = _engine(tmp_path, hook)  # once_per: document is the default
    try:
        _run(engine, [_copy(1, "a1", "Ferry stops")])
        _run(engine, [_copy(2, "a1", "UPDATE: Ferry stops")])
    finally:
        engine.close()
    assert [m["title"] for m in hook.at("/ferry")] == ["[ferry] Ferry stops", "[ferry] UPDATE: Ferry stops"]
