"""Application owners, service principals and (seeded, read-only) users."""

from __future__ import annotations

import uuid

import pytest

from idamconf.emulator.graph_permissions import GRAPH_APP_ID

from .conftest import ALICE, assert_error, moved, skiptoken

GRAPH = "https://graph.microsoft.com/v1.0"
CREATE = {"Prefer": "create-if-missing"}


def graph_id(api) -> str:
    """The object id of the Microsoft Graph service principal every emulated tenant holds, first of all."""
    return api.get(f"servicePrincipals(appId='{GRAPH_APP_ID}')").json()["id"]


def ref(object_id: str) -> dict:
    return {"@odata.id": f"{GRAPH}/directoryObjects/{object_id}"}


# ------------------------------------------------------------------------------------------------------ owners
def test_add_list_and_remove_an_owner(api, users):
    alice, bob = users
    app = api.create_app()
    response = api.post(f"applications/{app['id']}/owners/$ref", json=ref(alice["id"]))
    assert response.status_code == 204 and response.content == b""

    owners = api.get(f"applications/{app['id']}/owners").json()["value"]
    assert [(o["@odata.type"], o["id"], o["userPrincipalName"]) for o in owners] == \
        [("#microsoft.graph.user", alice["id"], "alice@contoso.com")]

    error = assert_error(api.post(f"applications/{app['id']}/owners/$ref", json=ref(alice["id"])), 400)
    assert "One or more added object references already exist" in error["message"]

    assert api.post(f"applications/{app['id']}/owners/$ref", json=ref(bob["id"])).status_code == 204
    assert [o["id"] for o in api.get(f"applications/{app['id']}/owners").json()["value"]] == [alice["id"], bob["id"]]

    assert api.delete(f"applications/{app['id']}/owners/{alice['id']}/$ref").status_code == 204
    assert_error(api.delete(f"applications/{app['id']}/owners/{alice['id']}/$ref"), 404, "Request_ResourceNotFound")
    assert [o["id"] for o in api.get(f"applications/{app['id']}/owners").json()["value"]] == [bob["id"]]


def test_owners_are_per_application(api, users):
    alice, _ = users
    first, second = api.create_app(), api.create_app()
    api.post(f"applications/{first['id']}/owners/$ref", json=ref(alice["id"]))
    assert api.get(f"applications/{second['id']}/owners").json()["value"] == []
    assert api.post(f"applications/{second['id']}/owners/$ref", json=ref(alice["id"])).status_code == 204


def test_owners_by_unique_name_key(api, users):
    alice, _ = users
    api.create_app(uniqueName="owned")
    assert api.post("applications(uniqueName='owned')/owners/$ref", json=ref(alice["id"])).status_code == 204
    assert [o["id"] for o in api.get("applications(uniqueName='owned')/owners").json()["value"]] == [alice["id"]]


def test_unknown_owner_is_404(api, users):
    app = api.create_app()
    assert_error(api.post(f"applications/{app['id']}/owners/$ref", json=ref(str(uuid.uuid4()))),
                 404, "Request_ResourceNotFound")
    assert api.get(f"applications/{app['id']}/owners").json()["value"] == []


def test_owner_of_unknown_application_is_404(api, users):
    alice, _ = users
    assert_error(api.post(f"applications/{uuid.uuid4()}/owners/$ref", json=ref(alice["id"])),
                 404, "Request_ResourceNotFound")


def test_owner_reference_must_be_given(api, users):
    app = api.create_app()
    assert_error(api.post(f"applications/{app['id']}/owners/$ref", json={}), 400)
    bare = {"@odata.id": users[0]["id"]}  # an id, not a reference to a directory object
    assert_error(api.post(f"applications/{app['id']}/owners/$ref", json=bare), 400)
    assert api.get(f"applications/{app['id']}/owners").json()["value"] == []


def test_a_service_principal_can_be_an_owner(api):
    app = api.create_app()
    sp = api.post("servicePrincipals", json={"appId": app["appId"]}).json()
    other = api.create_app()
    assert api.post(f"applications/{other['id']}/owners/$ref", json=ref(sp["id"])).status_code == 204
    owners = api.get(f"applications/{other['id']}/owners").json()["value"]
    assert [(o["@odata.type"], o["id"]) for o in owners] == [("#microsoft.graph.servicePrincipal", sp["id"])]


