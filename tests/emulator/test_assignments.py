"""App role assignments: both sides (appRoleAssignedTo, appRoleAssignments), Graph's shape and refusals, filters,
`$batch`, and the cascade when a service principal or application goes."""

from __future__ import annotations

import base64
import uuid

import pytest

from idamconf.emulator.graph_permissions import GRAPH_APP_ID
from idamconf.emulator.seed import seed

from .conftest import ALICE, assert_error

DEFAULT_ACCESS = "00000000-0000-0000-0000-000000000000"
SHAPE = {"id", "deletedDateTime", "appRoleId", "createdDateTime", "principalDisplayName", "principalId",
         "principalType", "resourceDisplayName", "resourceId"}


def role(value: str, members=("User",), **fields) -> dict:
    return {"id": str(uuid.uuid4()), "allowedMemberTypes": list(members), "displayName": value, "value": value,
            "isEnabled": True, "description": value, **fields}


@pytest.fixture
def web(api):
    """A web application with a user role and an application role, its service principal, Alice, a security group
    (HR staff) and a Microsoft 365 group (Team site)."""
    seed(api.store, {"users": [ALICE], "groups": [
        {"displayName": "HR staff"},
        {"displayName": "Team site", "groupTypes": ["Unified"], "mailEnabled": True, "securityEnabled": False}]})
    user_role, app_role = role("Internal.User"), role("Data.Read", members=("Application",))
    app = api.create_app(displayName="Web", appRoles=[user_role, app_role])
    sp = api.post("servicePrincipals", json={"appId": app["appId"]}).json()
    groups = {g["displayName"]: g for g in api.get("groups").json()["value"]}
    alice = api.get("users/alice@contoso.com").json()
    return {"app": app, "sp": sp, "user_role": user_role, "app_role": app_role, "alice": alice,
            "group": groups["HR staff"], "m365": groups["Team site"]}


def assign(api, resource: dict, principal_id: str, role_id: str):
    return api.post(f"servicePrincipals/{resource['id']}/appRoleAssignedTo",
                    json={"principalId": principal_id, "resourceId": resource["id"], "appRoleId": role_id})


def test_a_group_is_assigned_a_role_in_graphs_shape(api, web):
    response = assign(api, web["sp"], web["group"]["id"], web["user_role"]["id"])
    assert response.status_code == 201, response.text
    assignment = response.json()
    assert set(assignment) - {"@odata.context"} == SHAPE
    assert assignment["@odata.context"].endswith(
        f"/$metadata#servicePrincipals('{web['sp']['id']}')/appRoleAssignedTo/$entity")
    assert (assignment["principalType"], assignment["principalDisplayName"], assignment["resourceDisplayName"]) == \
        ("Group", "HR staff", "Web")
    assert assignment["appRoleId"] == web["user_role"]["id"] and assignment["deletedDateTime"] is None
    # Graph's id: the principal's object id in GUID byte order, then 16 bytes, URL-safe base64 without padding
    raw = base64.urlsafe_b64decode(assignment["id"] + "=")
    assert len(assignment["id"]) == 43 and raw[:16] == uuid.UUID(web["group"]["id"]).bytes_le
    assert assignment["createdDateTime"].endswith("Z") and len(assignment["createdDateTime"]) == 28


def test_both_sides_list_get_and_delete_the_same_assignment(api, web):
    made = assign(api, web["sp"], web["alice"]["id"], web["user_role"]["id"]).json()
    resource_side = f"servicePrincipals/{web['sp']['id']}/appRoleAssignedTo"
    principal_side = "users/alice@contoso.com/appRoleAssignments"
    listed = api.get(resource_side).json()
    assert listed["@odata.context"].endswith(f"#servicePrincipals('{web['sp']['id']}')/appRoleAssignedTo")
    assert [a["id"] for a in listed["value"]] == [made["id"]]
    assert [a["id"] for a in api.get(principal_side).json()["value"]] == [made["id"]]
    assert api.get(f"{principal_side}/{made['id']}").json()["resourceId"] == web["sp"]["id"]
    assert api.get(f"{resource_side}/{made['id']}").json()["principalId"] == web["alice"]["id"]
    assert api.delete(f"{principal_side}/{made['id']}").status_code == 204
    assert api.get(resource_side).json()["value"] == []
    assert_error(api.delete(f"{resource_side}/{made['id']}"), 404, "Request_ResourceNotFound")


