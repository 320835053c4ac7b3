"""Creates or updates the `travel-secrets` Secret without writing a file or showing a value.

The values reach kubectl only through a pipe: `kubectl create secret generic … --from-env-file=
/dev/stdin --dry-run=client -o yaml`, whose output is piped (in this process) into
`kubectl apply -f -`. Nothing holding a value is ever on a command line or on disk.
"""

from __future__ import annotations

import base64
import json

from travelctl.errors import OpsError
from travelctl.kubectl import Kubectl, KubectlError

SECRET_NAME = "travel-secrets"  # noqa: S105 - the Secret's name, not a value
PULL_SECRET_NAME = "ghcr-secret"  # noqa: S105 - the Secret's name, not a value
REGISTRY = "ghcr.io"


def redact(text: str, values: list[str]) -> str:
    """Replace each value, and its base64 form, with `***` (defence in depth for error text)."""
    for value in values:
        for form in (value, base64.b64encode(value.encode()).decode()):
            if form:
                text = text.replace(form, "***")
    return text


def ensure_namespace(kubectl: Kubectl, namespace: str) -> bool:
    """Create the namespace when it does not exist yet; True when it was created.

    A first deploy needs the Secret before its pods can start, so this may run before the
    overlay (which labels the namespace for the ambient mesh) is applied.
    """
    found = kubectl.run("get", "namespace", namespace, "-o", "name", check=False)
    if found.ok:
        return False
    if "NotFound" not in found.stderr and "not found" not in found.stderr:
        raise KubectlError(f"kubectl get namespace {namespace}", found)
    kubectl.run("create", "namespace", namespace)
    return True


def _create_and_apply(
    kubectl: Kubectl, create_args: list[str], stdin: str, hidden: list[str]
) -> str:
    """`kubectl create … --dry-run=client -o yaml` fed `stdin`, piped into `kubectl apply -f -`."""
    try:
        rendered = kubectl.run(
            "create",
            *create_args,
            "--dry-run=client",
            "-o",
            "yaml",
            stdin=stdin,
            # Client-side rendering needs no cluster, so no context either.
            with_context=False,
        )
        applied = kubectl.run("apply", "-f", "-", stdin=rendered.stdout)
    except OpsError as error:
        raise OpsError(redact(str(error), hidden)) from None
    return redact(applied.stdout.strip(), hidden)


def apply_pull_secret(kubectl: Kubectl, namespace: str, username: str, token: str) -> str:
    """The `ghcr-secret` the Deployments name in imagePullSecrets, for private images."""
    auth = base64.b64encode(f"{username}:{token}".encode()).decode()
    config = json.dumps(
        {"auths": {REGISTRY: {"username": username, "password": token, "auth": auth}}}
    )
    args = [
        "secret",
        "docker-registry",
        PULL_SECRET_NAME,
        "--namespace",
        namespace,
        "--from-file=.dockerconfigjson=/dev/stdin",
    ]
    return _create_and_apply(kubectl, args, config, [token, auth, config])


def apply_secret(
    kubectl: Kubectl, namespace: str, values: dict[str, str], name: str = SECRET_NAME
) -> str:
    """Create or update the Secret; returns kubectl's one-line report (`secret/… configured`)."""
    env_text = "".join(f"{key}={value}\n" for key, value in values.items())
    args = ["secret", "generic", name, "--namespace", namespace, "--from-env-file=/dev/stdin"]
    return _create_and_apply(kubectl, args, env_text, list(values.values()))
