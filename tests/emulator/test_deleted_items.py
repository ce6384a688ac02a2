"""Deleted applications (`/directory/deletedItems`): what Graph documents (application-delete.md and the
directory-deleteditems-{list,get,restore,delete}.md pages of microsoft-graph-docs-contrib) and what public reports
say (a deleted application's `uniqueName` stays taken: byte5ai/omadia#916, workoho/spfx-guest-sponsor-info)."""

from __future__ import annotations

import datetime as _dt

import pytest

from idamconf import clock
from idamconf.emulator.identity import enforcement

from .conftest import assert_error

ITEMS = "directory/deletedItems"
APPS = f"{ITEMS}/microsoft.graph.application"
URI = {"identifierUris": ["https://contoso.onmicrosoft.com/blog"], "api": {"requestedAccessTokenVersion": 2}}


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    monkeypatch.setattr(clock, "_offset", _dt.timedelta(0))


def _upsert(client, name: str, **body):
    return client.patch(f"applications(uniqueName='{name}')", json={"displayName": name.title(), **body},
                     headers={"Prefer": "create-if-missing"})


def _deleted(client, name: str = "blog", **body) -> dict:
    app = _upsert(client, name, **body).json()
    assert client.delete(f"applications/{app['id']}").status_code == 204
    return app


def test_a_deleted_application_is_kept_in_deleted_items_not_in_applications(api):
    app = _deleted(api, tags=["idamconf:web"], **URI)
    assert api.get(f"applications/{app['id']}").status_code == 404
    assert api.get("applications(uniqueName='blog')").status_code == 404
    assert api.get("applications").json()["value"] == []
    listed = api.get(APPS).json()["value"]
    assert [(item["id"], item["appId"], item["uniqueName"]) for item in listed] == [
        (app["id"], app["appId"], "blog")]
    assert listed[0]["deletedDateTime"] is not None
    one = api.get(f"{ITEMS}/{app['id']}").json()
    assert one["@odata.type"] == "#microsoft.graph.application" and one["tags"] == ["idamconf:web"]


def test_deleted_items_list_with_the_applications_query_options(api):
    for name in ("one", "two", "three"):
        _deleted(api, name, tags=[f"idamconf:{name}"])
    found = api.get(APPS, params={"$filter": "uniqueName eq 'two'", "$select": "id,uniqueName,tags"}).json()
    assert [item["uniqueName"] for item in found["value"]] == ["two"]
    assert set(found["value"][0]) == {"id", "uniqueName", "tags"}
    assert found["@odata.context"].endswith("#applications(id,uniqueName,tags)")
    tagged = api.get(APPS, params={"$filter": "tags/any(t:t eq 'idamconf:three')"}).json()["value"]
    assert [item["uniqueName"] for item in tagged] == ["three"]
    first = api.get(APPS, params={"$top": "2"}).json()
    rest = api.get(first["@odata.nextLink"].split("/v1.0/", 1)[1]).json()
    assert len(first["value"]) == 2 and len(rest["value"]) == 1 and "@odata.nextLink" not in rest
    assert_error(api.get(ITEMS), 400, "Request_BadRequest")  # the cast is required (list page)


@pytest.mark.parametrize("cast, entity_set", [("microsoft.graph.user", "users"), ("microsoft.graph.group", "groups"),
                                              ("microsoft.graph.administrativeUnit", "administrativeUnits"),
                                              ("microsoft.graph.device", "devices")])
def test_the_other_casts_graph_lists_are_empty_lists_not_refusals(api, cast, entity_set):
    """Graph keeps deleted users, groups and administrative units too (directory-deleteditems-list.md); the emulator
    never deletes one, so their lists are empty -- a client listing them gets what a tenant with none gives."""
    _deleted(api)  # (an application in deleted items is not in these lists)
    found = api.get(f"{ITEMS}/{cast}")
    assert found.status_code == 200, found.text
    assert found.json()["value"] == [] and found.json()["@odata.context"].endswith(f"#{entity_set}")
    assert_error(api.get(f"{ITEMS}/microsoft.graph.notAType"), 404, "Request_ResourceNotFound")
    assert_error(api.get(APPS, params={"$filter": "notes eq 'x'"}), 400)


