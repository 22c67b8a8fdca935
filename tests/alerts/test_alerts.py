"""Alerts without a crawl: once per document, edits, batching, backoff, digests, the percolator, masking, config."""
from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from monitor.alerts import notify
from monitor.alerts.deliver import deliver_due
from monitor.alerts.matching import PercolatorMatcher, PythonMatcher
from monitor.alerts.service import (
    AlertEngine,
    new_documents,
    open_store,
    send_due_digests,
)
from monitor.config import Config, NotificationConfig, TopicConfig, config_from_dict
from monitor.errors import ConfigError
from monitor.items import ArticleItem, Comment
from monitor.topics import TopicTagger
from tests.alerts.receivers import WebhookReceiver
from tests.engines import engine_index

UTC = UTC


@pytest.fixture
def hook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver().up()
    yield receiver
    receiver.down()


def _config(tmp_path: Path, hook: WebhookReceiver, *alerts: dict[str, Any], **extra: Any) -> Config:
    for alert in alerts:
        alert.setdefault("notify", [f"json://{hook.base}/{alert['name']}"])
    return config_from_dict({"data_dir": str(tmp_path / "data"), "alerts": list(alerts), **extra},
                            path=tmp_path / "monitor.yaml")


def _article(n: int, title: str, text: str, *comments: str) -> ArticleItem:
    article = ArticleItem(id=f"a{n}", url=f"https://news.example/{n}", canonical_url=f"https://news.example/{n}",
                          source="harbor", title=title, text=text, published="2026-11-20T10:00:00+01:00")
    article.comments = [Comment(id=f"a{n}-c{k}", article_id=article.id, text=t, position=k, author=f"reader {k}")
                        for k, t in enumerate(comments, 1)]
    return article


def _run(engine: AlertEngine, articles: list[ArticleItem]) -> dict[str, int]:
    ids = [a.id for a in articles] + [c.id for a in articles for c in a.comments]
    return engine.process(new_documents(articles, ids))


def test_a_document_alerts_once_even_when_edited_and_an_edit_that_newly_matches_alerts(
        tmp_path: Path, hook: WebhookReceiver) -> None:
    config = _config(tmp_path, hook, {"name": "ferry", "query": "ferry"})
    engine = AlertEngine(config, store=open_store(config), matcher=PythonMatcher())
    engine.matcher.load(engine.store.alerts())
    try:
        first = _article(1, "Ferry strike", "The ferry stops.")
        other = _article(2, "Harbour news", "Nothing to see.")
        assert _run(engine, [first, other])["sent"] == 1
        first.text = "The ferry stops tomorrow, the union says."  # edited: still a match, already sent
        assert _run(engine, [first])["matches"] == 0
        other.text = "Now the ferry is late too."  # edited: newly matches
        assert _run(engine, [other])["sent"] == 1
    finally:
        engine.close()
    assert [m["title"] for m in hook.at("/ferry")] == ["[ferry] Ferry strike", "[ferry] Harbour news"]
    assert "«ferry»" in hook.at("/ferry")[1]["message"]


def test_many_matches_in_one_batch_go_out_as_one_message(tmp_path: Path, hook: WebhookReceiver) -> None:
    config = _config(tmp_path, hook, {"name": "tolls", "query": "toll*", "types": ["comment"]})
    engine = AlertEngine.open(config)
    try:
        article = _article(1, "Bridge", "Traffic.", *(f"The tolls are too high, says {n}." for n in range(6)))
        counts = _run(engine, [article])
    finally:
        engine.close()
    assert counts == {"matches": 6, "messages": 1, "sent": 1, "retrying": 0, "failed": 0}
    [message] = hook.at("/tolls")
    assert message["title"] == "[tolls] new: 6 matches"
    assert message["message"].count("«tolls»") == 6 and "Comment by reader 6 on “Bridge”" in message["message"]


