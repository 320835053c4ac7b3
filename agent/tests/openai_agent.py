"""Runs the agent service as `travel-agent` does (same settings, same DrainingServer),
with LangChain's ChatOpenAI on OPENAI_BASE_URL as its model.

Started as a process by tests that need a real streaming LLM call held open (see
slow_openai.py). It builds the model here only because this branch has no
`LLM_PROVIDER=openai` factory yet; everything else is the production path.
"""

from __future__ import annotations

from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from travel_agent.app import create_app
from travel_agent.main import serve
from travel_agent.settings import get_settings


def main() -> None:
    settings = get_settings()
    model = ChatOpenAI(
        model=settings.travel_model,
        api_key=settings.openai_api_key or SecretStr("not-set"),
        base_url=settings.openai_base_url,
        streaming=True,
        stream_usage=True,
        max_retries=0,
    )
    serve(settings, create_app(settings, model=model))


if __name__ == "__main__":
    main()
