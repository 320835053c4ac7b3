"""The agent service's FastAPI application: wiring only, no logic."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from langchain_core.language_models import BaseChatModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from travel_kit.body_limit import include_limited
from travel_kit.http_errors import http_error, not_json
from travel_kit.request_ids import add_request_ids

from . import (
    __version__,
    agui,
    conversations_api,
    day_edits_api,
    health,
    itinerary_api,
    tracing,
    trip_edits_api,
    trips_api,
)
from .agui_agent import TravelAgent
from .api_contract import run_input_components
from .conversations import Conversations
from .graph import GraphDeps, build_graph
from .itinerary.routes import RouteService
from .itinerary.routing.base import RoutingProvider
from .itinerary.routing.factory import build_routing_provider
from .itinerary.routing.offline import OfflineEstimates
from .itinerary.share_store import ShareStore
from .itinerary.sharing import Shares
from .llm.factory import build_chat_model
from .middleware import ServiceMiddleware
from .persistence import open_persistence
from .places.base import PlacesProvider
from .places.factory import build_places_provider
from .places.measured import MeasuredPlaces
from .runtime import Runtime
from .settings import Settings, get_settings
from .thread_locks import ThreadLocks
from .trip_ops import Limits

if TYPE_CHECKING:
    from .places.offline import OfflineGazetteer

log = logging.getLogger(__name__)


def offline_gazetteer() -> OfflineGazetteer:
    from .places.offline import OfflineGazetteer

    return OfflineGazetteer()


def create_app(
    settings: Settings | None = None,
    *,
    model: BaseChatModel | None = None,
    places: PlacesProvider | None = None,
    span_exporter: Any = None,
    routing: RoutingProvider | None = None,
) -> FastAPI:
    """Build the app. `model`/`places` replace the configured providers, `span_exporter`
    the OTLP exporter when tracing is on (used by tests)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        tracing.start_tracing(tracer_provider)
        gazetteer = cache(offline_gazetteer)  # loaded only when a provider is offline
        chat_model = model or build_chat_model(settings, gazetteer)
        provider = MeasuredPlaces(places or build_places_provider(settings, gazetteer))
        async with open_persistence(settings) as persistence:
            app.state.conversations = Conversations(persistence)
            await app.state.conversations.setup()
            deps = GraphDeps(
                model=chat_model,
                places=provider,
                limits=Limits(settings.max_trips, settings.max_places_per_trip),
                demo_trips=settings.demo_trips,
                max_context_messages=settings.max_context_messages,
            )
            graph = build_graph(deps, persistence.saver)
            agent = TravelAgent(
                name=agui.AGENT_NAME,
                description="Plans trips: searches places, proposes trips, asks for approval.",
                graph=graph,
                # Interrupts go out as the AG-UI 1.0 outcome of RUN_FINISHED only: the
                # legacy `on_interrupt` CUSTOM event has no id (strict clients report it).
                emit_interrupt_outcome=True,
                enable_legacy_on_interrupt_event=False,
                emit_raw_events=False,
            )
            app.state.runtime = Runtime(
                settings=settings,
                persistence=persistence,
                graph=graph,
                agent=agent,
                locks=ThreadLocks(persistence.pool),
                places=provider,
                llm_provider=settings.effective_llm_provider if model is None else "custom",
                places_provider=provider.name,
            )
            route_service = RouteService(
                routing or build_routing_provider(settings),
                OfflineEstimates(settings.routing_detour_factor),
                settings.routing_profile,
                cache_ttl_seconds=settings.routing_cache_ttl_seconds,
            )
            app.state.itinerary = itinerary_api.Itinerary(
                routes=route_service,
                shares=await Shares.open(ShareStore(persistence), settings),
            )
            log.info(
                "agent service ready",
                extra={
                    "checkpointer": persistence.kind,
                    "llm_provider": app.state.runtime.llm_provider,
                    "places_provider": provider.name,
                    "routing_provider": route_service.provider.name,
                },
            )
            try:
                yield
            finally:
                await app.state.runtime.locks.settle()  # before the pool they use closes
                await provider.aclose()
                await route_service.aclose()
                tracing.stop_tracing(tracer_provider)

    tracer_provider = tracing.make_tracer_provider(settings, span_exporter)
    app = FastAPI(
        telemetry=tracing.fastapi_telemetry(tracer_provider),
        title="CoAgents Travel agent",
        version=__version__,
        description="Plans trips over AG-UI (`POST /copilotkit`) plus a REST API for trips.",
        lifespan=lifespan,
    )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        if (answer := not_json(exc)) is not None:
            return answer
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'] if p != 'body') or 'body'}: {e['msg']}"
            for e in exc.errors()[:5]
        )
        return JSONResponse({"detail": f"Invalid request: {problems}."}, status_code=422)

    app.add_exception_handler(StarletteHTTPException, http_error)
    base_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:  # first call: add the AG-UI body's models once
            base_openapi()["components"]["schemas"].update(run_input_components())
        return app.openapi_schema or {}

    app.openapi = openapi  # type: ignore[method-assign]
    # FastAPI's body limit; its 413 gets the kit's sentence in http_error.
    include_limited(
        app,
        settings.max_body_bytes,
        (
            agui.router,
            trips_api.router,
            trip_edits_api.router,
            trip_edits_api.search_router,
            day_edits_api.router,
            itinerary_api.router,
            itinerary_api.public,
            conversations_api.router,
            health.router,
        ),
    )
    token = settings.agent_api_token.get_secret_value() if settings.agent_api_token else None
    app.add_middleware(ServiceMiddleware, api_token=token)
    add_request_ids(app)
    return app