def test_an_assignment_is_reached_only_through_its_own_principal_or_resource(api, web):
    made = assign(api, web["sp"], web["alice"]["id"], web["user_role"]["id"]).json()
    other = api.post("servicePrincipals", json={"appId": api.create_app()["appId"]}).json()
    assert_error(api.get(f"servicePrincipals/{other['id']}/appRoleAssignedTo/{made['id']}"), 404)
    assert_error(api.delete(f"groups/{web['group']['id']}/appRoleAssignments/{made['id']}"), 404)
    assert len(api.get(f"servicePrincipals/{web['sp']['id']}/appRoleAssignedTo").json()["value"]) == 1


def test_a_principal_side_post_assigns_users_groups_and_service_principals(api, web):
    client = api.post("servicePrincipals", json={"appId": api.create_app(displayName="Daemon")["appId"]}).json()
    bodies = {f"users/{web['alice']['id']}": (web["alice"]["id"], web["user_role"]["id"], "User"),
              f"groups/{web['group']['id']}": (web["group"]["id"], web["user_role"]["id"], "Group"),
              f"servicePrincipals/{client['id']}": (client["id"], web["app_role"]["id"], "ServicePrincipal")}
    for path, (principal_id, role_id, kind) in bodies.items():
        response = api.post(f"{path}/appRoleAssignments",
                            json={"principalId": principal_id, "resourceId": web["sp"]["id"], "appRoleId": role_id})
        assert response.status_code == 201, response.text
        assert response.json()["principalType"] == kind
        assert response.json()["@odata.context"].endswith("/appRoleAssignments/$entity")
    assert len(api.get(f"servicePrincipals/{web['sp']['id']}/appRoleAssignedTo").json()["value"]) == 3


def test_a_repeated_assignment_is_refused_as_graph_refuses_it(api, web):
    assert assign(api, web["sp"], web["group"]["id"], web["user_role"]["id"]).status_code == 201
    error = assert_error(assign(api, web["sp"], web["group"]["id"], web["user_role"]["id"].upper()), 400,
                         "Request_BadRequest")
    assert error["message"] == "Permission being assigned already exists on the object."


def test_an_unknown_disabled_or_inadmissible_role_is_not_found_on_the_application(api, web):
    disabled = role("Old", isEnabled=False)
    api.patch(f"applications/{web['app']['id']}", json={"appRoles": [web["user_role"], web["app_role"], disabled]})
    cases = [(web["alice"]["id"], str(uuid.uuid4())), (web["alice"]["id"], disabled["id"]),
             (web["alice"]["id"], web["app_role"]["id"]),  # an Application role for a user
             (web["group"]["id"], web["app_role"]["id"]), (web["alice"]["id"], DEFAULT_ACCESS)]
    for principal_id, role_id in cases:
        error = assert_error(assign(api, web["sp"], principal_id, role_id), 400, "Request_BadRequest")
        assert error["message"] == f"Permission being assigned was not found on application '{web['app']['appId']}'."
    client = api.post("servicePrincipals", json={"appId": api.create_app()["appId"]}).json()
    assert_error(assign(api, web["sp"], client["id"], web["user_role"]["id"]), 400)  # a User role for an app
    assert api.get(f"servicePrincipals/{web['sp']['id']}/appRoleAssignedTo").json()["value"] == []


def test_the_default_access_role_when_the_resource_declares_no_roles(api, web):
    plain = api.post("servicePrincipals", json={"appId": api.create_app(displayName="Plain")["appId"]}).json()
    made = assign(api, plain, web["alice"]["id"], DEFAULT_ACCESS)
    assert made.status_code == 201 and made.json()["appRoleId"] == DEFAULT_ACCESS


