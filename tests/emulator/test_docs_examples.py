"""The requests on Microsoft's Graph v1.0 reference pages, over raw HTTP to the served emulator, answer with the
documented status codes (application-upsert.md, application-post-applications.md, application-update.md,
application-post-owners.md, serviceprincipal-post-serviceprincipals.md, serviceprincipal-upsert.md)."""

from __future__ import annotations

from idamconf.emulator.seed import seed

from .conftest import ALICE

CREATE = {"Prefer": "create-if-missing"}


def test_application_upsert_example(http):
    path = "applications(uniqueName='app-65278')"
    first = http.patch(path, headers=CREATE, json={"displayName": "Display name"})
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["uniqueName"] == "app-65278" and body["displayName"] == "Display name"
    assert body["@odata.context"].endswith("/$metadata#applications/$entity")
    second = http.patch(path, headers=CREATE, json={"displayName": "Display name"})
    assert second.status_code == 204 and second.content == b""
    assert http.get(path).json()["id"] == body["id"]


def test_create_and_update_application_examples(http):
    created = http.post("applications", json={"displayName": "Display name"})
    assert created.status_code == 201, created.text
    app_id = created.json()["id"]
    updated = http.patch(f"applications/{app_id}", json={"displayName": "New display name"})
    assert updated.status_code == 204 and updated.content == b""
    assert http.get(f"applications/{app_id}").json()["displayName"] == "New display name"


def test_add_owner_example(http, served):
    seed(served.store, {"users": [ALICE]})
    user_id = http.get("users/alice@contoso.com").json()["id"]
    app_id = http.post("applications", json={"displayName": "Owned"}).json()["id"]
    response = http.post(f"applications/{app_id}/owners/$ref",
                         json={"@odata.id": f"https://graph.microsoft.com/v1.0/directoryObjects/{user_id}"})
    assert response.status_code == 204 and response.content == b""
    assert [owner["id"] for owner in http.get(f"applications/{app_id}/owners").json()["value"]] == [user_id]
    assert http.delete(f"applications/{app_id}/owners/{user_id}/$ref").status_code == 204


def test_create_service_principal_example(http):
    app_id = http.post("applications", json={"displayName": "For a service principal"}).json()["appId"]
    response = http.post("servicePrincipals", json={"appId": app_id})
    assert response.status_code == 201, response.text
    assert response.json()["appId"] == app_id


def test_service_principal_upsert_example(http):
    app_id = http.post("applications", json={"displayName": "For an upserted service principal"}).json()["appId"]
    path = f"servicePrincipals(appId='{app_id}')"
    first = http.patch(path, headers=CREATE, json={"displayName": "My app instance"})
    assert first.status_code == 201, first.text
    assert first.json()["appId"] == app_id and first.json()["displayName"] == "My app instance"
    second = http.patch(path, headers=CREATE, json={"displayName": "My app instance"})
    assert second.status_code == 204 and second.content == b""
