"""Applications: create, read by every key, update, delete, and the uniqueName upsert."""

from __future__ import annotations

import re

import pytest

from .conftest import assert_error

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
CREATE = {"Prefer": "create-if-missing"}


def test_post_returns_201_with_server_generated_fields(api):
    response = api.post("applications", json={"displayName": "Payroll", "tags": ["hr"]})
    assert response.status_code == 201
    app = response.json()
    assert GUID.match(app["id"]) and GUID.match(app["appId"]) and app["id"] != app["appId"]
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", app["createdDateTime"])
    assert app["publisherDomain"] == api.store.domain == "contoso.onmicrosoft.com"
    assert app["displayName"] == "Payroll" and app["tags"] == ["hr"]
    assert app["@odata.context"].endswith("/$metadata#applications/$entity")
    other = api.create_app()
    assert other["id"] != app["id"] and other["appId"] != app["appId"]


def test_get_by_id_app_id_and_unique_name(api):
    app = api.create_app(displayName="Payroll", uniqueName="payroll")
    for path in (f"applications/{app['id']}", f"applications(appId='{app['appId']}')",
                 "applications(uniqueName='payroll')"):
        response = api.get(path)
        assert response.status_code == 200, path
        body = response.json()
        assert body["id"] == app["id"] and body["displayName"] == "Payroll" and body["uniqueName"] == "payroll"
        assert body["@odata.context"].endswith("/$metadata#applications/$entity")


def test_patch_by_id_updates_and_returns_204(api):
    app = api.create_app(displayName="Before")
    response = api.patch(f"applications/{app['id']}", json={"displayName": "After", "notes": "n"})
    assert response.status_code == 204 and response.content == b""
    body = api.get(f"applications/{app['id']}").json()
    assert body["displayName"] == "After" and body["notes"] == "n"
    assert body["appId"] == app["appId"] and body["createdDateTime"] == app["createdDateTime"]


def test_patch_by_app_id_and_unique_name_update_the_same_object(api):
    app = api.create_app(displayName="Before", uniqueName="u1")
    assert api.patch(f"applications(appId='{app['appId']}')", json={"description": "d"}).status_code == 204
    assert api.patch("applications(uniqueName='u1')", json={"notes": "n"}).status_code == 204
    body = api.get(f"applications/{app['id']}").json()
    assert (body["description"], body["notes"]) == ("d", "n")


def test_delete_then_get_404(api):
    app = api.create_app()
    assert api.delete(f"applications/{app['id']}").status_code == 204
    error = assert_error(api.get(f"applications/{app['id']}"), 404, "Request_ResourceNotFound")
    assert app["id"] in error["message"]
    assert_error(api.delete(f"applications/{app['id']}"), 404, "Request_ResourceNotFound")
    assert_error(api.patch(f"applications/{app['id']}", json={"notes": "x"}), 404, "Request_ResourceNotFound")


def test_delete_by_unique_name(api):
    api.create_app(uniqueName="gone")
    assert api.delete("applications(uniqueName='gone')").status_code == 204
    assert_error(api.get("applications(uniqueName='gone')"), 404, "Request_ResourceNotFound")


def test_upsert_creates_with_201_then_updates_with_204(api):
    response = api.patch("applications(uniqueName='x')", json={"displayName": "First"}, headers=CREATE)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["uniqueName"] == "x" and created["displayName"] == "First"
    assert GUID.match(created["id"]) and GUID.match(created["appId"]) and created["createdDateTime"]
    assert created["publisherDomain"] == "contoso.onmicrosoft.com"
    assert "web" in created and "appRoles" in created  # the full object, not a stub

    again = api.patch("applications(uniqueName='x')", json={"displayName": "Second"}, headers=CREATE)
    assert again.status_code == 204 and again.content == b""
    body = api.get("applications(uniqueName='x')").json()
    assert body["id"] == created["id"] and body["displayName"] == "Second"
    listed = api.get("applications", params={"$filter": "uniqueName eq 'x'"}).json()["value"]
    assert [app["id"] for app in listed] == [created["id"]]


