"""Thin shims over the two official engine clients (elasticsearch 9.x, opensearch-py 3.x) and the probe that picks one."""
from __future__ import annotations

import base64
import json
import logging
import os
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from monitor.errors import IndexTimeout, IndexUnavailable, SearchIndexError

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

Distribution = Literal["elasticsearch", "opensearch"]

ENV_USERNAME = "MONITOR_INDEX_USERNAME"
ENV_PASSWORD = "MONITOR_INDEX_PASSWORD"
ENV_API_KEY = "MONITOR_INDEX_API_KEY"
ENV_CA_CERTS = "MONITOR_INDEX_CA_CERTS"
# Every request gives up after this long (a 5 MB bulk on a healthy engine takes well under a second), so a
# frozen engine costs a write one timeout, not a crawl. The clients' own transport retries are off: engine
# writes are retried in one place, EngineIndex.write (monitor/index/engine.py).
REQUEST_TIMEOUT_SECONDS = 10.0
PROBE_TIMEOUT_SECONDS = 10.0
# A reindex waits for its completion in one request (`monitor index migrate`): it may take minutes.
REINDEX_TIMEOUT_SECONDS = 3600.0


def _mask(value: str | None) -> str:
    return "None" if value is None else "'***'"


@dataclass(frozen=True, repr=False)
class EngineAuth:
    """Credentials and TLS trust for the engine; secrets never appear in repr or logs."""

    username: str | None = None
    password: str | None = None
    api_key: str | None = None
    ca_certs: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> EngineAuth:
        env = os.environ if env is None else env
        return cls(
            username=env.get(ENV_USERNAME) or None,
            password=env.get(ENV_PASSWORD) or None,
            api_key=env.get(ENV_API_KEY) or None,
            ca_certs=env.get(ENV_CA_CERTS) or None,
        )

    def header(self) -> dict[str, str]:
        """The Authorization header for a raw HTTP request (the probe)."""
        if self.api_key:
            return {"Authorization": f"ApiKey {self.api_key}"}
        if self.username:
            token = base64.b64encode(f"{self.username}:{self.password or ''}".encode()).decode()
            return {"Authorization": f"Basic {token}"}
        return {}

    def __repr__(self) -> str:
        return (
            f"EngineAuth(username={self.username!r}, password={_mask(self.password)}, "
            f"api_key={_mask(self.api_key)}, ca_certs={self.ca_certs!r})"
        )


