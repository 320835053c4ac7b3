"""Reads the secret settings the cluster needs from `.env` and the environment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dotenv import dotenv_values

from travelctl.errors import OpsError

# What goes into the `travel-secrets` Secret, when set. The two API keys come from the
# original layout; the rest are secrets added since (see /.env.example).
SECRET_KEYS = (
    "OPENAI_API_KEY",
    "GOOGLE_MAPS_API_KEY",
    "DATABASE_URL",
    "AGENT_API_TOKEN",
    "UI_SECRET_KEY",
)

# Without these the agent still runs, on its offline planner and gazetteer.
OFFLINE_FALLBACKS = {
    "OPENAI_API_KEY": "the agent will use its offline planner",
    "GOOGLE_MAPS_API_KEY": "the agent will use OpenStreetMap or its offline gazetteer",
}


@dataclass(frozen=True)
class SecretValues:
    values: dict[str, str]
    source: str

    @property
    def names(self) -> list[str]:
        return list(self.values)

    def missing_api_keys(self) -> dict[str, str]:
        return {k: why for k, why in OFFLINE_FALLBACKS.items() if k not in self.values}


def read_secret_values(env_file: Path, environ: Mapping[str, str]) -> SecretValues:
    """Values for SECRET_KEYS: a non-empty environment variable wins over the file.

    The environment lets CI pass its secrets without a file; empty values count as unset.
    """
    from_file = dotenv_values(env_file) if env_file.is_file() else {}
    values: dict[str, str] = {}
    for key in SECRET_KEYS:
        value = environ.get(key) or from_file.get(key) or ""
        if not value:
            continue
        if "\n" in value or "\r" in value:
            raise OpsError(f"{key} holds a line break; a secret value must be a single line.")
        values[key] = value
    if env_file.is_file():
        source = f"{env_file} and the environment"
    else:
        source = f"the environment ({env_file} does not exist)"
    return SecretValues(values, source)
