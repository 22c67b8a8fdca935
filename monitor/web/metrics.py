"""`/metrics`: the process's Prometheus metrics, for the clients web.metrics lets read them."""
from __future__ import annotations

import ipaddress

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import Response

from monitor.runs.metrics import CONTENT_TYPE, Metrics
from monitor.web.auth import client_address
from monitor.web.deps import web_state

FORWARDED = ("forwarded", "x-forwarded-for")  # a request a proxy passed on came from elsewhere, whatever its address


def metrics_router(metrics: Metrics, *, access: str) -> APIRouter:
    """The route for ``access`` (web.metrics: local, public, token); `off` is no route at all."""
    router = APIRouter()

    @router.get("/metrics", tags=["health"], summary="Prometheus metrics (text format)",
                response_class=Response, responses={200: {"content": {CONTENT_TYPE: {}}}})
    def read_metrics(request: Request) -> Response:
        if not (access == "public" or (access == "local" and _local(request))
                or web_state(request).guard.bearer_ok(request)):
            raise HTTPException(status.HTTP_401_UNAUTHORIZED,
                                "metrics need the token (Authorization: Bearer …) from another machine; or set "
                                "web.metrics: public in monitor.yaml" if access == "local" else
                                "metrics need the token: Authorization: Bearer …",
                                headers={"WWW-Authenticate": "Bearer"})
        return Response(metrics.exposition(), media_type=CONTENT_TYPE)

    return router


def _local(request: Request) -> bool:
    """A client on this machine that connected directly (not through a proxy in front)."""
    if any(name in request.headers for name in FORWARDED):
        return False
    try:
        return ipaddress.ip_address(client_address(request)).is_loopback
    except ValueError:
        return False
