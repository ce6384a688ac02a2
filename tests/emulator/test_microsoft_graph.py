"""The Microsoft Graph service principal every emulated tenant holds, with Microsoft's permission ids; service
principals and groups found by display name, as idamconf resolves APIs and groups."""

from __future__ import annotations

import pytest

from idamconf.emulator import Store, create_app
from idamconf.emulator.graph_permissions import GRAPH_APP_ID, permissions
from idamconf.emulator.seed import SeedError, seed

from .conftest import Api, assert_error

# A few ids checked by hand against Microsoft's permissions reference (concepts/includes/permissions-ids.md);
# the estate's permissions (/work/shared/docs/org-estate.md) are all among them.
APPLICATION = {"User.Read.All": "df021288-bdef-4463-88db-98f22de89214",
               "Directory.Read.All": "7ab1d382-f21e-4acd-a863-ba3e13f7da61",
               "Group.ReadWrite.All": "62a82d76-70ea-41e2-9197-370581804d09",
               "Group.Create": "bf7b1a76-6e77-406b-b258-bf5c7720e98f",
               "Sites.Selected": "883ea226-0bf2-4a8f-9f9d-92c9162a727d",
               "Application.ReadWrite.OwnedBy": "18a4783c-866b-4cc7-a460-3d5e5662c884",
               "Directory.ReadWrite.All": "19dbc75e-c2e2-444c-a770-ec69d8559fc7",
               "User.ReadWrite.All": "741f803b-c850-494e-b5df-cde7c675a1ca",
               "RoleManagement.ReadWrite.Directory": "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8",
               "AppRoleAssignment.ReadWrite.All": "06b708a9-e830-4db3-a914-8e69da51d44f",
               "Application.ReadWrite.All": "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9",
               "Application.Read.All": "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30",
               "EntitlementManagement.ReadWrite.All": "9acd699f-1e81-4958-b001-93b1d2506e19"}
DELEGATED = {"User.Read": ("e1fe6dd8-ba31-4d61-89e7-88639da4683d", "User"),
             "openid": ("37f7f235-527c-4136-accd-4a02d197296e", "User"),
             "profile": ("14dad69e-099b-42c9-810b-d002981feec1", "User"),
             "email": ("64a6cdd6-aab1-4aaf-94b8-3cc8405e90d0", "User"),
             "offline_access": ("7427e0e9-2fba-42fe-b0c0-848c9e6a8182", "User"),
             "Directory.AccessAsUser.All": ("0e263e50-5827-48a4-b97c-d940288653c7", "Admin"),
             "User.Read.All": ("a154be20-db9c-4678-8ab7-66f6cc099a59", "Admin"),
             "Application.ReadWrite.All": ("bdfbf15f-ee85-4955-8675-146e8e5296b5", "Admin"),
             "Mail.Read": ("570282fd-fa5c-430d-a7fd-fc8dc98a9dca", "User")}
MICROSOFT_SERVICES = "f8cdef31-a31e-4b4a-93e4-5f571e91255a"  # Microsoft's own tenant, owner of first-party apps


@pytest.fixture
def graph(api) -> dict:
    return api.get(f"servicePrincipals(appId='{GRAPH_APP_ID}')").json()


def test_every_tenant_holds_microsoft_graph(graph, api):
    assert (graph["displayName"], graph["appDisplayName"]) == ("Microsoft Graph", "Microsoft Graph")
    assert graph["appOwnerOrganizationId"] == MICROSOFT_SERVICES and graph["servicePrincipalType"] == "Application"
    assert api.get(f"servicePrincipals/{graph['id']}").json()["appId"] == GRAPH_APP_ID