@pytest.mark.parametrize("cast, entity_set", [("microsoft.graph.user", "users"), ("microsoft.graph.group", "groups"),
                                              ("microsoft.graph.administrativeUnit", "administrativeUnits"),
                                              ("microsoft.graph.device", "devices")])
def test_the_empty_casts_take_their_resources_query_options_as_the_application_cast_does(api, cast, entity_set):
    """The list takes "the query parameters that are supported by the resource that is specified by the OData cast"
    (directory-deleteditems-list.md): what Graph refuses of a user's or group's list is refused, as the application
    cast refuses it, though the list is empty; what it takes names the list as Graph does."""
    for options in ({"$top": "1000"}, {"$top": "0"}, {"$select": "notAProperty"}, {"$filter": "notAProperty eq 'x'"}):
        assert api.get(f"{ITEMS}/microsoft.graph.application", params=options).status_code == 400
        assert api.get(f"{ITEMS}/{cast}", params=options).status_code == 400, options
    found = api.get(f"{ITEMS}/{cast}", params={"$select": "id,displayName", "$filter": "displayName eq 'x'"})
    assert found.status_code == 200 and found.json()["value"] == []
    assert found.json()["@odata.context"].endswith(f"#{entity_set}(id,displayName)")


@pytest.mark.parametrize("cast, options", [
    ("microsoft.graph.administrativeUnit", {"$select": "id,description,visibility,deletedDateTime",
                                            "$filter": "startswith(description,'Sales') or id eq 'x'"}),
    ("microsoft.graph.device", {"$select": "deviceId,operatingSystem,trustType", "$top": "999",
                                "$filter": "operatingSystem eq 'Windows' and startswith(deviceId,'a')"})])
def test_deleted_administrative_units_and_devices_take_their_resources_own_properties(api, cast, options):
    """administrativeunit.md and device.md: each resource's own properties are selectable, and the `$filter`s its
    page documents (without the advanced query parameters) are taken -- the other's are not: an administrative unit
    has no `operatingSystem`, a device no `visibility`, and neither filters on `createdDateTime`."""
    found = api.get(f"{ITEMS}/{cast}", params=options)
    assert found.status_code == 200 and found.json()["value"] == [], found.text
    assert found.json()["@odata.context"].endswith(f"({options['$select']})")
    other = "visibility" if cast.endswith("device") else "operatingSystem"
    assert_error(api.get(f"{ITEMS}/{cast}", params={"$select": other}), 400)
    assert_error(api.get(f"{ITEMS}/{cast}", params={"$filter": "createdDateTime ge '2020-01-01'"}), 400,
                 "Request_UnsupportedQuery")


@pytest.mark.parametrize("cast, least", [("microsoft.graph.user", "User.Read.All"),
                                         ("microsoft.graph.group", "Group.Read.All"),
                                         ("microsoft.graph.administrativeUnit", "AdministrativeUnit.Read.All")])
def test_listing_a_casts_deleted_items_needs_its_resources_permission(cast, least):
    """Each cast's list needs its resource's read permission (directory-deleteditems-list.md's table): deleted users
    User.Read.All, not Application.Read.All -- an enforcing tenant refuses what Graph refuses, and takes what it
    takes."""
    from idamconf.graph.permissions import describe, needs

    assert describe(needs("GET", f"{ITEMS}/{cast}")).startswith(least)
    assert "Application.Read.All" not in describe(needs("GET", f"{ITEMS}/{cast}"))
    assert describe(needs("GET", APPS)).startswith("Application.Read.All")


