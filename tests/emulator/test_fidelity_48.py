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
    without spaces, origin read-only (a service principal's own role may be sent back with its own,
    `ServicePrincipal`, as Entra's "Configure the role claim" does: test_fidelity_49.py). The application's answers
    (entities.check_app_roles) apply."""
    sp = _principal(api)
    path = f"servicePrincipals/{sp['id']}"
    for bad in (_role(id="not-a-guid"), _role(value="has space"), _role(value="x" * 121),
                _role(origin="Application"), _role(allowedMemberTypes=["Robot"]), _role(displayName="")):
        assert_error(api.patch(path, json={"appRoles": [bad]}), 400, "Request_BadRequest")
    same = _role("Same")
    error = assert_error(api.patch(path, json={"appRoles": [same, _role("Same")]}), 400, "DuplicateValue")
    assert [detail["target"] for detail in error["details"]] == ["appRoles"]
    assert_error(api.patch(path, json={"appRoles": "Reader"}), 400)
    assert _roles(api, sp) == []
    good = _role("Auditor", allowedMemberTypes=["User"])  # "Application": only an application's (fidelity_49)
    assert api.patch(path, json={"appRoles": [good]}).status_code == 204
    assert [(r["id"], r["value"]) for r in _roles(api, sp)] == [(good["id"], "Auditor")]


def test_a_service_principals_enabled_role_is_disabled_before_it_changes(api):
    """approle.md, isEnabled: "To delete a role, this must first be set to false" -- on a service principal as on
    an application: 400 CannotDeleteOrUpdateEnabledEntitlement for an enabled role changed or removed. The role is
    the service principal's own (its application's are changed on the application: test_fidelity_49.py)."""
    reader = _role("Reader")
    sp = _principal(api)
    path = f"servicePrincipals/{sp['id']}"
    assert api.patch(path, json={"appRoles": [reader]}).status_code == 204
    error = assert_error(api.patch(path, json={"appRoles": []}), 400, "CannotDeleteOrUpdateEnabledEntitlement")
    assert error["message"] == CANNOT_UPDATE
    assert_error(api.patch(path, json={"appRoles": [{**reader, "description": "changed"}]}), 400,
                 "CannotDeleteOrUpdateEnabledEntitlement")
    assert [r["id"] for r in _roles(api, sp)] == [reader["id"]]
    assert api.patch(path, json={"appRoles": [{**reader, "isEnabled": False}]}).status_code == 204
    assert api.patch(path, json={"appRoles": []}).status_code == 204
    assert _roles(api, sp) == []


# -------------------------------------------------------------------------- the federated credentials list
def _credentials(api) -> tuple[str, dict, dict]:
    app = api.create_app()
    path = f"applications/{app['id']}/federatedIdentityCredentials"
    live = api.post(path, json={"name": "live", "issuer": GITHUB, "subject": "repo:contoso/pay:environment:live",
                                "audiences": ["api://AzureADTokenExchange"]}).json()
    test = api.post(path, json={"name": "test", "issuer": GITHUB, "subject": "repo:contoso/pay:environment:test",
                                "audiences": ["api://AzureADTokenExchange"]}).json()
    return path, live, test


def test_the_federated_credentials_list_filters_by_subject_or_name(api):
    """application-list-federatedidentitycredentials.md: the list supports `$filter` (`eq`), e.g. `subject eq
    'value'`; federatedidentitycredential.md: name and subject "Supports `$filter` (`eq`)"."""
    path, live, test = _credentials(api)
    by_subject = api.get(path, params={"$filter": f"subject eq '{test['subject']}'"})
    assert by_subject.status_code == 200, by_subject.text
    assert [c["id"] for c in by_subject.json()["value"]] == [test["id"]]
    assert [c["id"] for c in api.get(path, params={"$filter": "name eq 'live'"}).json()["value"]] == [live["id"]]
    assert api.get(path, params={"$filter": "name eq 'nothing'"}).json()["value"] == []
    assert len(api.get(path).json()["value"]) == 2


def test_the_federated_credentials_list_refuses_other_filters_and_options(api):
    """Only name and subject, only `eq` (the resource page); issuer, description and audiences say nothing of
    `$filter`. Refused as the emulator's other lists refuse them: 400 Request_UnsupportedQuery (inferred)."""
    path, _, _ = _credentials(api)
    for query in ({"$filter": f"issuer eq '{GITHUB}'"}, {"$filter": "startswith(name, 'li')"},
                  {"$filter": "name in ('live')"}, {"$orderby": "name"}, {"$top": "1"}):
        assert_error(api.get(path, params=query), 400, "Request_UnsupportedQuery")


def test_the_federated_credentials_list_selects(api):
    """application-list-federatedidentitycredentials.md: the list supports `$select`; a property the type does not
    have is refused as on other lists."""
    path, live, test = _credentials(api)
    answer = api.get(path, params={"$select": "name,subject"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["value"] == [{"name": "live", "subject": live["subject"]},
                                      {"name": "test", "subject": test["subject"]}]
    assert answer.json()["@odata.context"].endswith("/federatedIdentityCredentials(name,subject)")
    assert_error(api.get(path, params={"$select": "name,secret"}), 400)


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