def test_upsert_without_prefer_on_missing_name_is_404(api):
    assert_error(api.patch("applications(uniqueName='missing')", json={"displayName": "A"}),
                 404, "Request_ResourceNotFound")
    assert api.get("applications").json()["value"] == []


def test_upsert_with_other_prefer_values_still_creates(api):
    headers = {"Prefer": "return=minimal, create-if-missing"}
    response = api.patch("applications(uniqueName='multi')", json={"displayName": "A"}, headers=headers)
    assert response.status_code == 201


def test_unique_name_is_immutable_once_set(api):
    app = api.create_app(uniqueName="fixed")
    assert_error(api.patch(f"applications/{app['id']}", json={"uniqueName": "other"}), 400)
    assert api.get(f"applications/{app['id']}").json()["uniqueName"] == "fixed"
    # the same value is not a change
    assert api.patch(f"applications/{app['id']}", json={"uniqueName": "fixed"}).status_code == 204


def test_unique_name_can_be_set_once_when_absent(api):
    app = api.create_app()
    assert api.patch(f"applications/{app['id']}", json={"uniqueName": "late"}).status_code == 204
    assert api.get("applications(uniqueName='late')").json()["id"] == app["id"]
    assert_error(api.patch(f"applications/{app['id']}", json={"uniqueName": "later"}), 400)


def test_duplicate_unique_name_on_create_is_refused(api):
    api.create_app(uniqueName="dup")
    response = api.post("applications", json={"displayName": "B", "uniqueName": "dup"})
    assert response.status_code in (400, 409)
    assert_error(response, response.status_code)


def test_unknown_property_is_400(api):
    error = assert_error(api.post("applications", json={"displayName": "A", "colour": "red"}), 400)
    assert "'colour' does not exist on type 'microsoft.graph.application'" in error["message"]
    app = api.create_app()
    assert_error(api.patch(f"applications/{app['id']}", json={"colour": "red"}), 400)
    assert_error(api.patch("applications(uniqueName='new')", json={"displayName": "A", "colour": "red"},
                           headers=CREATE), 400)
    assert api.get("applications(uniqueName='new')").status_code == 404


def test_read_only_property_is_400(api):
    assert_error(api.post("applications", json={"displayName": "A", "appId": "00000000-0000-0000-0000-000000000001"}),
                 400)
    app = api.create_app()
    assert_error(api.patch(f"applications/{app['id']}", json={"createdDateTime": "2020-01-01T00:00:00Z"}), 400)


@pytest.mark.parametrize("change", [
    {"tags": "a"}, {"tags": ["a", 1]}, {"notes": 5}, {"displayName": ""}, {"isFallbackPublicClient": "yes"},
    {"web": {"colour": "red"}}, {"web": {"implicitGrantSettings": {"colour": True}}},
])
def test_a_value_not_of_graphs_shape_is_400_and_changes_nothing(api, change):
    app = api.create_app(displayName="kept")
    assert_error(api.patch(f"applications/{app['id']}", json=change), 400, "Request_BadRequest")
    assert api.get(f"applications/{app['id']}").json() == app


def test_post_without_display_name_is_400(api):
    assert_error(api.post("applications", json={}), 400, "Request_BadRequest")
    assert_error(api.post("applications", json={"displayName": "  "}), 400)
    assert api.get("applications").json()["value"] == []


def test_invalid_json_body_is_400(api):
    response = api.post("applications", content=b"{not json", headers={"Content-Type": "application/json"})
    assert_error(response, 400)


def test_deleting_an_application_deletes_its_service_principal(api):
    app = api.create_app()
    sp = api.post("servicePrincipals", json={"appId": app["appId"]}).json()
    keep = api.create_app()
    kept_sp = api.post("servicePrincipals", json={"appId": keep["appId"]}).json()
    assert api.delete(f"applications/{app['id']}").status_code == 204
    assert_error(api.get(f"servicePrincipals/{sp['id']}"), 404, "Request_ResourceNotFound")
    assert_error(api.get(f"servicePrincipals(appId='{app['appId']}')"), 404)
    assert api.get(f"servicePrincipals/{kept_sp['id']}").status_code == 200


