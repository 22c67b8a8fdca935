"""A source's comment-platform settings: keys only from the environment, known platform names, one forced."""
from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import load_config
from monitor.errors import ConfigError


def write(tmp_path: Path, platforms: str) -> Path:
    path = tmp_path / "monitor.yaml"
    path.write_text("sources:\n  - name: a\n    feeds: ['http://a.example/rss']\n" + platforms, encoding="utf-8")
    return path


def test_platform_keys_come_from_the_environment_and_reach_the_crawler(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISQUS_KEY", "k-123")
    source = load_config(write(tmp_path, '    platforms:\n      disqus: {api_key: "{env:DISQUS_KEY}"}\n')).source("a")
    assert source.platforms["disqus"].api_key == "{env:DISQUS_KEY}"
    assert source.secrets() == {"env:DISQUS_KEY": "k-123"}


def test_a_key_written_in_clear_is_refused_with_its_key(tmp_path: Path) -> None:
    path = write(tmp_path, "    platforms:\n      disqus: {api_key: abc123}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert f"{path.resolve()}:5: sources.0.platforms.disqus.api_key" in str(caught.value)
    assert "{env:NAME}" in str(caught.value)


def test_a_missing_key_variable_names_the_platform_and_the_variable(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_SUCH_KEY", raising=False)
    path = write(tmp_path, '    platforms:\n      giscus: {token: "{env:NO_SUCH_KEY}"}\n')
    with pytest.raises(ConfigError, match="platforms.giscus needs the environment variable NO_SUCH_KEY"):
        load_config(path).source("a").secrets()


def test_a_switched_off_platform_needs_no_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_SUCH_KEY", raising=False)
    source = load_config(write(
        tmp_path, '    platforms:\n      disqus: {enabled: false, api_key: "{env:NO_SUCH_KEY}"}\n')).source("a")
    assert source.secrets() == {}


def test_an_unknown_platform_is_refused_with_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"'dsqus' is not a comment platform the monitor knows \(known: disqus"):
        load_config(write(tmp_path, "    platforms:\n      dsqus: {}\n"))


def test_only_one_platform_can_be_forced_and_extraction_is_told_which(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="only one platform can be forced, not isso and remark42"):
        load_config(write(tmp_path, "    platforms:\n      isso: {force: true}\n      remark42: {force: true}\n"))
    source = load_config(write(tmp_path, "    platforms:\n      isso: {force: true, url: 'http://c.example'}\n")).source("a")
    assert source.forced_platform() == "isso"
    assert source.extraction_options()["platform"] == "isso"


def test_a_platform_url_must_be_http(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="sources.0.platforms.isso.url: .*'ftp://c.example' is not an http"):
        load_config(write(tmp_path, "    platforms:\n      isso: {url: 'ftp://c.example'}\n"))
