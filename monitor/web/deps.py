"""FastAPI dependencies: the app's state, and the read and write checks of the API."""
from __future__ import annotations

from fastapi import HTTPException, Request, status

from monitor.web.auth import TOKEN_ENV
from monitor.web.state import WebState


def web_state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


def require_reader(request: Request) -> None:
    if not web_state(request).guard.can_read(request):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "reads need the token: Authorization: Bearer …",
                            headers={"WWW-Authenticate": "Bearer"})


def require_writer(request: Request) -> None:
    guard = web_state(request).guard
    if not guard.writes_enabled:
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            f"writes are switched off: start the server with {TOKEN_ENV} set")
    if not guard.bearer_ok(request):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "writes need the token: Authorization: Bearer …",
                            headers={"WWW-Authenticate": "Bearer"})
