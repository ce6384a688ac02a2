"""A service principal that owns an application -- the pipeline's own identity under
`Application.ReadWrite.OwnedBy` -- is never removed as its owner, nor as its service principal's: idamconf manages
user owners only."""

from __future__ import annotations

import pytest

from tests.cli.harness import apply, edit, plan

from .graph_view import application, graph, listed, owners

PIPELINE = "Deployment pipeline"


def pipeline_owns(project, *names: str) -> str:
    """The pipeline's identity (an application and its service principal, not the project's) made an owner of the
    named applications and of their service principals, as Graph does when that identity creates them. Returns the
    service principal's id."""
    app = graph(project, "POST", "applications", {"displayName": PIPELINE})
    principal = graph(project, "POST", "servicePrincipals", {"appId": app["appId"]})
    reference = {"@odata.id": f"https://graph.microsoft.com/v1.0/directoryObjects/{principal['id']}"}
    for name in names:
        graph(project, "POST", f"applications/{application(project, name)['id']}/owners/$ref", reference)
        graph(project, "POST", f"servicePrincipals/{service_principal(project, name)['id']}/owners/$ref", reference)
    return principal["id"]


def service_principal(project, name: str) -> dict:
    return graph(project, "GET", f"servicePrincipals(appId='{application(project, name)['appId']}')")


def owned_by(project, name: str) -> set[tuple[str, str]]:
    return {(owner["@odata.type"], owner.get("userPrincipalName") or owner["id"]) for owner in owners(project, name)}


def principal_owned_by(project, name: str) -> set[tuple[str, str]]:
    found = listed(project, f"servicePrincipals/{service_principal(project, name)['id']}/owners")
    return {(owner["@odata.type"], owner.get("userPrincipalName") or owner["id"]) for owner in found}


@pytest.mark.usefixtures("applied")
def test_an_owning_service_principal_is_not_a_change(project):
    pipeline_owns(project, "wordpress", "payments-api")
    result = plan(project, "--detailed-exitcode")
    assert result.code == 0, result.out
    assert "No changes. The tenant matches the configuration." in result.out


@pytest.mark.usefixtures("applied")
def test_removing_a_user_owner_keeps_the_owning_service_principal(project):
    principal = pipeline_owns(project, "wordpress")
    edit(project / "applications/wordpress.yaml", "  - grace.comms@contoso.com\n", "")
    pending = plan(project)
    # The user goes as owner of the application and of its service principal; the pipeline stays owner of both.
    assert "Plan: 0 to add, 0 to change, 2 to destroy." in pending.out
    assert "- app.wordpress.owner.grace.comms@contoso.com  (destroy)" in pending.out
    assert "- app.wordpress.service_principal.owner.grace.comms@contoso.com  (destroy)" in pending.out
    assert principal not in pending.out
    result = apply(project, "--allow-delete")
    assert result.code == 0, result.err
    assert "Apply complete: 0 added, 0 changed, 2 destroyed." in result.out
    assert owned_by(project, "wordpress") == {("#microsoft.graph.user", "alice.admin@contoso.com"),
                                              ("#microsoft.graph.servicePrincipal", principal)}
    assert principal_owned_by(project, "wordpress") == {("#microsoft.graph.user", "alice.admin@contoso.com"),
                                                        ("#microsoft.graph.servicePrincipal", principal)}


@pytest.mark.usefixtures("applied")
def test_an_application_owned_only_by_the_pipeline_gets_its_users_and_keeps_the_pipeline(project):
    principal = pipeline_owns(project, "payments-api")
    for owner in owners(project, "payments-api"):
        if owner["@odata.type"] == "#microsoft.graph.user":
            graph(project, "DELETE", f"applications/{application(project, 'payments-api')['id']}/owners/"
                                     f"{owner['id']}/$ref")
    assert apply(project, "--allow-delete").code == 0
    assert owned_by(project, "payments-api") == {("#microsoft.graph.user", "dave.finance@contoso.com"),
                                                 ("#microsoft.graph.user", "erin.security@contoso.com"),
                                                 ("#microsoft.graph.servicePrincipal", principal)}
    assert ("#microsoft.graph.servicePrincipal", principal) in principal_owned_by(project, "payments-api")