def display_url(url: str) -> str:
    """The URL without any user:password part, safe for messages and logs."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _unreachable(url: str, reason: object) -> IndexUnavailable:
    return IndexUnavailable(
        f"cannot reach the search engine at {display_url(url)}: {reason}. Check that it runs and answers "
        f"on that address (index.url in monitor.yaml; for a local OpenSearch run deploy/opensearch-local/start), "
        f"and for https that {ENV_CA_CERTS} names the CA certificate that signed it."
    )


def probe(url: str, auth: EngineAuth, *, timeout: float = PROBE_TIMEOUT_SECONDS) -> dict[str, Any]:
    """``GET /`` with a plain HTTP request, so that either engine answers before a client is chosen."""
    request = urllib.request.Request(url.rstrip("/") + "/", headers={"Accept": "application/json", **auth.header()})
    context = None
    if url.startswith("https://"):
        context = ssl.create_default_context(cafile=auth.ca_certs) if auth.ca_certs else ssl.create_default_context()
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as response:
            info: dict[str, Any] = json.loads(response.read().decode("utf-8"))
            info["_product_header"] = response.headers.get("X-Elastic-Product")
            return info
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            raise SearchIndexError(
                f"the search engine at {display_url(url)} refused the credentials (HTTP {exc.code}): check "
                f"{ENV_USERNAME} and {ENV_PASSWORD}, or {ENV_API_KEY}"
            ) from None
        if exc.code >= 500:
            raise _unreachable(url, f"HTTP {exc.code}") from None
        raise SearchIndexError(f"the search engine at {display_url(url)} answered HTTP {exc.code} to GET /") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise _unreachable(url, reason) from None


def distribution_of(info: Mapping[str, Any]) -> Distribution:
    """What the server says it is: OpenSearch reports version.distribution == "opensearch"."""
    version = info.get("version") or {}
    if version.get("distribution") == "opensearch":
        return "opensearch"
    return "elasticsearch"


class EngineClient:
    """The calls the index layer makes, the same on both engines; answers are plain dicts.

    Errors come out as IndexTimeout (no answer within the timeout), IndexUnavailable (cannot connect,
    502/503/504) or SearchIndexError (with ``status``). The client makes one attempt per call.
    """

    def __init__(self, raw: Any, *, url: str, distribution: Distribution, version: str,
                 connection_errors: tuple[type[BaseException], ...],
                 api_errors: tuple[type[BaseException], ...],
                 timeout_errors: tuple[type[BaseException], ...] = ()) -> None:
        self.raw = raw
        self.url = display_url(url)
        self.distribution = distribution
        self.version = version
        self._connection_errors = connection_errors
        self._api_errors = api_errors
        self._timeout_errors = timeout_errors

    def __repr__(self) -> str:
        return f"EngineClient({self.distribution} {self.version} at {self.url})"

    def _call(self, what: str, fn: Callable[..., Any], /, **kwargs: Any) -> Any:
        try:
            response = fn(**kwargs)
        except self._timeout_errors as exc:
            raise IndexTimeout(f"the search engine at {self.url} did not answer {what} in time: {exc}. It may be "
                               f"overloaded or stopped; writes go to the spool meanwhile") from None
        except self._connection_errors as exc:
            raise _unreachable(self.url, exc) from None
        except self._api_errors as exc:
            status = _status_of(exc)
            if status in (502, 503, 504):
                raise _unreachable(self.url, f"HTTP {status}") from None
            raise SearchIndexError(f"{what} failed on {self.url}: HTTP {status}: {_reason_of(exc)}",
                                   status=status) from None
        return getattr(response, "body", response)

    def info(self) -> dict[str, Any]:
        return self._call("info", self.raw.info)

    def search(self, index: str, body: dict[str, Any], **params: Any) -> dict[str, Any]:
        return self._call("search", self.raw.search, index=index, body=body, **params)

    def count(self, index: str, body: dict[str, Any] | None = None) -> int:
        kwargs: dict[str, Any] = {"index": index}
        if body:
            kwargs["body"] = body
        return int(self._call("count", self.raw.count, **kwargs)["count"])

    def mget(self, index: str, ids: list[str]) -> list[dict[str, Any]]:
        """The found documents' sources (with ``id``), in the order asked; missing ones left out."""
        if not ids:
            return []
        answer = self._call("mget", self.raw.mget, index=index, body={"ids": ids})
        return [{**(doc.get("_source") or {}), "id": doc["_id"]} for doc in answer["docs"] if doc.get("found")]

    def bulk(self, operations: list[dict[str, Any]], *, refresh: bool | str = False) -> dict[str, Any]:
        return self._call("bulk", self.raw.bulk, body=operations, refresh=refresh)

    def get_mapping(self, index: str) -> dict[str, Any]:
        """The index's mapping as stored (``{"properties": ..., "_meta": ...}``)."""
        answer = self._call("get mapping", self.raw.indices.get_mapping, index=index)
        return dict(answer[index]["mappings"])

    def refresh(self, index: str) -> None:
        self._call("refresh", self.raw.indices.refresh, index=index)

    def put_index_template(self, name: str, body: dict[str, Any]) -> None:
        self._call("put index template", self.raw.indices.put_index_template, name=name, body=body)

    def create_index(self, index: str, body: dict[str, Any] | None = None) -> None:
        self._call("create index", self.raw.indices.create, index=index, body=body or {})

    def indices(self, pattern: str) -> list[str]:
        """The concrete index names matching ``pattern`` (a wildcard that matches none answers [])."""
        return sorted(self._call("get index", self.raw.indices.get, index=pattern, expand_wildcards="open,closed"))

    def delete_index(self, index: str) -> None:
        self._call("delete index", self.raw.indices.delete, index=index, ignore_unavailable=True)

    def delete_index_template(self, name: str) -> None:
        try:
            self._call("delete index template", self.raw.indices.delete_index_template, name=name)
        except SearchIndexError as exc:
            if exc.status != 404:
                raise

    def aliases(self, name: str) -> dict[str, list[str]]:
        """{name: [indices behind the alias]} or {} when there is no such alias."""
        # A pattern answers 200 with {} where the exact name answers 404, which both clients log as a warning.
        answer = self._call("get alias", self.raw.indices.get_alias, name=f"{name}*")
        indices = [index for index, data in answer.items() if name in data.get("aliases", {})]
        return {name: sorted(indices)} if indices else {}

    def update_aliases(self, actions: list[dict[str, Any]]) -> None:
        self._call("update aliases", self.raw.indices.update_aliases, body={"actions": actions})

    def reindex(self, source: str, dest: str, *, op_type: str = "index") -> dict[str, Any]:
        body = {"source": {"index": source}, "dest": {"index": dest, "op_type": op_type}, "conflicts": "proceed"}
        if self.distribution == "elasticsearch":  # es-py 9 takes per-request options only through .options()
            return self._call("reindex", self.raw.options(request_timeout=REINDEX_TIMEOUT_SECONDS).reindex,
                              body=body, wait_for_completion=True, refresh=True)
        return self._call("reindex", self.raw.reindex, body=body, wait_for_completion=True, refresh=True,
                          request_timeout=REINDEX_TIMEOUT_SECONDS)

    def index_stats(self, index: str) -> dict[str, Any]:
        return self._call("index stats", self.raw.indices.stats, index=index)

    def cluster_health(self) -> dict[str, Any]:
        return self._call("cluster health", self.raw.cluster.health)

    def wait_for_primaries(self, index: str) -> None:
        """Until the primary shards of ``index`` are active (at most the request timeout): an index another process
        has just created answers 503 (no shard available) to a search before then."""
        # No `timeout=` here: opensearch-py takes it for the client's own request timeout, not the API's.
        self._call("cluster health", self.raw.cluster.health, index=index, wait_for_status="yellow")

    def close(self) -> None:
        try:
            self.raw.close()
        except Exception:  # closing a pool that is already gone must not hide the caller's error
            logger.debug("closing the engine client failed", exc_info=True)


