"""Where itinerary requests enter: a trip's routes, its exports, and share links.

Reading a shared trip needs no thread id (the token names one trip and leaks nothing
else); copying a shared trip into one's own trips is a manual edit of one's own thread."""

from __future__ import annotations

import datetime
import logging
import re
import uuid
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field

from . import errors
from .api_contract import Problem, problem_responses
from .itinerary.exports import FORMATS
from .itinerary.routes import RouteService, TripRoutes
from .itinerary.share_store import ShareRecord
from .itinerary.sharing import ShareGone, ShareNotFound, Shares
from .models import Trip
from .runtime import Runtime, get_runtime
from .trip_editing import Thread, get_thread, thread_path, thread_trip, trips_of

log = logging.getLogger(__name__)
T = TypeVar("T")

GONE: dict[int | str, dict[str, Any]] = {
    410: {"model": Problem, "description": "The share link expired or was turned off"}
}

router = APIRouter(
    prefix="/threads/{thread_id}",
    tags=["itinerary"],
    responses=problem_responses(400, 401, 404, 409, 413, 422, 503),
)
public = APIRouter(tags=["itinerary"], responses={**problem_responses(401, 404, 503), **GONE})


@dataclass
class Itinerary:
    """What the itinerary routes need, built at start-up (see app.py)."""

    routes: RouteService
    shares: Shares


def get_itinerary(request: Request) -> Itinerary:
    itinerary: Itinerary = request.app.state.itinerary
    return itinerary


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", text)[:64]


@router.get(
    "/trips/{trip_id}/routes",
    response_model=TripRoutes,
    summary="A trip's days as routes: legs, totals, lines, directions links",
)
async def get_routes(
    trip: Trip = Depends(thread_trip), itinerary: Itinerary = Depends(get_itinerary)
) -> TripRoutes:
    return await itinerary.routes.trip_routes(trip)


ExportFormat = Annotated[
    Literal["geojson", "gpx", "ics", "kml", "md"],
    Query(description="geojson, gpx, ics, kml or md", examples=["geojson"]),
]


@router.get(
    "/trips/{trip_id}/export",
    summary="Export a trip (GeoJSON, GPX, iCalendar, KML or Markdown)",
    responses={
        200: {
            "content": {f.media_type.split(";")[0]: {} for f in FORMATS.values()},
            "description": "The file, as an attachment",
        }
    },
)
async def export_trip(
    format: ExportFormat = "geojson",
    trip: Trip = Depends(thread_trip),
    itinerary: Itinerary = Depends(get_itinerary),
) -> Response:
    kind = FORMATS[format]  # the query's type admits only known formats (else 422)
    if refusal := kind.refusal(trip):
        raise HTTPException(status_code=422, detail=refusal)
    routes = await itinerary.routes.trip_routes(trip)
    return Response(
        content=kind.render(trip, routes),
        media_type=kind.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="trip-{_safe(trip.id)}.{kind.extension}"'
        },
    )


class ShareView(BaseModel):
    share_id: str
    trip_id: str
    token: str | None = Field(description="Only in the answer that creates the share")
    created_at: datetime.datetime
    expires_at: datetime.datetime
    revoked: bool
    expired: bool


class ShareList(BaseModel):
    shares: list[ShareView]


