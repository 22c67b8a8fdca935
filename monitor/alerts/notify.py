"""Sending one message through Apprise: {env:NAME} secrets filled in at send time, URLs masked for display,
and no secret of a notify URL in any log line (Apprise's and its HTTP client's included)."""
from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Mapping, Sequence
from urllib.parse import unquote, urlsplit, urlunsplit

from monitor.errors import ConfigError, SendFailed
from monitor.secrets import mask_secrets

logger = logging.getLogger(__name__)

_ENV = re.compile(r"\{env:([A-Za-z_][A-Za-z0-9_]*)\}")
# Apprise's "privacy" form of a secret keeps its first and last character (mailto://alice:S...w@host).
_PRIVACY = re.compile(r"(?<![\w.])[^\s/:@?=&.]\.\.\.[^\s/:@?=&.](?![\w.])")
# Loggers that see a notify URL while it is sent: Apprise's, and the HTTP client under it (URL paths).
MASKED_LOGGERS = ("apprise", "urllib3.connectionpool")


class _SecretsFilter(logging.Filter):
    """Masks every secret a send has used, and Apprise's first-and-last-character form of any secret."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._secrets: set[str] = set()

    def add(self, secrets: Sequence[str]) -> None:
        with self._lock:
            self._secrets.update(s for s in secrets if len(s) >= 3)  # shorter would mask ordinary words

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        with self._lock:
            secrets = sorted(self._secrets, key=len, reverse=True)
        masked = _PRIVACY.sub("****", mask_secrets(message, secrets))
        if masked != message:
            record.msg, record.args = masked, None
        return True


_FILTER = _SecretsFilter()
for _name in MASKED_LOGGERS:
    logging.getLogger(_name).addFilter(_FILTER)


def env_names(url: str) -> list[str]:
    return _ENV.findall(url)


def expand_env(url: str, env: Mapping[str, str] | None = None) -> str:
    """The URL with each {env:NAME} replaced by that environment variable; a missing one is a ConfigError."""
    env = os.environ if env is None else env

    def one(match: re.Match[str]) -> str:
        value = env.get(match.group(1))
        if not value:
            raise ConfigError(f"a notify URL needs the environment variable {match.group(1)}, which is not set "
                              f"(export it where the monitor runs)")
        return value

    return _ENV.sub(one, url)


def url_secrets(url: str, expanded: str) -> list[str]:
    """What of a notify URL must never be logged: the values of its {env:NAME}s and its password."""
    secrets = [os.environ.get(name, "") for name in env_names(url)]
    try:
        password = urlsplit(expanded).password
    except ValueError:
        password = None
    if password:
        secrets += [password, unquote(password)]
    return [s for s in secrets if s]


def mask_url(url: str) -> str:
    """The URL safe to show and log: Apprise's privacy form (tokens and passwords elided), no query string."""
    if env_names(url):
        # The secrets are in the environment; only an inline password could still be one.
        parts = urlsplit(url)
        if parts.password:
            netloc = f"{parts.username}:****@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
            return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
        return url
    import apprise

    _FILTER.add(url_secrets(url, url))  # instantiating logs the URL when Apprise refuses it
    plugin = apprise.Apprise.instantiate(url, suppress_exceptions=True)
    if not plugin:
        return f"{urlsplit(url).scheme or '?'}://****"
    return _PRIVACY.sub("****", str(plugin.url(privacy=True)).split("?", 1)[0])


def check_urls(urls: Sequence[str]) -> None:
    """Raise ConfigError naming (masked) any URL Apprise does not understand."""
    import apprise

    for url in urls:
        probe = _ENV.sub("x" * 12, url)  # placeholders stand for tokens here; their values are not needed
        if not apprise.Apprise.instantiate(probe, suppress_exceptions=True):
            raise ConfigError(f"notify URL {mask_url(url)} is not one Apprise understands: see "
                              f"https://github.com/caronc/apprise/wiki for the URL of each service")


def send(url: str, *, title: str, body: str) -> None:
    """Hand one message to Apprise for one URL; raises SendFailed (naming the masked URL) if it was not taken."""
    import apprise

    expanded = expand_env(url)
    _FILTER.add(url_secrets(url, expanded))
    sender = apprise.Apprise()
    if not sender.add(expanded):
        raise SendFailed(f"{mask_url(url)} is not a notify URL Apprise understands")
    if not sender.notify(title=title, body=body, body_format=apprise.NotifyFormat.TEXT):
        raise SendFailed(f"{mask_url(url)} did not take the message (see the log for why)")