def test_its_permissions_carry_microsofts_ids(graph):
    roles = {r["value"]: r for r in graph["appRoles"]}
    scopes = {s["value"]: s for s in graph["oauth2PermissionScopes"]}
    assert {name: roles[name]["id"] for name in APPLICATION} == APPLICATION
    assert {name: (scopes[name]["id"], scopes[name]["type"]) for name in DELEGATED} == DELEGATED
    assert all(r["allowedMemberTypes"] == ["Application"] and r["isEnabled"] for r in roles.values())
    assert len(roles) + len(scopes) >= 120 and len(permissions()) >= 60
    ids = [item["id"] for item in [*roles.values(), *scopes.values()]]
    assert len(ids) == len(set(ids))


def test_high_privilege_permissions_a_lint_rule_names_are_there(graph):
    values = {r["value"] for r in graph["appRoles"]}
    for prefix in ("Directory.", "RoleManagement.", "AppRoleAssignment."):
        assert any(value.startswith(prefix) for value in values), prefix
    assert {"User.ReadWrite.All", "Group.ReadWrite.All", "Application.ReadWrite.All", "Files.ReadWrite.All",
            "Sites.ReadWrite.All"} <= values


@pytest.mark.parametrize("query", ["displayName eq 'Microsoft Graph'", f"appId eq '{GRAPH_APP_ID}'",
                                   "displayName eq 'microsoft graph'"])
def test_apis_are_found_by_display_name_or_app_id(api, graph, query):
    found = api.get("servicePrincipals", params={"$filter": query, "$select": "id,appId,displayName"}).json()
    assert found["value"] == [{"id": graph["id"], "appId": GRAPH_APP_ID, "displayName": "Microsoft Graph"}]


def test_seeded_once_per_tenant_and_kept_when_the_tenant_is_opened_again(tmp_path):
    store = Store(tmp_path / "t.db")
    first = Api(store).get(f"servicePrincipals(appId='{GRAPH_APP_ID}')").json()["id"]
    create_app(store)
    store.close()
    again = Store(tmp_path / "t.db")
    listed = Api(again).get("servicePrincipals", params={"$filter": f"appId eq '{GRAPH_APP_ID}'"}).json()["value"]
    assert [sp["id"] for sp in listed] == [first]
    other = Api(Store()).get(f"servicePrincipals(appId='{GRAPH_APP_ID}')").json()["id"]
    assert other != first  # its object id differs per tenant, as in Entra
    again.close()


# ---------------------------------------------------------------------------------------------- seeded groups
def test_seeded_groups_are_security_groups_found_by_display_name(api):
    seed(api.store, {"groups": [{"displayName": "HR staff"}, {"displayName": "Finance", "id":
                                                                "2b7d3c4e-5f60-4a1b-8c2d-3e4f5a6b0001"}]})
    found = api.get("groups", params={"$filter": "displayName eq 'HR staff'"}).json()["value"]
    assert len(found) == 1
    group = found[0]
    assert (group["securityEnabled"], group["mailEnabled"], group["groupTypes"]) == (True, False, [])
    assert group["mailNickname"] == "HRstaff" and group["createdDateTime"]
    assert api.get("groups/2b7d3c4e-5f60-4a1b-8c2d-3e4f5a6b0001").json()["displayName"] == "Finance"
    assert api.get(f"groups/{group['id']}").json()["id"] == group["id"]  # a stable id derived from the name
    assert api.get("groups", params={"$filter": "displayName eq 'Nobody'"}).json()["value"] == []


@pytest.mark.parametrize("group", [{"id": "2b7d3c4e-5f60-4a1b-8c2d-3e4f5a6b0001"}, {"displayName": "X", "id": "g"},
                                   {"displayName": "X", "securityEnabled": "yes"}, {"displayName": "X", "bogus": 1}])
def test_bad_group_fixtures_are_refused(api, group):
    with pytest.raises(SeedError):
        seed(api.store, {"groups": [group]})


def test_graph_permissions_cannot_be_assigned_to_users(api, graph, users):
    body = {"principalId": users[0]["id"], "resourceId": graph["id"], "appRoleId": APPLICATION["User.Read.All"]}
    assert_error(api.post(f"servicePrincipals/{graph['id']}/appRoleAssignedTo", json=body), 400)