def test_a_create_by_a_deleted_applications_unique_name_is_refused(api):
    """The reports: the name stays reserved for the 30 days, the create answered 400 Request_BadRequest."""
    _deleted(api)
    error = assert_error(_upsert(api, "blog"), 400, "Request_BadRequest")
    assert "deleted" in error["message"]
    assert_error(api.post("applications", json={"displayName": "Blog", "uniqueName": "blog"}), 400,
                 "Request_BadRequest")
    other = api.create_app(displayName="Other")
    assert_error(api.patch(f"applications/{other['id']}", json={"uniqueName": "blog"}), 400, "Request_BadRequest")


def test_a_restore_brings_the_application_back_with_its_ids_properties_and_owners(api, users):
    app = _deleted(api, tags=["idamconf:web"], notes="kept", **URI)
    restored = api.post(f"{ITEMS}/{app['id']}/restore")
    assert restored.status_code == 200
    assert restored.json()["appId"] == app["appId"] and restored.json()["deletedDateTime"] is None
    now = api.get("applications(uniqueName='blog')").json()
    assert (now["id"], now["appId"], now["notes"], now["identifierUris"]) == (app["id"], app["appId"], "kept",
                                                                              ["https://contoso.onmicrosoft.com/blog"])
    assert api.get(APPS).json()["value"] == []
    assert_error(api.get(f"{ITEMS}/{app['id']}"), 404, "Request_ResourceNotFound")
    assert _upsert(api, "blog", notes="again").status_code == 204  # the live application, updated


def test_a_restore_keeps_the_owners(api, users):
    app = _upsert(api, "blog").json()
    reference = {"@odata.id": f"https://graph.microsoft.com/v1.0/directoryObjects/{users[0]['id']}"}
    assert api.post(f"applications/{app['id']}/owners/$ref", json=reference).status_code == 204
    api.delete(f"applications/{app['id']}")
    api.post(f"{ITEMS}/{app['id']}/restore")
    assert [owner["id"] for owner in api.get(f"applications/{app['id']}/owners").json()["value"]] == [users[0]["id"]]


def test_a_restore_is_refused_while_a_live_application_holds_what_it_held(api):
    app = _deleted(api, **URI)
    api.create_app(displayName="Taker", **URI)
    assert_error(api.post(f"{ITEMS}/{app['id']}/restore"), 400, "Request_MultipleObjectsWithSameKeyValue")
    assert api.get(f"{ITEMS}/{app['id']}").status_code == 200  # still restorable once the URI is free


def test_a_permanent_delete_frees_the_name(api):
    app = _deleted(api)
    assert api.delete(f"{ITEMS}/{app['id']}").status_code == 204
    assert_error(api.get(f"{ITEMS}/{app['id']}"), 404, "Request_ResourceNotFound")
    assert_error(api.post(f"{ITEMS}/{app['id']}/restore"), 404, "Request_ResourceNotFound")
    assert _upsert(api, "blog").status_code == 201


def test_after_30_days_by_idamconfs_clock_the_item_is_gone_and_the_name_free(api):
    app = _deleted(api)
    clock.advance(days=29.9)
    assert api.get(f"{ITEMS}/{app['id']}").status_code == 200
    assert_error(_upsert(api, "blog"), 400, "Request_BadRequest")
    clock.advance(days=0.2)
    assert_error(api.get(f"{ITEMS}/{app['id']}"), 404)
    assert api.get(APPS).json()["value"] == []
    created = _upsert(api, "blog")
    assert created.status_code == 201 and created.json()["appId"] != app["appId"]


def _owned(api, path: str, user: dict) -> None:
    reference = {"@odata.id": f"https://graph.microsoft.com/v1.0/directoryObjects/{user['id']}"}
    assert api.post(f"{path}/owners/$ref", json=reference).status_code == 204