def test_failed_write_leaves_no_partial_state(api):
    """A write is all or nothing: a rejected upsert must not leave an application behind."""
    response = api.patch("applications(uniqueName='half')", headers=CREATE,
                         json={"displayName": "A", "appRoles": [{"id": "not-a-guid", "displayName": "r",
                                                                 "allowedMemberTypes": ["User"], "value": "r"}]})
    assert_error(response, 400)
    assert api.get("applications").json()["value"] == []


def test_patch_cannot_take_a_unique_name_already_in_use(api):
    first = api.create_app(uniqueName="taken")
    other = api.create_app()
    response = api.patch(f"applications/{other['id']}", json={"uniqueName": "taken"})
    assert response.status_code in (400, 409), response.text
    assert api.get("applications(uniqueName='taken')").json()["id"] == first["id"]


def test_only_documented_alternate_keys_address_an_application(api):
    api.create_app(displayName="keyed")
    assert_error(api.get("applications(displayName='keyed')"), 400)


# ------------------------------------------------------------------ session 38: rules found unguarded by a sweep
def test_an_identifier_uri_is_held_by_one_application_in_the_tenant_in_any_case(api):
    uri = "https://contoso.onmicrosoft.com/payroll"  # on the tenant's initial domain: no other rule refuses it
    api.create_app(displayName="First", identifierUris=[uri])
    second = api.create_app(displayName="Second")
    taken = uri.replace("payroll", "Payroll")
    error = assert_error(api.patch(f"applications/{second['id']}", json={"identifierUris": [taken]}), 400,
                         "Request_MultipleObjectsWithSameKeyValue")
    assert error["message"] == "Another object with the same value for property identifierUris already exists."
    assert api.get(f"applications/{second['id']}").json()["identifierUris"] == []


def test_an_upsert_body_naming_another_unique_name_is_refused(api):
    response = api.patch("applications(uniqueName='payroll')", json={"displayName": "A", "uniqueName": "hr"},
                         headers=CREATE)
    assert_error(response, 400)
    assert api.get("applications").json()["value"] == []


def test_an_empty_unique_name_and_an_unknown_audience_are_refused(api):
    app = api.create_app()
    assert_error(api.patch(f"applications/{app['id']}", json={"uniqueName": ""}), 400)
    error = assert_error(api.patch(f"applications/{app['id']}", json={"signInAudience": "Everyone"}), 400)
    assert "signInAudience" in error["message"]
    stored = api.get(f"applications/{app['id']}").json()
    assert (stored["uniqueName"], stored["signInAudience"]) == (None, "AzureADMyOrg")


@pytest.mark.parametrize("claims", ["Everything", "SecurityGroup,All", ""])
def test_a_group_membership_claims_value_graph_does_not_take_is_refused(api, claims):
    """application.md: groupMembershipClaims takes one of its listed values (graph/limits.py [claims]); any other is
    400 Request_BadRequest in Graph's error shape, on a create or an update, and nothing is written."""
    error = assert_error(api.post("applications", json={"displayName": "A", "groupMembershipClaims": claims}), 400,
                         "Request_BadRequest")
    assert "groupMembershipClaims" in error["message"]
    assert api.get("applications").json()["value"] == []
    app = api.create_app()
    assert_error(api.patch(f"applications/{app['id']}", json={"groupMembershipClaims": claims}), 400,
                 "Request_BadRequest")
    assert api.get(f"applications/{app['id']}").json()["groupMembershipClaims"] is None


def test_every_group_membership_claims_value_idamconfs_schema_allows_is_taken(api):
    """The application schema's values are the emulator's (one list, graph/limits.py), so what validate passes the
    emulator takes -- each value set, and null clearing it."""
    import json
    from pathlib import Path

    schema = json.loads(Path("idamconf/schemas/application.schema.json").read_text(encoding="utf-8"))
    allowed = schema["properties"]["groupMembershipClaims"]["enum"]
    assert None in allowed and {"None", "SecurityGroup", "All"} <= set(allowed)
    app = api.create_app()
    for claims in [*allowed, None]:
        assert api.patch(f"applications/{app['id']}", json={"groupMembershipClaims": claims}).status_code == 204
        assert api.get(f"applications/{app['id']}").json()["groupMembershipClaims"] == claims
