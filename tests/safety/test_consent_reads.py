"""API permissions and consents as apply writes them (idamconf/apply_permissions.py), seen from outside when Graph
refuses or someone acts meanwhile: a consent already gone is removed; a second app role of one API is not taken as
held because the first is; a delegated grant found in place gets the configured scopes; an application whose chain
failed writes no consent; a permission of an API that was not created is a failure said as such."""

from __future__ import annotations

from dataclasses import replace

import idamconf.workflow
import pytest

from idamconf.plan.model import Action
from tests.cli.harness import apply, edit, faulted
from tests.cli.test_api_permissions import (CLIENT, DAEMON, GROUP_MEMBER_READ_ALL, USER_READ_ALL, WEB, assignments_of,
                                            grants_of, graph_principal)
from tests.cli.test_scenarios import converged

from .wire import Rule, Scripted, graph_error


@pytest.mark.usefixtures("applied")
def test_a_consent_someone_removed_meanwhile_counts_as_removed(project, monkeypatch):
    """The plan takes a consent away; when apply sends the removal, it is gone already (Graph answers 404): done."""
    edit(project / DAEMON, "application: [User.Read.All, GroupMember.Read.All]", "application: [User.Read.All]")

    def removes_assignment(request) -> bool:
        return request.method == "DELETE" and "/appRoleAssignments/" in request.path

    faulted(monkeypatch, Scripted([Rule(removes_assignment, graph_error(404, "Request_ResourceNotFound"),
                                        after=True)]))
    result = apply(project, "--allow-delete")
    assert result.code == 0, result.err
    monkeypatch.undo()
    converged(project)
    assert assignments_of(project, "hr-directory-sync") == {(graph_principal(project)["id"], USER_READ_ALL)}


def test_a_second_app_role_of_an_api_refused_once_is_sent_again(project, monkeypatch, pauses):
    """hr-directory-sync is consented two of Microsoft Graph's app roles. The second assignment is refused once
    (400): the client holds an app role of that API -- the first -- but not this one, so it is not done: apply looks,
    pauses, sends it again."""
    sent: list[str] = []

    def second_assignment(request) -> bool:
        if request.method == "POST" and request.path.endswith("/appRoleAssignments"):
            sent.append(request.path)
            return sent.count(request.path) == 2
        return False

    faulted(monkeypatch, Scripted([Rule(second_assignment, graph_error(400, "Request_BadRequest"))]))
    result = apply(project)
    assert result.code == 0, result.err
    assert 0.25 in pauses
    monkeypatch.undo()
    converged(project)
    graph = graph_principal(project)["id"]
    assert assignments_of(project, "hr-directory-sync") == {(graph, USER_READ_ALL), (graph, GROUP_MEMBER_READ_ALL)}


@pytest.mark.usefixtures("applied")
def test_a_delegated_grant_found_in_place_gets_the_configured_scopes(project, monkeypatch):
    """staff-directory's scopes change, but the plan's read did not show its grant (Graph replicates in seconds), so
    the plan creates one. Graph holds one grant per client and API: the create is refused, apply finds the grant in
    place and writes the configured scopes to it."""
    edit(project / WEB, "delegated: [User.Read, User.ReadBasic.All, openid, profile, email, offline_access]",
         "delegated: [User.Read, User.ReadBasic.All, openid, profile, email, offline_access, Calendars.Read]")
    real = idamconf.workflow.make_plan

    def lagging(desired, live, *args):
        made = real(desired, live, *args)
        return replace(made, changes=tuple(
            replace(c, action=Action.CREATE, before=None, ids={k: v for k, v in c.ids.items() if k != "grantId"})
            if c.kind == "delegated_consent" and c.application == "staff-directory" else c for c in made.changes))

    monkeypatch.setattr(idamconf.workflow, "make_plan", lagging)
    result = apply(project)
    assert result.code == 0, result.err
    monkeypatch.undo()
    [grant] = grants_of(project, "staff-directory")
    assert sorted(grant["scope"].split()) == ["Calendars.Read", "User.Read", "User.ReadBasic.All", "email",
                                              "offline_access", "openid", "profile"]
    converged(project)


def test_an_application_whose_chain_failed_writes_no_consent(project, monkeypatch):
    """Graph refuses hr-directory-sync's create: its permissions and consents wait for the next apply -- nothing of
    them is sent, and apply reports the refusal, not an unexpected error."""
    def creates_daemon(request) -> bool:
        return request.method == "PATCH" and request.path == "applications(uniqueName='hr-directory-sync')"

    scripted = Scripted([Rule(creates_daemon, graph_error(403, "Authorization_RequestDenied"))])
    faulted(monkeypatch, scripted)
    result = apply(project)
    assert result.code == 1
    assert "error: app.hr-directory-sync: 403 Authorization_RequestDenied" in result.err, result.err
    assert "unexpected" not in result.err.lower() and "Traceback" not in result.err
    assert not any(path.endswith("/appRoleAssignments") for method, path in scripted.received if method == "POST")
    monkeypatch.undo()
    assert apply(project).code == 0
    converged(project)


def test_a_permission_of_an_api_that_was_not_created_is_a_failure_of_its_own(project, monkeypatch):
    """payroll-daemon requests an app role of payments-api, created in the same apply; Graph refuses payments-api's
    create. payroll-daemon's permission cannot name it: a failure, said as such -- never left unwritten in silence."""
    (project / "applications/payroll-daemon.yaml").write_text(CLIENT.replace("    consent: true\n", ""))

    def creates_api(request) -> bool:
        return request.method == "PATCH" and request.path == "applications(uniqueName='payments-api')"

    faulted(monkeypatch, Scripted([Rule(creates_api, graph_error(403, "Authorization_RequestDenied"))]))
    result = apply(project)
    assert result.code == 1
    assert "error: app.payroll-daemon.permission[payments-api/application/Payments.Submit]: an API it requests " \
           "permissions of was not created (see its own errors)" in result.err, result.err
    monkeypatch.undo()
    assert apply(project).code == 0
    converged(project)
