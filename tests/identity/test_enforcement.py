"""A tenant that enforces permissions checks every bearer token and Graph's permissions, as Graph does: expired,
wrong-audience, wrongly signed and foreign tokens get 401; a caller without the permission 403; OwnedBy writes only
what its holder owns or creates."""

from __future__ import annotations

import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from idamconf import clock
from idamconf.emulator.graph_permissions import GRAPH_APP_ID, permissions
from idamconf.emulator.identity import enforcement, keys
from tests.emulator.conftest import api, assert_error, store  # noqa: F401 - fixtures

GRAPH = "https://graph.microsoft.com"
ROLE_IDS = {value: role for value, role, _, _ in permissions() if role}


@pytest.fixture
def pipelines(api):
    """Two client applications with service principals, made before the tenant starts enforcing."""
    made = {}
    for name in ("owned-by", "reader"):
        application = api.create_app(displayName=name)
        principal = api.post("servicePrincipals", json={"appId": application["appId"]}).json()
        made[name] = principal
    graph = api.get(f"servicePrincipals(appId='{GRAPH_APP_ID}')").json()
    for name, value in (("owned-by", "Application.ReadWrite.OwnedBy"), ("reader", "Application.Read.All")):
        assert api.post(f"servicePrincipals/{graph['id']}/appRoleAssignedTo", json={
            "principalId": made[name]["id"], "resourceId": graph["id"], "appRoleId": ROLE_IDS[value]}).status_code == 201
    made["other"] = api.create_app(displayName="someone else's")
    enforcement.enforce(api.store)
    return made


def token(store, principal: dict | None, roles=(), **changes) -> str:
    now = int(time.time())
    claims = {"aud": GRAPH, "iss": f"https://127.0.0.1/{store.tenant_id}/", "iat": now, "nbf": now, "exp": now + 3600,
              "tid": store.tenant_id, "idtyp": "app", "oid": principal["id"] if principal else None,
              "appid": principal["appId"] if principal else None, "roles": list(roles), "ver": "1.0", **changes}
    return keys.sign(store, claims)


def call(api, method: str, path: str, bearer: str, headers: dict | None = None, **kwargs):
    return api.request(method, path, headers={"Authorization": f"Bearer {bearer}", **(headers or {})}, **kwargs)


@pytest.mark.parametrize("fault, message", [
    ("expired", "Lifetime validation failed, the token is expired."),
    ("audience", "Access token validation failure. Invalid audience."),
    ("signature", "Access token validation failure."),
    ("tenant", "Access token validation failure. Invalid issuer or tenant."),
    ("not a jwt", "CompactToken parsing failed with error code: 80049217"),
])
def test_a_token_graph_would_not_accept_is_refused_with_401(api, pipelines, fault, message):
    reader, store = pipelines["reader"], api.store
    bearer = {"expired": lambda: token(store, reader, ["Application.Read.All"], exp=int(time.time()) - 60),
              "audience": lambda: token(store, reader, ["Application.Read.All"], aud="api://orders"),
              "signature": lambda: jwt.encode({"aud": GRAPH, "tid": store.tenant_id, "exp": int(time.time()) + 60},
                                              rsa.generate_private_key(public_exponent=65537, key_size=2048),
                                              algorithm="RS256"),
              "tenant": lambda: token(store, reader, ["Application.Read.All"],
                                      tid="11111111-1111-1111-1111-111111111111"),
              "not a jwt": lambda: "idamconf-emulator"}[fault]()
    error = assert_error(call(api, "GET", "applications", bearer), 401, "InvalidAuthenticationToken")
    assert error["message"] == message
    batch = call(api, "POST", "$batch", bearer, json={"requests": [{"id": "1", "method": "GET", "url": "/users"}]})
    assert batch.status_code == 401


def test_a_permission_not_held_is_refused_with_graphs_403(api, pipelines):
    bearer = token(api.store, pipelines["reader"], ["Application.Read.All"])
    assert call(api, "GET", "applications", bearer).status_code == 200
    error = assert_error(call(api, "GET", "users", bearer), 403, "Authorization_RequestDenied")
    assert error["message"] == "Insufficient privileges to complete the operation."
    assert_error(call(api, "POST", "applications", bearer, json={"displayName": "x"}), 403)
    batch = call(api, "POST", "$batch", bearer, json={"requests": [
        {"id": "1", "method": "GET", "url": "/applications"}, {"id": "2", "method": "GET", "url": "/users"}]})
    statuses = {item["id"]: item["status"] for item in batch.json()["responses"]}
    assert statuses == {"1": 200, "2": 403}  # each item is checked on its own


