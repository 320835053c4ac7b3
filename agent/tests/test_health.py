"""Health, readiness, metrics, the optional API token, and request ids."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from travel_agent.app import create_app

from agent_kit import AgentClient, make_settings, new_thread


async def test_healthz_and_readyz(client: AgentClient) -> None:
    assert (await client.http.get("/healthz")).json() == {"status": "ok"}
    r = await client.http.get("/readyz")
    assert r.status_code == 200
    assert r.json() == {
        "status": "ready",
        "checkpointer": "sqlite",
        "llm_provider": "offline",
        "places_provider": "offline",
        "routing_provider": "offline",
        "storage_down_since": None,
    }


@pytest.mark.parametrize(
    ("settings", "provider"),
    [
        ({"routing_provider": "osrm", "routing_url": "http://127.0.0.1:9"}, "osrm"),
        ({"routing_url": "http://127.0.0.1:9"}, "osrm"),  # auto
        ({"routing_provider": "google", "google_maps_api_key": SecretStr("k-123")}, "google"),
        ({"routing_provider": "offline", "routing_url": "http://127.0.0.1:9"}, "offline"),
    ],
)
async def test_readyz_names_the_routing_provider(
    tmp_path: Path, settings: dict[str, Any], provider: str
) -> None:
    app = create_app(make_settings(tmp_path, **settings))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://a") as http:
            ready = await http.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["routing_provider"] == provider
    assert "k-123" not in ready.text


async def test_readyz_is_503_when_storage_is_gone(client: AgentClient) -> None:
    runtime = client.http._transport.app.state.runtime  # type: ignore[attr-defined]
    await runtime.persistence.sqlite.close()
    r = await client.http.get("/readyz")
    assert r.status_code == 503
    assert r.json()["status"] == "unavailable"


async def test_metrics_use_route_templates(client: AgentClient) -> None:
    thread = new_thread()
    await client.trips(thread)
    await client.run(thread, "List my trips")
    text = (await client.http.get("/metrics")).text
    assert 'route="/threads/{thread_id}/trips"' in text
    assert thread not in text
    assert 'travel_agent_runs_total{outcome="finished"}' in text
    assert "http_request_duration_seconds_bucket" in text


async def test_request_id_is_echoed_or_made(client: AgentClient) -> None:
    r = await client.http.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert r.headers["x-request-id"] == "abc-123"
    r = await client.http.get("/healthz", headers={"X-Request-ID": "bad id\n"})
    assert r.headers["x-request-id"] != "bad id\n" and len(r.headers["x-request-id"]) == 32


async def test_api_token_is_required_when_set(tmp_path: Path) -> None:
    secret = "s3cr3t-token-value"
    app = create_app(make_settings(tmp_path, agent_api_token=SecretStr(secret)))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://a") as http:
            thread = new_thread()
            denied = await http.get(f"/threads/{thread}/trips")
            wrong = await http.get(
                f"/threads/{thread}/trips", headers={"Authorization": "Bearer nope"}
            )
            allowed = await http.get(
                f"/threads/{thread}/trips", headers={"Authorization": f"Bearer {secret}"}
            )
            run = await http.post("/copilotkit", json={})
            health = await http.get("/readyz")
    assert denied.status_code == 401 and wrong.status_code == 401
    assert denied.json()["detail"] == "A valid agent API token is required."
    assert allowed.status_code == 200
    assert run.status_code == 401
    assert health.status_code == 200 and secret not in health.text
