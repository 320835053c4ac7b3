"""The shared compiled graph as one AG-UI run sees it: a checkpoint already read is not
read again while nothing can have written it.

Every `aget_state` loads the thread's checkpoint and rebuilds the whole conversation from
it (its cost grows with the conversation). For one short turn the integration asks five
times: agui.py before the run (under the thread lock, to check the input), the integration
when the run starts, the graph itself, and twice more when the run ends (final state, then
the STATE/MESSAGES_SNAPSHOT pair). Only two distinct checkpoints are involved, before the
run and after it. This view answers a repeated read from the last one, and forgets it
as soon as anything else is asked of the graph or a stream is running (a stream writes).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from langgraph.pregel import Pregel
from langgraph.types import StateSnapshot

from .agui_events import run_events


def _key(config: Any) -> tuple[Any, ...]:
    configurable = (config or {}).get("configurable") or {}
    return tuple(configurable.get(k) for k in ("thread_id", "checkpoint_ns", "checkpoint_id"))


class RunGraph:
    """Delegates to `shared`; `snapshot` is the thread's state as the caller just read it
    with `config` (holding the thread's lock, so nothing wrote it since)."""

    def __init__(
        self, shared: Pregel[Any, Any, Any, Any], config: Any, snapshot: StateSnapshot
    ) -> None:
        self.shared = shared
        self._known: tuple[tuple[Any, ...], StateSnapshot] | None = (_key(config), snapshot)
        self._streaming = 0

    def __getattr__(self, name: str) -> Any:
        # Anything but a read (an update, a stream, a history walk) may write: forget.
        self._known = None
        return getattr(self.shared, name)

    async def aget_state(self, config: Any, **kwargs: Any) -> StateSnapshot:
        key = _key(config)
        if self._known is not None and not kwargs and not self._streaming:
            known_key, snapshot = self._known
            if known_key == key:
                return snapshot
        snapshot = await self.shared.aget_state(config, **kwargs)
        self._known = (key, snapshot) if not kwargs and not self._streaming else None
        return snapshot

    def astream_events(self, input: Any, config: Any = None, **kwargs: Any) -> AsyncIterator[Any]:
        # The events the integration reads, without tracing the whole run (agui_events);
        # no read is answered from memory until the stream has ended (it writes). Counted
        # from here, not from the stream's first event: one generator less per event (a
        # stream never started stays counted: no read from memory, the safe side).
        self._known = None
        self._streaming += 1
        return run_events(self.shared, input, config, ended=self._ended, **kwargs)

    def _ended(self) -> None:
        self._streaming -= 1
        self._known = None  # the stream saved a new checkpoint