def test_owned_by_manages_what_it_creates_and_nothing_else(api, pipelines):
    caller = pipelines["owned-by"]
    bearer = token(api.store, caller, ["Application.ReadWrite.OwnedBy"])
    created = call(api, "PATCH", "applications(uniqueName='made-by-pipeline')", bearer,
                   headers={"Prefer": "create-if-missing"}, json={"displayName": "made by the pipeline"})
    assert created.status_code == 201, created.text
    owners = call(api, "GET", f"applications/{created.json()['id']}/owners", bearer).json()["value"]
    assert [owner["id"] for owner in owners] == [caller["id"]]
    assert call(api, "PATCH", f"applications/{created.json()['id']}", bearer,
                json={"description": "changed"}).status_code == 204
    principal = call(api, "POST", "servicePrincipals", bearer, json={"appId": created.json()["appId"]})
    assert principal.status_code == 201, principal.text
    other = pipelines["other"]
    assert call(api, "GET", f"applications/{other['id']}", bearer).status_code == 200  # it may read all
    assert_error(call(api, "PATCH", f"applications/{other['id']}", bearer, json={"description": "x"}), 403,
                 "Authorization_RequestDenied")
    assert_error(call(api, "POST", "servicePrincipals", bearer, json={"appId": other["appId"]}), 403)


def test_a_tenant_not_enforcing_accepts_any_bearer_token(api):
    assert call(api, "GET", "users", "anything").status_code == 200


def test_serve_enforce_permissions_is_kept_in_the_tenants_state(tmp_path, monkeypatch):
    from idamconf.emulator import Store, server
    from tests.cli.harness import idamconf

    monkeypatch.setattr(server, "serve", lambda *args, **kwargs: None)  # not started: the state is what counts
    state = tmp_path / "tenant.db"
    result = idamconf("emulator", "serve", "--tls", "--port", "8999", "--state", str(state), "--enforce-permissions")
    assert result.code == 0, result.err
    reopened = Store(state)
    try:
        assert enforcement.enforced(reopened)
        discovery = f"https://127.0.0.1:8999/{reopened.tenant_id}/v2.0/.well-known/openid-configuration"
    finally:
        reopened.close()
    assert discovery in result.out


def test_a_seed_switches_enforcement_on(store):
    from idamconf.emulator.seed import seed

    assert not enforcement.enforced(store)
    seed(store, {"tenant": {"enforcePermissions": True}})
    assert enforcement.enforced(store)


def test_a_token_without_an_expiry_is_refused(api, pipelines):
    """Graph accepts only a token that says when it ends: one without `exp`, though signed by the tenant's key, is
    refused like any token it cannot validate."""
    now = int(time.time())
    claims = {"aud": GRAPH, "iss": f"https://127.0.0.1/{api.store.tenant_id}/", "iat": now, "nbf": now,
              "tid": api.store.tenant_id, "idtyp": "app", "oid": pipelines["reader"]["id"],
              "roles": ["Application.Read.All"], "ver": "1.0"}
    assert_error(call(api, "GET", "applications", keys.sign(api.store, claims)), 401, "InvalidAuthenticationToken")


def test_owned_by_instantiates_the_non_gallery_template_and_owns_what_it_made(api, pipelines):
    """Instantiating a template creates an application and its service principal (how a SAML application is
    made): OwnedBy may, as it may create an application, and then owns both."""
    caller = pipelines["owned-by"]
    bearer = token(api.store, caller, ["Application.ReadWrite.OwnedBy"])
    made = call(api, "POST", "applicationTemplates/8adf8e6e-67b2-4cf2-a259-e3dc5476c621/instantiate", bearer,
                json={"displayName": "saml made by the pipeline"})
    assert made.status_code == 201, made.text
    for kind in ("application", "servicePrincipal"):
        path = f"{kind}s/{made.json()[kind]['id']}"
        assert [o["id"] for o in call(api, "GET", f"{path}/owners", bearer).json()["value"]] == [caller["id"]]
        assert call(api, "PATCH", path, bearer, json={"notes": "changed"}).status_code == 204


