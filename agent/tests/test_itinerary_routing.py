"""Routes from OSRM and the Google Routes API, faked at the HTTP boundary with answers
shaped like their documented ones; and the honest fallback to estimates."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from langchain_core.messages import AIMessage
from pydantic import SecretStr

from travel_agent.geo import distance_km
from travel_agent.itinerary.routing.factory import build_routing_provider
from travel_agent.settings import Settings

from agent_kit import AgentClient, make_settings, new_thread
from itinerary_kit import rome_places, rome_trip, scripted_client, trip_of
from scripted import call

OSRM_URL = "http://osrm.test"
GOOGLE_ROUTES = "https://routes.googleapis.com/directions/v2:computeRoutes"
KEY = "AIzaSy-routes-test-key-0000000000000"


def _midpoint_line(points: list[tuple[float, float]]) -> list[list[float]]:
    """A street-like line: each leg bends through a point off the straight line."""
    line: list[list[float]] = []
    for (lon1, lat1), (lon2, lat2) in pairwise(points):
        line += [[lon1, lat1], [(lon1 + lon2) / 2 + 0.0005, (lat1 + lat2) / 2]]
    line.append(list(points[-1]))
    return line


def osrm_answer(request: httpx.Request) -> httpx.Response:
    """As OSRM's route service answers (code, routes[].legs[], geometry, waypoints)."""
    coords = request.url.path.split("/", 4)[4]
    points = [tuple(float(x) for x in c.split(",")) for c in coords.split(";")]
    legs = []
    for (lon1, lat1), (lon2, lat2) in pairwise(points):
        metres = distance_km(lat1, lon1, lat2, lon2) * 1000 * 1.21
        legs.append(
            {
                "steps": [],
                "summary": "",
                "weight": metres / 1.2,
                "duration": metres / 1.2,
                "distance": metres,
            }
        )
    route = {
        "geometry": {"type": "LineString", "coordinates": _midpoint_line(points)},
        "legs": legs,
        "weight_name": "duration",
        "weight": sum(leg["weight"] for leg in legs),
        "duration": sum(leg["duration"] for leg in legs),
        "distance": sum(leg["distance"] for leg in legs),
    }
    waypoints = [
        {"hint": "AAAA", "distance": 1.5, "name": "Via del Corso", "location": list(p)}
        for p in points
    ]
    return httpx.Response(200, json={"code": "Ok", "routes": [route], "waypoints": waypoints})


def google_answer(request: httpx.Request) -> httpx.Response:
    """As computeRoutes answers with the field mask we send (legs, polyline as GeoJSON)."""
    body = json.loads(request.content)
    stops = [body["origin"], *body["intermediates"], body["destination"]]
    points = [
        (s["location"]["latLng"]["longitude"], s["location"]["latLng"]["latitude"]) for s in stops
    ]
    legs = []
    for (lon1, lat1), (lon2, lat2) in pairwise(points):
        metres = round(distance_km(lat1, lon1, lat2, lon2) * 1000 * 1.17)
        legs.append({"distanceMeters": metres, "duration": f"{round(metres / 1.3)}s"})
    route = {
        "legs": legs,
        "distanceMeters": sum(leg["distanceMeters"] for leg in legs),
        "duration": f"{sum(int(leg['duration'][:-1]) for leg in legs)}s",
        "polyline": {
            "geoJsonLinestring": {"type": "LineString", "coordinates": _midpoint_line(points)}
        },
    }
    return httpx.Response(200, json={"routes": [route]})


@pytest.fixture
async def planned_osrm(tmp_path: Path) -> AsyncIterator[tuple[AgentClient, str, dict[str, Any]]]:
    settings = make_settings(
        tmp_path, routing_provider="osrm", routing_url=OSRM_URL, routing_max_retries=1
    )
    async with _planned(tmp_path, settings) as planned:
        yield planned


def _planned(tmp_path: Path, settings: Settings) -> Any:
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def go() -> AsyncIterator[tuple[AgentClient, str, dict[str, Any]]]:
        async with scripted_client(tmp_path, settings) as (model, client):
            model.script[:] = [
                call("add_trips", {"trips": [rome_trip(await rome_places(9))], "day_count": 3}, 1),
                AIMessage(content="ok"),
            ]
            thread = new_thread()
            await client.run(thread, "Plan a 3-day trip to Rome")
            await client.approve(thread)
            yield client, thread, trip_of(await client.trips(thread), "rome")

    return go()


async def test_osrm_routes(planned_osrm: tuple[AgentClient, str, dict[str, Any]]) -> None:
    client, thread, trip = planned_osrm
    with respx.mock(assert_all_called=True) as osrm:
        route = osrm.get(url__regex=rf"^{re.escape(OSRM_URL)}/route/v1/foot/").mock(
            side_effect=osrm_answer
        )
        r = await client.http.get(f"/threads/{thread}/trips/rome/routes")
        assert r.status_code == 200
        data = r.json()
        assert route.call_count == 3
        sent = route.calls[0].request.url
        assert sent.params["overview"] == "full" and sent.params["geometries"] == "geojson"
        # A second read of the same days is answered from the cache.
        await client.http.get(f"/threads/{thread}/trips/rome/routes")
        assert route.call_count == 3
    by_id = {p["id"]: p for p in trip["places"]}
    for day, got in zip(trip["days"], data["days"], strict=True):
        assert got["estimate"] is False and got["provider"] == "osrm" and got["note"] is None
        pts = [(by_id[i]["latitude"], by_id[i]["longitude"]) for i in day["place_ids"]]
        expected = [round(distance_km(*a, *b) * 1000 * 1.21) for a, b in pairwise(pts)]
        assert [leg["distance_m"] for leg in got["legs"]] == expected
        assert len(got["geometry"]["coordinates"]) == 2 * len(pts) - 1
    assert data["estimate"] is False