def test_a_sender_that_dies_mid_send_strands_only_its_message_and_only_until_its_claim_lapses(
        tmp_path: Path, hook: WebhookReceiver) -> None:
    from monitor.alerts import message
    from monitor.alerts.store import CLAIM_SECONDS

    config = _config(tmp_path, hook, {"name": "ferry", "query": "ferry"})
    with open_store(config) as store:
        engine = AlertEngine(config, store=store, matcher=PythonMatcher(store.alerts()))
        for n in (1, 2):  # two batches, two messages waiting
            found = engine.matcher.match(new_documents([_article(n, f"Ferry {n}", "ferry")], [f"a{n}"]))
            store.record([(alert, doc, f"h{n}") for alert, doc in found], summarize=message.summarize,
                         compose=message.compose, indexed_at=datetime.now(UTC))
        start = datetime.now(UTC)

        def killed(url: str, **_: str) -> None:
            raise SystemExit("the sender's machine died mid-send")

        with pytest.raises(SystemExit):
            deliver_due(store, config.notifications, now=start, send=killed)
        assert deliver_due(store, config.notifications, now=start)["sent"] == 1  # another sender: the other one
        assert deliver_due(store, config.notifications, now=start + timedelta(seconds=CLAIM_SECONDS - 1))["sent"] == 0
        assert deliver_due(store, config.notifications, now=start + timedelta(seconds=CLAIM_SECONDS))["sent"] == 1
    assert [m["title"] for m in hook.at("/ferry")] == ["[ferry] Ferry 2", "[ferry] Ferry 1"]


def test_failed_sends_wait_longer_each_time_and_are_given_up_after_max_attempts(tmp_path: Path,
                                                                                hook: WebhookReceiver) -> None:
    config = _config(tmp_path, hook, {"name": "ferry", "query": "ferry"})
    policy = NotificationConfig(retry_after=timedelta(seconds=10), max_retry_after=timedelta(seconds=25),
                                max_attempts=4)
    with open_store(config) as store:
        engine = AlertEngine(config, store=store, matcher=PythonMatcher(store.alerts()))
        hook.down()
        engine.process(new_documents([_article(1, "Ferry", "ferry")], ["a1"]))
        start = datetime.now(UTC)
        [message] = store.history()
        assert message.status == "retrying" and message.attempts == 1
        waits = []
        for attempt in range(2, 5):
            due = datetime.fromisoformat(store.history()[0].next_attempt)
            assert deliver_due(store, policy, now=due - timedelta(seconds=1))["retrying"] == 0  # not due yet
            waits.append(due)
            deliver_due(store, policy, now=due)
            assert store.history()[0].attempts == attempt
        assert store.history()[0].status == "failed"
        assert deliver_due(store, policy, now=start + timedelta(days=1)) == {"sent": 0, "retrying": 0, "failed": 0}
    gaps = [round((b - a).total_seconds()) for a, b in zip(waits, waits[1:], strict=False)]
    assert gaps == [20, 25]  # 10 s, then doubled to 20 s, then capped at 25 s


def test_digest_alerts_send_one_message_when_their_schedule_fires(tmp_path: Path, hook: WebhookReceiver) -> None:
    config = _config(tmp_path, hook, {"name": "morning", "query": "ferry", "mode": "digest",
                                      "digest_schedule": "0 8 * * *"})
    created = datetime.now(UTC)
    engine = AlertEngine.open(config)
    try:
        _run(engine, [_article(1, "Ferry one", "ferry"), _article(2, "Ferry two", "ferry")])
        _run(engine, [_article(3, "Ferry three", "ferry")])
    finally:
        engine.close()
    assert hook.at("/morning") == []
    next_eight = (created + timedelta(days=1)).replace(hour=8, minute=0, second=0, microsecond=0)
    if created.hour < 8:
        next_eight -= timedelta(days=1)
    assert send_due_digests(config, now=next_eight - timedelta(minutes=1))["digests"] == {}
    assert send_due_digests(config, now=next_eight)["digests"] == {"morning": 3}
    assert send_due_digests(config, now=next_eight + timedelta(days=1))["digests"] == {"morning": 0}
    [digest] = hook.at("/morning")
    assert digest["title"] == "[morning] digest: 3 matches"
    assert all(f"Ferry {n}" in digest["message"] for n in ("one", "two", "three"))


def test_on_opensearch_the_percolator_matches_and_the_same_messages_go_out(opensearch_url: str, tmp_path: Path,
                                                                          hook: WebhookReceiver) -> None:
    config = _config(tmp_path, hook, {"name": "kyiv", "query": "kyiv NOT football", "sources": ["HARBOR"]},
                     {"name": "said", "query": '"air defence"~1', "types": ["comment"]})
    with engine_index(opensearch_url) as index, open_store(config) as store:
        matcher = PercolatorMatcher(index.client, prefix=index.prefix, owns_client=False)
        try:
            matcher.load(store.alerts())
            engine = AlertEngine(config, store=store, matcher=matcher)
            articles = [_article(1, "Kyiv at night", "Drones again.", "The defence of the air held."),
                        _article(2, "Kyiv football", "A derby."), _article(3, "Weather", "Rain.", "air defence")]
            stats = index.upsert(articles, seen_at="2026-11-25T00:00:00Z")
            assert engine.process(new_documents(articles, stats.new_ids))["sent"] == 2
            assert engine.process(new_documents(articles, [a.id for a in articles]))["matches"] == 0
        finally:
            matcher.drop()
    assert [m["title"] for m in hook.at("/kyiv")] == ["[kyiv] Kyiv at night"]
    assert [m["title"] for m in hook.at("/said")] == ["[said] Comment by reader 1 on “Weather”"]


