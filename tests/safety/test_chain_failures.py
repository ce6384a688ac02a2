"""An application's chain (idamconf/apply.py) as a user sees it when something goes wrong half-way: what was done
stays done and reads as the project's, what depends on a failed step is not written, what Graph already did (or
someone did meanwhile) is not a failure, and the next apply finishes."""

from __future__ import annotations

import pytest

from benchmarks.tenant_check import check
from tests.cli.harness import apply, edit, faulted, plan
from tests.cli.test_access_packages import WORDPRESS, governance
from tests.cli.test_adoption import APP_ID, portal_made
from tests.cli.test_scenarios import converged

from .graph_view import GOV, application, graph, listed, owners
from .wire import Rule, Scripted, graph_error


def test_an_adoption_cut_short_after_its_first_write_leaves_the_projects_application(project, monkeypatch):
    """The adoption's first write gives the application its name and the project's tag together: Graph refusing
    everything after it leaves an application the next plan reads as the project's (an update, not a stranger
    holding the name), and the next apply finishes it."""
    portal_made(project)

    def later_writes(request) -> bool:  # every write of the application but the adoption's own
        return request.method == "PATCH" and request.path.startswith("applications/") and \
            "uniqueName" not in (request.body or {})

    faulted(monkeypatch, Scripted([Rule(later_writes, graph_error(403, "Authorization_RequestDenied"), times=100)]))
    cut = apply(project)
    assert cut.code == 1 and "403 Authorization_RequestDenied" in cut.err
    monkeypatch.undo()
    intranet = next(app for app in listed(project, "applications") if app["appId"] == APP_ID)
    assert intranet["uniqueName"] == "intranet" and "idamconf:eucs-idam" in intranet["tags"]
    again = plan(project)
    assert again.code == 0, again.err
    assert "~ app.intranet  (update)" in again.out and "↻ app.intranet" not in again.out
    assert apply(project).code == 0
    converged(project)


@pytest.mark.usefixtures("applied")
def test_an_application_whose_old_package_cannot_go_makes_no_new_one(project, monkeypatch):
    """A role's package moves to another catalog (and the application is renamed): the old package must go first.
    Graph refusing to take its policy away stops that application's chain -- no new package beside the old (the
    role would be granted by two), nothing else of the application written; apply says what was skipped, and the
    next apply does it all."""
    edit(project / WORDPRESS, "    accessPackage:               # named eucs-idam-wordpress-administrators by "
                              "default\n", "    accessPackage:\n      catalog: Communications\n")
    edit(project / WORDPRESS, "displayName: WordPress Blog", "displayName: Company Blog")

    def deletes_policy(request) -> bool:
        return request.method == "DELETE" and request.path.startswith(f"{GOV}/assignmentPolicies/")

    faulted(monkeypatch, Scripted([Rule(deletes_policy, graph_error(403, "Authorization_RequestDenied"), times=100)]))
    result = apply(project, "--allow-delete")
    assert result.code == 1
    assert "403 Authorization_RequestDenied" in result.err
    assert "skipped: app.wordpress.role.Blog.Administrator.access_package: an earlier step for its application " \
           "failed" in result.err, result.err
    monkeypatch.undo()
    packages = [p for p in listed(project, f"{GOV}/accessPackages?$expand=catalog")
                if p["displayName"] == "eucs-idam-wordpress-administrators"]
    assert [p["catalog"]["displayName"] for p in packages] == ["EUCS IDAM applications"]  # the old one, alone
    assert application(project, "wordpress")["displayName"] == "WordPress Blog"  # nothing else of its chain either
    assert apply(project, "--allow-delete").code == 0
    converged(project)
    assert governance(project)["eucs-idam-wordpress-administrators"]["catalog"] == ["Communications"]


def test_a_service_principal_made_by_a_lost_answer_has_its_id_reported(project, monkeypatch):
    """The service principal's create commits but its answer is lost (504): sent again, Graph answers "updated"
    (204, no body). Its id is read, so the ids apply reports for the team are all there -- even for an application
    no later step reads it for (no roles, packages or service principal owners)."""
    for path in (project / "applications").glob("*.yaml"):
        path.unlink()
    (project / "applications" / "plain.yaml").write_text(
        "name: plain\ndisplayName: Plain\nowners: [alice.admin@contoso.com]\nservicePrincipal:\n  owners: []\n")

    def creates_principal(request) -> bool:
        return request.method == "PATCH" and request.path.startswith("servicePrincipals(appId=")

    faulted(monkeypatch, Scripted([Rule(creates_principal, graph_error(504, "GatewayTimeout"), after=True)]))
    result = apply(project)
    assert result.code == 0, result.err
    monkeypatch.undo()
    app = application(project, "plain")
    principal = graph(project, "GET", f"servicePrincipals(appId='{app['appId']}')")
    assert f"      service principal id  {principal['id']}\n" in result.out, result.out
    assert "(not created)" not in result.out


