"""The JSON refusal a middleware sends before the app runs (401, 413, 429 ...)."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send


async def refuse(
    scope: Scope,
    receive: Receive,
    send: Send,
    status: int,
    detail: str,
    headers: Mapping[str, str] | None = None,
) -> None:
    """`{"detail": <one sentence>}` with `status`, as the apps' own errors look."""
    await JSONResponse({"detail": detail}, status_code=status, headers=headers)(
        scope, receive, send
    )
