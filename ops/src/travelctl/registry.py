"""Asks an OCI registry (GHCR) whether an image exists, with its anonymous token flow.

Distribution spec: `HEAD /v2/<name>/manifests/<reference>`; a 401 carries
`WWW-Authenticate: Bearer realm=…,service=…,scope=…` naming where to get a pull token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import httpx

from travelctl.images import ImageRef

MANIFEST_TYPES = ", ".join(
    [
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    ]
)

Verdict = Literal["present", "missing", "unknown", "unreachable"]


@dataclass(frozen=True)
class Answer:
    verdict: Verdict
    detail: str


def _base_url(host: str) -> str:
    # Registries on this machine (tests, a local mirror) speak plain HTTP, like docker assumes.
    local = host.split(":")[0] in ("localhost", "127.0.0.1")
    scheme = "http" if local else "https"
    return f"{scheme}://{'registry-1.docker.io' if host == 'docker.io' else host}"


def _bearer_token(client: httpx.Client, challenge: str) -> str | None:
    if not challenge.lower().startswith("bearer "):
        return None
    params = dict(re.findall(r'(\w+)="([^"]*)"', challenge))
    realm = params.pop("realm", None)
    if not realm:
        return None
    response = client.get(realm, params=params)
    if response.status_code != 200:
        return None
    body = response.json()
    token = body.get("token") or body.get("access_token")
    return str(token) if token else None


def image_exists(client: httpx.Client, ref: ImageRef) -> Answer:
    reference = ref.digest or ref.tag or "latest"
    url = f"{_base_url(ref.host)}/v2/{ref.path}/manifests/{reference}"
    headers = {"Accept": MANIFEST_TYPES}
    try:
        response = client.head(url, headers=headers)
        if response.status_code == 401:
            token = _bearer_token(client, response.headers.get("www-authenticate", ""))
            if token:
                headers["Authorization"] = f"Bearer {token}"
                response = client.head(url, headers=headers)
    except httpx.TransportError as exc:
        return Answer("unreachable", f"{ref.host} unreachable ({exc.__class__.__name__})")
    if response.status_code == 200:
        return Answer("present", f"{ref} exists")
    if response.status_code == 404:
        return Answer("missing", f"{ref} does not exist in {ref.host}")
    if response.status_code in (401, 403):
        return Answer("unknown", f"{ref}: {ref.host} wants credentials to tell (private image?)")
    return Answer("unknown", f"{ref}: {ref.host} answered {response.status_code}")
