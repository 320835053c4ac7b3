"""Google Places (New) provider against an HTTP-level fake shaped like Google's documented
searchText responses and error bodies."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from prometheus_client import REGISTRY
from pydantic import SecretStr

from travel_agent.places.google import GooglePlacesProvider

from agent_kit import assert_timeouts_told

URL = "https://places.googleapis.com/v1/places:searchText"
KEY = "AIzaSyTest-google-key-0123456789"

# Places as Google's searchText documents them (data/google_places.json).
SAMPLES = json.loads((Path(__file__).parent / "data" / "google_places.json").read_text())
COLOSSEUM, PANTHEON, FORUM = SAMPLES["COLOSSEUM"], SAMPLES["PANTHEON"], SAMPLES["FORUM"]


def google_error(code: int, status: str, message: str, reason: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message, "status": status}
    if reason:
        error["details"] = [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": reason,
                "domain": "googleapis.com",
                "metadata": {"service": "places.googleapis.com"},
            }
        ]
    return {"error": error}


INVALID_KEY = google_error(
    400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", "API_KEY_INVALID"
)
SERVICE_DISABLED = google_error(
    403,
    "PERMISSION_DENIED",
    "Places API (New) has not been used in project 123456789012 before or it is disabled. "
    "Enable it by visiting https://console.developers.google.com/apis/api/"
    "places.googleapis.com/overview?project=123456789012 then retry.",
    "SERVICE_DISABLED",
)
QUOTA = google_error(
    429,
    "RESOURCE_EXHAUSTED",
    "Quota exceeded for quota metric 'SearchTextRequest' and limit 'SearchTextRequest per "
    "minute' of service 'places.googleapis.com' for consumer 'project_number:123456789012'.",
    "RATE_LIMIT_EXCEEDED",
)
UNAVAILABLE = google_error(503, "UNAVAILABLE", "The service is currently unavailable.")


class Sleeps:
    """Records the backoff waits instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
async def google(sleeps: Sleeps) -> Any:
    provider = GooglePlacesProvider(
        api_key=SecretStr(KEY), url=URL, timeout_seconds=5, max_retries=2, sleep=sleeps
    )
    yield provider
    await provider.aclose()


def metric(name: str, provider: str = "google") -> float:
    return REGISTRY.get_sample_value(name, {"provider": provider}) or 0.0


@respx.mock
async def test_request_is_what_google_documents(google: GooglePlacesProvider) -> None:
    route = respx.post(URL).mock(return_value=httpx.Response(200, json={"places": [COLOSSEUM]}))

    await google.search("Colosseum", near=(41.9028, 12.4964), limit=5)

    request = route.calls.last.request
    assert request.method == "POST"
    assert str(request.url) == URL
    assert request.headers["X-Goog-Api-Key"] == KEY
    assert request.headers["X-Goog-FieldMask"] == (
        "places.id,places.displayName,places.formattedAddress,places.location,"
        "places.rating,places.editorialSummary"
    )
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.content) == {
        "textQuery": "Colosseum",
        "pageSize": 5,
        "locationBias": {
            "circle": {"center": {"latitude": 41.9028, "longitude": 12.4964}, "radius": 50000.0}
        },
    }


@respx.mock
async def test_without_a_city_there_is_no_location_bias(google: GooglePlacesProvider) -> None:
    route = respx.post(URL).mock(return_value=httpx.Response(200, json={"places": []}))
    await google.search("museums in Rome")
    assert json.loads(route.calls.last.request.content) == {
        "textQuery": "museums in Rome",
        "pageSize": 10,
    }


@respx.mock
async def test_maps_places_and_drops_repeats_and_incomplete_ones(
    google: GooglePlacesProvider,
) -> None:
    no_location = {"id": "ChIJnoLocation", "displayName": {"text": "Somewhere"}}
    payload = {"places": [COLOSSEUM, PANTHEON, COLOSSEUM, no_location, FORUM]}
    respx.post(URL).mock(return_value=httpx.Response(200, json=payload))

    result = await google.search("sights in Rome")

    assert result.error is None and result.note is None
    assert [p.name for p in result.places] == ["Colosseum", "Pantheon", "Roman Forum"]
    colosseum = result.places[0]
    assert colosseum.id == "ChIJrRMgU7ZhLxMRxAOFkC7I8Sg"
    assert colosseum.address == "Piazza del Colosseo, 1, 00184 Roma RM, Italy"
    assert (colosseum.latitude, colosseum.longitude) == (41.8902102, 12.4922309)
    assert colosseum.rating == 4.7
    assert colosseum.description.startswith("Monumental 3-tiered Roman amphitheater")
    assert result.places[1].description == ""  # no editorialSummary for the Pantheon


@respx.mock
async def test_limit_keeps_the_first_places(google: GooglePlacesProvider) -> None:
    route = respx.post(URL).mock(
        return_value=httpx.Response(200, json={"places": [COLOSSEUM, PANTHEON, FORUM]})
    )
    result = await google.search("sights in Rome", limit=2)
    assert [p.name for p in result.places] == ["Colosseum", "Pantheon"]
    assert json.loads(route.calls.last.request.content)["pageSize"] == 2


@respx.mock
async def test_no_results_is_an_honest_note(google: GooglePlacesProvider) -> None:
    # Google answers a search that found nothing with an empty object.
    respx.post(URL).mock(return_value=httpx.Response(200, json={}))
    result = await google.search("qwxzv museum")
    assert result.places == [] and result.error is None
    assert result.note == "Google Places found nothing for 'qwxzv museum'."


@respx.mock
async def test_retries_a_server_error_then_succeeds(
    google: GooglePlacesProvider, sleeps: Sleeps
) -> None:
    route = respx.post(URL).mock(
        side_effect=[
            httpx.Response(503, json=UNAVAILABLE),
            httpx.Response(200, json={"places": [PANTHEON]}),
        ]
    )
    result = await google.search("Pantheon")
    assert [p.name for p in result.places] == ["Pantheon"]
    assert route.call_count == 2
    assert len(sleeps.waits) == 1 and 0.375 <= sleeps.waits[0] <= 0.5


@respx.mock
async def test_quota_exhausted_after_retries_is_an_honest_error(
    google: GooglePlacesProvider, sleeps: Sleeps
) -> None:
    errors_before = metric("travel_place_search_errors_total")
    route = respx.post(URL).mock(return_value=httpx.Response(429, json=QUOTA))

    result = await google.search("museums in Rome")

    assert route.call_count == 3  # the first try and PLACES_MAX_RETRIES=2 retries
    assert len(sleeps.waits) == 2 and sleeps.waits[1] > sleeps.waits[0]  # backing off
    assert result.places == []
    assert result.error == (
        "Place search is unavailable: Google's request quota for this key is used up; "
        "try again later."
    )
    assert metric("travel_place_search_errors_total") == errors_before + 1


@respx.mock
async def test_retry_after_is_honoured(google: GooglePlacesProvider, sleeps: Sleeps) -> None:
    respx.post(URL).mock(
        side_effect=[
            httpx.Response(429, json=QUOTA, headers={"Retry-After": "3"}),
            httpx.Response(200, json={"places": [FORUM]}),
        ]
    )
    result = await google.search("Roman Forum")
    assert [p.name for p in result.places] == ["Roman Forum"]
    assert sleeps.waits == [3.0]


async def test_timeouts_end_in_an_honest_error(google: GooglePlacesProvider) -> None:
    timeout = httpx.ReadTimeout("read timed out")
    await assert_timeouts_told(google, "POST", URL, timeout, "museums in Rome")


@respx.mock
async def test_wrong_key_says_so_without_the_key_and_the_provider_keeps_working(
    google: GooglePlacesProvider, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    route = respx.post(URL).mock(
        side_effect=[
            httpx.Response(400, json=INVALID_KEY),
            httpx.Response(200, json={"places": [COLOSSEUM]}),
        ]
    )

    failed = await google.search("Colosseum")

    assert failed.error == (
        "Place search is unavailable: Google rejected the API key; check GOOGLE_MAPS_API_KEY."
    )
    assert route.call_count == 1  # a bad key is not retried
    assert KEY not in failed.error and KEY not in caplog.text
    # The provider (and so the service) is still usable: the next search goes out.
    assert [p.name for p in (await google.search("Colosseum")).places] == ["Colosseum"]


@respx.mock
async def test_places_api_new_not_enabled(google: GooglePlacesProvider) -> None:
    respx.post(URL).mock(return_value=httpx.Response(403, json=SERVICE_DISABLED))
    result = await google.search("Colosseum")
    assert result.error is not None
    assert "Places API (New) is not enabled for GOOGLE_MAPS_API_KEY" in result.error


async def test_missing_key_is_explained_without_a_request() -> None:
    provider = GooglePlacesProvider(
        api_key=SecretStr(""), url=URL, timeout_seconds=5, max_retries=0
    )
    with respx.mock(assert_all_called=False) as router:
        route = router.post(URL)
        result = await provider.search("Colosseum")
    await provider.aclose()
    assert not route.called
    assert result.error == "Place search is unavailable: GOOGLE_MAPS_API_KEY is not set."


@respx.mock
async def test_metrics_count_duration_and_results(google: GooglePlacesProvider) -> None:
    count_before = metric("travel_place_search_duration_seconds_count")
    results_before = metric("travel_place_search_results_sum")
    respx.post(URL).mock(return_value=httpx.Response(200, json={"places": [COLOSSEUM, FORUM]}))
    await google.search("sights in Rome")
    assert metric("travel_place_search_duration_seconds_count") == count_before + 1
    assert metric("travel_place_search_results_sum") == results_before + 2
