"""Builds the ui's ASGI app: routes, middleware, static files."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException
from starlette.middleware.gzip import GZipMiddleware

from travel_kit.body_limit import include_limited
from travel_kit.http_errors import http_error
from travel_kit.request_ids import add_request_ids

from . import (
    routes_api,
    routes_conversations,
    routes_days,
    routes_export,
    routes_health,
    routes_pages,
    routes_share,
    tracing,
)
from .agent_client import AgentClient
from .api_contract import validation_sentence
from .assets import asset_version, script_modules, static_mounts
from .basemap import basemap_path
from .context import AppContext
from .metrics import Metrics
from .middleware import RequestContextMiddleware, SecurityHeadersMiddleware
from .rate_limit import RateLimitMiddleware, TokenBuckets
from .secret_key import resolve_secret_key
from .session import Sessions
from .settings import Settings

TEMPLATES_DIR = Path(__file__).parent / "templates"


def create_app(
    settings: Settings,
    agent_transport: httpx.AsyncBaseTransport | None = None,
    span_exporter: Any = None,
) -> FastAPI:
    """`span_exporter` replaces the OTLP exporter when tracing is on (tests)."""
    metrics = Metrics()
    templates = Jinja2Templates(directory=TEMPLATES_DIR)  # autoescape is on for .html
    ctx = AppContext(
        settings=settings,
        sessions=Sessions(resolve_secret_key(settings), settings),
        agent=AgentClient(settings, transport=agent_transport),
        metrics=metrics,
        templates=templates,
        asset_version=asset_version(),
        script_modules=script_modules(),
        basemap=basemap_path() is not None,
    )

    tracer_provider = tracing.make_tracer_provider(settings, span_exporter)
    tracing.instrument_client(ctx.agent.http, tracer_provider)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        await ctx.agent.aclose()
        tracing.shutdown(tracer_provider)

    app = FastAPI(
        title="CoAgents Travel ui",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
        telemetry=tracing.fastapi_telemetry(tracer_provider),
    )
    app.state.ctx = ctx
    app.add_exception_handler(RequestValidationError, validation_sentence)
    routers = (
        routes_pages.router,
        routes_api.router,
        routes_days.router,
        routes_export.router,
        routes_conversations.router,
        routes_share.router,
        routes_health.router,
    )
    # FastAPI's body limit; its 413 gets the sentence in the kit's http_error.
    include_limited(app, settings.max_body_bytes, routers)
    # The static files first: most of a page load's requests, which then are not matched
    # against every API route (twice: here and for the metrics' route template). No other
    # route is under /static/.
    mounts = static_mounts()
    app.router.routes[:0] = mounts
    route_table = mounts + [route for router in routers for route in router.routes]
    app.add_exception_handler(HTTPException, http_error)

    # Outermost last: request id, then context (log, metrics) sees everything, including 413s and
    # 429s; the rate limit answers before a body is read.
    app.add_middleware(GZipMiddleware, minimum_size=500)  # skips text/event-stream itself
    if settings.rate_limit_per_second > 0:
        buckets = TokenBuckets(settings.rate_limit_per_second, settings.rate_limit_burst)
        app.add_middleware(RateLimitMiddleware, buckets=buckets, metrics=metrics)
    app.add_middleware(SecurityHeadersMiddleware, tile_origin=settings.tile_origin)
    app.add_middleware(RequestContextMiddleware, metrics=metrics, routes=route_table)
    add_request_ids(app)
    return app
