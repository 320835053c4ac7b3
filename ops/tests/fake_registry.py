"""A container registry on 127.0.0.1 that answers like GHCR (which the tests cannot reach):
`HEAD /v2/<name>/manifests/<ref>` is 401 with a Bearer challenge until the client brings the
token from `GET /token`, then 200 for the manifests it holds and 404 for the rest."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

TOKEN = "anonymous-pull-token"
INDEX = "application/vnd.oci.image.index.v1+json"


def registry_app(manifests: set[str]) -> Starlette:
    """`manifests` holds `name:reference` pairs, e.g. `acme/coagents-travel-ui:abc123`."""

    async def token(request: Request) -> Response:
        if not request.query_params.get("scope", "").startswith("repository:"):
            return JSONResponse({"errors": [{"code": "DENIED"}]}, status_code=400)
        return JSONResponse({"token": TOKEN})

    async def manifest(request: Request) -> Response:
        name = request.path_params["name"]
        reference = request.path_params["reference"]
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            realm = f"{request.base_url}token"
            challenge = f'Bearer realm="{realm}",service="registry",scope="repository:{name}:pull"'
            return Response(status_code=401, headers={"WWW-Authenticate": challenge})
        if f"{name}:{reference}" in manifests:
            return Response(status_code=200, headers={"Content-Type": INDEX})
        return Response(status_code=404)

    return Starlette(
        routes=[
            Route("/token", token),
            Route("/v2/{name:path}/manifests/{reference}", manifest, methods=["HEAD", "GET"]),
        ]
    )
