"""Over real HTTP (uvicorn on 127.0.0.1): authentication and Graph's error shape on every error."""

from __future__ import annotations

import uuid

import httpx
import pytest

INNER = {"date", "request-id", "client-request-id"}


def _check_error_shape(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) <= {"code", "message", "innerError", "details"}
    assert {"code", "message", "innerError"} <= set(error)
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    assert set(error["innerError"]) == INNER
    return error


def test_missing_authorization_is_401(served):
    response = httpx.get(served.base_url + "/applications", trust_env=False)
    error = _check_error_shape(response, 401)
    assert error["code"] == "InvalidAuthenticationToken"
    inner = error["innerError"]
    assert inner["request-id"] == response.headers["request-id"]
    assert inner["date"][:4].isdigit()


@pytest.mark.parametrize("value", ["", "Bearer", "Token abc", "Basic dXNlcjpwYXNz"])
def test_malformed_authorization_is_401(served, value):
    response = httpx.get(served.base_url + "/applications", headers={"Authorization": value}, trust_env=False)
    assert _check_error_shape(response, 401)["code"] == "InvalidAuthenticationToken"


def test_any_bearer_token_is_accepted(served):
    response = httpx.get(served.base_url + "/applications", headers={"Authorization": "Bearer anything"},
                         trust_env=False)
    assert response.status_code == 200
    assert response.json()["@odata.context"] == served.base_url + "/$metadata#applications"


def test_client_request_id_is_echoed(http):
    client_id = str(uuid.uuid4())
    response = http.get(f"applications/{uuid.uuid4()}", headers={"client-request-id": client_id})
    error = _check_error_shape(response, 404)
    assert error["innerError"]["client-request-id"] == client_id
    assert response.headers["client-request-id"] == client_id
    assert error["innerError"]["request-id"] == response.headers["request-id"]


# Fixed ids, not uuid4(): test ids must be the same in every process of `pytest -n 2` (pytest-xdist).
ERRORS = [
    ("GET", "applications/868eabbf-26de-4ddc-94bc-b3c0a1e0f001", None, {}, 404),
    ("GET", "applications?$top=1000", None, {}, 400),
    ("GET", "applications?$orderby=displayName", None, {}, 400),
    ("GET", "applications?$filter=description eq 'x'", None, {}, 400),
    ("GET", "applications?$select=colour", None, {}, 400),
    ("POST", "applications", {"displayName": "x", "colour": 1}, {}, 400),
    ("POST", "applications", {}, {}, 400),
    ("POST", "servicePrincipals", {"appId": "5d1e7c1a-93a2-4f61-8d0e-0b7e3f6a9c02"}, {}, 400),
    ("PATCH", "applications(uniqueName='nope')", {"displayName": "x"}, {}, 404),
    ("PUT", "applications", {"displayName": "x"}, {}, 405),
    ("GET", "contacts", None, {}, 400),
    ("POST", "$batch", {"requests": [{"id": str(i), "method": "GET", "url": "/users"} for i in range(21)]}, {}, 400),
]


@pytest.mark.parametrize("method,path,body,headers,status", ERRORS,
                         ids=[f"{m} {p[:40]} {s}" for m, p, _, _, s in ERRORS])
def test_every_error_has_graph_shape(http, method, path, body, headers, status):
    response = http.request(method, path, json=body, headers=headers)
    error = _check_error_shape(response, status)
    assert error["innerError"]["request-id"] == response.headers["request-id"]


def test_invalid_json_has_graph_shape(http):
    response = http.post("applications", content=b"{oops", headers={"Content-Type": "application/json"})
    _check_error_shape(response, 400)


def test_invalid_json_reply_carries_request_id_header(http):
    response = http.post("applications", content=b"{oops", headers={"Content-Type": "application/json"})
    assert response.headers.get("request-id") == response.json()["error"]["innerError"]["request-id"]


def test_batch_item_errors_have_graph_shape(http):
    response = http.post("$batch", json={"requests": [
        {"id": "1", "method": "GET", "url": f"/applications/{uuid.uuid4()}"},
        {"id": "2", "method": "GET", "url": "/applications", "dependsOn": ["1"]},
    ]})
    assert response.status_code == 200
    items = {item["id"]: item for item in response.json()["responses"]}
    assert items["1"]["status"] == 404 and items["2"]["status"] == 424
    for item in items.values():
        assert set(item["body"]) == {"error"}
        assert set(item["body"]["error"]["innerError"]) == INNER


def test_served_next_link_is_a_full_url_on_the_served_host(http, served):
    for index in range(3):
        assert http.post("applications", json={"displayName": f"page-{index}"}).status_code == 201
    apps, response = [], http.get("applications", params={"$top": "2"})
    while True:
        body = response.json()
        apps += body["value"]
        if "@odata.nextLink" not in body:
            break
        link = body["@odata.nextLink"]
        assert link.startswith(served.base_url + "/applications?") and "$skiptoken=" in link
        response = http.get(link)
    assert [app["displayName"] for app in apps][-3:] == ["page-0", "page-1", "page-2"]
    assert len({app["id"] for app in apps}) == len(apps) >= 3


ROLE_ID = "6f1d3c0e-4f5a-4b8e-9d7c-2a1b0c9d8e7f"
WRONG_TYPES = {
    "signInAudience-list": {"displayName": "a", "signInAudience": ["AzureADMyOrg"]},
    "allowedMemberTypes-nested": {"displayName": "a", "appRoles": [
        {"id": ROLE_ID, "allowedMemberTypes": [["User"]], "displayName": "r", "value": "r"}]},
    "web-string": {"displayName": "a", "web": "https://app.contoso.com"},
    "tags-string": {"displayName": "a", "tags": "team:hr"},
}


@pytest.mark.parametrize("body", list(WRONG_TYPES.values()), ids=list(WRONG_TYPES))
def test_wrong_typed_values_are_400_with_graph_shape(http, body):
    _check_error_shape(http.post("applications", json=body), 400)


def test_a_crashing_batch_item_does_not_fail_the_whole_batch(http):
    response = http.post("$batch", json={"requests": [
        {"id": "1", "method": "POST", "url": "/applications", "headers": {"Content-Type": "application/json"},
         "body": {"displayName": "batch-survivor"}},
        {"id": "2", "method": "POST", "url": "/applications", "headers": {"Content-Type": "application/json"},
         "body": {"displayName": "batch-crash", "signInAudience": {}}},
    ]})
    assert response.status_code == 200, response.text
    items = {item["id"]: item for item in response.json()["responses"]}
    assert items["1"]["status"] == 201 and items["2"]["status"] == 400
