"""The config schema (index, crawl, sources, topics), loading from YAML and errors that name the key."""
from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from monitor.errors import ConfigError

CONFIG_ENV = "MONITOR_CONFIG"
DEFAULT_CONFIG_NAME = "monitor.yaml"
DEFAULT_INDEX_URL = "sqlite:///data/monitor.db"
DEFAULT_USER_AGENT = "MediaMonitor/0.1 (+https://github.com/media-monitor; self-hosted news monitor)"


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> timedelta:
    """'90s', '15m', '6h', '3d', '1w' → timedelta."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a duration: write a number and a unit s, m, h, d or w, like 15m or 3d")
    return timedelta(seconds=float(match.group(1)) * _UNIT_SECONDS[match.group(2)])


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class IndexConfig(_Strict):
    url: str = DEFAULT_INDEX_URL

    @field_validator("url")
    @classmethod
    def _known_scheme(cls, url: str) -> str:
        if not url.startswith(("sqlite:///", "http://", "https://")):
            raise ValueError("must start with sqlite:/// (embedded) or http(s):// (Elasticsearch/OpenSearch)")
        if "@" in urlsplit(url).netloc:
            raise ValueError(
                "must not hold credentials; set MONITOR_INDEX_USERNAME/MONITOR_INDEX_PASSWORD "
                "or MONITOR_INDEX_API_KEY in the environment instead"
            )
        return url


class CrawlConfig(_Strict):
    user_agent: str = DEFAULT_USER_AGENT
    obey_robots: bool = True
    concurrency_per_domain: int = Field(4, ge=1, le=64)
    download_delay: float = Field(0.25, ge=0)
    download_timeout: float = Field(30.0, gt=0)
    max_page_bytes: int = Field(10_000_000, ge=10_000)
    autothrottle: bool = True


class SourceConfig(_Strict):
    name: str
    feeds: list[str] = []
    sitemaps: list[str] = []
    start_urls: list[str] = []
    follow_depth: int = Field(1, ge=0, le=5)
    allowed_domains: list[str] = []
    article_url_pattern: str = ""
    max_articles: int | None = Field(None, ge=1)
    # Known articles younger than this are fetched again to pick up new comments.
    refresh_comments_for: timedelta = timedelta(days=3)

    @field_validator("refresh_comments_for", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        return parse_duration(value) if isinstance(value, str) else value

    @field_validator("name")
    @classmethod
    def _slug(cls, name: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name):
            raise ValueError("must be a short name of letters, digits, '-', '_' or '.' (it is used in commands)")
        return name

    @field_validator("feeds", "sitemaps", "start_urls")
    @classmethod
    def _http_urls(cls, urls: list[str]) -> list[str]:
        for url in urls:
            if urlsplit(url).scheme not in ("http", "https"):
                raise ValueError(f"{url!r} is not an http(s) URL")
        return urls

    @field_validator("article_url_pattern")
    @classmethod
    def _regex(cls, pattern: str) -> str:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"is not a valid regular expression: {exc}") from None
        return pattern

    @model_validator(mode="after")
    def _has_entry_points(self) -> "SourceConfig":
        if not (self.feeds or self.sitemaps or self.start_urls):
            raise ValueError("needs at least one of feeds, sitemaps or start_urls")
        return self

    def domains(self) -> list[str]:
        """allowed_domains, or the hosts of the configured URLs."""
        if self.allowed_domains:
            return list(self.allowed_domains)
        hosts = {urlsplit(u).hostname or "" for u in [*self.feeds, *self.sitemaps, *self.start_urls]}
        return sorted(h for h in hosts if h)


class TopicConfig(_Strict):
    name: str
    query: str


class Config(_Strict):
    index: IndexConfig = IndexConfig()
    crawl: CrawlConfig = CrawlConfig()
    sources: list[SourceConfig] = []
    topics: list[TopicConfig] = []
    data_dir: str = "data"
    path: Path | None = Field(None, exclude=True)  # the file it came from

    @model_validator(mode="after")
    def _unique_source_names(self) -> "Config":
        names = [s.name for s in self.sources]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"source names must be unique; repeated: {', '.join(dupes)}")
        return self

    @property
    def spool_dir(self) -> Path:
        """Where batches the search engine did not take wait to be replayed."""
        return Path(self.data_dir) / "spool"

    def source(self, name: str) -> SourceConfig:
        for source in self.sources:
            if source.name == name:
                return source
        known = ", ".join(s.name for s in self.sources) or "none configured"
        raise ConfigError(f"no source named {name!r} in {self.path or 'the config'} (known: {known})")


def find_config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """--config, then $MONITOR_CONFIG, then ./monitor.yaml."""
    if explicit:
        return Path(explicit)
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    return Path.cwd() / DEFAULT_CONFIG_NAME


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Read and validate the config; relative paths in it are made relative to the file."""
    config_path = find_config_path(path).resolve()
    if not config_path.exists():
        raise ConfigError(
            f"config file {config_path} not found: write one with `monitor init`, "
            f"or pass --config FILE or set ${CONFIG_ENV}"
        )
    try:
        text = config_path.read_text(encoding="utf-8")
        raw = yaml.compose(text)
        data = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{config_path}: cannot read the config: {exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{config_path}: not valid YAML: {exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{config_path}: the top level must be a mapping (index:, crawl:, sources:, topics:)")
    return config_from_dict(data, path=config_path, node=raw)


def config_from_dict(data: dict[str, Any], *, path: Path | None = None, node: Any = None) -> Config:
    """Validate a config mapping; errors name the file, the key (and its line when known) and what is wrong."""
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        where = str(path) if path else "config"
        lines = []
        for error in exc.errors():
            key = ".".join(str(p) for p in error["loc"]) or "(top level)"
            line = _line_of(node, error["loc"])
            at = f"{where}:{line}" if line else where
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "extra_forbidden":
                message = "unknown key (check its spelling; see `monitor init` for every key)"
            lines.append(f"{at}: {key}: {message}")
        raise ConfigError("invalid config:\n  " + "\n  ".join(lines)) from None
    base = path.parent if path else Path.cwd()
    return config.model_copy(update={"path": path, "index": _resolve_index(config.index, base),
                                     "data_dir": str((base / config.data_dir).resolve())})


def _resolve_index(index: IndexConfig, base: Path) -> IndexConfig:
    if index.url.startswith("sqlite:///"):
        db = Path(index.url[len("sqlite:///"):])
        if not db.is_absolute():
            return IndexConfig(url=f"sqlite:///{(base / db).resolve()}")
    return index


def _line_of(node: Any, loc: tuple[Any, ...]) -> int | None:
    """The 1-based line of the YAML node at ``loc``, or of its nearest existing parent."""
    line = None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == part), None)
            key_node = next((k for k, v in node.value if k.value == part), None)
            if match is None:
                return line
            line = key_node.start_mark.line + 1 if key_node else line
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line