async def test_osrm_down_falls_back_to_labelled_estimates(
    planned_osrm: tuple[AgentClient, str, dict[str, Any]],
) -> None:
    client, thread, _ = planned_osrm
    with respx.mock(assert_all_called=True) as osrm:
        down = osrm.get(url__regex=rf"^{re.escape(OSRM_URL)}/").mock(
            return_value=httpx.Response(503, text="Service Unavailable")
        )
        r = await client.http.get(f"/threads/{thread}/trips/rome/routes")
        assert down.call_count == 3 * 2  # one retry per day
    data = r.json()
    assert r.status_code == 200 and data["estimate"] is True
    for day in data["days"]:
        assert day["estimate"] is True and day["provider"] == "offline"
        assert day["note"] == (
            "The routing service is unavailable (the routing service answered 503); "
            "times are estimates."
        )
        assert day["distance_m"] > 0
    # The exports still work, with the estimates.
    with respx.mock() as osrm:
        osrm.get(url__regex=rf"^{re.escape(OSRM_URL)}/").mock(
            side_effect=httpx.ConnectError("refused")
        )
        r = await client.http.get(
            f"/threads/{thread}/trips/rome/export", params={"format": "geojson"}
        )
    assert r.status_code == 200
    lines = [f for f in r.json()["features"] if f["geometry"]["type"] == "LineString"]
    assert len(lines) == 3 and all(f["properties"]["estimate"] for f in lines)


async def test_osrm_no_route_is_said_plainly(
    planned_osrm: tuple[AgentClient, str, dict[str, Any]],
) -> None:
    client, thread, _ = planned_osrm
    with respx.mock() as osrm:
        osrm.get(url__regex=rf"^{re.escape(OSRM_URL)}/").mock(
            return_value=httpx.Response(
                400, json={"code": "NoRoute", "message": "Impossible route between points"}
            )
        )
        r = await client.http.get(f"/threads/{thread}/trips/rome/routes")
    assert "found no route" in r.json()["days"][0]["note"]


async def test_google_routes(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path, routing_provider="google", google_maps_api_key=SecretStr(KEY)
    )
    async with _planned(tmp_path, settings) as (client, thread, trip):
        with respx.mock(assert_all_called=True) as google:
            compute = google.post(GOOGLE_ROUTES).mock(side_effect=google_answer)
            r = await client.http.get(f"/threads/{thread}/trips/rome/routes")
        sent = compute.calls[0].request
        assert sent.headers["X-Goog-Api-Key"] == KEY
        mask = sent.headers["X-Goog-FieldMask"].split(",")
        assert "routes.legs.duration" in mask and "routes.polyline.geoJsonLinestring" in mask
        body = json.loads(sent.content)
        assert body["travelMode"] == "WALK" and body["polylineEncoding"] == "GEO_JSON_LINESTRING"
        data = r.json()
        assert KEY not in r.text
        by_id = {p["id"]: p for p in trip["places"]}
        for day, got in zip(trip["days"], data["days"], strict=True):
            assert got["provider"] == "google" and got["estimate"] is False
            pts = [(by_id[i]["latitude"], by_id[i]["longitude"]) for i in day["place_ids"]]
            metres = [round(distance_km(*a, *b) * 1000 * 1.17) for a, b in pairwise(pts)]
            assert [leg["distance_m"] for leg in got["legs"]] == metres
            assert [leg["duration_s"] for leg in got["legs"]] == [round(m / 1.3) for m in metres]

        with respx.mock() as google:
            google.post(GOOGLE_ROUTES).mock(
                return_value=httpx.Response(
                    403,
                    json={
                        "error": {
                            "code": 403,
                            "message": "The caller does not have permission",
                            "status": "PERMISSION_DENIED",
                        }
                    },
                )
            )
            # A new arrangement of the days, so the cache has nothing for it.
            day = trip["days"][0]["place_ids"]
            r = await client.http.delete(f"/threads/{thread}/trips/rome/places/{day[0]}")
            r = await client.http.get(f"/threads/{thread}/trips/rome/routes")
        assert r.json()["days"][0]["note"] == (
            "The routing service is unavailable (the routing service rejected the API key); "
            "times are estimates."
        )


def test_auto_picks_the_provider(tmp_path: Path) -> None:
    assert build_routing_provider(make_settings(tmp_path)).name == "offline"
    assert build_routing_provider(make_settings(tmp_path, routing_url=OSRM_URL)).name == "osrm"
    keyed = make_settings(tmp_path, google_maps_api_key=SecretStr(KEY))
    assert build_routing_provider(keyed).name == "google"
    with pytest.raises(ValueError, match="ROUTING_URL"):
        build_routing_provider(make_settings(tmp_path, routing_provider="osrm"))