@pytest.mark.usefixtures("applied")
def test_an_owner_someone_removed_meanwhile_counts_as_removed(project, monkeypatch):
    """The plan removes an owner; by the time apply sends the removal, someone has removed it (Graph answers 404).
    Its effect is there: the removal is done, apply completes."""
    edit(project / "applications/wordpress.yaml", "  - grace.comms@contoso.com\n", "")

    def removes_owner(request) -> bool:
        return request.method == "DELETE" and request.path.endswith("/$ref") and "/owners/" in request.path

    faulted(monkeypatch, Scripted([Rule(removes_owner, graph_error(404, "Request_ResourceNotFound"), times=2,
                                        after=True)]))
    result = apply(project, "--allow-delete")
    assert result.code == 0, result.err
    assert "Apply complete: 0 added, 0 changed, 2 destroyed." in result.out
    monkeypatch.undo()
    assert {owner["userPrincipalName"] for owner in owners(project, "wordpress")} == {"alice.admin@contoso.com"}
    converged(project)
    assert check(project / ".idamconf" / "local.db").orphans == []


@pytest.mark.usefixtures("applied")
def test_a_role_change_cut_short_after_its_disabling_step_leaves_the_other_roles_enabled(project, monkeypatch):
    """Graph changes an enabled role only once it is disabled, so apply disables the role that changes first -- that
    role alone: Graph refusing the write that follows leaves every other role of the application enabled (people and
    daemons holding them keep them), and the next apply finishes the change."""
    edit(project / "applications/payments-api.yaml", "description: Lets a daemon read payment records.",
         "description: Lets a daemon read payments.")

    def writes_the_changed_role(request) -> bool:
        roles = (request.body or {}).get("appRoles") or [] if request.method == "PATCH" else []
        return any(role.get("value") == "Payments.Read" and role.get("isEnabled") for role in roles)

    faulted(monkeypatch, Scripted([Rule(writes_the_changed_role, graph_error(403, "Authorization_RequestDenied"),
                                        times=100)]))
    cut = apply(project)
    assert cut.code == 1 and "403 Authorization_RequestDenied" in cut.err, cut.err
    monkeypatch.undo()
    enabled = {role["value"]: role["isEnabled"] for role in application(project, "payments-api")["appRoles"]}
    assert enabled == {"Payments.Read": False, "Payments.Submit": True, "Payments.Auditor": True}
    assert apply(project).code == 0
    converged(project)
    roles = {role["value"]: role for role in application(project, "payments-api")["appRoles"]}
    assert roles["Payments.Read"]["isEnabled"] and roles["Payments.Read"]["description"] == \
        "Lets a daemon read payments."


def test_a_service_principal_graph_refuses_stops_its_application_there_with_one_error(project, monkeypatch, pauses):
    """The steps that run beside the service principal's creation fail with it, and the application's chain stops
    there: the consents that need the service principal are not asked for (no app role assignment is sent), so the
    refusal is reported once, against the service principal, and the rest of the application as skipped."""
    import functools

    from idamconf.graph import client

    monkeypatch.setattr(client, "RetryPolicy", functools.partial(client.RetryPolicy, settle=0.001))
    for path in (project / "applications").glob("*.yaml"):
        if path.name != "hr-directory-sync.yaml":
            path.unlink()

    def creates_principal(request) -> bool:
        return request.method == "PATCH" and request.path.startswith("servicePrincipals(appId=")

    scripted = Scripted([Rule(creates_principal, graph_error(403, "Authorization_RequestDenied"), times=100)])
    faulted(monkeypatch, scripted)
    result = apply(project)
    assert result.code == 1
    errors = [line for line in result.err.splitlines() if line.startswith("error: ")]
    assert errors == ["error: app.hr-directory-sync.service_principal: 403 Authorization_RequestDenied: "
                      "Authorization_RequestDenied (scripted by the test)"], result.err
    assert "; 1 failed." in result.err, result.err
    assert not [path for method, path in scripted.received if method == "POST" and "appRoleAssign" in path]
    monkeypatch.undo()
    assert apply(project).code == 0
    converged(project)


@pytest.mark.usefixtures("applied")
def test_a_role_removal_cut_short_after_its_disabling_step_is_reported_as_not_done(project, monkeypatch):
    """A role to remove is first disabled, in a step of its own under the same address: when Graph refuses the write
    that removes it, the list of deletions says the removal failed -- the disabling step being done does not make
    the removal read as done."""
    edit(project / "applications/payments-api.yaml", """  - displayName: Submit payments
    value: Payments.Submit
    description: Lets a daemon submit payments for settlement.
    allowedMemberTypes: [Application]
""", "")

    def removes_the_role(request) -> bool:
        roles = (request.body or {}).get("appRoles") if request.method == "PATCH" else None
        return roles is not None and all(role.get("value") != "Payments.Submit" for role in roles)

    faulted(monkeypatch, Scripted([Rule(removes_the_role, graph_error(403, "Authorization_RequestDenied"),
                                        times=100)]))
    cut = apply(project, "--allow-delete")
    assert cut.code == 1 and "403 Authorization_RequestDenied" in cut.err, cut.err
    assert cut.out.endswith("\nDeletions and replacements:\n"
                            "  - app.payments-api.role.Payments.Submit  (destroy): failed\n"), cut.out
