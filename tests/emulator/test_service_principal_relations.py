"""A service principal's owners (`servicePrincipals/{id}/owners`, as an application's) and the project-scale reads of
service principals with their owners or the app role assignments they grant (`$expand=owners`,
`$expand=appRoleAssignedTo`), with Graph's limits on `$expand` for directory objects."""

from __future__ import annotations

from idamconf.emulator.seed import seed

from .conftest import ALICE, BOB, assert_error
from .test_assignments import assign, role
from .test_owners_sps_users import ref


def principal(api, **app) -> dict:
    application = api.create_app(**app)
    return api.post("servicePrincipals", json={"appId": application["appId"]}).json()


def test_a_service_principal_has_owners_of_its_own(api, users):
    alice, bob = users
    sp = principal(api)
    assert api.post(f"servicePrincipals/{sp['id']}/owners/$ref", json=ref(alice["id"])).status_code == 204
    error = assert_error(api.post(f"servicePrincipals/{sp['id']}/owners/$ref", json=ref(alice["id"])), 400)
    assert "One or more added object references already exist" in error["message"]
    owners = api.get(f"servicePrincipals/{sp['id']}/owners?$select=id,userPrincipalName").json()["value"]
    assert owners == [{"@odata.type": "#microsoft.graph.user", "id": alice["id"],
                       "userPrincipalName": "alice@contoso.com"}]
    application = api.get(f"applications(appId='{sp['appId']}')").json()
    assert api.get(f"applications/{application['id']}/owners").json()["value"] == []  # not the application's
    assert_error(api.delete(f"servicePrincipals/{sp['id']}/owners/{bob['id']}/$ref"), 404, "Request_ResourceNotFound")
    assert api.delete(f"servicePrincipals/{sp['id']}/owners/{alice['id']}/$ref").status_code == 204
    assert api.get(f"servicePrincipals/{sp['id']}/owners").json()["value"] == []


def test_a_service_principal_can_own_another(api):
    owner, owned = principal(api), principal(api)
    assert api.post(f"servicePrincipals/{owned['id']}/owners/$ref", json=ref(owner["id"])).status_code == 204
    listed = api.get(f"servicePrincipals/{owned['id']}/owners").json()["value"]
    assert [(o["@odata.type"], o["id"]) for o in listed] == [("#microsoft.graph.servicePrincipal", owner["id"])]


def test_the_list_expands_owners_and_granted_assignments(api):
    seed(api.store, {"users": [ALICE, BOB], "groups": [{"displayName": "HR staff"}]})
    alice = api.get("users/alice@contoso.com").json()
    group = api.get("groups").json()["value"][0]
    internal = role("Internal.User")
    sp = principal(api, displayName="Web", appRoles=[internal], tags=["mine"])
    other = principal(api, displayName="Other", tags=["mine"])
    api.post(f"servicePrincipals/{sp['id']}/owners/$ref", json=ref(alice["id"]))
    assert assign(api, sp, group["id"], internal["id"]).status_code == 201
    mine = "tags/any(t:t eq 'mine')"
    owned = api.get("servicePrincipals", params={"$filter": mine, "$select": "id",
                                                 "$expand": "owners($select=id,userPrincipalName)"}).json()
    assert {p["id"]: p["owners"] for p in owned["value"]} == {
        sp["id"]: [{"@odata.type": "#microsoft.graph.user", "id": alice["id"], "userPrincipalName": "alice@contoso.com"}],
        other["id"]: []}
    granted = api.get("servicePrincipals", params={
        "$filter": mine, "$select": "id", "$expand": "appRoleAssignedTo($select=id,appRoleId,principalId,principalType)",
        "$top": "999"}).json()
    by_sp = {p["id"]: p["appRoleAssignedTo"] for p in granted["value"]}
    assert [(a["principalId"], a["appRoleId"], a["principalType"]) for a in by_sp[sp["id"]]] == \
        [(group["id"], internal["id"], "Group")]
    assert set(by_sp[sp["id"]][0]) == {"id", "appRoleId", "principalId", "principalType"} and by_sp[other["id"]] == []


def test_an_expanded_relationship_shows_at_most_20(api):
    users = [{"userPrincipalName": f"u{n}@contoso.com", "displayName": f"U{n}"} for n in range(22)]
    seed(api.store, {"users": users})
    internal = role("Internal.User")
    sp = principal(api, appRoles=[internal], tags=["many"])
    for user in users:
        found = api.get(f"users/{user['userPrincipalName']}").json()
        assert assign(api, sp, found["id"], internal["id"]).status_code == 201
    page = api.get("servicePrincipals", params={"$filter": "tags/any(t:t eq 'many')",
                                                "$expand": "appRoleAssignedTo"}).json()["value"]
    assert len(page[0]["appRoleAssignedTo"]) == 20 and "appRoleAssignedTo@odata.nextLink" not in page[0]
    assert len(api.get(f"servicePrincipals/{sp['id']}/appRoleAssignedTo").json()["value"]) == 22  # all, read apart


def test_only_select_may_be_nested_in_the_expansion(api):
    principal(api)
    assert_error(api.get("servicePrincipals", params={"$expand": "appRoleAssignedTo($top=5)"}), 400,
                 "Request_UnsupportedQuery")
    assert_error(api.get("servicePrincipals", params={"$expand": "appRoleAssignedTo($select=nope)"}), 400)
    assert_error(api.get("servicePrincipals", params={"$expand": "memberOf"}), 400)
    for unbalanced in ("appRoleAssignedTo(x)(y)", "appRoleAssignedTo((x)"):
        assert_error(api.get("servicePrincipals", params={"$expand": unbalanced}), 400, "Request_BadRequest")
