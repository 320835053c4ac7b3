"""The ui service's one settings object. Every field is documented in `.env.example`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

OSM_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_file_encoding="utf-8")

    # Where the ui listens.
    host: str = "127.0.0.1"
    port: int = Field(default=3000, ge=1, le=65535)
    log_level: Literal["debug", "info", "warning", "error"] = "info"

    # The agent's AG-UI endpoint(s): a comma-separated list is used round-robin with failover.
    remote_action_url: str = "http://127.0.0.1:8000/copilotkit"
    # Sent to the agent as "Authorization: Bearer <token>" when set.
    agent_api_token: SecretStr | None = None
    # Seconds to connect to an agent, to wait for a REST answer, and between streamed events.
    agent_connect_timeout_seconds: float = Field(default=3.0, gt=0)
    agent_timeout_seconds: float = Field(default=15.0, gt=0)
    agent_stream_timeout_seconds: float = Field(default=300.0, gt=0)

    # Signs the thread cookie and CSRF tokens; replicas behind one address must share it.
    # Unset: a key generated once and kept in DATA_DIR (file ui-secret-key, mode 0600).
    ui_secret_key: SecretStr | None = None
    data_dir: Path = Path("./data")
    cookie_secure: bool = False
    cookie_max_age_days: int = Field(default=180, ge=1)

    # Street-level map tiles, over the built-in world map (zoom 0-6) the ui serves itself:
    # an online or self-hosted tile server; empty for the built-in map only.
    tile_url: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    tile_attribution: str = OSM_ATTRIBUTION

    # Limits and streaming.
    max_body_bytes: int = Field(default=65536, ge=1024)
    # Per-client rate limit (page and /api requests): a token bucket per client address
    # refilled at this many requests per second, holding at most `burst`. 0 turns it off.
    rate_limit_per_second: float = Field(default=5.0, ge=0)
    rate_limit_burst: int = Field(default=100, ge=1)
    # Proxies whose X-Forwarded-For names the client (addresses or CIDRs, comma-separated;
    # "*" trusts anyone). The rate limit counts per client address, so behind a proxy or
    # Gateway that is not listed every person shares the proxy's one bucket.
    forwarded_allow_ips: str = "127.0.0.1,::1"
    sse_heartbeat_seconds: float = Field(default=10.0, gt=0, le=15)

    # OpenTelemetry: base URL of an OTLP/HTTP collector; tracing is off (and free) when unset.
    otel_exporter_otlp_endpoint: str | None = None

    @field_validator("remote_action_url")
    @classmethod
    def _urls_are_http(cls, value: str) -> str:
        urls = [u.strip() for u in value.split(",") if u.strip()]
        if not urls:
            raise ValueError("REMOTE_ACTION_URL needs at least one agent URL")
        for url in urls:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError(f"REMOTE_ACTION_URL entry {url!r} is not an http(s) URL")
        return ",".join(urls)

    @property
    def agent_run_urls(self) -> list[str]:
        """Each agent's AG-UI endpoint."""
        return self.remote_action_url.split(",")

    @property
    def agent_base_urls(self) -> list[str]:
        """Each agent's REST base: the AG-UI URL without its `/copilotkit` suffix."""
        bases = []
        for url in self.agent_run_urls:
            url = url.rstrip("/")
            bases.append(url.removesuffix("/copilotkit"))
        return bases

    @property
    def tile_origin(self) -> str | None:
        """The tile server's origin for the CSP (`{s}` subdomains become a wildcard)."""
        parts = urlsplit(self.tile_url.replace("{s}", "*"))
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return None
        return f"{parts.scheme}://{parts.netloc}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
