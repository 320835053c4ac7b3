"""What every request handler needs, built once per app."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from fastapi.templating import Jinja2Templates

from .agent_client import AgentClient
from .metrics import Metrics
from .session import Sessions
from .settings import Settings


@dataclass
class AppContext:
    settings: Settings
    sessions: Sessions
    agent: AgentClient
    metrics: Metrics
    templates: Jinja2Templates
    asset_version: str
    script_modules: list[str]
    basemap: bool = False


def get_ctx(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx
