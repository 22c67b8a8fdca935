"""The ASGI app factory: JSON API, server-rendered pages, static files, security headers, error answers."""
from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from monitor import __version__, service
from monitor.config import Config
from monitor.errors import ConfigError, CrawlRefused, MonitorError, QueryError, SearchIndexError
from monitor.runs.metrics import METRICS
from monitor.web import api, docs, feeds, pages, source_pages, sources_api
from monitor.web.auth import TOKEN_ENV, Guard
from monitor.web.headers import SecurityHeaders
from monitor.web.hosts import AllowedHosts, HostCheck
from monitor.web.metrics import metrics_router
from monitor.web.models import Health
from monitor.web.sessions import RevokedSessions
from monitor.web.state import CrawlTrigger, WebState
from monitor.web.throttle import AuthThrottle

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
OPENAPI_URL = "/api/openapi.json"


def create_app(config: Config | Callable[[], Config], *, token: str | None = None,
               crawl_now: CrawlTrigger | None = None, bind_host: str | None = None) -> FastAPI:
    """The web app. ``config`` may be a callable returning the current config (`monitor serve` reloads it);
    ``token`` defaults to $MONITOR_API_TOKEN; ``crawl_now(source)`` is how a crawl is started (the serve
    process's scheduler; by default a crawl subprocess of this process); ``bind_host`` is the address the
    server listens on (web.host by default), an allowed host. The web settings are read once, at start."""
    current = config() if callable(config) else config
    settings = current.web
    hosts = AllowedHosts(settings.allowed_hosts, bind_host=bind_host or settings.host)
    guard = Guard(token if token is not None else os.environ.get(TOKEN_ENV), open_reads=settings.open_reads,
                  hosts=hosts, revoked=RevokedSessions(current.state_url), throttle=AuthThrottle())
    web = WebState(config, guard=guard, crawl_now=crawl_now)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        web.close()

    app = FastAPI(title="Media monitor", version=__version__, lifespan=lifespan,
                  description="Search articles and reader comments, read threads, watch coverage, manage alerts.",
                  docs_url=None, redoc_url=None, openapi_url=OPENAPI_URL)  # FastAPI's docs pages load from a CDN
    app.state.web = web
    # Outermost last: proxy headers are read first (client address, https), then every answer gets the
    # security headers, the Host check's 400 included.
    app.add_middleware(HostCheck, hosts=hosts)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.trusted_proxies))
    app.include_router(api.router)
    app.include_router(sources_api.router)
    app.include_router(feeds.router)
    app.include_router(docs.docs_router(OPENAPI_URL))
    app.mount(docs.ASSETS_PATH, docs.assets(), name="docs-assets")
    app.include_router(pages.router)
    app.include_router(source_pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    if settings.metrics != "off":
        METRICS.watch(config if callable(config) else lambda: current)  # its spool and broker queue
        app.include_router(metrics_router(METRICS, access=settings.metrics))

    @app.get("/healthz", response_model=Health, tags=["health"], summary="Is the server up, can it reach the index")
    def healthz() -> Any:
        try:
            return {"status": "ok", "index": service.counts(web.config, index=web.index())}
        except MonitorError as exc:
            logger.warning("health check: index unreachable: %s", exc)
            return JSONResponse({"status": "degraded", "index": {"error": str(exc)}}, status_code=503)

    _error_answers(app)
    return app


def _error_answers(app: FastAPI) -> None:
    """API errors as JSON {detail}; page errors as an HTML page with the same status."""

    def answer(request: Request, code: int, detail: str, *, headers: Mapping[str, str] | None = None,
               **extra: Any) -> Response:
        if request.url.path.startswith("/api/") or request.url.path in ("/healthz", "/metrics"):
            return JSONResponse({"detail": detail, **extra}, status_code=code,
                                headers={"WWW-Authenticate": "Bearer", **(headers or {})} if code == 401 else headers)
        page = pages.error_page(request, code, detail)
        page.headers.update(headers or {})
        return page

    @app.exception_handler(QueryError)
    async def query_error(request: Request, exc: QueryError) -> Response:
        return answer(request, 400, str(exc), position=exc.position)

    @app.exception_handler(SearchIndexError)
    async def index_error(request: Request, exc: SearchIndexError) -> Response:
        logger.error("search index error: %s path=%s", exc, request.url.path)
        return answer(request, 503, f"the search index failed: {exc}")

    @app.exception_handler(ConfigError)
    async def config_error(request: Request, exc: ConfigError) -> Response:
        return answer(request, 400, str(exc))

    @app.exception_handler(CrawlRefused)
    async def crawl_refused(request: Request, exc: CrawlRefused) -> Response:
        return answer(request, 409, str(exc))

    @app.exception_handler(MonitorError)
    async def monitor_error(request: Request, exc: MonitorError) -> Response:
        return answer(request, 400, str(exc))

    @app.exception_handler(pages.Redirect)
    async def redirect(request: Request, exc: pages.Redirect) -> Response:
        return RedirectResponse(exc.location, status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return answer(request, exc.status_code, str(exc.detail), headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": jsonable_encoder(exc.errors())}, status_code=422)
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in exc.errors())
        return pages.error_page(request, 400, problems)
