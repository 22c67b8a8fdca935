"""Security headers on every answer: a strict Content-Security-Policy (no inline script or style), nosniff, no framing;
HSTS when served over https (directly, or behind a trusted TLS proxy)."""
from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from monitor.web.docs import DOCS_CONTENT_SECURITY_POLICY, DOCS_PATH

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
)
DOCS_POLICY = DOCS_CONTENT_SECURITY_POLICY.encode()
# Only over https: sent over plain http a browser ignores it, and a UI on a LAN address must stay reachable.
HSTS = (b"strict-transport-security", b"max-age=31536000")


class SecurityHeaders:
    """Plain ASGI middleware (no per-request task overhead, unlike BaseHTTPMiddleware)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        extra: tuple[tuple[bytes, bytes], ...] = (*HEADERS, HSTS) if scope.get("scheme") == "https" else HEADERS
        if str(scope.get("path", "")).startswith(DOCS_PATH):
            extra = tuple((k, DOCS_POLICY if k == b"content-security-policy" else v) for k, v in extra)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *((k, v) for k, v in extra if k not in present)]
            await send(message)

        await self.app(scope, receive, send_with_headers)
