"""Who may do what: the API token (Bearer), UI sessions (signed cookie), CSRF tokens and the same-origin check."""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from urllib.parse import urlsplit

from starlette.requests import Request

from monitor.web.hosts import AllowedHosts, split_host
from monitor.web.sessions import RevokedSessions
from monitor.web.throttle import AuthThrottle

TOKEN_ENV = "MONITOR_API_TOKEN"
SESSION_COOKIE = "monitor_session"
CSRF_COOKIE = "monitor_csrf"
CSRF_FIELD = "csrf_token"
SESSION_SECONDS = 12 * 3600
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
DEFAULT_PORTS = {"http": 80, "https": 443}
_BEARER_CHECKED = "monitor.bearer_ok"  # request scope key: a request's token is checked (and counted) once


class Guard:
    """Checks credentials. Without a token every write is refused; reads are open unless ``open_reads`` is off.

    Session and CSRF keys derive from the token, so sessions survive a restart and die with a token change;
    a session ended by logging out is ``revoked`` (kept in the state store). Failed tokens are ``throttle``d
    per client address; forms must come from one of the ``hosts``.
    """

    def __init__(self, token: str | None, *, open_reads: bool, hosts: AllowedHosts | None = None,
                 revoked: RevokedSessions | None = None, throttle: AuthThrottle | None = None) -> None:
        self.token = token or None
        self.open_reads = open_reads
        self.hosts = hosts or AllowedHosts(["127.0.0.1", "localhost", "::1"])
        self.revoked = revoked
        self.throttle = throttle or AuthThrottle()
        seed = self.token.encode() if self.token else secrets.token_bytes(32)
        self._session_key = hmac.new(seed, b"monitor-web-session", hashlib.sha256).digest()
        self._csrf_key = hmac.new(seed, b"monitor-web-csrf", hashlib.sha256).digest()

    def __repr__(self) -> str:
        return f"Guard(token={'****' if self.token else None}, open_reads={self.open_reads})"

    @property
    def writes_enabled(self) -> bool:
        return self.token is not None

    def token_matches(self, presented: str | None) -> bool:
        if not self.token or not presented:
            return False
        return hmac.compare_digest(presented.encode(), self.token.encode())

    def bearer_ok(self, request: Request) -> bool:
        """Does the request carry the token as a Bearer header? Raises Throttled while its address waits."""
        if _BEARER_CHECKED in request.scope:
            return bool(request.scope[_BEARER_CHECKED])
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        # Recorded before a Throttled escapes too: the error page rendered for it asks again.
        request.scope[_BEARER_CHECKED] = False
        if scheme.lower() != "bearer" or not self.token:
            return False
        ok = self._attempt(request, value.strip(), what="wrong API token (Authorization: Bearer)")
        request.scope[_BEARER_CHECKED] = ok
        return ok

    def login_ok(self, request: Request, presented: str) -> bool:
        """The login form's token; raises Throttled while the address waits."""
        return self._attempt(request, presented, what="wrong token in the login form")

    def _attempt(self, request: Request, presented: str, *, what: str) -> bool:
        address = client_address(request)
        self.throttle.check(address)
        if self.token_matches(presented):
            self.throttle.succeeded(address)
            return True
        self.throttle.failed(address, what=what)
        return False

    # ------------------------------------------------------------ sessions

    def new_session(self, *, now: float | None = None) -> str:
        expires = int((now or time.time()) + SESSION_SECONDS)
        payload = f"{expires}.{secrets.token_urlsafe(12)}"
        return f"{payload}.{self._sign(self._session_key, payload)}"

    def session_ok(self, value: str | None, *, now: float | None = None) -> bool:
        payload = self._session_payload(value, now=now)
        return payload is not None and not (self.revoked is not None and self.revoked.revoked(payload))

    def end_session(self, value: str | None) -> None:
        """Logging out: the session stays refused, whoever holds a copy of its cookie."""
        payload = self._session_payload(value)
        if payload is not None and self.revoked is not None:
            self.revoked.revoke(payload, expires=int(payload.split(".", 1)[0]))

    def _session_payload(self, value: str | None, *, now: float | None = None) -> str | None:
        """The signed ``expires.nonce`` of a genuine, unexpired session cookie."""
        if not self.token or not value or value.count(".") != 2:
            return None
        payload, _, signature = value.rpartition(".")
        if not hmac.compare_digest(signature, self._sign(self._session_key, payload)):
            return None
        expires = payload.split(".", 1)[0]
        return payload if expires.isdigit() and int(expires) > (now or time.time()) else None

    def is_writer(self, request: Request) -> bool:
        """The token holder: a Bearer header (API) or a login session cookie (UI)."""
        return self.bearer_ok(request) or self.session_ok(request.cookies.get(SESSION_COOKIE))

    def can_read(self, request: Request) -> bool:
        return self.open_reads or self.is_writer(request)

    # ------------------------------------------------------------ cross-site requests

    def csrf_for(self, nonce: str) -> str:
        """The form token that goes with the browser's CSRF cookie (a signed double submit)."""
        return self._sign(self._csrf_key, nonce)

    def csrf_ok(self, request: Request, submitted: str | None) -> bool:
        nonce = request.cookies.get(CSRF_COOKIE)
        if not nonce or not submitted:
            return False
        return hmac.compare_digest(submitted, self.csrf_for(nonce))

    @staticmethod
    def _sign(key: bytes, payload: str) -> str:
        return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


def new_csrf_nonce() -> str:
    return secrets.token_urlsafe(24)


def client_address(request: Request) -> str:
    """The client's address: the connection's, or the one a trusted proxy forwarded (web.trusted_proxies)."""
    return request.client.host if request.client else "unknown"


def same_origin(request: Request, hosts: AllowedHosts) -> bool:
    """A browser names the page a form came from (Origin, else Referer); it must be one of the allowed hosts,
    and this very server when it names the same host (another port there is another site's page).

    Clients that send neither (curl, scripts) pass here; they still need the CSRF token or a Bearer token.
    """
    origin = request.headers.get("origin")
    if origin is None:
        referer = request.headers.get("referer")
        if not referer:
            return True
        origin = referer
    if origin == "null":
        return False
    parts = urlsplit(origin)
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return False
    server = request.scope.get("server")
    if not hosts.allows(parts.hostname, local_address=str(server[0]) if server else None):
        return False
    host, port = split_host(request.headers.get("host", ""))
    if parts.hostname != host:
        return True  # renamed by a proxy in front: the allowed name is what counts
    try:
        origin_port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError:
        return False
    return origin_port == (port or DEFAULT_PORTS.get(request.url.scheme, 80))
