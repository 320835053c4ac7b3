"""OpenStreetMap provider against HTTP-level fakes shaped like Nominatim's `jsonv2` answers,
Overpass JSON, and Overpass's 429/504 HTML pages. Time is a fake clock: no test waits."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from travel_agent.places.http import HostRateLimiter
from travel_agent.places.osm import OpenStreetMapProvider

from agent_kit import assert_timeouts_told

NOMINATIM = "https://nominatim.openstreetmap.org"
SEARCH = f"{NOMINATIM}/search"
OVERPASS = "https://overpass-api.de/api/interpreter"
CONTACT = "travel-ops@test.example"

# Places as Nominatim's search documents them (format=jsonv2; data/nominatim_places.json).
SAMPLES = json.loads((Path(__file__).parent / "data" / "nominatim_places.json").read_text())
ROME, PARIS, COLOSSEUM = SAMPLES["ROME"], SAMPLES["PARIS"], SAMPLES["COLOSSEUM"]


def overpass(*elements: dict[str, Any], remark: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "version": 0.6,
        "generator": "Overpass API 0.7.62.4 2390de5a",
        "osm3s": {
            "timestamp_osm_base": "2026-11-25T18:00:00Z",
            "copyright": "The data included in this document is from www.openstreetmap.org. "
            "The data is made available under ODbL.",
        },
        "elements": list(elements),
    }
    if remark:
        body["remark"] = remark
    return body


CAPITOLINE = {
    "type": "node",
    "id": 1845306712,
    "lat": 41.8929,
    "lon": 12.4825,
    "tags": {
        "name": "Musei Capitolini",
        "name:en": "Capitoline Museums",
        "tourism": "museum",
        "wikidata": "Q237307",
        "addr:street": "Piazza del Campidoglio",
        "addr:housenumber": "1",
        "addr:postcode": "00186",
        "addr:city": "Roma",
    },
}
CAPITOLINE_BUILDING = {  # the same museum mapped again as its building
    "type": "way",
    "id": 24392110,
    "center": {"lat": 41.8934, "lon": 12.4831},
    "tags": {"name": "Musei Capitolini", "name:en": "Capitoline Museums", "tourism": "museum"},
}
BORGHESE = {
    "type": "way",
    "id": 26779473,
    "center": {"lat": 41.9142, "lon": 12.4921},
    "tags": {"name": "Galleria Borghese", "tourism": "museum", "wikidata": "Q1059456"},
}
VILLA_GIULIA = {
    "type": "relation",
    "id": 7240153,
    "center": {"lat": 41.9181, "lon": 12.4773},
    "tags": {
        "name": "Museo Nazionale Etrusco di Villa Giulia",
        "tourism": "museum",
        "wikipedia": "it:Museo nazionale etrusco di Villa Giulia",
    },
}
NAPOLEONICO = {
    "type": "node",
    "id": 2667713391,
    "lat": 41.9017,
    "lon": 12.4727,
    "tags": {"name": "Museo Napoleonico", "tourism": "museum"},
}
NAMELESS = {"type": "node", "id": 99, "lat": 41.9, "lon": 12.48, "tags": {"tourism": "museum"}}

OVERPASS_429 = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN"
    "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
<head>
  <meta http-equiv="content-type" content="text/html; charset=utf-8" lang="en"/>
  <title>OSM3S Response</title>
</head>
<body>

<p>The data included in this document is from www.openstreetmap.org. The data is made available under ODbL.</p>
<p><strong style="color:#FF0000">Error</strong>: runtime error: open64: 0 Success /osm3s_osm_base Dispatcher_Client::request_read_and_idx::rate_limited. Please check /api/status for the quota of your IP address. </p>

</body>
</html>
"""  # noqa: E501 (Overpass's page, verbatim)
OVERPASS_504 = OVERPASS_429.replace(
    "Dispatcher_Client::request_read_and_idx::rate_limited. Please check /api/status for the "
    "quota of your IP address.",
    "Dispatcher_Client::request_read_and_idx::timeout. The server is probably too busy to "
    "handle your request.",
)


