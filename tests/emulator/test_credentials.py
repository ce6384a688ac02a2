"""Application secrets: addPassword answers the secret once (200), reads show only its hint; removePassword (204).

Requests and responses follow api-reference/v1.0/api/application-addpassword.md and -removepassword.md.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from msgraph import GraphServiceClient
from msgraph.generated.applications.item.add_password.add_password_post_request_body import (
    AddPasswordPostRequestBody,
)
from msgraph.generated.applications.item.remove_password.remove_password_post_request_body import (
    RemovePasswordPostRequestBody,
)
from msgraph.generated.models.application import Application
from msgraph.generated.models.password_credential import PasswordCredential

from .conftest import assert_error
from .test_sdk_fidelity import assert_no_leftovers, sdk_run

pytestmark = [pytest.mark.filterwarnings("ignore:This class is deprecated:DeprecationWarning"),
              pytest.mark.filterwarnings("ignore:GetQueryParameters is deprecated:DeprecationWarning")]


def add_password(api, app: dict, **credential) -> dict:
    response = api.post(f"applications/{app['id']}/addPassword", json={"passwordCredential": credential})
    assert response.status_code == 200, response.text
    return response.json()


def test_the_documented_request_returns_the_secret_once(api, store):
    app = api.create_app()
    created = add_password(api, app, displayName="Password friendly name")
    assert created["@odata.context"].endswith("$metadata#microsoft.graph.passwordCredential")
    assert set(created) - {"@odata.context"} == {"customKeyIdentifier", "displayName", "endDateTime", "hint", "keyId",
                                                 "secretText", "startDateTime"}
    secret = created["secretText"]
    assert 16 <= len(secret) <= 64 and created["hint"] == secret[:3]
    assert created["displayName"] == "Password friendly name" and uuid.UUID(created["keyId"])
    start = dt.datetime.fromisoformat(created["startDateTime"].replace("Z", "+00:00")[:26] + "+00:00")
    end = dt.datetime.fromisoformat(created["endDateTime"].replace("Z", "+00:00")[:26] + "+00:00")
    assert abs((dt.datetime.now(dt.timezone.utc) - start).total_seconds()) < 60
    assert end.year == start.year + 2 and (end.month, end.day) == (start.month, start.day)

    for body in (api.get(f"applications/{app['id']}").text, api.get("applications").text,
                 api.get(f"applications(appId='{app['appId']}')?$select=passwordCredentials").text):
        assert secret not in body
    stored = api.get(f"applications/{app['id']}").json()["passwordCredentials"]
    assert stored == [{**{k: v for k, v in created.items() if k != "@odata.context"}, "secretText": None}]
    assert secret not in repr(store._db.execute("SELECT doc FROM objects").fetchall())  # never even stored


def test_body_is_optional_and_dates_are_honoured(api):
    app = api.create_app()
    response = api.post(f"applications/{app['id']}/addPassword")
    assert response.status_code == 200, response.text
    assert response.json()["displayName"] is None
    chosen = add_password(api, app, startDateTime="2030-01-01T00:00:00Z", endDateTime="2030-06-30T12:00:00Z")
    assert chosen["startDateTime"].startswith("2030-01-01T00:00:00") and chosen["endDateTime"].endswith("Z")
    assert len(api.get(f"applications/{app['id']}").json()["passwordCredentials"]) == 2
    by_app_id = api.post(f"applications(appId='{app['appId']}')/addPassword", json={})
    assert by_app_id.status_code == 200, by_app_id.text


@pytest.mark.parametrize("credential", [
    {"secretText": "chosen-by-the-client"}, {"hint": "abc"}, {"keyId": str(uuid.uuid4())},
    {"endDateTime": "2020-01-01T00:00:00Z", "startDateTime": "2021-01-01T00:00:00Z"},
    {"endDateTime": "2030-01-01T00:00:00Z", "startDateTime": "2030-01-01T00:00:00Z"},
    {"startDateTime": "next tuesday"}, {"startDateTime": "2030-01-01T00:00:00"}, {"displayName": 7},
])
def test_bad_password_credentials_are_refused(api, credential):
    app = api.create_app()
    assert_error(api.post(f"applications/{app['id']}/addPassword", json={"passwordCredential": credential}), 400)
    assert api.get(f"applications/{app['id']}").json()["passwordCredentials"] == []


def test_remove_password(api):
    app = api.create_app()
    first, second = add_password(api, app), add_password(api, app)
    response = api.post(f"applications/{app['id']}/removePassword", json={"keyId": first["keyId"]})
    assert response.status_code == 204 and response.content == b""
    assert [c["keyId"] for c in api.get(f"applications/{app['id']}").json()["passwordCredentials"]] == \
        [second["keyId"]]
    assert_error(api.post(f"applications/{app['id']}/removePassword", json={"keyId": first["keyId"]}), 404,
                 "Request_ResourceNotFound")
    assert_error(api.post(f"applications/{app['id']}/removePassword", json={"keyId": "nope"}), 400)
    upper = api.post(f"applications/{app['id']}/removePassword", json={"keyId": second["keyId"].upper()})
    assert upper.status_code == 204  # a GUID in any case names the same credential
    assert api.get(f"applications/{app['id']}").json()["passwordCredentials"] == []
    assert_error(api.post(f"applications/{uuid.uuid4()}/addPassword", json={}), 404, "Request_ResourceNotFound")


def test_password_credentials_cannot_be_patched(api):
    app = api.create_app()
    response = api.patch(f"applications/{app['id']}", json={"passwordCredentials": [{"secretText": "x" * 20}]})
    assert_error(response, 400)


def test_the_sdk_adds_and_removes_a_password_with_nothing_left_over(served):
    async def scenario(client: GraphServiceClient):
        app = await client.applications.post(Application(display_name="SDK secrets"))
        item = client.applications.by_application_id(app.id)
        created = await item.add_password.post(AddPasswordPostRequestBody(
            password_credential=PasswordCredential(display_name="rotation")))
        assert isinstance(created, PasswordCredential) and created.secret_text and created.hint
        assert_no_leftovers(created)
        read = await item.get()
        assert [c.secret_text for c in read.password_credentials] == [None]
        assert read.password_credentials[0].hint == created.hint
        await item.remove_password.post(RemovePasswordPostRequestBody(key_id=created.key_id))
        assert (await item.get()).password_credentials == []

    sdk_run(served.base_url, scenario)


def test_an_add_password_body_holds_only_its_password_credential(api):
    app = api.create_app()
    body = {"passwordCredential": {"displayName": "ci"}, "secretText": "chosen-by-the-client"}
    assert_error(api.post(f"applications/{app['id']}/addPassword", json=body), 400)
    assert api.get(f"applications/{app['id']}").json()["passwordCredentials"] == []
