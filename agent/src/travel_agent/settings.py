"""The agent service's one settings object. Every field is documented in `.env.example`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_file_encoding="utf-8")

    # Where the service listens.
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    # Agent processes sharing the port (one per core); more than one needs PostgreSQL.
    web_concurrency: int = Field(default=1, ge=1, le=64)

    # LLM provider: auto picks openai when OPENAI_API_KEY is set, else the offline planner.
    llm_provider: Literal["auto", "openai", "offline"] = "auto"
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    travel_model: str = "gpt-4.1-mini"
    llm_timeout_seconds: float = Field(default=60.0, gt=0)
    llm_connect_timeout_seconds: float = Field(default=10.0, gt=0)
    llm_max_retries: int = Field(default=3, ge=0, le=10)

    # Places provider: auto picks google when GOOGLE_MAPS_API_KEY is set, else offline.
    places_provider: Literal["auto", "google", "osm", "offline"] = "auto"
    google_maps_api_key: SecretStr | None = None
    google_places_url: str = "https://places.googleapis.com/v1/places:searchText"
    osm_contact: str = "ops@example.com"
    nominatim_url: str = "https://nominatim.openstreetmap.org"
    overpass_url: str = "https://overpass-api.de/api/interpreter"
    places_timeout_seconds: float = Field(default=10.0, gt=0)
    places_max_retries: int = Field(default=2, ge=0, le=10)
    # OpenStreetMap usage policy: at most one request per second per host, answers cached.
    osm_min_interval_seconds: float = Field(default=1.0, ge=0)
    osm_cache_ttl_seconds: float = Field(default=86_400.0, gt=0)
    osm_cache_max_entries: int = Field(default=1024, ge=1)

    # Routing (times and route lines between a day's places): auto picks osrm when
    # ROUTING_URL is set, google when GOOGLE_MAPS_API_KEY is set, else offline estimates.
    routing_provider: Literal["auto", "osrm", "google", "offline"] = "auto"
    routing_url: str | None = None
    google_routes_url: str = "https://routes.googleapis.com/directions/v2:computeRoutes"
    routing_profile: Literal["walking", "driving"] = "walking"
    routing_timeout_seconds: float = Field(default=10.0, gt=0)
    routing_max_retries: int = Field(default=2, ge=0, le=10)
    routing_cache_ttl_seconds: float = Field(default=3600.0, gt=0)
    # Offline estimates: great-circle distance times this (streets are not straight).
    routing_detour_factor: float = Field(default=1.3, ge=1.0, le=3.0)

    # Share links: signed with this key; unset, one is generated once and kept in the
    # database (so every replica signs alike).
    share_signing_key: SecretStr | None = None
    share_ttl_days: int = Field(default=30, ge=1, le=365)

    # Persistence: SQLite file in DATA_DIR unless DATABASE_URL names PostgreSQL.
    data_dir: Path = Path("./data")
    database_url: SecretStr | None = None
    db_pool_min_size: int = Field(default=1, ge=0)
    db_pool_max_size: int = Field(default=30, ge=1)
    # How long a request waits for a database connection before it is told storage is
    # unavailable (while PostgreSQL is down, this is how long people wait for that answer).
    db_pool_timeout_seconds: float = Field(default=5.0, gt=0)
    # While PostgreSQL is known to be down, requests are refused at once and it is tried
    # this often; the pool's own reconnection gives up after db_reconnect_timeout_seconds
    # (then it reconnects on demand), so the service is ready soon after the database is.
    db_probe_interval_seconds: float = Field(default=0.5, gt=0)
    db_reconnect_timeout_seconds: float = Field(default=5.0, gt=0)
    # Memory for decoded checkpoints (checkpoint_cache) and for threads' older messages
    # (storage_messages), each in serialised bytes per process; 0 turns a cache off.
    checkpoint_cache_bytes: int = Field(default=4 * 1024 * 1024, ge=0)
    message_cache_bytes: int = Field(default=8 * 1024 * 1024, ge=0)

    # Product behaviour.
    demo_trips: bool = True

    # Limits on what a client may send or keep.
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    max_message_chars: int = Field(default=10_000, ge=1)
    max_context_messages: int = Field(default=40, ge=4)
    max_trips: int = Field(default=50, ge=1)
    max_places_per_trip: int = Field(default=100, ge=1)

    # A manual edit waits this long for its thread (another edit or a chat run), then 409.
    edit_lock_wait_seconds: float = Field(default=5.0, ge=0, le=60)

    # Defence in depth: when set, every request except health checks must carry it.
    agent_api_token: SecretStr | None = None

    # Graceful shutdown: how long runs in flight may take to finish after SIGTERM.
    shutdown_grace_seconds: float = Field(default=20.0, ge=0)

    # Optional tracing (OTLP over HTTP); off unless an endpoint is set.
    otel_exporter_otlp_endpoint: str | None = None
    otel_service_name: str = "travel-agent"

    @property
    def effective_llm_provider(self) -> Literal["openai", "offline"]:
        if self.llm_provider == "auto":
            return "openai" if self.openai_api_key else "offline"
        return self.llm_provider

    @property
    def effective_places_provider(self) -> Literal["google", "osm", "offline"]:
        if self.places_provider == "auto":
            return "google" if self.google_maps_api_key else "offline"
        return self.places_provider

    @property
    def effective_routing_provider(self) -> Literal["osrm", "google", "offline"]:
        if self.routing_provider == "auto":
            if self.routing_url:
                return "osrm"
            return "google" if self.google_maps_api_key else "offline"
        return self.routing_provider

    @property
    def checkpointer_kind(self) -> Literal["sqlite", "postgres"]:
        url = self.database_url.get_secret_value() if self.database_url else ""
        return "postgres" if url.startswith(("postgresql://", "postgres://")) else "sqlite"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
