"""Building and running the two service images with podman, the way tests/delivery does it on
this machine: runc (crun fails under cgroups v1 hybrid mode), explicit ulimits (podman's
defaults are refused here), docker format (OCI drops HEALTHCHECK), the host's CA bundle
mounted for the builds (the registries are reached through it), host networking (the
containers reach PostgreSQL on 127.0.0.1). Each check returns the problems it found."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.delivery.delivery_checks import ROOT

BASE_IMAGE = "localhost/coagents-python-base:bookworm"  # made by scripts/test-deps
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
RUNTIME = ("--runtime", "runc")
ULIMITS = ("--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096")
# What docs/deploy.md and the Kubernetes manifests promise, as podman flags.
HARDENED = (
    "--read-only",
    "--tmpfs",
    "/tmp",
    "--cap-drop",
    "ALL",
    "--security-opt",
    "no-new-privileges",
    "--user",
    "10001:10001",
)
#: The one Dockerfile and its target per service.
DOCKERFILE = "Dockerfile"
SERVICES = ("agent", "ui")


def podman(*args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["podman", *args], capture_output=True, text=True, check=False, timeout=timeout
    )


def podman_unusable() -> str | None:
    """Why podman cannot run containers here at all, or None when it can."""
    if shutil.which("podman") is None:
        return "podman is not installed (scripts/test-deps installs it)"
    result = podman("info", "--format", "{{.Host.OCIRuntime.Name}}", timeout=60)
    if result.returncode != 0:
        return f"podman cannot run here: {result.stderr.strip()[-300:]}"
    return None


@dataclass(frozen=True)
class Build:
    image: str
    seconds: float
    output: str

    def cached_steps(self) -> list[str]:
        """The build steps podman took from its layer cache."""
        steps, cached, current = [], [], ""
        for line in self.output.splitlines():
            if re.match(r"^\[\d+/\d+\] STEP \d+/\d+: ", line):
                current = line.split(": ", 1)[1]
                steps.append(current)
            elif line.startswith("--> Using cache") and current:
                cached.append(current)
        return cached


def build(service: str, tag: str, context: Path = ROOT, revision: str = "test") -> Build:
    """Build one service image on the local base (layer cache on)."""
    start = time.monotonic()
    result = podman(
        "build",
        *RUNTIME,
        *ULIMITS,
        "--format",
        "docker",
        "--layers",
        "--network",
        "host",
        "--volume",
        f"{CA_BUNDLE}:{CA_BUNDLE}:ro",
        "--build-arg",
        f"BASE_IMAGE={BASE_IMAGE}",
        "--build-arg",
        f"REVISION={revision}",
        "--file",
        str(context / DOCKERFILE),
        "--target",
        service,
        "--tag",
        tag,
        str(context),
    )
    seconds = time.monotonic() - start
    if result.returncode != 0:
        raise AssertionError(f"podman build {service} failed:\n{result.stderr[-4000:]}")
    return Build(tag, seconds, result.stdout + result.stderr)


def image_size(image: str) -> int:
    result = podman("image", "inspect", "--format", "{{.Size}}", image)
    assert result.returncode == 0, result.stderr
    return int(result.stdout.strip())


def image_config(image: str) -> dict[str, str]:
    revision = '{{index .Config.Labels "org.opencontainers.image.revision"}}'
    fmt = "{{.Config.User}}|{{json .Config.Healthcheck}}|" + revision
    result = podman("image", "inspect", "--format", fmt, image)
    assert result.returncode == 0, result.stderr
    user, health, revision = result.stdout.strip().split("|", 2)
    return {"user": user, "healthcheck": health, "revision": revision}


@dataclass
class Container:
    name: str
    url: str
    started: float  # time.monotonic() at `podman run`

    def logs(self) -> str:
        result = podman("logs", self.name)
        return (result.stdout + result.stderr)[-3000:]

    def running(self) -> bool:
        result = podman("inspect", "--format", "{{.State.Running}}", self.name)
        return result.stdout.strip() == "true"

    def exec(self, *argv: str) -> subprocess.CompletedProcess[str]:
        return podman("exec", self.name, *argv, timeout=60)


@contextmanager
def run(
    image: str, port: int, env: dict[str, str], flags: Sequence[str] = HARDENED
) -> Iterator[Container]:
    """`podman run -d` on the host network, removed afterwards."""
    name = f"delivery-test-{uuid.uuid4().hex[:10]}"
    env_args = [a for key, value in env.items() for a in ("--env", f"{key}={value}")]
    started = time.monotonic()
    result = podman(
        "run",
        "--detach",
        "--name",
        name,
        *RUNTIME,
        *ULIMITS,
        "--network",
        "host",
        *flags,
        *env_args,
        "--env",
        "HOST=127.0.0.1",
        "--env",
        f"PORT={port}",
        image,
    )
    assert result.returncode == 0, f"podman run {image} failed: {result.stderr}"
    try:
        yield Container(name, f"http://127.0.0.1:{port}", started)
    finally:
        podman("rm", "--force", "--time", "5", name, timeout=120)


def wait_ready(container: Container, path: str, attempts: int = 600) -> float | None:
    """Seconds from `podman run` until `path` answered 200; None if the container exited or
    never got there (a bounded wait, not a timing assertion)."""
    for _ in range(attempts):
        try:
            if httpx.get(container.url + path, timeout=2).status_code == 200:
                return time.monotonic() - container.started
        except httpx.TransportError:
            pass
        if not container.running():
            return None
        time.sleep(0.2)
    return None


PROBE = (
    "import os\n"
    "status = dict(l.split(':', 1) for l in open('/proc/1/status'))\n"
    "print('uid', os.getuid())\n"
    "print('caps', int(status['CapEff'].strip(), 16))\n"
    "print('nnp', status['NoNewPrivs'].strip())\n"
    "for path in ('/probe', '/opt/venv/probe', '/tmp/probe'):\n"
    "    try:\n"
    "        open(path, 'w').close(); print('writable', path)\n"
    "    except OSError:\n"
    "        print('readonly', path)\n"
)


def hardening_problems(container: Container) -> list[str]:
    """Inside the running container: user 10001, no capabilities, no-new-privileges, only
    /tmp writable."""
    result = container.exec("python", "-c", PROBE)
    if result.returncode != 0:
        return [f"the probe did not run: {result.stderr.strip()}"]
    lines = [line.split(" ", 1) for line in result.stdout.splitlines() if " " in line]
    facts = {key: value for key, value in lines if key not in ("writable", "readonly")}
    writable = {value for key, value in lines if key == "writable"}
    problems = []
    if facts.get("uid") != "10001":
        problems.append(f"runs as uid {facts.get('uid')}, not 10001")
    if facts.get("caps") != "0":
        problems.append(f"has capabilities (CapEff {facts.get('caps')})")
    if facts.get("nnp") != "1":
        problems.append("no-new-privileges is off")
    for path in ("/probe", "/opt/venv/probe"):
        if path in writable:
            problems.append(f"{path} is writable")
    if "/tmp/probe" not in writable:
        problems.append("/tmp is not writable")
    return problems
