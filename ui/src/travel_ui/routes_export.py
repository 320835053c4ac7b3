"""A trip out of the app, from the trip card: its files (GeoJSON, GPX, iCalendar, KML,
Markdown) as downloads (the days' routes are routes_days.py's). The agent renders them;
the ui passes them on for the thread in the cookie."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Response

from . import agent_rest
from .api_contract import problems
from .context import AppContext, get_ctx
from .forward import agent_path
from .guards import thread_id

router = APIRouter(prefix="/api")

TripId = Annotated[str, Path(min_length=1, max_length=128)]
Format = Literal["geojson", "gpx", "ics", "kml", "md"]

#: The agent's media types (docs/agent-api.md), for the schema.
MEDIA_TYPES: dict[str, dict[str, Any]] = {
    "application/geo+json": {},
    "application/gpx+xml": {},
    "text/calendar": {},
    "application/vnd.google-earth.kml+xml": {},
    "text/markdown": {},
}


@router.get(
    "/trips/{trip_id}/export",
    responses={
        200: {"description": "The trip as a file, an attachment", "content": MEDIA_TYPES},
        **problems(401, 404, 422, 503),
    },
)
async def export_trip(
    trip_id: TripId,
    format: Annotated[Format, Query(description="geojson, gpx, ics, kml or md")] = "geojson",
    ctx: AppContext = Depends(get_ctx),
    thread: str = Depends(thread_id),
) -> Response:
    """The agent's export of a trip, passed on as it came (type and file name included)."""
    path = agent_path("threads", thread, "trips", trip_id, "export") + f"?format={format}"
    answer = await agent_rest.call_raw(ctx.agent, ctx.metrics, "GET", path)
    headers = {"Cache-Control": "no-store"}
    if disposition := answer.headers.get("content-disposition"):
        headers["Content-Disposition"] = disposition
    return Response(
        answer.content,
        media_type=answer.headers.get("content-type", "application/octet-stream"),
        headers=headers,
    )
