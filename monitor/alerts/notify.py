"""Sending one message through Apprise: {env:NAME} secrets filled in at send time, URLs masked for display."""
from __future__ import annotations

import logging
import os
import re
from typing import Mapping, Sequence
from urllib.parse import urlsplit, urlunsplit

from monitor.errors import ConfigError, SendFailed

logger = logging.getLogger(__name__)

_ENV = re.compile(r"\{env:([A-Za-z_][A-Za-z0-9_]*)\}")


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

    plugin = apprise.Apprise.instantiate(url, suppress_exceptions=True)
    if not plugin:
        return f"{urlsplit(url).scheme or '?'}://****"
    return str(plugin.url(privacy=True)).split("?", 1)[0]


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

    sender = apprise.Apprise()
    if not sender.add(expand_env(url)):
        raise SendFailed(f"{mask_url(url)} is not a notify URL Apprise understands")
    if not sender.notify(title=title, body=body, body_format=apprise.NotifyFormat.TEXT):
        raise SendFailed(f"{mask_url(url)} did not take the message (see the log for why)")
