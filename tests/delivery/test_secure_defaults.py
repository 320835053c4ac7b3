"""The rendered prod and ha overlays, as Argo CD would apply them, are default-deny,
token-protected, HTTPS-only and safe to delete from Argo CD; each promise is also broken on
a copy to show the check sees it."""

from __future__ import annotations

import copy

import pytest

from tests.delivery.delivery_checks import Obj, Rendered
from tests.delivery.secure_defaults import (
    argocd_delete_problems,
    default_deny_problems,
    https_problems,
    secure_default_problems,
    token_problems,
)


def objects(rendered: Rendered, combo_id: str) -> list[Obj]:
    return copy.deepcopy(rendered.objects[combo_id])


def one(found: list[Obj], kind: str, name: str) -> Obj:
    matches = [o for o in found if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(matches) == 1, (kind, name)
    return matches[0]


def env_of(found: list[Obj], deployment: str) -> list[Obj]:
    containers = one(found, "Deployment", deployment)["spec"]["template"]["spec"]["containers"]
    return list(containers[0]["env"])


SECURE = [c for c in ("prod", "ha", "prod+monitoring+kgateway-timeouts", "ha+monitoring")]


@pytest.mark.parametrize("combo_id", SECURE)
def test_prod_and_ha_are_secure_by_default(rendered: Rendered, combo_id: str) -> None:
    assert secure_default_problems(objects(rendered, combo_id)) == []


def test_opting_out_of_network_policies_is_seen(rendered: Rendered) -> None:
    found = objects(rendered, "prod+network-policies-off")
    assert [o for o in found if o["kind"] == "NetworkPolicy"] == []
    assert default_deny_problems(found) != []
    assert token_problems(found) == [] and https_problems(found) == []


def test_default_deny_check_fails_without_the_deny_or_with_an_open_rule(
    rendered: Rendered,
) -> None:
    found = [o for o in objects(rendered, "prod") if o["metadata"]["name"] != "default-deny-all"]
    assert any("no default-deny" in p for p in default_deny_problems(found))
    found = objects(rendered, "prod")
    one(found, "NetworkPolicy", "travel-backend")["spec"]["ingress"].append({})
    assert any("admits every source" in p for p in default_deny_problems(found))


def test_token_check_fails_when_the_token_is_optional_or_missing(rendered: Rendered) -> None:
    found = objects(rendered, "prod")
    for item in env_of(found, "travel-backend"):
        if item["name"] == "AGENT_API_TOKEN":
            item["valueFrom"]["secretKeyRef"]["optional"] = True
    ui = one(found, "Deployment", "travel-frontend")["spec"]["template"]["spec"]["containers"][0]
    ui["env"] = [e for e in ui["env"] if e["name"] != "AGENT_API_TOKEN"]
    problems = token_problems(found)
    assert "travel-backend: AGENT_API_TOKEN is optional" in problems
    assert "travel-frontend: AGENT_API_TOKEN is not set from a Secret" in problems


def test_https_check_fails_on_http_serving_broad_trust_and_plain_cookies(
    rendered: Rendered,
) -> None:
    found = objects(rendered, "prod")
    route = one(found, "HTTPRoute", "travel-frontend-route")
    del route["spec"]["parentRefs"][0]["sectionName"]
    found = [o for o in found if o["metadata"]["name"] != "travel-frontend-redirect"]
    ui = one(found, "Deployment", "travel-frontend")["spec"]["template"]["spec"]["containers"][0]
    for item in ui["env"]:
        if item["name"] == "COOKIE_SECURE":
            item["value"] = "false"
        if item["name"] == "FORWARDED_ALLOW_IPS":
            item["value"] = "10.0.0.0/8,127.0.0.1"
    problems = https_problems(found)
    assert any("not only https" in p for p in problems), problems
    assert "no route redirects the http listener to https" in problems
    assert "travel-frontend: COOKIE_SECURE is not true" in problems
    assert any("FORWARDED_ALLOW_IPS trusts ['10.0.0.0/8']" in p for p in problems), problems


def test_delete_check_fails_when_argo_cd_would_take_the_data(rendered: Rendered) -> None:
    found = objects(rendered, "ha")
    for kind, name in (("Namespace", "app-travelexample"), ("Cluster", "travel-db")):
        one(found, kind, name)["metadata"]["annotations"].pop("argocd.argoproj.io/sync-options")
    problems = argocd_delete_problems(found)
    assert "Namespace/app-travelexample: Argo CD would delete it with the Application" in problems
    assert "Cluster/travel-db: Argo CD would delete it with the Application" in problems


@pytest.mark.parametrize("combo_id", SECURE)
def test_every_ui_replica_must_get_the_same_signing_key(rendered: Rendered, combo_id: str) -> None:
    """Issue 12: with no UI_SECRET_KEY a ui keeps a generated key in DATA_DIR, which a
    read-only container cannot hold and replicas would not share; prod and ha must not
    start a ui without the key from travel-secrets."""
    env = {e["name"]: e for e in env_of(objects(rendered, combo_id), "travel-frontend")}
    ref = env["UI_SECRET_KEY"]["valueFrom"]["secretKeyRef"]
    assert (ref["name"], ref["key"], ref.get("optional")) == (
        "travel-secrets",
        "UI_SECRET_KEY",
        False,
    )
