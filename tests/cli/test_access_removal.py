"""Every change that takes access away needs `apply --allow-delete` (issue 23): deleting anything, and disabling an
enabled role -- by `enabled: false`, by removing the role, by changing its `value` (a new role; the old one is
disabled and removed), through a saved plan too. A role disabled only while Graph changes it needs no flag."""

from __future__ import annotations

import json

import pytest

from idamconf.plan.model import DISABLE_FIRST, Action, Change, Plan
from idamconf.plan.removals import removing_access

from .harness import applications, apply, edit, idamconf, plan
from .test_scenarios import converged

HR = "applications/hr-self-service.yaml"
EMPLOYEE = "    value: HR.Employee\n    description: Views own payslips and books own leave.\n"
REFUSAL = "error: this plan takes access away (it deletes, or disables roles people hold), and that needs --allow-delete"


def roles(project) -> dict[str, bool]:
    return {role["value"]: role["isEnabled"] for role in applications(project)["hr-self-service"]["appRoles"]}


@pytest.mark.usefixtures("applied")
def test_disabling_a_role_is_refused_without_allow_delete(project):
    edit(project / HR, EMPLOYEE, EMPLOYEE + "    enabled: false\n")
    refused = apply(project)
    assert refused.code == 1
    assert REFUSAL in refused.err
    assert "  ~ app.hr-self-service.role.HR.Employee  (disable: whoever holds the role loses it)" in refused.err
    assert roles(project)["HR.Employee"] is True  # nothing changed
    report = json.loads(idamconf("apply", "-C", str(project), "--auto-approve", "--format", "json").out)
    assert report["refused"] == "deletions and disabled roles need --allow-delete"
    assert report["disabled"] == ["app.hr-self-service.role.HR.Employee"] and report["deletions"] == []
    assert apply(project, "--allow-delete").code == 0
    assert roles(project)["HR.Employee"] is False
    converged(project)


@pytest.mark.usefixtures("applied")
def test_a_saved_plan_that_disables_a_role_is_refused_without_allow_delete(project, tmp_path):
    edit(project / HR, EMPLOYEE, EMPLOYEE + "    enabled: false\n")
    saved = tmp_path / "plan.json"
    assert plan(project, "--out", str(saved)).code == 0
    refused = idamconf("apply", str(saved), "-C", str(project), "--auto-approve")
    assert refused.code == 1 and REFUSAL in refused.err
    assert roles(project)["HR.Employee"] is True
    assert idamconf("apply", str(saved), "-C", str(project), "--auto-approve", "--allow-delete").code == 0
    assert roles(project)["HR.Employee"] is False


@pytest.mark.usefixtures("applied")
def test_changing_a_roles_value_removes_the_old_role_only_with_allow_delete(project):
    edit(project / HR, "    value: HR.Employee\n", "    value: HR.Staff\n")
    edit(project / HR, "      - role: HR.Employee ", "      - role: HR.Staff ")  # the package granting it
    refused = apply(project)
    assert refused.code == 1 and REFUSAL in refused.err
    assert "  - app.hr-self-service.role.HR.Employee  (destroy)" in refused.err
    assert roles(project) == {"HR.Employee": True, "HR.Manager": True, "HR.Administrator": True}
    assert apply(project, "--allow-delete").code == 0
    assert "HR.Employee" not in roles(project) and roles(project)["HR.Staff"] is True
    converged(project)


@pytest.mark.usefixtures("applied")
def test_a_role_disabled_only_while_it_changes_needs_no_flag(project):
    edit(project / HR, "  - displayName: Employee\n", "  - displayName: Staff member\n")
    done = apply(project)
    assert done.code == 0, done.err
    assert roles(project)["HR.Employee"] is True
    converged(project)


@pytest.mark.usefixtures("applied")
def test_a_role_left_disabled_while_it_changes_is_refused_without_allow_delete(project):
    """`enabled: false` and a new display name at once: Graph takes it in two steps (disable, then change), and the
    role ends disabled -- whoever holds it loses it, so the plan needs the flag like any disabling."""
    edit(project / HR, EMPLOYEE, EMPLOYEE + "    enabled: false\n")
    edit(project / HR, "  - displayName: Employee\n", "  - displayName: Staff member\n")
    refused = apply(project)
    assert refused.code == 1
    assert REFUSAL in refused.err
    assert roles(project)["HR.Employee"] is True  # nothing changed
    assert apply(project, "--allow-delete").code == 0
    assert roles(project)["HR.Employee"] is False
    converged(project)


# ------------------------------------------------------------------------------------------------ the rule itself
ROLE = {"id": "r1", "value": "HR.Employee", "displayName": "Employee", "isEnabled": True}


def role_change(action: Action, before: dict | None, after: dict | None, reason: str | None = None) -> Change:
    return Change("app.hr.role.HR.Employee", "role", "hr", action, before, after, (), reason)


def plan_of(*changes: Change) -> Plan:
    return Plan("p", "local", "t", changes)


def test_what_needs_allow_delete():
    disabled = {**ROLE, "isEnabled": False}
    renamed = {**ROLE, "displayName": "Staff member"}
    step = role_change(Action.UPDATE, ROLE, disabled, DISABLE_FIRST)
    delete = role_change(Action.DELETE, ROLE, None)
    owner = Change("app.hr.owner.x", "owner", "hr", Action.DELETE, {"id": "x"}, None)
    assert removing_access(plan_of(step, role_change(Action.UPDATE, ROLE, renamed))) == ()  # enabled again
    assert removing_access(plan_of(step, delete)) == (delete,)  # the removal, once
    assert removing_access(plan_of(owner)) == (owner,)
    final = role_change(Action.UPDATE, ROLE, {**renamed, "isEnabled": False})
    assert removing_access(plan_of(step, final)) == (final,)  # changed and left disabled
    assert removing_access(plan_of(step)) == (step,)  # a disable step with nothing after it
    assert removing_access(plan_of(role_change(Action.UPDATE, disabled, {**disabled, "displayName": "x"}))) == ()
    assert removing_access(plan_of(role_change(Action.CREATE, None, disabled))) == ()
