"""Who is asking: the thread id from the signed cookie, and the CSRF check for changes.

Both are `async` so they run in the request's own task: the thread id they put in the
log context is then seen by every later log line of the request (FastAPI would run plain
functions in a worker thread, whose context changes are lost)."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Depends, HTTPException, Request

from .context import AppContext, get_ctx
from .logging_setup import thread_id_var
from .session import COOKIE_NAME

NO_SESSION = "Your session has expired. Reload the page to continue."
CSRF_REFUSED = "This request was refused because it did not come from the planner page."


async def thread_id(request: Request, ctx: AppContext = Depends(get_ctx)) -> str:
    found = ctx.sessions.thread_id_from_cookie(request.cookies.get(COOKIE_NAME))
    if found is None:
        raise HTTPException(401, NO_SESSION)
    thread_id_var.set(found)
    return found


async def traveller_id(request: Request, ctx: AppContext = Depends(get_ctx)) -> str:
    """The traveller in the cookie (pages set one on every load)."""
    found = ctx.sessions.session_from_cookie(request.cookies.get(COOKIE_NAME))
    if found is None or found[1] is None:
        raise HTTPException(401, NO_SESSION)
    return found[1]


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        # Browsers send Origin on every cross-site POST; without it the token still decides.
        return origin is None
    return urlsplit(origin).netloc == request.headers.get("host")


async def checked_thread_id(
    request: Request, ctx: AppContext = Depends(get_ctx), thread: str = Depends(thread_id)
) -> str:
    """The thread id of a state-changing request that proved it came from our page."""
    if not _same_origin(request) or not ctx.sessions.csrf_ok(
        thread, request.headers.get("x-csrf-token")
    ):
        raise HTTPException(403, CSRF_REFUSED)
    return thread
