"""A service process (`travel-agent`, `travel-ui`) on a free port of 127.0.0.1: started,
waited for until a path answers 200, stopped with SIGTERM (or killed). Its port stays the
same across restarts and its log file collects every run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from .ports import free_port

#: The virtual environment's console scripts (travel-agent, travel-ui, travelctl).
BIN = Path(sys.executable).parent

#: Settings from a developer's shell that would change what the services do in a test.
DROPPED_ENV = ("OPENAI", "GOOGLE", "DATABASE_URL", "AGENT_API_TOKEN", "RATE_", "OTEL", "UI_")


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without real provider keys and service settings,
    plus `extra`."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith(DROPPED_ENV)}
    return {**keep, **extra}


@dataclass
class ServiceProcess:
    """`command` (a console script of the venv, or a full argv) with HOST and PORT set."""

    command: str | list[str]
    env: dict[str, str]
    workdir: Path
    name: str
    port: int = field(default_factory=free_port)
    log_file: Path | None = None
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.log_file or self.workdir / f"{self.name}.log"

    @property
    def argv(self) -> list[str]:
        return [str(BIN / self.command)] if isinstance(self.command, str) else self.command

    def launch(self) -> ServiceProcess:
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                self.argv,
                env={**self.env, "HOST": "127.0.0.1", "PORT": str(self.port)},
                cwd=self.workdir,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    def wait_ready(self, path: str = "/readyz", timeout: float = 120) -> ServiceProcess:
        """Until `path` answers 200; RuntimeError (with the log's tail) if the process exits
        or the time runs out."""
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log_tail()}")
            try:
                if httpx.get(self.url + path, timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} not ready: {self.log_tail()}")

    def start(self, ready_path: str = "/readyz", timeout: float = 120) -> ServiceProcess:
        return self.launch().wait_ready(ready_path, timeout)

    def log_tail(self, chars: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:]

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def signal(self, sig: int) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)

    def kill(self) -> None:
        """SIGKILL: no drain, no goodbye (an OOM kill or a lost node)."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self, timeout: float = 30) -> int | None:
        """SIGTERM, then SIGKILL after `timeout`; the exit status (None if never started)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def rss_mib(self) -> float:
        assert self.proc is not None
        return rss_mib(self.proc.pid)


def rss_mib(pid: int) -> float:
    """Resident memory of a process now, in MiB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")
