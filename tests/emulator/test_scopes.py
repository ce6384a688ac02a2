"""Exposed delegated permissions (api.oauth2PermissionScopes), the clients pre-authorized for them, known client
applications, app roles without a value (SAML roles) and requested permissions (requiredResourceAccess)."""

from __future__ import annotations

import uuid

import pytest

from .conftest import assert_error

ENABLED_MESSAGE = "Permission (scope or role) cannot be deleted or updated unless disabled first."


def scope(value="Orders.Read", **fields) -> dict:
    return {"id": str(uuid.uuid4()), "type": "User", "value": value, "isEnabled": True,
            "adminConsentDisplayName": f"{value} for everyone", "adminConsentDescription": f"Lets the app {value}",
            **fields}


def role(value, **fields) -> dict:
    return {"id": str(uuid.uuid4()), "allowedMemberTypes": ["User"], "displayName": str(value), "value": value,
            "isEnabled": True, **fields}


def scopes_of(api, app) -> list[dict]:
    return api.get(f"applications/{app['id']}").json()["api"]["oauth2PermissionScopes"]


def write_scopes(api, app, scopes, **api_fields):
    return api.patch(f"applications/{app['id']}", json={"api": {"oauth2PermissionScopes": scopes, **api_fields}})


def test_scopes_are_stored_whole_and_mirrored_on_the_service_principal(api):
    read = scope()
    app = api.create_app(api={"oauth2PermissionScopes": [read]})
    stored = scopes_of(api, app)
    assert stored == [{**read, "origin": "Application", "userConsentDescription": None,
                       "userConsentDisplayName": None}]
    sp = api.post("servicePrincipals", json={"appId": app["appId"]}).json()
    assert sp["oauth2PermissionScopes"] == stored
    write = scope("Orders.Write", type="Admin")
    assert write_scopes(api, app, [*stored, write]).status_code == 204
    assert [s["value"] for s in api.get(f"servicePrincipals/{sp['id']}").json()["oauth2PermissionScopes"]] == \
        ["Orders.Read", "Orders.Write"]


@pytest.mark.parametrize("name,value", [
    ("type", None), ("type", "Everyone"), ("adminConsentDisplayName", None), ("adminConsentDisplayName", " "),
    ("adminConsentDescription", None), ("value", None), ("value", "has space"), ("value", ".dot"),
    ("value", "x" * 121), ("id", "not-a-guid"), ("isEnabled", "yes"), ("userConsentDisplayName", 3)])
def test_each_scope_property_graph_refuses_is_named(api, name, value):
    error = assert_error(api.post("applications", json={"displayName": "A", "api": {
        "oauth2PermissionScopes": [scope(**{name: value})]}}), 400, "Request_BadRequest")
    assert error["message"] == f"Invalid value specified for property '{name}' of resource 'PermissionScope'."


def test_unknown_scope_properties_are_refused(api):
    assert_error(api.post("applications", json={"displayName": "A", "api": {
        "oauth2PermissionScopes": [scope(colour="red")]}}), 400)


def test_a_scope_value_of_120_characters_is_accepted_and_40_for_personal_accounts(api):
    api.create_app(api={"oauth2PermissionScopes": [scope("x" * 120)]})
    personal = {"signInAudience": "AzureADandPersonalMicrosoftAccount"}
    assert_error(api.post("applications", json={"displayName": "A", **personal, "api": {
        "requestedAccessTokenVersion": 2, "oauth2PermissionScopes": [scope("x" * 41)]}}), 400)
    api.create_app(**personal, api={"requestedAccessTokenVersion": 2, "oauth2PermissionScopes": [scope("x" * 40)]})


def test_ids_and_values_are_unique_across_scopes_and_app_roles(api):
    first = scope("Orders.Read")
    cases = [{"api": {"oauth2PermissionScopes": [first, scope("Orders.Read")]}},
             {"api": {"oauth2PermissionScopes": [first, scope("Other", id=first["id"].upper())]}},
             {"api": {"oauth2PermissionScopes": [first]}, "appRoles": [role("Orders.Read")]},
             {"api": {"oauth2PermissionScopes": [first]}, "appRoles": [role("Admin", id=first["id"])]}]
    for body in cases:
        error = assert_error(api.post("applications", json={"displayName": "A", **body}), 400, "DuplicateValue")
        assert error["details"][0]["target"] == "api.oauth2PermissionScopes"
    api.create_app(api={"oauth2PermissionScopes": [first]}, appRoles=[role("Orders.Admin")])


