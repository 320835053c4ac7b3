"""Health and metrics: `/healthz` (alive), `/readyz` (an agent answers), `/metrics`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from .context import AppContext, get_ctx

router = APIRouter()


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    responses={
        503: {
            "description": "No planner (agent service) answers right now",
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
)
async def readyz(ctx: AppContext = Depends(get_ctx)) -> JSONResponse:
    agent = await ctx.agent.ready()
    if agent is None:
        return JSONResponse(
            {"status": "unavailable", "detail": "No planner (agent service) answers right now."},
            status_code=503,
            headers={"Cache-Control": "no-store"},
        )
    body: dict[str, Any] = {
        "status": "ready",
        "llm_provider": agent.get("llm_provider"),
        "places_provider": agent.get("places_provider"),
        "routing_provider": agent.get("routing_provider"),
        "agent": agent,
    }
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"description": "Prometheus text format", "content": {"text/plain": {}}}},
)
async def metrics(ctx: AppContext = Depends(get_ctx)) -> Response:
    return Response(generate_latest(ctx.metrics.registry), media_type=CONTENT_TYPE_LATEST)