def already_exists(exc: BaseException) -> bool:
    """Whether a create failed only because another process created the index first."""
    message = str(exc)  # the reason ("index [...] already exists") or the type (resource_already_exists_...)
    return "already exists" in message or "already_exists" in message


def _status_of(exc: BaseException) -> int | None:
    for attr in ("status_code", "status"):
        value = getattr(exc, attr, None)
        if isinstance(value, int):
            return value
    meta = getattr(exc, "meta", None)
    return getattr(meta, "status", None)


def _reason_of(exc: BaseException) -> str:
    info = getattr(exc, "info", None) or getattr(exc, "body", None)
    if isinstance(info, dict):
        error = info.get("error")
        if isinstance(error, dict):
            return str(error.get("reason") or error.get("type") or error)
        if error:
            return str(error)
    return str(exc)[:500]


def connect(url: str, *, auth: EngineAuth | None = None, timeout: float = REQUEST_TIMEOUT_SECONDS) -> EngineClient:
    """Probe ``url`` and open the official client that matches what answers there."""
    auth = EngineAuth.from_env() if auth is None else auth
    info = probe(url, auth)
    distribution = distribution_of(info)
    version = str((info.get("version") or {}).get("number", "?"))
    if distribution == "opensearch":
        return _opensearch_client(url, auth, version, timeout)
    return _elasticsearch_client(url, auth, version, timeout)


def _opensearch_client(url: str, auth: EngineAuth, version: str, timeout: float) -> EngineClient:
    try:
        import opensearchpy
    except ImportError:
        raise SearchIndexError(
            f"{display_url(url)} is OpenSearch {version}: install the client with pip install 'media-monitor[engines]'"
        ) from None
    kwargs: dict[str, Any] = {"hosts": [url], "timeout": timeout, "max_retries": 0, "retry_on_timeout": False}
    if auth.api_key:
        kwargs["headers"] = {"Authorization": f"ApiKey {auth.api_key}"}
    elif auth.username:
        kwargs["http_auth"] = (auth.username, auth.password or "")
    if url.startswith("https://"):
        kwargs.update(use_ssl=True, verify_certs=True)
        if auth.ca_certs:
            kwargs["ca_certs"] = auth.ca_certs
    raw = opensearchpy.OpenSearch(**kwargs)
    return EngineClient(
        raw, url=url, distribution="opensearch", version=version,
        connection_errors=(opensearchpy.ConnectionError,),
        api_errors=(opensearchpy.TransportError,),
        timeout_errors=(opensearchpy.ConnectionTimeout,),
    )


def _elasticsearch_client(url: str, auth: EngineAuth, version: str, timeout: float) -> EngineClient:
    try:
        import elasticsearch
    except ImportError:
        raise SearchIndexError(
            f"{display_url(url)} is Elasticsearch {version}: install the client with "
            f"pip install 'elasticsearch=={version.split('.')[0]}.*'"
        ) from None
    server_major = version.split(".")[0]
    client_major = str(elasticsearch.__versionstr__).split(".")[0]
    if server_major.isdigit() and server_major != client_major:
        # es-py 9 sends compatible-with=9 headers an 8.x server rejects, and the reverse.
        raise SearchIndexError(
            f"{display_url(url)} is Elasticsearch {version} but the installed client is "
            f"{elasticsearch.__versionstr__}: pip install 'elasticsearch>={server_major},<{int(server_major) + 1}'"
        )
    kwargs: dict[str, Any] = {"request_timeout": timeout, "max_retries": 0, "retry_on_timeout": False}
    if auth.api_key:
        kwargs["api_key"] = auth.api_key
    elif auth.username:
        kwargs["basic_auth"] = (auth.username, auth.password or "")
    if auth.ca_certs:
        kwargs["ca_certs"] = auth.ca_certs
    raw = elasticsearch.Elasticsearch(url, **kwargs)
    return EngineClient(
        raw, url=url, distribution="elasticsearch", version=version,
        connection_errors=(elasticsearch.ConnectionError, elasticsearch.ConnectionTimeout),
        api_errors=(elasticsearch.ApiError, elasticsearch.TransportError),
        timeout_errors=(elasticsearch.ConnectionTimeout,),
    )
