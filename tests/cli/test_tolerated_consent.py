"""`consent: false` leaves a consent given in the portal as it is -- but only to what the entry lists: scopes of a
delegated grant beyond those are taken away (with --allow-delete), as an application never keeps access its file
does not show."""

from __future__ import annotations

from .harness import apply, edit, plan
from .test_api_permissions import WEB, grants_of, graph_principal, portal, principal_of
from .test_scenarios import converged


def test_a_portal_grant_wider_than_the_entry_is_narrowed_to_the_scopes_it_lists(project):
    edit(project / WEB, "    consent: true ", "    consent: false ")
    assert apply(project).code == 0
    assert grants_of(project, "staff-directory") == []  # requested only
    client, graph = principal_of(project, "staff-directory")["id"], graph_principal(project)["id"]
    with portal(project) as admin:  # an administrator consents to two listed scopes, and to one more
        answer = admin.post("oauth2PermissionGrants", json={"clientId": client, "resourceId": graph,
                                                           "consentType": "AllPrincipals",
                                                           "scope": "User.Read openid Files.Read"})
        assert answer.status_code == 201, answer.text
    found = plan(project)
    assert "~ app.staff-directory.consent[Microsoft Graph/delegated]  (update)" in found.out, found.out
    assert "Files.Read" in found.out
    assert apply(project, "--allow-delete").code == 0
    converged(project)
    [grant] = grants_of(project, "staff-directory")
    assert sorted(grant["scope"].split()) == ["User.Read", "openid"]
