"""Health endpoints for probes and Prometheus."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, Field

from .itinerary_api import get_itinerary
from .runtime import get_runtime

router = APIRouter(tags=["health"])


class Readiness(BaseModel):
    status: Literal["ready", "unavailable"]
    checkpointer: str
    llm_provider: str
    places_provider: str
    routing_provider: str
    reason: Literal["shutting down", "storage unreachable"] | None = None
    storage_down_since: datetime | None = Field(
        default=None,
        description="Since when PostgreSQL is known to be down; requests are refused at once "
        "until it answers again.",
    )


@router.get("/healthz", summary="The process is alive")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Ready to serve: storage reachable, not shutting down",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "Not ready (see reason)"}},
)
async def readyz(request: Request) -> JSONResponse:
    runtime = get_runtime(request)
    body: dict[str, Any] = {
        "status": "ready",
        "checkpointer": runtime.persistence.kind,
        "llm_provider": runtime.llm_provider,
        "places_provider": runtime.places_provider,
        "routing_provider": get_itinerary(request).routes.provider.name,
        "storage_down_since": None,
    }
    if runtime.draining:
        return JSONResponse({**body, "status": "unavailable", "reason": "shutting down"}, 503)
    if not await runtime.persistence.ping():
        down_since = runtime.persistence.down_since
        return JSONResponse(
            {
                **body,
                "status": "unavailable",
                "reason": "storage unreachable",
                "storage_down_since": down_since.isoformat() if down_since else None,
            },
            503,
        )
    return JSONResponse(body)


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST.split(";")[0]: {}}}},
)
async def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
