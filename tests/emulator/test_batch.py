"""JSON batching: one response per request, the 20-request limit, dependsOn and 424, the same rules inside."""

from __future__ import annotations

import uuid

from .conftest import assert_error

JSON = {"Content-Type": "application/json"}


def batch(api, *requests):
    response = api.post("$batch", json={"requests": list(requests)})
    return response


def by_id(response) -> dict:
    assert response.status_code == 200, response.text
    responses = response.json()["responses"]
    ids = [item["id"] for item in responses]
    assert len(ids) == len(set(ids))
    return {item["id"]: item for item in responses}


def test_get_and_post_items_each_get_a_response(api):
    app = api.create_app(displayName="Existing")
    result = by_id(batch(
        api,
        {"id": "1", "method": "GET", "url": f"/applications/{app['id']}"},
        {"id": "2", "method": "POST", "url": "/applications", "headers": JSON, "body": {"displayName": "Batched"}},
        {"id": "3", "method": "GET", "url": "applications?$filter=displayName eq 'Existing'&$select=id"},
    ))
    assert set(result) == {"1", "2", "3"}
    assert result["1"]["status"] == 200 and result["1"]["body"]["displayName"] == "Existing"
    assert "application/json" in result["1"]["headers"]["Content-Type"]
    assert result["2"]["status"] == 201 and result["2"]["body"]["displayName"] == "Batched"
    assert result["3"]["status"] == 200 and result["3"]["body"]["value"] == [{"id": app["id"]}]
    for item in result.values():
        assert isinstance(item["headers"], dict)
    # the POST really happened
    created = api.get(f"applications/{result['2']['body']['id']}")
    assert created.status_code == 200 and created.json()["displayName"] == "Batched"


def test_item_errors_stay_inside_a_200_batch(api):
    result = by_id(batch(api, {"id": "a", "method": "GET", "url": f"/applications/{uuid.uuid4()}"}))
    item = result["a"]
    assert item["status"] == 404
    assert item["body"]["error"]["code"] == "Request_ResourceNotFound"
    assert set(item["body"]["error"]["innerError"]) == {"date", "request-id", "client-request-id"}


def test_v1_prefixed_urls_are_accepted(api):
    app = api.create_app()
    result = by_id(batch(api, {"id": "1", "method": "GET", "url": f"/v1.0/applications/{app['id']}"}))
    assert result["1"]["status"] == 200


def test_twenty_requests_are_allowed_twenty_one_are_not(api):
    items = [{"id": str(i), "method": "GET", "url": "/applications"} for i in range(21)]
    assert len(by_id(batch(api, *items[:20]))) == 20
    assert_error(batch(api, *items), 400)


def test_twenty_one_writes_are_refused_whole(api):
    items = [{"id": str(i), "method": "POST", "url": "/applications", "headers": JSON,
              "body": {"displayName": f"b{i}"}} for i in range(21)]
    assert_error(batch(api, *items), 400)
    assert api.get("applications").json()["value"] == []


def test_depends_on_a_failure_gives_424_transitively(api):
    result = by_id(batch(
        api,
        {"id": "1", "method": "POST", "url": "/applications", "headers": JSON, "body": {}},  # 400: no displayName
        {"id": "2", "method": "POST", "url": "/applications", "headers": JSON, "body": {"displayName": "dep"},
         "dependsOn": ["1"]},
        {"id": "3", "method": "GET", "url": "/applications", "dependsOn": ["2"]},
    ))
    assert result["1"]["status"] == 400
    assert result["2"]["status"] == 424 and result["3"]["status"] == 424
    assert result["2"]["body"]["error"]["code"]
    assert api.get("applications").json()["value"] == []


def test_depends_on_a_success_runs_in_order(api):
    result = by_id(batch(
        api,
        {"id": "1", "method": "PATCH", "url": "/applications(uniqueName='chain')",
         "headers": {**JSON, "Prefer": "create-if-missing"}, "body": {"displayName": "Chain"}},
        {"id": "2", "method": "GET", "url": "/applications(uniqueName='chain')", "dependsOn": ["1"]},
    ))
    assert result["1"]["status"] == 201
    assert result["2"]["status"] == 200 and result["2"]["body"]["id"] == result["1"]["body"]["id"]


def test_same_rules_apply_inside_a_batch(api):
    role = {"id": str(uuid.uuid4()), "allowedMemberTypes": ["User"], "displayName": "Reader", "isEnabled": True,
            "value": "Reader", "description": "r"}
    app = api.create_app(appRoles=[role])
    response = batch(api, {"id": "1", "method": "PATCH", "url": f"/applications/{app['id']}", "headers": JSON,
                           "body": {"appRoles": [{**role, "description": "changed"}]}})
    assert response.status_code == 200
    item = by_id(response)["1"]
    assert item["status"] == 400
    assert item["body"]["error"]["code"] == "CannotDeleteOrUpdateEnabledEntitlement"
    assert item["body"]["error"]["message"] == \
        "Permission (scope or role) cannot be deleted or updated unless disabled first."
    assert api.get(f"applications/{app['id']}").json()["appRoles"][0]["description"] == "r"


def test_malformed_batches_are_400(api):
    assert_error(api.post("$batch", json={"requests": "nope"}), 400)
    assert_error(batch(api, {"id": "1", "method": "GET"}), 400)
    assert_error(batch(api, {"id": "1", "method": "GET", "url": "/a"}, {"id": "1", "method": "GET", "url": "/a"}),
                 400)
    assert_error(batch(api, {"id": "1", "method": "GET", "url": "/applications", "dependsOn": ["9"]}), 400)
    assert_error(batch(api, {"id": "1", "method": "POST", "url": "/applications", "body": {"displayName": "x"}}), 400)
    # a body that is not JSON is base64 text, all of it: "iVBO$Rw0K" is not, though it decodes once the $ is dropped
    app = api.create_app()
    logo = {"id": "1", "method": "PUT", "url": f"/applications/{app['id']}/logo", "body": "iVBO$Rw0K",
            "headers": {"Content-Type": "image/png"}}
    error = assert_error(batch(api, logo), 400)
    assert "not base64 text" in error["message"]
    assert [a["id"] for a in api.get("applications").json()["value"]] == [app["id"]]


def test_batch_requires_post(api):
    assert_error(api.get("$batch"), 405)
