"""Gaps left by session 47's fidelity review, closed from Graph's documentation (microsoftgraph/
microsoft-graph-docs-contrib; "inferred" where the docs do not say it in so many words): a service principal's
`appRoles`, the federated identity credentials list's `$filter` and `$select`, and `$batch` sequencing."""

from __future__ import annotations

import uuid

from .conftest import assert_error

GITHUB = "https://token.actions.githubusercontent.com"
CANNOT_UPDATE = "Permission (scope or role) cannot be deleted or updated unless disabled first."


def _role(value: str = "Reader", **fields) -> dict:
    return {"id": str(uuid.uuid4()), "allowedMemberTypes": ["User"], "description": f"{value} role",
            "displayName": value, "isEnabled": True, "value": value, **fields}


def _principal(api, roles: list | None = None) -> dict:
    app = api.create_app(displayName="Api", appRoles=roles or [])
    return api.post("servicePrincipals", json={"appId": app["appId"]}).json()


def _roles(api, sp: dict) -> list[dict]:
    return api.get(f"servicePrincipals/{sp['id']}").json()["appRoles"]


# ------------------------------------------------------------------------------- a service principal's appRoles
def test_a_service_principals_app_roles_keep_an_applications_rules(api):
    """serviceprincipal-update.md lists appRoles among what a PATCH sets, "For more information, see the appRoles
    property definition on the application resource"; approle.md: an id is a GUID, a value at most 120 characters
    without spaces, origin never sent. The application's answers (entities.check_app_roles) apply."""
    sp = _principal(api)
    path = f"servicePrincipals/{sp['id']}"
    for bad in (_role(id="not-a-guid"), _role(value="has space"), _role(value="x" * 121),
                _role(origin="ServicePrincipal"), _role(allowedMemberTypes=["Robot"]), _role(displayName="")):
        assert_error(api.patch(path, json={"appRoles": [bad]}), 400, "Request_BadRequest")
    same = _role("Same")
    error = assert_error(api.patch(path, json={"appRoles": [same, _role("Same")]}), 400, "DuplicateValue")
    assert [detail["target"] for detail in error["details"]] == ["appRoles"]
    assert_error(api.patch(path, json={"appRoles": "Reader"}), 400)
    assert _roles(api, sp) == []
    good = _role("Auditor", allowedMemberTypes=["User", "Application"])
    assert api.patch(path, json={"appRoles": [good]}).status_code == 204
    assert [(r["id"], r["value"]) for r in _roles(api, sp)] == [(good["id"], "Auditor")]


def test_a_service_principals_enabled_role_is_disabled_before_it_changes(api):
    """approle.md, isEnabled: "To delete a role, this must first be set to false" -- on a service principal as on
    an application: 400 CannotDeleteOrUpdateEnabledEntitlement for an enabled role changed or removed."""
    reader = _role("Reader")
    sp = _principal(api, [reader])
    path = f"servicePrincipals/{sp['id']}"
    error = assert_error(api.patch(path, json={"appRoles": []}), 400, "CannotDeleteOrUpdateEnabledEntitlement")
    assert error["message"] == CANNOT_UPDATE
    assert_error(api.patch(path, json={"appRoles": [{**reader, "description": "changed"}]}), 400,
                 "CannotDeleteOrUpdateEnabledEntitlement")
    assert [r["id"] for r in _roles(api, sp)] == [reader["id"]]
    assert api.patch(path, json={"appRoles": [{**reader, "isEnabled": False}]}).status_code == 204
    assert api.patch(path, json={"appRoles": []}).status_code == 204
    assert _roles(api, sp) == []


# ------------------------------------------------------------------------------------------------------ $batch
def test_a_batch_mixing_sequenced_and_independent_requests_is_refused(api):
    """json-batching.md: "Batch should be either fully sequential or fully parallel"; Graph answers 400 "Batch
    should be either fully sequential or fully parallel" to the doc's earlier example, requests 1 and 3 without
    `dependsOn` and 2 and 4 with (microsoft-graph-docs-contrib issue 2339). Nothing in the batch runs."""
    post = {"method": "POST", "url": "/applications", "headers": {"Content-Type": "application/json"}}
    mixed = [{"id": "1", **post, "body": {"displayName": "one"}},
             {"id": "2", **post, "body": {"displayName": "two"}, "dependsOn": ["1"]},
             {"id": "3", **post, "body": {"displayName": "three"}},
             {"id": "4", **post, "body": {"displayName": "four"}, "dependsOn": ["2"]}]
    error = assert_error(api.post("$batch", json={"requests": mixed}), 400, "Request_BadRequest")
    assert "fully sequential or fully parallel" in error["message"]
    assert_error(api.post("$batch", json={"requests": [mixed[0], mixed[2], {**mixed[3], "dependsOn": ["3"]}]}), 400)
    assert api.get("applications").json()["value"] == []
    sequential = api.post("$batch", json={"requests": [mixed[0], mixed[1], {**mixed[2], "dependsOn": ["2"]}]})
    parallel = api.post("$batch", json={"requests": [{**mixed[3], "dependsOn": []}, mixed[0]]})
    assert [r["status"] for r in sequential.json()["responses"]] == [201, 201, 201]
    assert [r["status"] for r in parallel.json()["responses"]] == [201, 201]
