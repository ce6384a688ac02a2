"""Writes the emulator took and Graph refuses, found by a fidelity review in session 47 (sources:
microsoftgraph/microsoft-graph-docs-contrib; "inferred" where the docs do not say it in so many words)."""

from __future__ import annotations

from .conftest import assert_error


def _principal(api) -> dict:
    app = api.create_app(displayName="Api")
    return api.post("servicePrincipals", json={"appId": app["appId"]}).json()


def test_a_service_principals_read_only_properties_are_refused(api):
    """serviceprincipal.md: signInAudience "Read-only", servicePrincipalType "set by Microsoft Entra ID internally";
    appDescription is its application's (inferred). The audience stays its application's."""
    sp = _principal(api)
    for name, value in (("signInAudience", "AzureADMultipleOrgs"), ("servicePrincipalType", "Legacy"),
                        ("appDescription", "x")):
        assert_error(api.patch(f"servicePrincipals/{sp['id']}", json={name: value}), 400)
    assert api.get(f"servicePrincipals/{sp['id']}").json()["signInAudience"] == "AzureADMyOrg"


def test_a_service_principals_booleans_are_not_nullable(api):
    """serviceprincipal-update.md: appRoleAssignmentRequired and accountEnabled "Not nullable"."""
    sp = _principal(api)
    for name in ("appRoleAssignmentRequired", "accountEnabled"):
        assert_error(api.patch(f"servicePrincipals/{sp['id']}", json={name: None}), 400)
    assert api.get(f"servicePrincipals/{sp['id']}").json()["appRoleAssignmentRequired"] is False


def test_descriptions_and_notes_are_at_most_1024_characters(api):
    """application.md: description "The maximum allowed size is 1,024 characters"; serviceprincipal.md: description
    and notes "Maximum allowed size is 1024 characters" (the refusal's wording inferred)."""
    assert_error(api.post("applications", json={"displayName": "long", "description": "d" * 1025}), 400)
    assert api.post("applications", json={"displayName": "ok", "description": "d" * 1024}).status_code == 201
    sp = _principal(api)
    for name in ("description", "notes"):
        assert_error(api.patch(f"servicePrincipals/{sp['id']}", json={name: "d" * 1025}), 400)
        assert api.patch(f"servicePrincipals/{sp['id']}", json={name: "d" * 1024}).status_code == 204


def test_batch_ids_are_unique_in_any_case(api):
    """json-batching.md, `id`: "Not case-sensitive. Must be unique in the batch, otherwise, the batch request fails
    with a 400 error code" -- and so a dependsOn names one in any case."""
    answer = api.post("$batch", json={"requests": [{"id": "A", "method": "GET", "url": "/applications"},
                                                   {"id": "a", "method": "GET", "url": "/applications"}]})
    assert_error(answer, 400)
    chained = api.post("$batch", json={"requests": [
        {"id": "a", "method": "GET", "url": "/applications"},
        {"id": "b", "method": "GET", "url": "/applications", "dependsOn": ["A"]}]})
    assert chained.status_code == 200 and [r["status"] for r in chained.json()["responses"]] == [200, 200]