def test_owned_by_restores_and_purges_only_the_deleted_applications_it_owned(api, pipelines):
    """directory-deleteditems-restore.md and -delete.md: Application.ReadWrite.OwnedBy (or .All); reading deleted
    items: Application.Read.All (-list.md). The owner of a deleted application is its owner still."""
    owned_by = token(api.store, pipelines["owned-by"], ["Application.ReadWrite.OwnedBy"])
    mine = call(api, "POST", "applications", owned_by, json={"displayName": "mine"}).json()
    assert call(api, "DELETE", f"applications/{mine['id']}", owned_by).status_code == 204
    api.store.put("deletedApplications", {**api.store.get("applications", pipelines["other"]["id"]),
                                          "deletedDateTime": clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")})
    reader = token(api.store, pipelines["reader"], ["Application.Read.All"])
    listed = call(api, "GET", "directory/deletedItems/microsoft.graph.application", reader)
    assert {item["id"] for item in listed.json()["value"]} == {mine["id"], pipelines["other"]["id"]}
    assert_error(call(api, "POST", f"directory/deletedItems/{mine['id']}/restore", reader), 403)
    other = pipelines["other"]["id"]
    assert_error(call(api, "POST", f"directory/deletedItems/{other}/restore", owned_by), 403)
    assert_error(call(api, "DELETE", f"directory/deletedItems/{other}", owned_by), 403)
    assert call(api, "POST", f"directory/deletedItems/{mine['id']}/restore", owned_by).status_code == 200
    assert call(api, "GET", f"applications/{mine['id']}", owned_by).status_code == 200


def test_owned_by_restores_the_deleted_service_principal_it_owned(api, pipelines):
    """A service principal the caller made for its application is its own (the caller is made its owner), and stays
    so in deleted items: Application.ReadWrite.OwnedBy restores it after the application (directory-deleteditems-
    restore.md), and no other."""
    owned_by = token(api.store, pipelines["owned-by"], ["Application.ReadWrite.OwnedBy"])
    mine = call(api, "POST", "applications", owned_by, json={"displayName": "mine"}).json()
    principal = call(api, "POST", "servicePrincipals", owned_by, json={"appId": mine["appId"]}).json()
    theirs = {"id": "0f0e0d0c-0000-4000-8000-00000000abcd", "appId": pipelines["other"]["appId"],
              "deletedDateTime": clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")}
    api.store.put("deletedServicePrincipals", theirs)  # someone else's, deleted: not the caller's to restore
    assert call(api, "DELETE", f"applications/{mine['id']}", owned_by).status_code == 204
    assert call(api, "POST", f"directory/deletedItems/{mine['id']}/restore", owned_by).status_code == 200
    assert_error(call(api, "POST", f"directory/deletedItems/{theirs['id']}/restore", owned_by), 403)
    assert call(api, "POST", f"directory/deletedItems/{principal['id']}/restore", owned_by).status_code == 200
    assert call(api, "GET", f"servicePrincipals/{principal['id']}", owned_by).status_code == 200


def test_deleted_users_are_listed_with_user_read_not_application_read(api, pipelines):
    """Each deleted-items cast needs its own resource's permission (directory-deleteditems-list.md): an application
    reader lists deleted applications, not deleted users -- Graph answers it 403, and one holding User.Read.All 200."""
    reader = pipelines["reader"]
    applications = token(api.store, reader, ["Application.Read.All"])
    assert call(api, "GET", "directory/deletedItems/microsoft.graph.application", applications).status_code == 200
    assert_error(call(api, "GET", "directory/deletedItems/microsoft.graph.user", applications), 403,
                 "Authorization_RequestDenied")
    users = token(api.store, reader, ["User.Read.All"])
    assert call(api, "GET", "directory/deletedItems/microsoft.graph.user", users).status_code == 200
    assert_error(call(api, "GET", "directory/deletedItems/microsoft.graph.application", users), 403)
