"""The chat model for `LLM_PROVIDER=openai`: any OpenAI-compatible endpoint (OpenAI, Azure
gateways, Ollama, vLLM, LM Studio, llama.cpp server) through LangChain's ChatOpenAI.

Retries are the openai SDK's own (`max_retries`): on connection errors, timeouts, 408, 409,
429 and 5xx it waits exponentially (0.5 s doubling, at most 8 s, minus up to 25% jitter),
or as long as the server's Retry-After says when that is at most two minutes.
"""

from __future__ import annotations

import openai
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from ..settings import Settings
from .usage import LLMUsageRecorder

# Local servers (Ollama, llama.cpp) ignore the key, but the SDK refuses to start without
# one. Against OpenAI this placeholder gets a 401, which the person sees as "check
# OPENAI_API_KEY".
NO_KEY = SecretStr("not-set")


def build_openai_model(settings: Settings) -> ChatOpenAI:
    """Streaming chat model with usage in the stream, timeouts and bounded retries.

    The graph binds its tools with `parallel_tool_calls=False` (one tool call per turn).
    Every call's tokens and outcome are recorded by the attached `LLMUsageRecorder`
    (`model.callbacks[0]`); do not attach another one through the run config.
    """
    return ChatOpenAI(
        model=settings.travel_model,
        api_key=settings.openai_api_key or NO_KEY,
        base_url=settings.openai_base_url or None,
        streaming=True,
        # Asked for explicitly: ChatOpenAI leaves it off when base_url is set.
        stream_usage=True,
        # openai.Timeout is the SDK's own httpx Timeout class (httpx2 in openai>=3).
        timeout=openai.Timeout(
            settings.llm_timeout_seconds, connect=settings.llm_connect_timeout_seconds
        ),
        max_retries=settings.llm_max_retries,
        callbacks=[LLMUsageRecorder("openai")],
    )
