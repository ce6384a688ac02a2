"""Delegated permission grants (oauth2PermissionGrants): Graph's shape and ids, scope values checked against the
resource's delegated permissions, one grant per client and resource, PATCH of the scope only, filters, cascade."""

from __future__ import annotations

import base64
import uuid

import pytest

from idamconf.emulator.graph_permissions import GRAPH_APP_ID

from .conftest import assert_error

SHAPE = {"id", "clientId", "consentType", "principalId", "resourceId", "scope"}


@pytest.fixture
def client(api):
    """A client application's service principal and Microsoft Graph's."""
    app = api.create_app(displayName="Portal")
    portal = api.post("servicePrincipals", json={"appId": app["appId"]}).json()
    graph = api.get(f"servicePrincipals(appId='{GRAPH_APP_ID}')").json()
    return {"app": app, "sp": portal, "graph": graph}


def grant(api, client, scope="openid profile User.Read", **fields):
    body = {"clientId": client["sp"]["id"], "consentType": "AllPrincipals", "resourceId": client["graph"]["id"],
            "scope": scope, **fields}
    return api.post("oauth2PermissionGrants", json=body)


def test_consent_for_all_principals_in_graphs_shape(api, client):
    response = grant(api, client)
    assert response.status_code == 201, response.text
    made = response.json()
    assert set(made) - {"@odata.context"} == SHAPE
    assert made["@odata.context"].endswith("/$metadata#oauth2PermissionGrants/$entity")
    assert (made["consentType"], made["principalId"], made["scope"]) == ("AllPrincipals", None,
                                                                          "openid profile User.Read")
    raw = base64.urlsafe_b64decode(made["id"] + "=")  # Graph's id: client then resource, GUID byte order
    assert raw == uuid.UUID(client["sp"]["id"]).bytes_le + uuid.UUID(client["graph"]["id"]).bytes_le
    assert api.get(f"oauth2PermissionGrants/{made['id']}").json()["scope"] == "openid profile User.Read"


def test_a_second_grant_for_the_same_client_and_resource_is_409(api, client):
    assert grant(api, client).status_code == 201
    error = assert_error(grant(api, client, scope="email"), 409, "Request_MultipleObjectsWithSameKeyValue")
    assert error["message"] == "Permission entry already exists."


def test_scope_values_must_be_the_resources_delegated_permissions(api, client):
    for scope in ["User.Read Not.A.Permission", "User.Read.All.Bogus", "Sites.Selected"]:  # Sites.Selected: a role
        error = assert_error(grant(api, client, scope=scope), 400, "Request_BadRequest")
        assert error["message"] == \
            "Invalid value specified for property 'scope' of resource 'OAuth2PermissionGrant'."
    assert api.get("oauth2PermissionGrants").json()["value"] == []


def test_a_custom_apis_scopes_can_be_granted_and_a_disabled_one_cannot(api, client):
    scope = {"id": str(uuid.uuid4()), "type": "User", "value": "Orders.Read", "isEnabled": True,
             "adminConsentDisplayName": "Read orders", "adminConsentDescription": "Reads orders"}
    api_app = api.create_app(displayName="Orders API", api={"oauth2PermissionScopes": [scope]})
    orders = api.post("servicePrincipals", json={"appId": api_app["appId"]}).json()
    assert [s["value"] for s in orders["oauth2PermissionScopes"]] == ["Orders.Read"]
    assert grant(api, client, scope="Orders.Read", resourceId=orders["id"]).status_code == 201
    api.patch(f"applications/{api_app['id']}", json={"api": {"oauth2PermissionScopes": [{**scope,
                                                                                          "isEnabled": False}]}})
    other = api.post("servicePrincipals", json={"appId": api.create_app()["appId"]}).json()
    assert_error(api.post("oauth2PermissionGrants", json={
        "clientId": other["id"], "consentType": "AllPrincipals", "resourceId": orders["id"],
        "scope": "Orders.Read"}), 400)