def test_an_enabled_scope_is_changed_or_removed_only_once_disabled(api):
    read = scope()
    app = api.create_app(api={"oauth2PermissionScopes": [read]})
    for scopes in ([{**read, "adminConsentDisplayName": "Renamed"}], []):
        assert_error(write_scopes(api, app, scopes), 400, "CannotDeleteOrUpdateEnabledEntitlement")
        assert assert_error(write_scopes(api, app, scopes), 400)["message"] == ENABLED_MESSAGE
    assert write_scopes(api, app, [{**read, "isEnabled": False}]).status_code == 204
    assert write_scopes(api, app, [{**read, "isEnabled": False, "adminConsentDisplayName": "Renamed"}]
                        ).status_code == 204
    assert write_scopes(api, app, []).status_code == 204
    assert scopes_of(api, app) == []


def test_pre_authorized_clients_name_exposed_scopes(api):
    read, client_id = scope(), str(uuid.uuid4())
    good = [{"appId": client_id, "delegatedPermissionIds": [read["id"]]}]
    app = api.create_app(api={"oauth2PermissionScopes": [read], "preAuthorizedApplications": good})
    assert api.get(f"applications/{app['id']}").json()["api"]["preAuthorizedApplications"] == good
    cases = {"delegatedPermissionIds": [{"appId": client_id, "delegatedPermissionIds": [str(uuid.uuid4())]}],
             "appId": [{"appId": "portal", "delegatedPermissionIds": []}],
             "preAuthorizedApplications": [{"appId": client_id, "colour": "red"}]}
    for name, entries in cases.items():
        error = assert_error(write_scopes(api, app, [read], preAuthorizedApplications=entries), 400)
        assert f"property '{name}'" in error["message"]
    twice = [*good, {"appId": client_id.upper(), "delegatedPermissionIds": []}]
    assert_error(write_scopes(api, app, [read], preAuthorizedApplications=twice), 400)
    disabled = {**read, "isEnabled": False}
    assert write_scopes(api, app, [disabled]).status_code == 204
    assert_error(write_scopes(api, app, []), 400)  # still pre-authorized: remove the pre-authorization first
    assert write_scopes(api, app, [], preAuthorizedApplications=[]).status_code == 204


def test_known_client_applications_are_guids(api):
    known = [str(uuid.uuid4())]
    app = api.create_app(api={"knownClientApplications": known})
    assert api.get(f"applications/{app['id']}").json()["api"]["knownClientApplications"] == known
    error = assert_error(api.post("applications", json={"displayName": "A", "api": {
        "knownClientApplications": ["portal"]}}), 400)
    assert error["message"] == \
        "Invalid value specified for property 'knownClientApplications' of resource 'ApiApplication'."


def test_app_roles_without_a_value_are_accepted(api):
    saml_roles = [role(None, displayName="SAML reader"), role(None, displayName="SAML writer")]
    app = api.create_app(appRoles=saml_roles)
    assert [r["value"] for r in api.get(f"applications/{app['id']}").json()["appRoles"]] == [None, None]


def test_required_resource_access_is_stored_as_sent_even_for_unknown_ids(api):
    graph = "00000003-0000-0000-c000-000000000000"
    required = [{"resourceAppId": graph, "resourceAccess": [
        {"id": "e1fe6dd8-ba31-4d61-89e7-88639da4683d", "type": "Scope"},  # User.Read
        {"id": "df021288-bdef-4463-88db-98f22de89214", "type": "Role"},  # User.Read.All
        {"id": str(uuid.uuid4()), "type": "Role"}]},  # no such permission: Graph accepts it too
        {"resourceAppId": str(uuid.uuid4()), "resourceAccess": [{"id": str(uuid.uuid4()), "type": "Scope"}]}]
    app = api.create_app(requiredResourceAccess=required)
    assert api.get(f"applications/{app['id']}").json()["requiredResourceAccess"] == required


def test_personal_account_applications_expose_at_most_100_scopes(api):
    personal = {"signInAudience": "AzureADandPersonalMicrosoftAccount"}
    many = [scope(f"s{n}") for n in range(101)]
    error = assert_error(api.post("applications", json={"displayName": "A", **personal, "api": {
        "requestedAccessTokenVersion": 2, "oauth2PermissionScopes": many}}), 400)
    assert error["message"] == \
        "Invalid value specified for property 'oauth2PermissionScopes' of resource 'ApiApplication'."
    api.create_app(**personal, api={"requestedAccessTokenVersion": 2, "oauth2PermissionScopes": many[:100]})


def test_a_scope_id_sent_in_capitals_is_kept_and_returned_in_lower_case(api):
    read = scope()
    app = api.create_app(api={"oauth2PermissionScopes": [{**read, "id": read["id"].upper()}]})
    assert [s["id"] for s in scopes_of(api, app)] == [read["id"]]
