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