def test_one_users_consent_names_the_user(api, client, users):
    alice = users[0]
    made = grant(api, client, scope="User.Read", consentType="Principal", principalId=alice["id"])
    assert made.status_code == 201, made.text
    assert made.json()["principalId"] == alice["id"] and len(made.json()["id"]) == 64
    assert_error(grant(api, client, scope="User.Read", consentType="Principal"), 400)  # no principalId
    assert_error(grant(api, client, principalId=alice["id"]), 400)  # AllPrincipals names nobody
    assert_error(grant(api, client, consentType="Everyone"), 400)
    unknown = assert_error(grant(api, client, consentType="Everyone", principalId=alice["id"]), 400)
    assert "consentType" in unknown["message"]  # refused for the consent type, whoever it names
    assert_error(grant(api, client, consentType="Principal", principalId=str(uuid.uuid4())), 404)


def test_patch_changes_the_scope_only(api, client):
    made = grant(api, client, scope="User.Read").json()
    path = f"oauth2PermissionGrants/{made['id']}"
    assert api.patch(path, json={"scope": "User.Read offline_access"}).status_code == 204
    assert api.get(path).json()["scope"] == "User.Read offline_access"
    error = assert_error(api.patch(path, json={"principalId": str(uuid.uuid4())}), 400, "Request_BadRequest")
    assert error["message"] == "Property cannot be updated: principalId"
    assert api.patch(path, json={"clientId": made["clientId"], "scope": "User.Read"}).status_code == 204
    assert_error(api.patch(path, json={"scope": "Nope"}), 400)
    assert api.get(path).json()["scope"] == "User.Read"


def test_filters_select_and_delete(api, client):
    made = grant(api, client).json()
    other = api.post("servicePrincipals", json={"appId": api.create_app()["appId"]}).json()
    api.post("oauth2PermissionGrants", json={"clientId": other["id"], "consentType": "AllPrincipals",
                                             "resourceId": client["graph"]["id"], "scope": "email"})
    by_client = api.get("oauth2PermissionGrants", params={"$filter": f"clientId eq '{client['sp']['id']}'"})
    assert [g["id"] for g in by_client.json()["value"]] == [made["id"]]
    by_resource = api.get("oauth2PermissionGrants", params={
        "$filter": f"resourceId eq '{client['graph']['id']}' and consentType eq 'AllPrincipals'"})
    assert len(by_resource.json()["value"]) == 2
    held = api.get(f"servicePrincipals/{client['sp']['id']}/oauth2PermissionGrants").json()
    assert [g["id"] for g in held["value"]] == [made["id"]]
    assert api.get(f"oauth2PermissionGrants/{made['id']}", params={"$select": "scope"}).json()["scope"]
    assert_error(api.get("oauth2PermissionGrants", params={"$filter": "scope eq 'email'"}), 400,
                 "Request_UnsupportedQuery")
    assert api.delete(f"oauth2PermissionGrants/{made['id']}").status_code == 204
    assert_error(api.get(f"oauth2PermissionGrants/{made['id']}"), 404, "Request_ResourceNotFound")


def test_a_deleted_client_takes_its_grants_along(api, client):
    grant(api, client)
    assert api.delete(f"applications/{client['app']['id']}").status_code == 204
    assert api.get("oauth2PermissionGrants").json()["value"] == []


def test_a_deleted_resource_takes_the_grants_to_it_along(api, client):
    scope = {"id": str(uuid.uuid4()), "type": "User", "value": "Orders.Read", "isEnabled": True,
             "adminConsentDisplayName": "Read orders", "adminConsentDescription": "Reads orders"}
    orders = api.create_app(displayName="Orders API", api={"oauth2PermissionScopes": [scope]})
    resource = api.post("servicePrincipals", json={"appId": orders["appId"]}).json()
    assert grant(api, client, scope="Orders.Read", resourceId=resource["id"]).status_code == 201
    assert grant(api, client).status_code == 201  # to Microsoft Graph: stays
    assert api.delete(f"servicePrincipals/{resource['id']}").status_code == 204
    assert [g["resourceId"] for g in api.get("oauth2PermissionGrants").json()["value"]] == [client["graph"]["id"]]


def test_unknown_clients_and_resources_are_404_and_malformed_ids_400(api, client):
    assert_error(grant(api, client, clientId=str(uuid.uuid4())), 404, "Request_ResourceNotFound")
    assert_error(grant(api, client, resourceId=str(uuid.uuid4())), 404, "Request_ResourceNotFound")
    assert_error(grant(api, client, clientId="portal"), 400, "Request_BadRequest")
    assert_error(grant(api, client, id="x"), 400)
