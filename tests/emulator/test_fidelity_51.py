"""Session 51's fidelity review of the emulator against Microsoft Graph v1.0's documentation
(microsoftgraph/microsoft-graph-docs-contrib; "inferred" where the docs do not say it in so many words)."""

from __future__ import annotations

import uuid

from .conftest import assert_error


def _role(value: str, **fields) -> dict:
    return {"allowedMemberTypes": ["User", "Application"], "description": value, "displayName": value,
            "id": str(uuid.uuid4()), "isEnabled": True, "value": value, **fields}


# --------------------------------------------------------------------------- an application's roles and `origin`
def test_an_applications_roles_may_carry_their_own_origin_as_graphs_tutorial_sends_them(api):
    """concepts/tutorial-applications-basics.md ("Create app roles on an application object") PATCHes
    `/v1.0/applications/{id}` with a role carrying `"origin": "Application"`; roles read back (with their origin)
    and sent back with one added are what an SDK user does (msgraph-sdk-dotnet 2043: the PATCH applied). Both are
    taken, and the roles are stored as without the origin."""
    app = api.create_app(appRoles=[_role("Survey.Read", origin="Application")])
    read = api.get(f"applications/{app['id']}").json()["appRoles"]
    assert [(role["value"], role["origin"]) for role in read] == [("Survey.Read", "Application")]
    response = api.patch(f"applications/{app['id']}", json={"appRoles": [*read, _role("Survey.Write")]})
    assert response.status_code == 204, response.text
    assert [role["value"] for role in api.get(f"applications/{app['id']}").json()["appRoles"]] == \
        ["Survey.Read", "Survey.Write"]


def test_an_applications_role_with_another_origin_is_refused_as_read_only(api):
    """approle.md: `origin` is "Read-only": a role of the application cannot be made the service principal's, nor
    given an origin Graph does not know -- refused 400 as on a service principal, nothing written."""
    app = api.create_app(appRoles=[_role("Survey.Read")])
    for origin in ("ServicePrincipal", "application", None, 7):
        response = api.patch(f"applications/{app['id']}", json={"appRoles": [_role("Other", origin=origin)]})
        assert "read-only" in assert_error(response, 400, "Request_BadRequest")["message"], origin
        assert_error(api.post("applications", json={"displayName": "A", "appRoles": [_role("X", origin=origin)]}),
                     400)
    assert [role["value"] for role in api.get(f"applications/{app['id']}").json()["appRoles"]] == ["Survey.Read"]