def test_unknown_principals_and_resources_are_404(api, web):
    missing = str(uuid.uuid4())
    assert_error(assign(api, web["sp"], missing, web["user_role"]["id"]), 404, "Request_ResourceNotFound")
    assert_error(api.post(f"servicePrincipals/{missing}/appRoleAssignedTo",
                          json={"principalId": web["alice"]["id"], "resourceId": missing,
                                "appRoleId": web["user_role"]["id"]}), 404)
    assert_error(api.post(f"groups/{web['group']['id']}/appRoleAssignments",
                          json={"principalId": web["group"]["id"], "resourceId": missing,
                                "appRoleId": web["user_role"]["id"]}), 404)


@pytest.mark.parametrize("body", [
    {"resourceId": "other"}, {"principalId": "not-a-guid"}, {"appRoleId": "x"}, {"id": "x"},
    {"principalType": "User"}, {"colour": "red"}])
def test_malformed_bodies_are_400(api, web, body):
    good = {"principalId": web["alice"]["id"], "resourceId": web["sp"]["id"], "appRoleId": web["user_role"]["id"]}
    assert_error(api.post(f"servicePrincipals/{web['sp']['id']}/appRoleAssignedTo", json={**good, **body}), 400)


def test_a_group_that_is_not_security_enabled_is_refused(api, web):
    assert_error(assign(api, web["sp"], web["m365"]["id"], web["user_role"]["id"]), 400, "Request_BadRequest")


def test_lists_filter_by_resource_and_display_name_as_graph_documents(api, web):
    """approleassignment.md: resourceId supports `eq` (an Edm.Guid, written bare, as its example does:
    user-list-approleassignments.md), principalDisplayName `eq` and `startswith`; principalId and appRoleId
    nothing -- Graph refuses them, and a quoted GUID, as users quote its answers (msgraph-sdk-dotnet#2306,
    microsoft-graph-docs-contrib#4133). idamconf asks an assignment from the principal's side."""
    assign(api, web["sp"], web["alice"]["id"], web["user_role"]["id"])
    assign(api, web["sp"], web["group"]["id"], web["user_role"]["id"])
    base = f"servicePrincipals/{web['sp']['id']}/appRoleAssignedTo"
    for query, names in [(f"resourceId eq {web['sp']['id']}", ["Alice", "HR staff"]),
                         (f"resourceId eq {web['sp']['id'].upper()}", ["Alice", "HR staff"]),
                         ("startswith(principalDisplayName,'HR')", ["HR staff"])]:
        found = api.get(base, params={"$filter": query}).json()["value"]
        assert [a["principalDisplayName"] for a in found] == names
    held = api.get(f"groups/{web['group']['id']}/appRoleAssignments",
                   params={"$filter": f"resourceId eq {web['sp']['id']}"}).json()["value"]
    assert [a["principalDisplayName"] for a in held] == ["HR staff"]
    for refused in (f"principalId eq {web['group']['id']}", f"appRoleId eq {DEFAULT_ACCESS}",
                    f"resourceId eq '{web['sp']['id']}'"):
        assert_error(api.get(base, params={"$filter": refused}), 400, "Request_UnsupportedQuery")
    page = api.get(base, params={"$top": "1", "$select": "id,principalId"}).json()
    assert list(page["value"][0]) == ["id", "principalId"] and "@odata.nextLink" in page


def test_deleting_a_service_principal_or_application_removes_assignments_both_ways(api, web):
    client_app = api.create_app(displayName="Daemon")
    client = api.post("servicePrincipals", json={"appId": client_app["appId"]}).json()
    graph = api.get(f"servicePrincipals(appId='{GRAPH_APP_ID}')").json()
    user_read_all = next(r["id"] for r in graph["appRoles"] if r["value"] == "User.Read.All")
    assign(api, graph, client["id"], user_read_all)  # the client holds a Microsoft Graph permission
    assign(api, web["sp"], client["id"], web["app_role"]["id"])  # and a role of Web
    assign(api, web["sp"], web["alice"]["id"], web["user_role"]["id"])
    assert api.delete(f"applications/{client_app['id']}").status_code == 204
    assert api.get(f"servicePrincipals/{graph['id']}/appRoleAssignedTo").json()["value"] == []
    assert [a["principalDisplayName"] for a in
            api.get(f"servicePrincipals/{web['sp']['id']}/appRoleAssignedTo").json()["value"]] == ["Alice"]
    assert api.delete(f"servicePrincipals/{web['sp']['id']}").status_code == 204
    assert api.get("users/alice@contoso.com/appRoleAssignments").json()["value"] == []


