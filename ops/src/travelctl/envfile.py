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


# Credentials for the `ghcr-secret` image pull Secret (needed when the images are private).
REGISTRY_USER_KEY = "GHCR_USERNAME"
REGISTRY_TOKEN_KEY = "GHCR_TOKEN"  # noqa: S105 - a variable name, not a value


@dataclass(frozen=True)
class SecretValues:
    values: dict[str, str]
    source: str

    @property
    def names(self) -> list[str]:
        return list(self.values)

    def missing_api_keys(self) -> dict[str, str]:
        return {k: why for k, why in OFFLINE_FALLBACKS.items() if k not in self.values}


def _read(env_file: Path, environ: Mapping[str, str], keys: tuple[str, ...]) -> dict[str, str]:
    from_file = dotenv_values(env_file) if env_file.is_file() else {}
    values: dict[str, str] = {}
    for key in keys:
        value = environ.get(key) or from_file.get(key) or ""
        if not value:
            continue
        if "\n" in value or "\r" in value:
            raise OpsError(f"{key} holds a line break; a secret value must be a single line.")
        values[key] = value
    return values


def read_registry_credentials(env_file: Path, environ: Mapping[str, str]) -> tuple[str, str] | None:
    """(user, token) for GHCR when both are set; None when neither is."""
    found = _read(env_file, environ, (REGISTRY_USER_KEY, REGISTRY_TOKEN_KEY))
    if not found:
        return None
    if len(found) == 1:
        raise OpsError(f"Set both {REGISTRY_USER_KEY} and {REGISTRY_TOKEN_KEY}, or neither.")
    return found[REGISTRY_USER_KEY], found[REGISTRY_TOKEN_KEY]


def read_secret_values(env_file: Path, environ: Mapping[str, str]) -> SecretValues:
    """Values for SECRET_KEYS: a non-empty environment variable wins over the file.

    The environment lets CI pass its secrets without a file; empty values count as unset.
    """
    values = _read(env_file, environ, SECRET_KEYS)
    if env_file.is_file():
        source = f"{env_file} and the environment"
    else:
        source = f"the environment ({env_file} does not exist)"
    return SecretValues(values, source)