def test_notify_urls_take_secrets_from_the_environment_and_never_show_them(
        tmp_path: Path, hook: WebhookReceiver, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    assert notify.mask_url("json://desk:hunter2@127.0.0.1:8080/hook") == "json://desk:****@127.0.0.1:8080/hook"
    assert "AAHsecret" not in notify.mask_url("tgram://123456789:AAHsecrettokenvalue/12345")
    assert notify.mask_url("tgram://{env:TG_TOKEN}/12345") == "tgram://{env:TG_TOKEN}/12345"
    with pytest.raises(ConfigError, match="MONITOR_TEST_ABSENT"):
        notify.expand_env("json://host/{env:MONITOR_TEST_ABSENT}")
    monkeypatch.setenv("MONITOR_TEST_HOOK_TOKEN", "s3cret-token")
    config = _config(tmp_path, hook, {"name": "ferry", "query": "ferry",
                                      "notify": [f"json://user:{{env:MONITOR_TEST_HOOK_TOKEN}}@{hook.base}/ferry"]})
    hook.down()
    with caplog.at_level(logging.DEBUG):
        engine = AlertEngine.open(config)
        try:
            _run(engine, [_article(1, "Ferry", "ferry")])
        finally:
            engine.close()
    assert "s3cret-token" not in caplog.text
    assert "alert notification failed" in caplog.text


def test_config_refuses_bad_alerts_and_topics_naming_the_key(tmp_path: Path) -> None:
    def error(data: dict[str, Any]) -> str:
        with pytest.raises(ConfigError) as caught:
            config_from_dict(data)
        return str(caught.value)

    assert "alerts.0: Value error, mode: digest needs digest_schedule" in error(
        {"alerts": [{"name": "a", "query": "x", "notify": ["json://h/x"], "mode": "digest"}]}).replace(
        "alerts.0: mode", "alerts.0: Value error, mode")
    assert "alerts.0.digest_schedule" in error(
        {"alerts": [{"name": "a", "query": "x", "notify": ["json://h/x"], "digest_schedule": "every day"}]})
    assert "topics.0.query: the query does not parse" in error({"topics": [{"name": "t", "query": "kyiv AND"}]})
    assert "{query} placeholder" in error({"sources": [{"name": "s", "search_urls": ["https://x.example/s?q=a"]}]})
    assert "alert names must be unique" in error({"alerts": [{"name": "a", "query": "x", "notify": ["json://h/x"]}] * 2})


def test_articles_get_the_topics_they_match_and_comments_add_their_own() -> None:
    tagger = TopicTagger([TopicConfig(name="ferries", query="ferry OR ferries"),
                          TopicConfig(name="tolls", query="toll*"), TopicConfig(name="kyiv", query="title:kyiv")])
    article = tagger.tag(_article(1, "Ferry strike", "Ferries stop.", "The tolls are worse.", "Kyiv has ferries"))
    assert article.topics == ["ferries"]
    assert [c.topics for c in article.comments] == [["ferries", "tolls"], ["ferries"]]


def test_two_monitors_sharing_a_cluster_under_their_own_prefixes_keep_each_others_alerts(
        opensearch_url: str, tmp_path: Path, hook: WebhookReceiver, monkeypatch: pytest.MonkeyPatch) -> None:
    engines: list[AlertEngine] = []
    for name, query in (("ferry", "ferry"), ("kyiv", "kyiv")):
        monkeypatch.setenv("MONITOR_INDEX_PREFIX", f"monitor-test-{uuid.uuid4().hex[:12]}")
        config = _config(tmp_path / name, hook, {"name": name, "query": query}, index={"url": opensearch_url})
        engines.append(AlertEngine.open(config))  # the second must not delete the first one's queries
    try:
        first, second = engines
        assert _run(first, [_article(1, "Ferry strike", "The ferry stops.")])["sent"] == 1
        assert _run(second, [_article(2, "Kyiv at night", "Drones again.")])["sent"] == 1
    finally:
        for engine in engines:
            assert isinstance(engine.matcher, PercolatorMatcher)
            engine.matcher.drop()
            engine.close()
    assert [m["title"] for m in hook.at("/ferry")] == ["[ferry] Ferry strike"]
    assert [m["title"] for m in hook.at("/kyiv")] == ["[kyiv] Kyiv at night"]