def test_deleted_applications_are_listed_with_their_owners_expanded(api, users):
    """The list takes the query options of its cast's resource, `$expand` among them (directory-deleteditems-list
    .md): a deleted application's owners come with it, as a live one's do, in the one request."""
    app = _upsert(api, "blog", tags=["idamconf:web"]).json()
    _owned(api, f"applications/{app['id']}", users[0])
    api.delete(f"applications/{app['id']}")
    listed = api.get(APPS, params={"$filter": "tags/any(t:t eq 'idamconf:web')", "$select": "id,uniqueName",
                                   "$expand": "owners($select=id,userPrincipalName)"}).json()
    assert [(item["uniqueName"], [o["id"] for o in item["owners"]]) for item in listed["value"]] == [
        ("blog", [users[0]["id"]])]
    assert listed["value"][0]["owners"][0]["@odata.type"] == "#microsoft.graph.user"


def test_the_deleted_applications_a_user_owns_are_listed_by_the_action_graph_documents(api, users):
    """directory-deleteditems-getuserownedobjects.md: the deleted applications (or groups) a user owns, whatever how
    many owners they have -- the one documented way past the 20 owners `$expand` gives of a deleted application."""
    owned, other = (_upsert(api, name).json() for name in ("blog", "wiki"))
    _owned(api, f"applications/{owned['id']}", users[0])
    _owned(api, f"applications/{other['id']}", users[1])
    live = _upsert(api, "live").json()
    _owned(api, f"applications/{live['id']}", users[0])  # not deleted: not listed
    for app in (owned, other):
        api.delete(f"applications/{app['id']}")
    found = api.post(f"{ITEMS}/getUserOwnedObjects", json={"userId": users[0]["id"], "type": "Application"})
    assert found.status_code == 200, found.text
    assert [(item["id"], item["@odata.type"]) for item in found.json()["value"]] == [
        (owned["id"], "#microsoft.graph.application")]
    groups = api.post(f"{ITEMS}/getUserOwnedObjects", json={"userId": users[0]["id"], "type": "Group"})
    assert groups.json()["value"] == []  # the emulator deletes no group
    assert_error(api.post(f"{ITEMS}/getUserOwnedObjects", json={"userId": users[0]["id"], "type": "User"}), 400)
    assert_error(api.post(f"{ITEMS}/getUserOwnedObjects", json={"type": "Application"}), 400)  # whose, unsaid
    assert_error(api.post(f"{ITEMS}/{owned['id']}", json={}), 405)  # a deleted item's id: nothing to post to


def test_the_deleted_applications_a_user_owns_come_sorted_by_id(api, users):
    """directory-deleteditems-getuserownedobjects.md: "up to 1,000 deleted objects owned by the user, sorted by
    ID" -- not in the order they were made or deleted."""
    apps = [_upsert(api, name).json() for name in ("blog", "wiki", "shop", "docs", "mail")]
    for app in apps:
        _owned(api, f"applications/{app['id']}", users[0])
    for app in reversed(apps):
        api.delete(f"applications/{app['id']}")
    found = api.post(f"{ITEMS}/getUserOwnedObjects", json={"userId": users[0]["id"], "type": "Application"})
    assert [item["id"] for item in found.json()["value"]] == sorted(app["id"] for app in apps)


