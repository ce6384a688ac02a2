"""App role assignments as apply writes them (idamconf/apply_assignments.py), seen from outside when Graph refuses or
someone acts meanwhile: an assignment already gone is removed; one Graph says exists already is looked for, and
found, as this principal's with this role; one refused before it was made is sent again -- another principal
holding the same role does not make it done."""

from __future__ import annotations

import pytest

from tests.cli.harness import apply, edit, faulted
from tests.cli.test_assignments import CLAIMANTS, EXPENSES, FRANK, USERS, emulator, granted, principal_of
from tests.cli.test_scenarios import converged

from .wire import Rule, Scripted, graph_error

FRANKS = "app.expenses.assignment[Internal.User/user:frank.audit@contoso.com]"


def assigns(principal: str):
    """Matches the POST granting a role of a service principal to `principal`."""
    def matches(request) -> bool:
        return request.method == "POST" and request.path.endswith("/appRoleAssignedTo") and \
            isinstance(request.body, dict) and request.body.get("principalId") == principal
    return matches


@pytest.mark.usefixtures("applied")
def test_an_assignment_someone_removed_meanwhile_counts_as_removed(project, monkeypatch):
    """The plan takes frank's role away; when apply sends the removal, it is gone already (Graph answers 404): done."""
    edit(project / EXPENSES, USERS, "")

    def removes_assignment(request) -> bool:
        return request.method == "DELETE" and "/appRoleAssignedTo/" in request.path

    faulted(monkeypatch, Scripted([Rule(removes_assignment, graph_error(404, "Request_ResourceNotFound"), after=True)]))
    done = apply(project, "--allow-delete")
    assert done.code == 0, done.err
    assert f"{FRANKS}: removed" in done.out
    monkeypatch.undo()
    assert granted(project, "expenses") == {(CLAIMANTS, "Internal.User")}
    converged(project)


def test_an_assignment_graph_says_exists_already_is_found_and_done(project, monkeypatch):
    """Graph makes frank's assignment but answers as to a repeat (400, "Permission being assigned already exists"),
    as it does to a request sent again after its answer was lost: apply reads frank's assignments, finds the role,
    and is done."""
    faulted(monkeypatch, Scripted([Rule(assigns(FRANK), graph_error(400, "Request_BadRequest"), after=True)]))
    done = apply(project)
    assert done.code == 0, done.err
    monkeypatch.undo()
    assert granted(project, "expenses") == {(CLAIMANTS, "Internal.User"), (FRANK, "Internal.User")}
    converged(project)


@pytest.mark.usefixtures("applied")
def test_an_assignment_refused_before_it_was_made_is_sent_again_though_a_group_holds_the_role(project, monkeypatch,
                                                                                                 pauses):
    """Frank's assignment was removed in the portal; apply grants it again, and Graph refuses it once before making
    it (400: a role not visible yet on a replica). The group holding the same role is not frank: apply looks for
    frank's, finds none, pauses and sends it again."""
    sp = principal_of(project, "expenses")
    franks = next(a for a in emulator(project).get(f"servicePrincipals/{sp['id']}/appRoleAssignedTo").json()["value"]
                  if a["principalId"] == FRANK)
    assert emulator(project).delete(f"servicePrincipals/{sp['id']}/appRoleAssignedTo/{franks['id']}").status_code == 204
    faulted(monkeypatch, Scripted([Rule(assigns(FRANK), graph_error(400, "Request_BadRequest"))]))
    done = apply(project)
    assert done.code == 0, done.err
    assert pauses  # it looked, and waited before sending it again
    monkeypatch.undo()
    assert granted(project, "expenses") == {(CLAIMANTS, "Internal.User"), (FRANK, "Internal.User")}
    converged(project)


@pytest.mark.usefixtures("applied")
def test_an_assignment_refused_before_it_was_made_is_sent_again_though_frank_holds_its_role_id_elsewhere(
        project, monkeypatch, pauses):
    """The look for an assignment after a refusal reads the principal's assignments of this application (by
    resourceId): role ids repeat across applications (Terraform modules give every application one Internal.User
    id), and frank holding that id on another application is not frank holding it here."""
    api = emulator(project)
    sp = principal_of(project, "expenses")
    role = next(r for r in sp["appRoles"] if r["value"] == "Internal.User")
    other = api.post("applications", json={"displayName": "Another team's app", "appRoles": [
        {**{k: v for k, v in role.items() if k != "origin"}, "value": "Their.User"}]}).json()
    theirs = api.post("servicePrincipals", json={"appId": other["appId"]}).json()
    assert api.post(f"servicePrincipals/{theirs['id']}/appRoleAssignedTo", json={
        "principalId": FRANK, "resourceId": theirs["id"], "appRoleId": role["id"]}).status_code == 201
    franks = next(a for a in api.get(f"servicePrincipals/{sp['id']}/appRoleAssignedTo").json()["value"]
                  if a["principalId"] == FRANK)
    assert api.delete(f"servicePrincipals/{sp['id']}/appRoleAssignedTo/{franks['id']}").status_code == 204
    faulted(monkeypatch, Scripted([Rule(assigns(FRANK), graph_error(400, "Request_BadRequest"))]))
    done = apply(project)
    assert done.code == 0, done.err
    assert pauses  # it looked, found none here, and waited before sending it again
    monkeypatch.undo()
    assert (FRANK, "Internal.User") in granted(project, "expenses")
