"""Runs kubectl as a child process: one place that knows its path, context and failures."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass

from travelctl.errors import OpsError

# kubectl calls that only read or apply finish quickly; rollouts pass their own timeout.
DEFAULT_TIMEOUT_SECONDS = 120.0


@dataclass(frozen=True)
class Result:
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


class KubectlError(OpsError):
    """kubectl exited non-zero; `stderr` keeps its own words for the caller to show or inspect."""

    def __init__(self, command: str, result: Result) -> None:
        self.command = command
        self.result = result
        detail = first_line(result.stderr) or first_line(result.stdout) or "no output"
        super().__init__(f"`{command}` failed (exit {result.returncode}): {detail}")


def first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


@dataclass(frozen=True)
class Kubectl:
    """kubectl with an optional `--context`; `run` raises KubectlError unless `check=False`."""

    context: str | None = None
    executable: str = "kubectl"

    def path(self) -> str:
        found = shutil.which(self.executable)
        if found is None:
            raise OpsError(
                "kubectl is not on PATH: install it (https://kubernetes.io/docs/tasks/tools/) "
                "and run the command again."
            )
        return found

    def run(
        self,
        *args: str,
        stdin: str | None = None,
        check: bool = True,
        with_context: bool = True,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> Result:
        """Run `kubectl [--context C] ARGS`, feeding `stdin` through a pipe (never a file)."""
        argv = [self.path()]
        if with_context and self.context:
            argv += ["--context", self.context]
        argv += list(args)
        shown = " ".join(["kubectl", *argv[1:]])
        try:
            completed = subprocess.run(  # noqa: S603 - argv is built here, never through a shell
                argv,
                input=stdin if stdin is not None else "",
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise OpsError(f"`{shown}` did not finish within {timeout:.0f} s.") from exc
        result = Result(completed.returncode, completed.stdout, completed.stderr)
        if check and not result.ok:
            raise KubectlError(shown, result)
        return result

    def current_context(self) -> str:
        """The context commands will use: `--context` when given, else kubectl's current one."""
        if self.context:
            return self.context
        result = self.run("config", "current-context", check=False, with_context=False)
        name = result.stdout.strip()
        if not result.ok or not name:
            raise OpsError(
                "kubectl has no current context: choose one with "
                "`kubectl config use-context NAME` or pass --context NAME."
            )
        return name
