"""Token usage and outcome of every LLM call, as Prometheus metrics and a log line.

`build_openai_model` attaches one recorder to the model, so every call through the graph
is counted once; the log line carries the thread id LangGraph puts in the run metadata.
A recorder can also be given through a run config (`config["callbacks"]`) to total one
run's tokens.
"""

from __future__ import annotations

import logging
import time
from typing import Any
from uuid import UUID

from langchain_core.callbacks import AsyncCallbackHandler
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGeneration, LLMResult

from ..metrics import LLM_ERRORS, LLM_REQUEST_DURATION, LLM_REQUESTS, LLM_TOKENS
from .errors import classify_llm_error

log = logging.getLogger("travel_agent.llm")


class LLMUsageRecorder(AsyncCallbackHandler):
    """Records tokens (input/output), outcome and duration per LLM call."""

    # Awaited in line rather than gathered as a task of its own: LangChain calls every
    # handler for each streamed token, and a task per token per handler was a visible
    # share of a turn's CPU. The callbacks do no I/O, only counters and one log line.
    run_inline = True

    def __init__(self, provider: str = "openai") -> None:
        self.provider = provider
        self.input_tokens = 0
        self.output_tokens = 0
        self.calls = 0
        self._started: dict[UUID, tuple[float, str, str | None]] = {}

    async def on_chat_model_start(
        self,
        serialized: dict[str, Any],
        messages: list[list[BaseMessage]],
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        meta = metadata or {}
        model = str(meta.get("ls_model_name") or "")
        thread_id = meta.get("thread_id")
        self._started[run_id] = (
            time.perf_counter(),
            model,
            str(thread_id) if thread_id is not None else None,
        )

    async def on_llm_end(
        self,
        response: LLMResult,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        started, model, thread_id = self._pop(run_id)
        input_tokens = output_tokens = 0
        for generations in response.generations:
            for generation in generations:
                if not isinstance(generation, ChatGeneration):
                    continue
                message = generation.message
                usage = getattr(message, "usage_metadata", None) or {}
                input_tokens += int(usage.get("input_tokens", 0))
                output_tokens += int(usage.get("output_tokens", 0))
                model = str(message.response_metadata.get("model_name") or model)
        self.calls += 1
        self.input_tokens += input_tokens
        self.output_tokens += output_tokens
        LLM_REQUESTS.labels(self.provider, "ok").inc()
        LLM_TOKENS.labels(self.provider, "input").inc(input_tokens)
        LLM_TOKENS.labels(self.provider, "output").inc(output_tokens)
        if started is not None:
            LLM_REQUEST_DURATION.labels(self.provider).observe(time.perf_counter() - started)
        log.info(
            "llm_usage",
            extra={
                "provider": self.provider,
                "model": model,
                "input_tokens": input_tokens,
                "output_tokens": output_tokens,
                "thread_id": thread_id,
            },
        )

    async def on_llm_error(
        self,
        error: BaseException,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        started, model, thread_id = self._pop(run_id)
        kind = classify_llm_error(error)
        self.calls += 1
        # The outcome stays ok/error/cancelled (what alerts count); the kind has its own metric.
        outcome = "cancelled" if kind == "cancelled" else "error"
        LLM_REQUESTS.labels(self.provider, outcome).inc()
        if outcome == "error":
            LLM_ERRORS.labels(self.provider, kind).inc()
        if started is not None:
            LLM_REQUEST_DURATION.labels(self.provider).observe(time.perf_counter() - started)
        log.warning(
            "llm_error",
            extra={
                "provider": self.provider,
                "model": model,
                "error_kind": kind,
                "error_type": type(error).__name__,
                "thread_id": thread_id,
            },
        )

    def _pop(self, run_id: UUID) -> tuple[float | None, str, str | None]:
        started = self._started.pop(run_id, None)
        if started is None:
            return None, "", None
        return started