def _when(ts: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(ts, datetime.UTC)


def _share_view(record: ShareRecord, token: str | None = None) -> ShareView:
    return ShareView(
        share_id=record.id,
        trip_id=record.trip_id,
        token=token,
        created_at=_when(record.created_at),
        expires_at=_when(record.expires_at),
        revoked=record.revoked_at is not None,
        expired=record.expired,
    )


def _storage_error(exc: Exception) -> HTTPException:
    log.exception("share storage failed", exc_info=exc)
    return HTTPException(status_code=503, detail=errors.STORAGE_UNAVAILABLE)


async def _stored(call: Awaitable[T]) -> T:
    """What the share store answers, or a 503 with one sentence."""
    try:
        return await call
    except Exception as exc:
        raise _storage_error(exc) from exc


@dataclass(frozen=True)
class TripShares:
    """One trip's share links: the path's thread and trip, and the share service."""

    shares: Shares
    thread_id: str
    trip_id: str


def trip_shares(
    trip_id: str,
    thread_id: str = Depends(thread_path),
    itinerary: Itinerary = Depends(get_itinerary),
) -> TripShares:
    return TripShares(itinerary.shares, thread_id, trip_id)


@router.post(
    "/trips/{trip_id}/shares",
    response_model=ShareView,
    status_code=201,
    summary="Create a read-only, expiring share link to a trip",
)
async def create_share(
    trip: Trip = Depends(thread_trip),  # 404 for a trip that is not there
    links: TripShares = Depends(trip_shares),
) -> ShareView:
    record, token = await _stored(links.shares.create(links.thread_id, trip.id))
    return _share_view(record, token)


@router.get("/trips/{trip_id}/shares", response_model=ShareList, summary="A trip's share links")
async def list_shares(links: TripShares = Depends(trip_shares)) -> ShareList:
    store = links.shares.store
    records = await _stored(store.for_trip(links.thread_id, links.trip_id))
    return ShareList(shares=[_share_view(r) for r in records])


@router.delete(
    "/trips/{trip_id}/shares/{share_id}", status_code=204, summary="Turn a share link off"
)
async def revoke_share(share_id: str, links: TripShares = Depends(trip_shares)) -> Response:
    store = links.shares.store
    if not await _stored(store.revoke(links.thread_id, links.trip_id, share_id)):
        raise HTTPException(status_code=404, detail="There is no such share link for this trip.")
    return Response(status_code=204)


class SharedTrip(BaseModel):
    trip: Trip
    routes: TripRoutes
    expires_at: datetime.datetime


async def _shared_trip(
    token: str, runtime: Runtime, itinerary: Itinerary
) -> tuple[Trip, ShareRecord]:
    try:
        record = await itinerary.shares.resolve(token)
    except ShareNotFound as exc:
        raise HTTPException(status_code=404, detail="There is no such share link.") from exc
    except ShareGone as exc:
        raise HTTPException(status_code=410, detail=str(exc)) from exc
    except Exception as exc:
        raise _storage_error(exc) from exc
    snapshot = await Thread(runtime, record.thread_id).read()
    trip = next((t for t in trips_of(snapshot) if t.id == record.trip_id), None)
    if trip is None:
        raise HTTPException(status_code=410, detail="The shared trip was deleted by its owner.")
    return trip, record


@public.get(
    "/shares/{token}",
    response_model=SharedTrip,
    summary="A shared trip, read-only (with its days and routes)",
)
async def read_share(
    token: str,
    runtime: Runtime = Depends(get_runtime),
    itinerary: Itinerary = Depends(get_itinerary),
) -> SharedTrip:
    trip, record = await _shared_trip(token, runtime, itinerary)
    routes = await itinerary.routes.trip_routes(trip)
    return SharedTrip(trip=trip, routes=routes, expires_at=_when(record.expires_at))


class CopyFromShare(BaseModel):
    token: str = Field(min_length=1, max_length=512)


@router.post(
    "/trips/copy-from-share",
    response_model=Trip,
    status_code=201,
    summary="Copy a shared trip into this conversation's trips",
    responses=GONE,
)
async def copy_from_share(
    body: CopyFromShare,
    thread: Thread = Depends(get_thread),
    itinerary: Itinerary = Depends(get_itinerary),
) -> Trip:
    shared, _ = await _shared_trip(body.token, thread.runtime, itinerary)
    # A new id: the copy is the person's own trip, apart from the original.
    return await thread.add_trip(
        lambda: shared.model_copy(update={"id": f"copy-{uuid.uuid4().hex[:12]}"})
    )
