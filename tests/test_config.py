"""The config file: defaults, relative paths, and errors that name the file, line and key."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from monitor.cli.templates import CONFIG_TEMPLATE
from monitor.config import find_config_path, load_config
from monitor.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "monitor.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_init_template_is_a_valid_config(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, CONFIG_TEMPLATE))
    assert [s.name for s in config.sources] == ["example-news"]
    assert config.crawl.obey_robots is True


def test_relative_index_path_is_relative_to_the_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "sources: [{name: a, feeds: ['http://a.example/rss']}]\n")
    monkeypatch.chdir("/")
    config = load_config(path)
    assert config.index.url == f"sqlite:///{tmp_path.resolve() / 'data' / 'monitor.db'}"
    assert Path(config.data_dir) == tmp_path.resolve() / "data"


def test_config_found_from_env_then_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MONITOR_CONFIG", raising=False)
    assert find_config_path() == tmp_path / "monitor.yaml"
    monkeypatch.setenv("MONITOR_CONFIG", "/etc/monitor/other.yaml")
    assert find_config_path() == Path("/etc/monitor/other.yaml")
    assert find_config_path("explicit.yaml") == Path("explicit.yaml")


def test_bad_keys_are_refused_with_file_line_and_key(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "crawl:\n"
        "  user_agnt: x\n"
        "sources:\n"
        "  - name: unian\n"
        "    feeds: ['ftp://x']\n"
        "  - name: other\n"
        "    start_urls: ['http://a.example/']\n"
        "    follow_depth: 9\n",
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert f"{path.resolve()}:2: crawl.user_agnt: unknown key" in message
    assert f"{path.resolve()}:5: sources.0.feeds: 'ftp://x' is not an http(s) URL" in message
    assert f"{path.resolve()}:8: sources.1.follow_depth" in message


def test_source_without_entry_points_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="needs at least one of feeds, sitemaps, start_urls or search_urls"):
        load_config(write(tmp_path, "sources: [{name: empty}]\n"))


def test_duplicate_source_names_are_refused(tmp_path: Path) -> None:
    text = "sources: [{name: a, feeds: ['http://a.example/rss']}, {name: a, feeds: ['http://b.example/rss']}]\n"
    with pytest.raises(ConfigError, match="repeated: a"):
        load_config(write(tmp_path, text))


def test_credentials_in_the_index_url_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="MONITOR_INDEX_USERNAME"):
        load_config(write(tmp_path, "index: {url: 'https://elastic:secret@es.example:9200'}\n"))


def test_missing_file_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="monitor init"):
        load_config(tmp_path / "nope.yaml")


def test_invalid_yaml_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(write(tmp_path, "sources: [unclosed\n"))


def test_durations_and_domains(tmp_path: Path) -> None:
    config = load_config(write(
        tmp_path,
        "sources:\n  - {name: a, feeds: ['https://News.Example.org/rss'], refresh_comments_for: 12h}\n",
    ))
    source = config.source("a")
    assert source.refresh_comments_for == timedelta(hours=12)
    assert source.domains() == ["news.example.org"]
    with pytest.raises(ConfigError, match="no source named 'b'"):
        config.source("b")


def test_bad_duration_says_how_to_write_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="like 15m or 3d"):
        load_config(write(tmp_path, "sources: [{name: a, feeds: ['http://a.example/'], refresh_comments_for: soon}]\n"))


def test_keep_topics_without_topics_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="keep: topics, but no topics are configured"):
        load_config(write(tmp_path, "sources: [{name: a, feeds: ['http://a.example/'], keep: topics}]\n"))
