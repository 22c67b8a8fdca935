"""The host names the server answers to (web.allowed_hosts): checked on every request against DNS rebinding."""
from __future__ import annotations

import ipaddress
import json
import logging
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

logger = logging.getLogger(__name__)

WILDCARD_BINDS = frozenset({"", "0.0.0.0", "::"})
_LOGGED_HOSTS = 100  # refused hosts logged by name; a scan of many names does not flood the log


def split_host(value: str) -> tuple[str, int | None]:
    """``Host``-header form (``name``, ``name:port``, ``[v6]:port``) → lower-case name and port."""
    value = value.strip().lower()
    if value.startswith("["):
        name, _, rest = value[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
    elif value.count(":") == 1:
        name, _, port = value.partition(":")
    else:
        name, port = value, ""  # a bare IPv6 address, or no port
    return name.rstrip("."), int(port) if port.isdigit() else None


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class AllowedHosts:
    """web.allowed_hosts, the address the server binds to, and the local address each request arrived at.

    An IP literal is never a DNS-rebinding name, so the address a connection reached is always allowed: that
    is what a server bound to 0.0.0.0 is reached by without a name.
    """

    def __init__(self, names: Iterable[str], *, bind_host: str | None = None) -> None:
        self.names = {n.lower().strip("[]") for n in names}
        if bind_host and bind_host.strip("[]") not in WILDCARD_BINDS:
            self.names.add(bind_host.lower().strip("[]"))
        self.any = "*" in self.names
        self.suffixes = tuple(n[1:] for n in self.names if n.startswith("*."))

    def allows(self, name: str, *, local_address: str | None = None) -> bool:
        if self.any or name in self.names or (self.suffixes and name.endswith(self.suffixes)):
            return True
        return local_address is not None and _is_address(name) and name == local_address.lower()


class HostCheck:
    """Plain ASGI middleware: a request whose Host is not allowed gets 400 naming web.allowed_hosts."""

    def __init__(self, app: ASGIApp, *, hosts: AllowedHosts) -> None:
        self.app = app
        self.hosts = hosts
        self._logged: set[str] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = next((v for k, v in scope["headers"] if k == b"host"), None)
        server = scope.get("server")
        local = str(server[0]) if server else None
        # No Host at all (HTTP/1.0 scripts) names no other site: nothing to rebind.
        if raw is None or self.hosts.allows(split_host(raw.decode("latin-1"))[0], local_address=local):
            await self.app(scope, receive, send)
            return
        name = split_host(raw.decode("latin-1"))[0][:253]
        if name not in self._logged and len(self._logged) < _LOGGED_HOSTS:
            self._logged.add(name)
            client = scope.get("client")
            logger.warning("refused a request for host %r (not in web.allowed_hosts) client=%s", name,
                           client[0] if client else "?")
        detail = (f"this server does not answer to the host {name!r}: if it is reached by that name, add it to "
                  f"web.allowed_hosts in the config")
        api = str(scope.get("path", "")).startswith("/api/") or scope.get("path") == "/healthz"
        body = json.dumps({"detail": detail}).encode() if api else detail.encode()
        await send({"type": "http.response.start", "status": 400,
                    "headers": [(b"content-type", b"application/json" if api else b"text/plain; charset=utf-8"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