class FakeClock:
    """Monotonic time that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.waits: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def osm(clock: FakeClock) -> AsyncIterator[OpenStreetMapProvider]:
    provider = OpenStreetMapProvider(
        nominatim_url=NOMINATIM,
        overpass_url=OVERPASS,
        contact=CONTACT,
        timeout_seconds=5,
        max_retries=2,
        min_interval_seconds=1.0,
        cache_ttl_seconds=3600,
        cache_max_entries=64,
        clock=clock,
        sleep=clock.sleep,
    )
    yield provider
    await provider.aclose()


def stamped(
    clock: FakeClock, stamps: list[tuple[str, float]], answer: Callable[[httpx.Request], Any]
) -> Callable[[httpx.Request], httpx.Response]:
    """A respx side effect that notes when (on the fake clock) each request went out."""

    def respond(request: httpx.Request) -> httpx.Response:
        stamps.append((request.url.host, clock.now))
        result = answer(request)
        return result if isinstance(result, httpx.Response) else httpx.Response(200, json=result)

    return respond


def overpass_ql(request: httpx.Request) -> str:
    return parse_qs(request.content.decode())["data"][0]


@respx.mock
async def test_requests_follow_the_usage_policies_and_apis(osm: OpenStreetMapProvider) -> None:
    nominatim = respx.get(SEARCH).mock(return_value=httpx.Response(200, json=[ROME]))
    interpreter = respx.post(OVERPASS).mock(
        return_value=httpx.Response(200, json=overpass(CAPITOLINE))
    )

    await osm.search("museums in Rome")

    find = nominatim.calls.last.request
    assert find.method == "GET"
    assert dict(find.url.params) == {
        "q": "Rome",
        "format": "jsonv2",
        "limit": "1",
        "accept-language": "en",
    }
    assert find.headers["User-Agent"] == f"CoAgentsTravel/0.1.0 (+{CONTACT})"

    query = interpreter.calls.last.request
    assert query.method == "POST"
    assert query.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert query.headers["User-Agent"] == f"CoAgentsTravel/0.1.0 (+{CONTACT})"
    ql = overpass_ql(query)
    assert ql.startswith("[out:json][timeout:25];\n")
    # Rome's bounding box is wider than the largest radius we search.
    assert 'nwr["tourism"="museum"]["name"]["wikidata"](around:15000,41.893320,12.482932);' in ql
    assert 'nwr["tourism"="museum"]["name"](around:2000,41.893320,12.482932);' in ql
    assert ql.count("out tags center 40;") == 2


@respx.mock
async def test_maps_ranks_and_dedupes_overpass_elements(osm: OpenStreetMapProvider) -> None:
    respx.get(SEARCH).mock(return_value=httpx.Response(200, json=[ROME]))
    respx.post(OVERPASS).mock(
        return_value=httpx.Response(
            200,
            json=overpass(
                NAPOLEONICO, VILLA_GIULIA, CAPITOLINE_BUILDING, NAMELESS, BORGHESE, CAPITOLINE
            ),
        )
    )

    result = await osm.search("museums in Rome")

    assert result.error is None and result.note is None
    # Notable places (with a Wikidata/Wikipedia link) first, each group nearest first;
    # the museum's building is dropped as a repeat and the nameless element skipped.
    assert [p.name for p in result.places] == [
        "Capitoline Museums",
        "Galleria Borghese",
        "Museo Nazionale Etrusco di Villa Giulia",
        "Museo Napoleonico",
    ]
    capitoline = result.places[0]
    assert capitoline.id == "osm:node:1845306712"
    assert capitoline.address == "Piazza del Campidoglio 1, 00186 Roma"
    assert (capitoline.latitude, capitoline.longitude) == (41.8929, 12.4825)
    assert capitoline.rating is None
    assert capitoline.description == "Museum"
    borghese = result.places[1]
    assert borghese.id == "osm:way:26779473"
    assert (borghese.latitude, borghese.longitude) == (41.9142, 12.4921)
    assert borghese.address == "Rome, Roma Capitale, Lazio, Italy"  # no addr:* tags


@respx.mock
async def test_limit_keeps_the_best_ranked(osm: OpenStreetMapProvider) -> None:
    respx.get(SEARCH).mock(return_value=httpx.Response(200, json=[ROME]))
    respx.post(OVERPASS).mock(
        return_value=httpx.Response(200, json=overpass(NAPOLEONICO, BORGHESE, CAPITOLINE))
    )
    result = await osm.search("museums in Rome", limit=2)
    assert [p.name for p in result.places] == ["Capitoline Museums", "Galleria Borghese"]


@respx.mock
async def test_named_place_comes_from_nominatim_near_the_trip(
    osm: OpenStreetMapProvider,
) -> None:
    route = respx.get(SEARCH).mock(return_value=httpx.Response(200, json=[COLOSSEUM]))

    result = await osm.search("Colosseum", near=(41.9, 12.5), limit=3)

    assert dict(route.calls.last.request.url.params) == {
        "q": "Colosseum",
        "format": "jsonv2",
        "limit": "3",
        "accept-language": "en",
        "viewbox": "12.25000,42.15000,12.75000,41.65000",
        "bounded": "1",
    }
    [colosseum] = result.places
    assert colosseum.id == "osm:way:25025084"
    assert colosseum.name == "Colosseum"
    assert colosseum.address.startswith("Colosseum, Piazza del Colosseo")
    assert (colosseum.latitude, colosseum.longitude) == (41.8902614, 12.4930871)
    assert colosseum.description == "Attraction"


@respx.mock
async def test_named_place_outside_the_box_is_still_found(osm: OpenStreetMapProvider) -> None:
    route = respx.get(SEARCH).mock(
        side_effect=[httpx.Response(200, json=[]), httpx.Response(200, json=[COLOSSEUM])]
    )
    result = await osm.search("Colosseum", near=(48.85, 2.35))
    assert [p.name for p in result.places] == ["Colosseum"]
    assert "viewbox" not in route.calls.last.request.url.params


@respx.mock
async def test_unknown_city_and_missing_city_get_honest_notes(
    osm: OpenStreetMapProvider,
) -> None:
    route = respx.get(SEARCH).mock(return_value=httpx.Response(200, json=[]))
    unknown = await osm.search("museums in Atlantis")
    assert unknown.places == [] and unknown.error is None
    assert unknown.note == "OpenStreetMap does not know a place called 'Atlantis'."

    calls = route.call_count
    missing = await osm.search("museums")
    assert route.call_count == calls  # nothing to ask without a city
    assert missing.note is not None and "needs a city" in missing.note


@respx.mock
async def test_overpass_429_is_retried_then_succeeds(
    osm: OpenStreetMapProvider, clock: FakeClock
) -> None:
    respx.get(SEARCH).mock(return_value=httpx.Response(200, json=[ROME]))
    route = respx.post(OVERPASS).mock(
        side_effect=[
            httpx.Response(429, text=OVERPASS_429, headers={"Content-Type": "text/html"}),
            httpx.Response(200, json=overpass(CAPITOLINE)),
        ]
    )
    result = await osm.search("museums in Rome")
    assert [p.name for p in result.places] == ["Capitoline Museums"]
    assert route.call_count == 2


@respx.mock
async def test_overpass_504_after_retries_is_an_honest_error(osm: OpenStreetMapProvider) -> None:
    respx.get(SEARCH).mock(return_value=httpx.Response(200, json=[ROME]))
    route = respx.post(OVERPASS).mock(
        return_value=httpx.Response(504, text=OVERPASS_504, headers={"Content-Type": "text/html"})
    )
    result = await osm.search("museums in Rome")
    assert route.call_count == 3
    assert result.places == []
    assert result.error == (
        "Place search is unavailable: OpenStreetMap's Overpass service is too busy right now; "
        "try again later."
    )


@respx.mock
async def test_overpass_rate_limit_after_retries_says_so(osm: OpenStreetMapProvider) -> None:
    respx.get(SEARCH).mock(return_value=httpx.Response(200, json=[ROME]))
    respx.post(OVERPASS).mock(
        return_value=httpx.Response(429, text=OVERPASS_429, headers={"Content-Type": "text/html"})
    )
    result = await osm.search("museums in Rome")
    assert result.error is not None and "limiting our requests" in result.error


@respx.mock
async def test_overpass_giving_up_on_a_query_is_an_error_and_not_cached(
    osm: OpenStreetMapProvider,
) -> None:
    respx.get(SEARCH).mock(return_value=httpx.Response(200, json=[ROME]))
    timed_out = overpass(
        remark='runtime error: Query timed out in "query" at line 3 after 26 seconds.'
    )
    route = respx.post(OVERPASS).mock(
        side_effect=[
            httpx.Response(200, json=timed_out),
            httpx.Response(200, json=overpass(BORGHESE)),
        ]
    )
    failed = await osm.search("museums in Rome")
    assert failed.error is not None and "could not finish the search" in failed.error
    again = await osm.search("museums in Rome")
    assert [p.name for p in again.places] == ["Galleria Borghese"]
    assert route.call_count == 2


async def test_nominatim_timeout_is_an_honest_error(osm: OpenStreetMapProvider) -> None:
    timeout = httpx.ConnectTimeout("connect timed out")
    await assert_timeouts_told(osm, "GET", SEARCH, timeout, "Colosseum")


@respx.mock
async def test_nominatim_blocking_us_points_at_the_usage_policy(
    osm: OpenStreetMapProvider,
) -> None:
    respx.get(SEARCH).mock(
        return_value=httpx.Response(
            403,
            text="<html><body><h1>Access blocked</h1><p>You have been blocked because you "
            "have violated the usage policy of OSM's Nominatim geocoding service.</p>"
            "</body></html>",
            headers={"Content-Type": "text/html"},
        )
    )
    result = await osm.search("Colosseum")
    assert result.error is not None
    assert "usage policy" in result.error and "OSM_CONTACT" in result.error


@respx.mock
async def test_at_most_one_request_per_second_per_host(
    osm: OpenStreetMapProvider, clock: FakeClock
) -> None:
    stamps: list[tuple[str, float]] = []
    cities = {"Rome": ROME, "Paris": PARIS}
    respx.get(SEARCH).mock(
        side_effect=stamped(clock, stamps, lambda r: [cities[r.url.params["q"]]])
    )
    respx.post(OVERPASS).mock(side_effect=stamped(clock, stamps, lambda r: overpass(BORGHESE)))

    await osm.search("museums in Rome")
    await osm.search("parks in Paris")

    for host in ("nominatim.openstreetmap.org", "overpass-api.de"):
        times = [t for h, t in stamps if h == host]
        assert len(times) == 2
        assert times[1] - times[0] >= 1.0
    # Different hosts do not wait for each other: Rome's two requests went out together.
    assert stamps[0][1] == stamps[1][1] == 1000.0


async def test_concurrent_requests_queue_up_per_host(clock: FakeClock) -> None:
    limiter = HostRateLimiter(1.0, clock=clock, sleep=clock.sleep)

    async def go(host: str) -> tuple[str, float]:
        await limiter.wait(host)
        return host, clock.now  # when this request would go out

    released = await asyncio.gather(
        go("nominatim.example"),
        go("nominatim.example"),
        go("overpass.example"),
        go("nominatim.example"),
    )
    assert [t for h, t in released if h == "nominatim.example"] == [1000.0, 1001.0, 1002.0]
    assert clock.waits == [1.0, 1.0]  # the overpass request did not wait


@respx.mock
async def test_cache_answers_a_repeated_search_without_a_request(
    osm: OpenStreetMapProvider, clock: FakeClock
) -> None:
    nominatim = respx.get(SEARCH).mock(return_value=httpx.Response(200, json=[ROME]))
    interpreter = respx.post(OVERPASS).mock(
        return_value=httpx.Response(200, json=overpass(CAPITOLINE))
    )

    first = await osm.search("museums in Rome")
    second = await osm.search("museums in Rome")
    churches = await osm.search("churches in Rome")  # Rome itself is already known

    assert second.places == first.places
    assert churches.places  # answered by the same fake Overpass
    assert nominatim.call_count == 1
    assert interpreter.call_count == 2

    clock.now += 3601  # past OSM_CACHE_TTL_SECONDS
    await osm.search("museums in Rome")
    assert nominatim.call_count == 2
    assert interpreter.call_count == 3


@respx.mock
async def test_parallel_searches_share_one_lookup_of_the_city(
    osm: OpenStreetMapProvider,
) -> None:
    nominatim = respx.get(SEARCH).mock(return_value=httpx.Response(200, json=[ROME]))
    respx.post(OVERPASS).mock(return_value=httpx.Response(200, json=overpass(CAPITOLINE)))

    museums, churches = await asyncio.gather(
        osm.search("museums in Rome"), osm.search("churches in Rome")
    )

    assert museums.places and churches.places
    assert nominatim.call_count == 1
