"""Browser routes that pass a request on to the agent's REST API for this browser's thread.

A handler asks for the thread it may read (`ReadingAgent`) or change (`ChangingAgent`:
the CSRF check passed) and forwards, e.g.
`return await agent.forward("PATCH", "trips", trip_id, json=changes.model_dump())`:
the agent's JSON answer is the handler's, its refusals become sentences
(`agent_rest.call`), and every part of the path is one quoted segment, so an id never
reaches another agent route.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends

from . import agent_rest
from .context import AppContext, get_ctx
from .guards import checked_thread_id, thread_id, traveller_id


def agent_path(*parts: str) -> str:
    """`/a/b/c`, each part quoted as one path segment (an unusable id is a 422)."""
    return "".join(f"/{agent_rest.segment(part)}" for part in parts)


async def forward(ctx: AppContext, method: str, path: str, *, json: Any = None) -> Any:
    """The body of the agent's answer to `method path` (sentences on refusal)."""
    _, body = await agent_rest.call(ctx.agent, ctx.metrics, method, path, json=json)
    return body


@dataclass(frozen=True)
class ThreadAgent:
    """The agent's routes under `/threads/{thread}` for the thread in this browser's cookie."""

    ctx: AppContext
    thread: str

    async def forward(self, method: str, *parts: str, json: Any = None) -> Any:
        return await forward(
            self.ctx, method, agent_path("threads", self.thread, *parts), json=json
        )


async def _reading(
    ctx: AppContext = Depends(get_ctx), thread: str = Depends(thread_id)
) -> ThreadAgent:
    return ThreadAgent(ctx, thread)


async def _changing(
    ctx: AppContext = Depends(get_ctx), thread: str = Depends(checked_thread_id)
) -> ThreadAgent:
    return ThreadAgent(ctx, thread)


#: A handler that reads the thread (401 without a session).
ReadingAgent = Annotated[ThreadAgent, Depends(_reading)]
#: A handler that changes the thread (401 without a session, 403 without the CSRF proof).
ChangingAgent = Annotated[ThreadAgent, Depends(_changing)]


@dataclass(frozen=True)
class TravellerAgent(ThreadAgent):
    """The same, with the agent's list of this traveller's conversations."""

    traveller: str

    async def conversations(self, method: str, *parts: str, json: Any = None) -> Any:
        path = agent_path("travellers", self.traveller, "conversations", *parts)
        return await forward(self.ctx, method, path, json=json)


async def _reading_traveller(
    agent: ReadingAgent, traveller: str = Depends(traveller_id)
) -> TravellerAgent:
    return TravellerAgent(agent.ctx, agent.thread, traveller)


async def _changing_traveller(
    agent: ChangingAgent, traveller: str = Depends(traveller_id)
) -> TravellerAgent:
    return TravellerAgent(agent.ctx, agent.thread, traveller)


#: As `ReadingAgent`, for a traveller (401 without one in the cookie).
ReadingTraveller = Annotated[TravellerAgent, Depends(_reading_traveller)]
#: As `ChangingAgent`, for a traveller.
ChangingTraveller = Annotated[TravellerAgent, Depends(_changing_traveller)]
