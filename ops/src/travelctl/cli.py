"""The `travelctl` command line: options and messages; the work is in the modules it calls."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from travelctl import checks, console, deploy, rollout, secrets, smoke, status
from travelctl.envfile import read_registry_credentials, read_secret_values
from travelctl.errors import OpsError
from travelctl.kubectl import Kubectl
from travelctl.names import DEFAULT_NAMESPACE

app = typer.Typer(
    help="Deploy and operate CoAgents Travel on Kubernetes.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

Namespace = Annotated[
    str, typer.Option("--namespace", "-n", help="Kubernetes namespace of the app.")
]
Context = Annotated[
    str | None, typer.Option("--context", help="kubeconfig context (default: the current one).")
]
EnvFile = Annotated[
    Path, typer.Option("--env-file", help="Where the secret settings are (see .env.example).")
]
K8sDir = Annotated[Path, typer.Option("--k8s-dir", help="The kustomize tree (base, overlays).")]
Tag = Annotated[
    str | None, typer.Option("--tag", help="Image tag to deploy for both images (a commit SHA).")
]
Owner = Annotated[
    str | None,
    typer.Option("--owner", help="GHCR owner of the images (replaces the OWNER placeholder)."),
]
Timeout = Annotated[int, typer.Option("--timeout", min=1, help="Seconds to wait for each rollout.")]


@contextmanager
def reported_errors() -> Iterator[None]:
    """An OpsError becomes one sentence on stderr and exit status 1."""
    try:
        yield
    except OpsError as error:
        console.error(str(error))
        raise typer.Exit(1) from None


@app.command()
def check(
    namespace: Namespace = DEFAULT_NAMESPACE,
    context: Context = None,
    env_file: EnvFile = Path(".env"),
    k8s_dir: K8sDir = Path("deploy/k8s"),
    overlay: Annotated[str, typer.Option(help="Overlay whose images to look up.")] = "prod",
    tag: Tag = None,
    owner: Owner = None,
) -> None:
    """Check prerequisites: kubectl, context, cluster, .env keys, images in the registry."""
    with reported_errors():
        passed = checks.run_checks(
            Kubectl(context), namespace, env_file, os.environ, k8s_dir, overlay, tag, owner
        )
    if not passed:
        console.error("some checks failed (see `fail` lines above).")
        raise typer.Exit(1)


@app.command("secrets")
def secrets_command(
    namespace: Namespace = DEFAULT_NAMESPACE,
    context: Context = None,
    env_file: EnvFile = Path(".env"),
) -> None:
    """Create or update travel-secrets (and ghcr-secret) from .env; values never shown."""
    with reported_errors():
        kubectl = Kubectl(context)
        found = read_secret_values(env_file, os.environ)
        credentials = read_registry_credentials(env_file, os.environ)
        for name, consequence in found.missing_api_keys().items():
            console.status("warn", f"{name} is not set: {consequence}")
        if not found.values and credentials is None:
            # An empty apply would delete every key an earlier apply set: leave it alone.
            console.status(
                "skip", f"no secret values in {found.source}: {secrets.SECRET_NAME} left as it is"
            )
            return
        if secrets.ensure_namespace(kubectl, namespace):
            console.status("ok", f"namespace {namespace} created")
        if found.values:
            console.status("ok", secrets.apply_secret(kubectl, namespace, found.values))
            names = ", ".join(found.names)
            console.info(
                f"{secrets.SECRET_NAME} holds {names} from {found.source} (values not shown)."
            )
        else:
            console.status(
                "skip", f"no app secrets in {found.source}: {secrets.SECRET_NAME} left as it is"
            )
        if credentials is None:
            console.status(
                "skip",
                f"{secrets.PULL_SECRET_NAME} not changed: set GHCR_USERNAME and GHCR_TOKEN "
                "to create it (public images need none)",
            )
        else:
            console.status("ok", secrets.apply_pull_secret(kubectl, namespace, *credentials))


@app.command("deploy")
def deploy_command(
    overlay: Annotated[str, typer.Option(help="Overlay to deploy: dev, prod or ha.")],
    tag: Tag = None,
    owner: Owner = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    timeout: Timeout = 300,
    record: Annotated[
        Path | None,
        typer.Option(help="Write the revisions being replaced here (for rollback --recorded)."),
    ] = None,
    namespace: Namespace = DEFAULT_NAMESPACE,
    context: Context = None,
    k8s_dir: K8sDir = Path("deploy/k8s"),
) -> None:
    """Render an overlay with pinned images, apply it, and wait for the rollout."""
    with reported_errors():
        kubectl = Kubectl(context)
        plan = deploy.plan(kubectl, k8s_dir, overlay, namespace, tag, owner)
        target = kubectl.current_context()
        console.info(f"Deploying overlay {overlay} ({plan.overlay})")
        console.info(f"  to context {target}, namespace {namespace}, with images:")
        for image in plan.images:
            console.info(f"  {image}")
        if not yes and not typer.confirm("Apply it?", default=False):
            raise OpsError("Deploy cancelled; nothing was applied.")
        console.info(deploy.apply(kubectl, plan, namespace, record))
        rollout.wait(kubectl, namespace, timeout)
        console.status("ok", f"overlay {overlay} deployed to {namespace}")


@app.command("status")
def status_command(namespace: Namespace = DEFAULT_NAMESPACE, context: Context = None) -> None:
    """Show pods, services, the HTTPRoute, the gateway address and logs of failing pods."""
    with reported_errors():
        healthy = status.status(Kubectl(context), namespace)
    if not healthy:
        console.error("some pods are failing (their logs are above).")
        raise typer.Exit(1)


@app.command("rollback")
def rollback_command(
    revision: Annotated[
        int | None,
        typer.Option(min=1, help="Revision to return both Deployments to (default: the previous)."),
    ] = None,
    recorded: Annotated[
        Path | None,
        typer.Option(help="Undo exactly what `deploy --record FILE` replaced (for CD)."),
    ] = None,
    timeout: Timeout = 300,
    namespace: Namespace = DEFAULT_NAMESPACE,
    context: Context = None,
) -> None:
    """Roll both Deployments back to the version before the last deploy, and wait."""
    if revision is not None and recorded is not None:
        console.error("pass --revision or --recorded, not both.")
        raise typer.Exit(2)
    with reported_errors():
        if recorded is not None:
            rollout.rollback_recorded(Kubectl(context), namespace, recorded, timeout)
        else:
            rollout.rollback(Kubectl(context), namespace, revision, timeout)
        console.status("ok", "rollback done")


@app.command("smoke")
def smoke_command(
    url: Annotated[
        str, typer.Argument(help="The ui's public URL, e.g. https://travel.example.com")
    ],
    message: Annotated[str, typer.Option(help="What to say in the chat turn.")] = (
        smoke.DEFAULT_MESSAGE
    ),
    timeout: Annotated[float, typer.Option(min=1, help="Seconds the chat turn may take.")] = 120.0,
) -> None:
    """Smoke-test a running ui: the page, /healthz, and one chat turn to RUN_FINISHED."""
    if not url.startswith(("http://", "https://")):
        console.error(f"{url!r} is not an http(s) URL.")
        raise typer.Exit(2)
    with reported_errors():
        smoke.smoke(url, message, timeout)
        console.status("ok", f"{url} passed the smoke test")


def main() -> None:
    app()
