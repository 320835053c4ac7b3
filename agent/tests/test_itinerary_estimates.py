"""The times and distances a day's route gets without a routing service, and when the
service is too slow: great-circle distance times the detour factor, at the profile's
speed, labelled as estimates (issue 11, "Distances and times")."""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import respx
from test_itinerary_routing import _planned as planned

from travel_agent.geo import distance_km
from travel_agent.itinerary.routes import ESTIMATE_NOTE
from travel_agent.itinerary.routing.offline import SPEED_KMH

from agent_kit import make_settings

OSRM_URL = "http://osrm.test"


def planned_rome(tmp_path: Path, **settings: Any) -> Any:
    """A stored 3-day Rome trip, approved in full (its first day is the one checked)."""
    return planned(tmp_path, make_settings(tmp_path, **settings))


def expected_legs(trip: dict[str, Any], detour: float, profile: str) -> list[tuple[int, int]]:
    """(metres, seconds) per leg of the first day, as the estimate is documented."""
    by_id = {p["id"]: p for p in trip["places"]}
    points = [(by_id[i]["latitude"], by_id[i]["longitude"]) for i in trip["days"][0]["place_ids"]]
    legs = []
    for a, b in pairwise(points):
        km = distance_km(*a, *b) * detour
        legs.append((round(km * 1000), round(km / SPEED_KMH[profile] * 3600)))
    return legs


def legs_of(data: dict[str, Any]) -> list[tuple[int, int]]:
    return [(leg["distance_m"], leg["duration_s"]) for leg in data["days"][0]["legs"]]


async def test_estimates_use_the_detour_factor_and_the_walking_pace(tmp_path: Path) -> None:
    async with planned_rome(tmp_path / "default") as (client, thread, trip):
        data = (await client.http.get(f"/threads/{thread}/trips/rome/routes")).json()
    assert legs_of(data) == expected_legs(trip, 1.3, "walking")  # the documented default
    day = data["days"][0]
    assert day["estimate"] is True and day["provider"] == "offline"
    assert day["note"] == ESTIMATE_NOTE
    assert day["distance_m"] == sum(m for m, _ in legs_of(data)) > 0
    assert data["profile"] == "walking" and data["estimate"] is True

    # ROUTING_DETOUR_FACTOR and ROUTING_PROFILE=driving change the figures, not the label.
    async with planned_rome(
        tmp_path / "driving", routing_detour_factor=1.6, routing_profile="driving"
    ) as (client, thread, trip):
        data = (await client.http.get(f"/threads/{thread}/trips/rome/routes")).json()
    assert legs_of(data) == expected_legs(trip, 1.6, "driving")
    assert data["days"][0]["estimate"] is True and data["profile"] == "driving"
    link = parse_qs(urlparse(data["days"][0]["google_maps_url"]).query)
    assert link["travelmode"] == ["driving"]


async def test_a_routing_service_that_times_out_falls_back_to_estimates(tmp_path: Path) -> None:
    settings = {"routing_provider": "osrm", "routing_url": OSRM_URL, "routing_max_retries": 1}
    async with planned_rome(tmp_path, **settings) as (client, thread, trip):
        with respx.mock(assert_all_called=True) as osrm:
            slow = osrm.get(url__regex=rf"^{re.escape(OSRM_URL)}/route/v1/foot/").mock(
                side_effect=httpx.ReadTimeout("read timed out")
            )
            r = await client.http.get(f"/threads/{thread}/trips/rome/routes")
        assert slow.call_count == 3 * 2  # per day: the request and its one retry
    assert r.status_code == 200
    day = r.json()["days"][0]
    assert day["estimate"] is True and day["provider"] == "offline"
    assert day["note"] == (
        "The routing service is unavailable (the service did not answer in time); "
        "times are estimates."
    )
    assert legs_of(r.json()) == expected_legs(trip, 1.3, "walking")


async def test_driving_asks_osrm_for_its_driving_profile(tmp_path: Path) -> None:
    settings = {
        "routing_provider": "osrm",
        "routing_url": OSRM_URL,
        "routing_profile": "driving",
    }
    async with planned_rome(tmp_path, **settings) as (client, thread, _):
        with respx.mock() as osrm:
            driving = osrm.get(url__regex=rf"^{re.escape(OSRM_URL)}/route/v1/driving/").mock(
                return_value=httpx.Response(400, json={"code": "NoRoute", "message": "none"})
            )
            r = await client.http.get(f"/threads/{thread}/trips/rome/routes")
        assert driving.call_count == 3  # one request per day
    assert r.json()["profile"] == "driving"
    assert "found no route" in r.json()["days"][0]["note"]
