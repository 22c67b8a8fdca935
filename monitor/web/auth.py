"""Who may do what: the API token (Bearer), UI sessions (signed cookie), CSRF tokens and the same-origin check."""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from urllib.parse import urlsplit

from starlette.requests import Request

TOKEN_ENV = "MONITOR_API_TOKEN"
SESSION_COOKIE = "monitor_session"
CSRF_COOKIE = "monitor_csrf"
CSRF_FIELD = "csrf_token"
SESSION_SECONDS = 12 * 3600
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class Guard:
    """Checks credentials. Without a token every write is refused; reads are open unless ``open_reads`` is off.

    Session and CSRF keys derive from the token, so sessions survive a restart and die with a token change.
    """

    def __init__(self, token: str | None, *, open_reads: bool) -> None:
        self.token = token or None
        self.open_reads = open_reads
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
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and self.token_matches(value.strip())

    # ------------------------------------------------------------ sessions

    def new_session(self, *, now: float | None = None) -> str:
        expires = int((now or time.time()) + SESSION_SECONDS)
        payload = f"{expires}.{secrets.token_urlsafe(12)}"
        return f"{payload}.{self._sign(self._session_key, payload)}"

    def session_ok(self, value: str | None, *, now: float | None = None) -> bool:
        if not self.token or not value or value.count(".") != 2:
            return False
        payload, _, signature = value.rpartition(".")
        if not hmac.compare_digest(signature, self._sign(self._session_key, payload)):
            return False
        expires = payload.split(".", 1)[0]
        return expires.isdigit() and int(expires) > (now or time.time())

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


def same_origin(request: Request) -> bool:
    """A browser names the page a form came from (Origin, else Referer); it must be this site.

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
    host = request.headers.get("host", "")
    return bool(host) and urlsplit(origin).netloc.lower() == host.lower()
