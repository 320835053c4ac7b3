"""The page: rendered on the server with the thread's trips, history and the agent's mode.

When the agent is down the page still renders (no trips, a banner saying so), and its
script reconnects by itself.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urlsplit

import nh3
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse

from . import agent_rest, basemap
from .context import AppContext, get_ctx
from .logging_setup import thread_id_var
from .session import COOKIE_NAME, new_thread_id, new_traveller_id

router = APIRouter()
log = logging.getLogger(__name__)


async def _or_none(call: Any) -> Any:
    try:
        return await call
    except HTTPException as exc:
        log.info("page rendered without agent data", extra={"status": exc.status_code})
        return None


@router.get("/", response_class=HTMLResponse)
async def index(request: Request, ctx: AppContext = Depends(get_ctx)) -> HTMLResponse:
    thread, traveller = ctx.sessions.session_from_cookie(request.cookies.get(COOKIE_NAME)) or (
        new_thread_id(),
        None,
    )
    traveller = traveller or new_traveller_id()
    thread_id_var.set(thread)

    state, history, ready, _ = await asyncio.gather(
        _or_none(agent_rest.call(ctx.agent, ctx.metrics, "GET", f"/threads/{thread}/trips")),
        _or_none(agent_rest.call(ctx.agent, ctx.metrics, "GET", f"/threads/{thread}/history")),
        ctx.agent.ready(),
        _or_none(agent_rest.record_conversation(ctx.agent, ctx.metrics, traveller, thread)),
    )
    available = state is not None
    boot = {
        "state": agent_rest.public_state(state[1]) if state else None,
        "history": agent_rest.rendered_history(history[1]) if history else [],
        "agent": {
            "available": available,
            "llm_provider": (ready or {}).get("llm_provider"),
            "places_provider": (ready or {}).get("places_provider"),
        },
        "tiles": page_tiles(ctx),
    }
    response = ctx.templates.TemplateResponse(
        request,
        "index.html",
        {
            "boot": boot,
            "available": available,
            "csrf_token": ctx.sessions.csrf_token(thread),
            "v": ctx.asset_version,
            "modules": ctx.script_modules,
        },
        headers={"Cache-Control": "no-store"},
    )
    # Refreshing the cookie on every visit keeps an active conversation from expiring.
    ctx.sessions.set_thread_cookie(response, thread, traveller)
    return response


def page_tiles(ctx: AppContext) -> dict[str, Any]:
    """The map's tile layers for a page's scripts: street tiles from TILE_URL over the
    built-in world map (also the shared trip's page)."""
    return {
        "url": ctx.settings.tile_url,
        # Leaflet shows attribution as HTML; it is an operator setting, sanitised anyway.
        "attribution": nh3.clean(ctx.settings.tile_attribution, tags={"a"}),
        "host": urlsplit(ctx.settings.tile_url).hostname or "",
        # The built-in world map under it, served by the ui (None if not installed).
        "basemap": {
            "url": f"/static/{ctx.asset_version}/tiles/{{z}}/{{x}}/{{y}}.png",
            "attribution": basemap.ATTRIBUTION,
            "max_zoom": basemap.MAX_ZOOM,
        }
        if ctx.basemap
        else None,
    }