def test_owners_are_paged_by_top_as_graph_pages_a_directory_list(api):
    """idamconf reads the owners of an application with more than `$expand` shows by `$top=999`: Graph pages any
    directory list by `$top` (1 to 999), with `@odata.nextLink` while more remain."""
    seeded = api.seed_users(*({"userPrincipalName": f"u{i}@contoso.com"} for i in range(3)))
    app = api.create_app()
    for user in seeded:
        api.post(f"applications/{app['id']}/owners/$ref", json=ref(user["id"]))
    first = api.get(f"applications/{app['id']}/owners", params={"$top": "2", "$select": "id"}).json()
    assert [o["id"] for o in first["value"]] == [seeded[0]["id"], seeded[1]["id"]]
    following = api.get(first["@odata.nextLink"]).json()
    assert [o["id"] for o in following["value"]] == [seeded[2]["id"]] and "@odata.nextLink" not in following
    whole = api.get(f"applications/{app['id']}/owners", params={"$top": "999"}).json()
    assert len(whole["value"]) == 3 and "@odata.nextLink" not in whole
    for top, code in (("0", "Request_BadRequest"), ("1000", "Request_UnsupportedQuery")):
        response = api.get(f"applications/{app['id']}/owners", params={"$top": top})
        assert response.status_code == 400 and response.json()["error"]["code"] == code
    assert api.get(f"applications/{app['id']}/owners", params={"$orderby": "id"}).status_code == 400
    forged = moved(skiptoken(first["@odata.nextLink"]), "-2")  # the last two, were it read
    for token in ("garbage!", forged):
        assert_error(api.get(f"applications/{app['id']}/owners", params={"$skiptoken": token}), 400)


# ------------------------------------------------------------------------------------------ service principals
def test_create_service_principal_copies_tags(api):
    app = api.create_app(displayName="Payroll", tags=["HideApp", "team:hr"])
    response = api.post("servicePrincipals", json={"appId": app["appId"]})
    assert response.status_code == 201
    sp = response.json()
    assert sp["appId"] == app["appId"] and sp["id"] not in (app["id"], app["appId"])
    assert sp["tags"] == ["HideApp", "team:hr"]
    assert sp["displayName"] == sp["appDisplayName"] == "Payroll"
    assert sp["appOwnerOrganizationId"] == api.store.tenant_id
    assert sp["@odata.context"].endswith("/$metadata#servicePrincipals/$entity")


def test_service_principal_without_application_is_400_no_backing_object(api):
    missing = str(uuid.uuid4())
    error = assert_error(api.post("servicePrincipals", json={"appId": missing}), 400)
    assert error["details"][0]["code"] == "NoBackingApplicationObject"
    assert missing in error["message"]
    assert [sp["appId"] for sp in api.get("servicePrincipals").json()["value"]] == [GRAPH_APP_ID]


def test_second_service_principal_for_an_app_is_409(api):
    app = api.create_app()
    assert api.post("servicePrincipals", json={"appId": app["appId"]}).status_code == 201
    assert_error(api.post("servicePrincipals", json={"appId": app["appId"]}), 409)
    assert len(api.get(f"servicePrincipals?$filter=appId eq '{app['appId']}'").json()["value"]) == 1


def test_service_principal_upsert(api):
    app = api.create_app(tags=["t"])
    path = f"servicePrincipals(appId='{app['appId']}')"
    created = api.patch(path, json={"displayName": "My app instance"}, headers=CREATE)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["appId"] == app["appId"] and body["displayName"] == "My app instance" and body["tags"] == ["t"]
    again = api.patch(path, json={"displayName": "Renamed"}, headers=CREATE)
    assert again.status_code == 204 and again.content == b""
    assert api.get(path).json()["displayName"] == "Renamed"
    assert len(api.get(f"servicePrincipals?$filter=appId eq '{app['appId']}'").json()["value"]) == 1


def test_service_principal_upsert_without_prefer_is_404(api):
    app = api.create_app()
    assert_error(api.patch(f"servicePrincipals(appId='{app['appId']}')", json={"displayName": "x"}),
                 404, "Request_ResourceNotFound")


def test_service_principal_upsert_for_missing_application_is_400(api):
    error = assert_error(api.patch(f"servicePrincipals(appId='{uuid.uuid4()}')", json={}, headers=CREATE), 400)
    assert error["details"][0]["code"] == "NoBackingApplicationObject"


