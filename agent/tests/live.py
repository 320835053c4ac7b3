"""Real agent processes for tests: start on a free port, wait until ready, stop."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

from testsupport.ports import free_port
from testsupport.processes import ServiceProcess

__all__ = ["ROOT", "AgentProcess", "free_port"]

ROOT = Path(__file__).resolve().parents[2]


class AgentProcess:
    """`travel-agent` with offline providers and no provider keys from the shell, logging
    to `log_path`; `env` adds or overrides settings."""

    def __init__(
        self, env: dict[str, str], log_path: Path, command: list[str] | None = None
    ) -> None:
        base = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI", "GOOGLE"))}
        self.service = ServiceProcess(
            command or "travel-agent",
            {**base, "LLM_PROVIDER": "offline", "PLACES_PROVIDER": "offline", **env},
            log_path.parent,
            "agent",
            log_file=log_path,
        )
        self.port = self.service.port
        self.url = self.service.url
        self.log_path = log_path

    @property
    def env(self) -> dict[str, str]:
        return {**self.service.env, "HOST": "127.0.0.1", "PORT": str(self.port)}

    @property
    def proc(self) -> Any:
        return self.service.proc

    def start(self, timeout: float = 120) -> AgentProcess:
        self.service.start("/readyz", timeout)  # RuntimeError "agent exited: <log>"
        return self

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        code: int = self.proc.wait(timeout=timeout)
        return code

    def __enter__(self) -> AgentProcess:
        return self if self.proc is not None else self.start()

    def __exit__(self, *exc: Any) -> None:
        if self.proc and self.proc.poll() is None:
            self.stop(signal.SIGKILL)
