"""The real places providers through the real agent flow: the app on LLM_PROVIDER=openai
(aimock) with PLACES_PROVIDER=google or osm, those services faked at the HTTP boundary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from aimock_pytest._server import AIMockServer
from pydantic import SecretStr
from test_providers_osm import CAPITOLINE, ROME, overpass

from travel_agent.app import create_app
from travel_agent.places.factory import build_places_provider
from travel_agent.places.google import GooglePlacesProvider
from travel_agent.places.offline import OfflineGazetteer
from travel_agent.places.osm import OpenStreetMapProvider
from travel_agent.settings import Settings

from agent_kit import LLM_TEST_KEY, AgentClient, last, make_settings, new_thread, text_of

GOOGLE_URL = "https://places.googleapis.com/v1/places:searchText"
WRONG_GOOGLE_KEY = "AIzaSyWrong-key-for-tests-000000000"


@pytest.fixture
async def agent(llm: AIMockServer, tmp_path: Path, request: pytest.FixtureRequest) -> Any:
    settings = make_settings(
        tmp_path,
        llm_provider="openai",
        openai_api_key=SecretStr(LLM_TEST_KEY),
        openai_base_url=f"{llm.base_url}/v1",
        **request.param,
    )
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://agent") as h,
    ):
        yield AgentClient(h)


def script_search(llm: AIMockServer, text: str, queries: list[str]) -> None:
    search = {"id": "call_s", "name": "search_for_places", "arguments": {"queries": queries}}
    llm.add_fixture({"userMessage": text, "hasToolResult": False}, {"toolCalls": [search]})
    llm.add_fixture({"toolCallId": "call_s"}, {"content": "Here is what I found."})


def search_result(llm: AIMockServer) -> dict[str, Any]:
    requests = [e for e in llm.get_journal() if e["path"] == "/v1/chat/completions"]
    tool = [m for m in requests[-1]["body"]["messages"] if m["role"] == "tool"][-1]
    result: dict[str, Any] = json.loads(tool["content"])["results"][0]
    return result


@pytest.mark.parametrize(
    "agent",
    [{"places_provider": "google", "google_maps_api_key": SecretStr(WRONG_GOOGLE_KEY)}],
    indirect=True,
)
async def test_wrong_google_key_is_told_to_the_model_and_the_service_stays_ready(
    llm: AIMockServer, agent: AgentClient
) -> None:
    error = {
        "error": {
            "code": 400,
            "message": "API key not valid. Please pass a valid API key.",
            "status": "INVALID_ARGUMENT",
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "API_KEY_INVALID",
                    "domain": "googleapis.com",
                    "metadata": {"service": "places.googleapis.com"},
                }
            ],
        }
    }
    script_search(llm, "Find museums in Rome", ["museums in Rome"])

    with respx.mock(assert_all_called=True) as google:
        google.post(GOOGLE_URL).mock(return_value=httpx.Response(400, json=error))
        events = await agent.run(new_thread(), "Find museums in Rome")

    assert last(events)["type"] == "RUN_FINISHED"
    assert text_of(events) == "Here is what I found."
    result = search_result(llm)
    assert result["places"] == []
    assert result["error"] == (
        "Place search is unavailable: Google rejected the API key; check GOOGLE_MAPS_API_KEY."
    )
    assert WRONG_GOOGLE_KEY not in json.dumps(events)
    ready = await agent.http.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["places_provider"] == "google"
    assert WRONG_GOOGLE_KEY not in ready.text


@pytest.mark.parametrize(
    "agent", [{"places_provider": "osm", "osm_contact": "ops@travel.test"}], indirect=True
)
async def test_openstreetmap_results_reach_the_model(llm: AIMockServer, agent: AgentClient) -> None:
    script_search(llm, "Find museums in Rome", ["museums in Rome"])

    with respx.mock(assert_all_called=True) as osm:
        osm.get("https://nominatim.openstreetmap.org/search").mock(
            return_value=httpx.Response(200, json=[ROME])
        )
        osm.post("https://overpass-api.de/api/interpreter").mock(
            return_value=httpx.Response(200, json=overpass(CAPITOLINE))
        )
        events = await agent.run(new_thread(), "Find museums in Rome")

    assert last(events)["type"] == "RUN_FINISHED"
    result = search_result(llm)
    assert result["query"] == "museums in Rome"
    assert [(p["id"], p["name"]) for p in result["places"]] == [
        ("osm:node:1845306712", "Capitoline Museums")
    ]
    assert (await agent.http.get("/readyz")).json()["places_provider"] == "osm"


def test_factory_picks_the_provider_settings_name(tmp_path: Path) -> None:
    gazetteer = OfflineGazetteer()

    def built(**values: Any) -> Any:
        settings = Settings(_env_file=None, data_dir=tmp_path, **values)
        return build_places_provider(settings, lambda: gazetteer)

    assert built() is gazetteer  # auto without a key
    google = built(google_maps_api_key=SecretStr("AIza-test"))  # auto with a key
    assert isinstance(google, GooglePlacesProvider) and google.name == "google"
    assert isinstance(built(places_provider="osm"), OpenStreetMapProvider)
    assert built(places_provider="offline", google_maps_api_key=SecretStr("k")) is gazetteer
