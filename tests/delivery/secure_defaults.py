"""What "secure by default" means for a rendered overlay, as checks that return problems:
default-deny, token-protected, HTTPS-only, and safe to delete from Argo CD."""

from __future__ import annotations

from typing import Any

from tests.delivery.delivery_checks import Obj, name_of

BROAD_RANGES = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7", "*")
KEEP = "Delete=false"


def _containers(objects: list[Obj]) -> list[tuple[str, Obj]]:
    return [
        (o["metadata"]["name"], c)
        for o in objects
        if o["kind"] == "Deployment"
        for c in o["spec"]["template"]["spec"]["containers"]
    ]


def _env(container: Obj) -> dict[str, Any]:
    return {e["name"]: e for e in container.get("env", [])}


def default_deny_problems(objects: list[Obj]) -> list[str]:
    policies = [o for o in objects if o["kind"] == "NetworkPolicy"]
    deny = [
        p
        for p in policies
        if p["spec"].get("podSelector") == {}
        and set(p["spec"].get("policyTypes", [])) == {"Ingress", "Egress"}
        and not p["spec"].get("ingress")
        and not p["spec"].get("egress")
    ]
    problems = [] if deny else ["no default-deny NetworkPolicy (empty podSelector, no rules)"]
    for policy in policies:
        for rule in policy["spec"].get("ingress", []):
            if not rule.get("from"):
                problems.append(f"{name_of(policy)}: an ingress rule admits every source")
            for peer in rule.get("from", []):
                if peer.get("ipBlock", {}).get("cidr") in ("0.0.0.0/0", "::/0"):
                    problems.append(f"{name_of(policy)}: admits the whole internet")
    return problems


def token_problems(objects: list[Obj]) -> list[str]:
    problems = []
    for deployment, container in _containers(objects):
        item = _env(container).get("AGENT_API_TOKEN")
        ref = (item or {}).get("valueFrom", {}).get("secretKeyRef")
        if ref is None:
            problems.append(f"{deployment}: AGENT_API_TOKEN is not set from a Secret")
        elif ref.get("optional", False) is not False:
            problems.append(f"{deployment}: AGENT_API_TOKEN is optional")
    return problems


def https_problems(objects: list[Obj]) -> list[str]:
    problems = []
    for route in (o for o in objects if o["kind"] == "HTTPRoute"):
        serving = any(rule.get("backendRefs") for rule in route["spec"].get("rules", []))
        sections = {ref.get("sectionName") for ref in route["spec"].get("parentRefs", [])}
        if serving and sections != {"https"}:
            problems.append(f"{name_of(route)}: serves on listener(s) {sections}, not only https")
        if not serving:
            for rule in route["spec"].get("rules", []):
                redirects = [
                    f.get("requestRedirect", {}).get("scheme")
                    for f in rule.get("filters", [])
                    if f.get("type") == "RequestRedirect"
                ]
                if redirects != ["https"]:
                    problems.append(f"{name_of(route)}: a rule neither serves nor goes to https")
    routes = [o for o in objects if o["kind"] == "HTTPRoute"]
    if routes and not any(
        ref.get("sectionName") == "http"
        for route in routes
        if not any(rule.get("backendRefs") for rule in route["spec"].get("rules", []))
        for ref in route["spec"].get("parentRefs", [])
    ):
        problems.append("no route redirects the http listener to https")
    for deployment, container in _containers(objects):
        if deployment == "travel-frontend":
            env = _env(container)
            if env.get("COOKIE_SECURE", {}).get("value") != "true":
                problems.append("travel-frontend: COOKIE_SECURE is not true")
            trusted = str(env.get("FORWARDED_ALLOW_IPS", {}).get("value", ""))
            broad = [r for r in BROAD_RANGES if r in trusted.split(",")]
            if broad:
                problems.append(f"travel-frontend: FORWARDED_ALLOW_IPS trusts {broad}")
    return problems


def _kept(obj: Obj) -> bool:
    options = obj["metadata"].get("annotations", {}).get("argocd.argoproj.io/sync-options", "")
    return KEEP in [o.strip() for o in str(options).split(",")]


def argocd_delete_problems(objects: list[Obj]) -> list[str]:
    """Deleting the Application (resources finalizer) must leave the data: the Namespace (its
    Secrets) and anything that owns volumes carry Delete=false."""
    problems = []
    for obj in objects:
        holds_data = obj["kind"] in ("Namespace", "Cluster", "PersistentVolumeClaim", "StatefulSet")
        if holds_data and not _kept(obj):
            problems.append(f"{name_of(obj)}: Argo CD would delete it with the Application")
    return problems


def secure_default_problems(objects: list[Obj]) -> list[str]:
    return [
        *default_deny_problems(objects),
        *token_problems(objects),
        *https_problems(objects),
        *argocd_delete_problems(objects),
    ]
