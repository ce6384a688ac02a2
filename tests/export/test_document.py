"""An application as Graph holds it, written as its file (export/document.py): what validate requires of the file,
and what the file cannot say, said in a note rather than written wrong."""

from __future__ import annotations

from idamconf.export.document import Tenant, document

APP_ID, SCOPE, GONE = ("7a1b2c3d-0000-4000-8000-00000000d001", "3f6c1a2b-9d8e-4c7f-a1b2-c3d4e5f6d002",
                       "3f6c1a2b-9d8e-4c7f-a1b2-c3d4e5f6d003")


def application(**fields) -> dict:
    return {"id": "o1", "appId": APP_ID, "displayName": "Partner Portal", **fields}


def test_an_identifier_uri_naming_the_app_id_in_capitals_is_written_with_the_placeholder():
    """validate accepts an api:// URI naming the application's own id only as {appId} (the file holds in every
    tenant); Graph compares GUIDs in any case, and a script may have written this one in capitals."""
    exported = document(application(identifierUris=[f"api://{APP_ID.upper()}"]), "partner", "local", Tenant(None))
    assert exported.document["identifierUris"] == ["api://{appId}"]


def test_a_client_pre_authorised_for_a_permission_the_application_no_longer_exposes_is_noted_not_written():
    api = {"oauth2PermissionScopes": [{"id": SCOPE, "value": "Partner.Read"}],
           "preAuthorizedApplications": [{"appId": "c1", "delegatedPermissionIds": [SCOPE]},
                                         {"appId": "c2", "delegatedPermissionIds": [SCOPE, GONE]}]}
    exported = document(application(api=api), "partner", "local", Tenant(None))
    assert exported.document["api"]["preAuthorizedApplications"] == [{"appId": "c1", "scopes": ["Partner.Read"]}]
    assert ("api.preAuthorizedApplications: client c2 is pre-authorised for a permission that is not one of the "
            "application's scopes: not written") in exported.notes
