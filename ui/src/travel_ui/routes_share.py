"""Shared trips: the read-only page a share link opens (`/s/{token}`: the map and the
days, no chat), copying a shared trip into one's own trips, and making or turning off a
link for a trip of one's own conversation. The agent keeps the share records."""

from __future__ import annotations

import logging
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Path, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse

from . import agent_rest
from .agent_client import AgentUnavailable
from .api_contract import Problem, problems
from .context import AppContext, get_ctx
from .forward import ChangingAgent
from .guards import thread_id
from .routes_pages import page_tiles
from .session import COOKIE_NAME, new_thread_id, new_traveller_id

router = APIRouter()
log = logging.getLogger(__name__)

Token = Annotated[str, Path(min_length=1, max_length=300, pattern=r"^[A-Za-z0-9_.-]+$")]
TripId = Annotated[str, Path(min_length=1, max_length=128)]
ShareId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]

#: Refusals passed on from the agent that the ui's shared list does not name.
_BAD_GATEWAY: dict[int | str, dict[str, Any]] = {
    502: {"model": Problem, "description": "The link expired or was turned off (the sentence says)"}
}
_HTML: dict[str, Any] = {"content": {"text/html": {}}}
# The page's own answers are HTML; the refusals before it (invalid token, rate limit) JSON.
_JSON_PROBLEM = {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
PAGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **{code: {**answer, "content": _JSON_PROBLEM} for code, answer in problems(422).items()},
    200: {"description": "The shared trip's page", **_HTML},
    404: {"description": "No such share link (a page saying so)", **_HTML},
    410: {"description": "The link expired, was turned off, or its trip deleted", **_HTML},
    502: {"description": "The planner refused the link for another reason", **_HTML},
    503: {"description": "No planner (agent service) could answer", **_HTML},
}

GONE_TEXT = {
    404: "There is no such share link. Check that it was copied whole.",
    503: agent_rest.UNAVAILABLE,
}


async def _shared(ctx: AppContext, token: str) -> tuple[int, Any]:
    """(status, body) of the agent's answer for a share token; 503 when it is down."""
    try:
        response = await ctx.agent.request("GET", f"/shares/{quote(token, safe='')}")
    except AgentUnavailable:
        ctx.metrics.agent_unavailable.inc()
        return 503, None
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code >= 500 or response.status_code == 401:
        log.warning("agent error on a share", extra={"status": response.status_code})
        return 503, None
    return response.status_code, body


def _km(metres: int) -> str:
    return f"{metres / 1000:.1f} km"


def _days_view(body: dict[str, Any]) -> list[dict[str, Any]]:
    trip, routes = body["trip"], body["routes"]
    places = {p["id"]: p for p in trip["places"]}
    out = []
    for day, route in zip(trip["days"], routes["days"], strict=False):
        minutes = round(route["duration_s"] / 60)
        totals = (
            f"{_km(route['distance_m'])}, about {minutes} min {routes['profile']}"
            + (" (estimate)" if route["estimate"] else "")
            if route["legs"]
            else ""
        )
        out.append(
            {
                "number": route["day"],
                "date": day.get("date"),
                "title": day.get("title") or "",
                "places": [places[i] for i in day["place_ids"] if i in places],
                "totals": totals,
                "link": route.get("google_maps_url"),
            }
        )
    return out


@router.get("/s/{token}", response_class=HTMLResponse, responses=PAGE_RESPONSES)
async def share_page(
    request: Request, token: Token, ctx: AppContext = Depends(get_ctx)
) -> HTMLResponse:
    status, body = await _shared(ctx, token)
    thread, traveller = ctx.sessions.session_from_cookie(request.cookies.get(COOKIE_NAME)) or (
        new_thread_id(),
        None,
    )
    traveller = traveller or new_traveller_id()
    ok = status == 200 and isinstance(body, dict)
    problem = None
    if not ok:
        detail = body.get("detail") if isinstance(body, dict) else None
        problem = GONE_TEXT.get(status) or (detail if isinstance(detail, str) else None)
        problem = problem or "This share link cannot be opened."
    unscheduled: list[dict[str, Any]] = []
    if ok:
        ids = set(body["routes"]["unscheduled_place_ids"])
        unscheduled = [p for p in body["trip"]["places"] if p["id"] in ids]
    response = ctx.templates.TemplateResponse(
        request,
        "share.html",
        {
            "v": ctx.asset_version,
            "problem": problem,
            "trip": body["trip"] if ok else None,
            "days": _days_view(body) if ok else [],
            "unscheduled": unscheduled,
            "token": token,
            "csrf_token": ctx.sessions.csrf_token(thread),
            "boot": {
                "trip": body["trip"] if ok else None,
                "routes": body["routes"] if ok else None,
                "token": token,
                "tiles": page_tiles(ctx),
            },
        },
        status_code=200 if ok else (status if status in (404, 410, 503) else 502),
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )
    # Copying needs a conversation of one's own: a first visit gets one, as on "/".
    ctx.sessions.set_thread_cookie(response, thread, traveller)
    return response


@router.post(
    "/api/shared/{token}/copy",
    status_code=201,
    responses={**problems(401, 403, 404, 409, 413, 422, 503), **_BAD_GATEWAY},
)
async def copy_shared(token: Token, agent: ChangingAgent) -> JSONResponse:
    trip = await agent.forward("POST", "trips", "copy-from-share", json={"token": token})
    return JSONResponse({"trip_id": trip.get("id") if isinstance(trip, dict) else None}, 201)


@router.post(
    "/api/trips/{trip_id}/shares",
    status_code=201,
    responses={**problems(401, 403, 404, 409, 413, 422, 503), **_BAD_GATEWAY},
)
async def create_share(trip_id: TripId, agent: ChangingAgent) -> JSONResponse:
    share = await agent.forward("POST", "trips", trip_id, "shares")
    if not isinstance(share, dict) or not isinstance(share.get("token"), str):
        raise HTTPException(502, "The planner could not make a share link. Please try again.")
    return JSONResponse(
        {
            "share_id": share["share_id"],
            "path": f"/s/{share['token']}",
            "expires_at": share["expires_at"],
        },
        201,
    )


@router.get("/api/trips/{trip_id}/shares", responses=problems(401, 404, 422, 503))
async def list_shares(
    trip_id: TripId, ctx: AppContext = Depends(get_ctx), thread: str = Depends(thread_id)
) -> dict[str, Any]:
    """The trip's links, newest first: when each was made and expires, whether it still
    opens (the agent never lists tokens)."""
    _, body = await agent_rest.call(
        ctx.agent,
        ctx.metrics,
        "GET",
        f"/threads/{thread}/trips/{agent_rest.segment(trip_id)}/shares",
    )
    shares = body.get("shares") if isinstance(body, dict) else None
    fields = ("share_id", "created_at", "expires_at", "revoked", "expired")
    listed = [{k: s.get(k) for k in fields} for s in shares or [] if isinstance(s, dict)]
    listed.sort(key=lambda s: str(s["created_at"]), reverse=True)
    return {"shares": listed}


@router.delete(
    "/api/trips/{trip_id}/shares/{share_id}",
    status_code=204,
    responses={**problems(401, 403, 404, 409, 413, 422, 503), **_BAD_GATEWAY},
)
async def revoke_share(trip_id: TripId, share_id: ShareId, agent: ChangingAgent) -> Response:
    await agent.forward("DELETE", "trips", trip_id, "shares", share_id)
    return Response(status_code=204)