def test_a_deleted_applications_service_principal_waits_in_deleted_items_to_be_restored_on_its_own(api, users):
    """Deleting an application deletes its service principal, and restoring the application does not restore it:
    it is restored by its own id (directory-deleteditems-restore.md), with its id and owners, and mirrors the
    application as it is then."""
    app = _upsert(api, "blog", tags=["idamconf:web"]).json()
    principal = api.post("servicePrincipals", json={"appId": app["appId"]}).json()
    _owned(api, f"servicePrincipals/{principal['id']}", users[1])
    api.delete(f"applications/{app['id']}")
    assert api.get(f"servicePrincipals/{principal['id']}").status_code == 404
    found = api.get(f"{ITEMS}/microsoft.graph.servicePrincipal", params={
        "$filter": "tags/any(t:t eq 'idamconf:web')", "$select": "id,appId",
        "$expand": "owners($select=id)"}).json()["value"]
    assert [(item["id"], item["appId"], [o["id"] for o in item["owners"]]) for item in found] == [
        (principal["id"], app["appId"], [users[1]["id"]])]
    assert api.get(f"{ITEMS}/{principal['id']}").json()["@odata.type"] == "#microsoft.graph.servicePrincipal"
    assert_error(api.post(f"{ITEMS}/{principal['id']}/restore"), 400, "Request_BadRequest")  # its app is deleted
    api.post(f"{ITEMS}/{app['id']}/restore")
    assert api.get(f"servicePrincipals(appId='{app['appId']}')").status_code == 404  # not restored with it
    api.patch(f"applications/{app['id']}", json={"displayName": "Blog again"})
    restored = api.post(f"{ITEMS}/{principal['id']}/restore")
    assert restored.status_code == 200 and restored.json()["@odata.type"] == "#microsoft.graph.servicePrincipal"
    now = api.get(f"servicePrincipals(appId='{app['appId']}')").json()
    assert (now["id"], now["appDisplayName"]) == (principal["id"], "Blog again")
    owners = api.get(f"servicePrincipals/{principal['id']}/owners").json()["value"]
    assert [owner["id"] for owner in owners] == [users[1]["id"]]
    assert api.get(f"{ITEMS}/microsoft.graph.servicePrincipal").json()["value"] == []


def test_a_deleted_service_principal_is_not_restored_while_another_of_its_app_id_is_live(api):
    """A new service principal may be made for a restored application meanwhile; the old one is then restored only
    once the new one is gone (the reports: MicrosoftDocs/azure-docs#99117, KelvinTegelaar/CIPP#1142)."""
    app = _upsert(api, "blog").json()
    principal = api.post("servicePrincipals", json={"appId": app["appId"]}).json()
    api.delete(f"servicePrincipals/{principal['id']}")  # deleted on its own: kept as well
    new = api.post("servicePrincipals", json={"appId": app["appId"]})
    assert new.status_code == 201 and new.json()["id"] != principal["id"]
    error = assert_error(api.post(f"{ITEMS}/{principal['id']}/restore"), 409, "Request_MultipleObjectsWithSameKeyValue")
    assert "restored" in error["message"]
    api.delete(f"servicePrincipals/{new.json()['id']}")
    assert api.post(f"{ITEMS}/{principal['id']}/restore").status_code == 200


def test_an_application_deleted_for_good_leaves_its_service_principal_in_deleted_items_for_its_30_days(api):
    app = _upsert(api, "blog").json()
    principal = api.post("servicePrincipals", json={"appId": app["appId"]}).json()
    api.delete(f"applications/{app['id']}")
    assert api.delete(f"{ITEMS}/{app['id']}").status_code == 204
    assert api.get(f"{ITEMS}/{principal['id']}").status_code == 200  # (MicrosoftDocs/azure-docs#110002)
    clock.advance(days=30.1)
    assert_error(api.get(f"{ITEMS}/{principal['id']}"), 404)


def test_restoring_needs_application_write_an_owner_by_owned_by(api):
    from idamconf.graph.permissions import needs, describe
    assert describe(needs("GET", APPS)).startswith("Application.Read.All")
    assert describe(needs("POST", f"{ITEMS}/x/restore")).startswith("Application.ReadWrite.All")
    assert needs("DELETE", f"{ITEMS}/x")[0].owned == ("Application.ReadWrite.OwnedBy",)
    assert enforcement is not None


def test_after_30_days_the_name_is_free_to_a_create_made_first(api):
    """A create is the first to ask after the 30 days (nothing read deleted items since): the name is free, and the
    item is gone for good."""
    app = _deleted(api)
    clock.advance(days=30.1)
    created = _upsert(api, "blog")
    assert created.status_code == 201 and created.json()["appId"] != app["appId"]
    assert_error(api.get(f"{ITEMS}/{app['id']}"), 404)