def test_assignments_work_in_batch(api, web):
    path = f"/servicePrincipals/{web['sp']['id']}/appRoleAssignedTo"
    body = {"principalId": web["group"]["id"], "resourceId": web["sp"]["id"], "appRoleId": web["user_role"]["id"]}
    batch = api.post("$batch", json={"requests": [
        {"id": "1", "method": "POST", "url": path, "body": body, "headers": {"Content-Type": "application/json"}},
        {"id": "2", "method": "POST", "url": path, "body": body, "headers": {"Content-Type": "application/json"},
         "dependsOn": ["1"]},
        {"id": "3", "method": "GET", "url": f"/groups/{web['group']['id']}/appRoleAssignments?$filter=resourceId eq "
                                           f"{web['sp']['id']}", "dependsOn": ["1"]}]}).json()
    statuses = {r["id"]: r for r in batch["responses"]}
    assert (statuses["1"]["status"], statuses["2"]["status"], statuses["3"]["status"]) == (201, 400, 200)
    assert [a["id"] for a in statuses["3"]["body"]["value"]] == [statuses["1"]["body"]["id"]]


def test_replication_lag_hides_a_new_service_principal_from_assignments_and_grants(store, users):
    """A just-created service principal is not there yet for a reference (404, which a client waits out); a repeat
    is recognised on the write primary all the same."""
    from .test_faults import Clock, faulty

    clock = Clock()
    api = faulty(store, "seed=3,lag=4s", clock)
    app = api.create_app(displayName="Lagging", appRoles=[role("Internal.User")])
    clock.advance(4.0)
    sp = api.post("servicePrincipals", json={"appId": app["appId"]}).json()
    role_id = app["appRoles"][0]["id"]
    assert_error(assign(api, sp, users[0]["id"], role_id), 404, "Request_ResourceNotFound")
    graph = api.get(f"servicePrincipals(appId='{GRAPH_APP_ID}')").json()
    grant = {"clientId": sp["id"], "consentType": "AllPrincipals", "resourceId": graph["id"], "scope": "User.Read"}
    assert_error(api.post("oauth2PermissionGrants", json=grant), 404, "Request_ResourceNotFound")
    clock.advance(4.0)
    assert assign(api, sp, users[0]["id"], role_id).status_code == 201
    assert api.post("oauth2PermissionGrants", json=grant).status_code == 201
    # both new objects lag in turn, yet a repeat of either is refused at once
    assert_error(assign(api, sp, users[0]["id"], role_id), 400, "Request_BadRequest")
    assert_error(api.post("oauth2PermissionGrants", json=grant), 409)
    assert api.get(f"servicePrincipals/{sp['id']}/appRoleAssignedTo").json()["value"] == []
    clock.advance(4.0)
    assert len(api.get(f"servicePrincipals/{sp['id']}/appRoleAssignedTo").json()["value"]) == 1


def test_each_malformed_body_is_refused_for_its_own_fault(api, web):
    """The answers name the fault: an appRoleId that is no GUID is an invalid value, not a role the application
    lacks; a principal-side post without principalId says it is required."""
    good = {"principalId": web["alice"]["id"], "resourceId": web["sp"]["id"], "appRoleId": web["user_role"]["id"]}
    error = assert_error(assign(api, web["sp"], web["alice"]["id"], "Internal.User"), 400)
    assert "'appRoleId'" in error["message"] and "not found" not in error["message"]
    without = {name: value for name, value in good.items() if name != "principalId"}
    error = assert_error(api.post(f"users/{web['alice']['id']}/appRoleAssignments", json=without), 400)
    assert error["message"] == "Property 'principalId' is required."
    assert api.get(f"servicePrincipals/{web['sp']['id']}/appRoleAssignedTo").json()["value"] == []