def test_service_principal_list_get_update_delete(api):
    apps = [api.create_app(displayName=f"sp-{i}") for i in range(3)]
    sps = [api.post("servicePrincipals", json={"appId": app["appId"]}).json() for app in apps]
    listed = api.get("servicePrincipals").json()
    assert [sp["id"] for sp in listed["value"]] == [graph_id(api), *(sp["id"] for sp in sps)]
    assert listed["@odata.context"].endswith("/$metadata#servicePrincipals")
    one = api.get(f"servicePrincipals/{sps[1]['id']}").json()
    assert one["appId"] == apps[1]["appId"] and one["displayName"] == "sp-1"

    assert api.patch(f"servicePrincipals/{sps[1]['id']}", json={"notes": "n"}).status_code == 204
    assert api.get(f"servicePrincipals/{sps[1]['id']}").json()["notes"] == "n"
    assert_error(api.patch(f"servicePrincipals/{sps[1]['id']}", json={"appId": apps[0]["appId"]}), 400)
    assert_error(api.patch(f"servicePrincipals/{sps[1]['id']}", json={"bogus": 1}), 400)

    assert api.delete(f"servicePrincipals/{sps[1]['id']}").status_code == 204
    assert_error(api.get(f"servicePrincipals/{sps[1]['id']}"), 404, "Request_ResourceNotFound")
    assert api.get(f"applications/{apps[1]['id']}").status_code == 200  # the application stays
    assert [sp["id"] for sp in api.get("servicePrincipals").json()["value"]] == [graph_id(api), sps[0]["id"],
                                                                               sps[2]["id"]]
    # the application can get a new service principal afterwards
    assert api.post("servicePrincipals", json={"appId": apps[1]["appId"]}).status_code == 201


def test_service_principal_follows_application_renames(api):
    app = api.create_app(displayName="Old")
    sp = api.post("servicePrincipals", json={"appId": app["appId"]}).json()
    api.patch(f"applications/{app['id']}", json={"displayName": "New"})
    assert api.get(f"servicePrincipals/{sp['id']}").json()["appDisplayName"] == "New"


def test_service_principal_filter_by_app_id(api):
    apps = [api.create_app() for _ in range(2)]
    for app in apps:
        api.post("servicePrincipals", json={"appId": app["appId"]})
    found = api.get("servicePrincipals", params={"$filter": f"appId eq '{apps[1]['appId']}'"}).json()["value"]
    assert [sp["appId"] for sp in found] == [apps[1]["appId"]]


# ------------------------------------------------------------------------------------------------------- users
def test_users_list_and_get(api, users):
    alice, bob = users
    listed = api.get("users").json()
    assert [u["userPrincipalName"] for u in listed["value"]] == ["alice@contoso.com", "bob@contoso.com"]
    assert listed["@odata.context"].endswith("/$metadata#users")
    assert listed["value"][0]["displayName"] == "Alice"

    by_id = api.get(f"users/{alice['id']}").json()
    assert by_id["userPrincipalName"] == "alice@contoso.com" and by_id["id"] == alice["id"]
    by_upn = api.get("users/alice@contoso.com").json()
    assert by_upn["id"] == alice["id"]
    assert api.get("users/ALICE@contoso.com").json()["id"] == alice["id"]  # UPNs are case-insensitive
    assert_error(api.get("users/nobody@contoso.com"), 404, "Request_ResourceNotFound")
    assert_error(api.get(f"users/{uuid.uuid4()}"), 404, "Request_ResourceNotFound")


def test_users_filter_by_user_principal_name(api, users):
    _, bob = users
    found = api.get("users", params={"$filter": "userPrincipalName eq 'bob@contoso.com'"}).json()["value"]
    assert [u["id"] for u in found] == [bob["id"]]
    assert api.get("users", params={"$filter": "userPrincipalName eq 'x@contoso.com'"}).json()["value"] == []


def test_seeded_user_ids_are_stable(api):
    first = api.seed_users(ALICE)[0]
    from idamconf.emulator import Store
    from idamconf.emulator.seed import seed
    other = Store()
    seed(other, {"users": [ALICE]})
    assert other.find("users", "userPrincipalName", "alice@contoso.com")["id"] == first["id"]
    other.close()


def test_users_are_read_only(api, users):
    alice, _ = users
    assert api.post("users", json={"userPrincipalName": "eve@contoso.com"}).status_code in (400, 405)
    assert api.patch(f"users/{alice['id']}", json={"displayName": "x"}).status_code in (400, 405)
    assert api.get(f"users/{alice['id']}").json()["displayName"] == "Alice"
