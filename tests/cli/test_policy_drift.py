"""A policy changed in the portal is drift the next plan shows and apply undoes -- read as Graph holds it, not as
parts of it suggest: approval switched off with its stages left in place is a policy without approval."""

from __future__ import annotations

import json

import pytest

from idamconf.emulator import Store

from .harness import apply, plan
from .test_access_packages import graph
from .test_duplicates import GOV, WRITERS, package, policy_of
from .test_scenarios import converged


@pytest.mark.usefixtures("applied")
def test_approval_switched_off_in_the_portal_with_its_stages_kept_is_drift_that_apply_undoes(project):
    writers = package(project, WRITERS)
    policy = policy_of(project, writers["id"])
    assert policy["requestApprovalSettings"]["stages"]
    body = {name: value for name, value in policy.items()
            if name not in ("id", "createdDateTime", "modifiedDateTime", "@odata.context", "@odata.etag")}
    body["requestApprovalSettings"] = {**policy["requestApprovalSettings"], "isApprovalRequiredForAdd": False}
    graph(project, "PUT", f"{GOV}/assignmentPolicies/{policy['id']}", {**body, "accessPackage": {"id": writers["id"]}})
    result = plan(project, "--detailed-exitcode")
    assert result.code == 2, result.out + result.err
    assert "~ app.wordpress.role.Blog.Writer.access_package.policy  (update)" in result.out, result.out
    assert apply(project).code == 0
    assert policy_of(project, writers["id"])["requestApprovalSettings"]["isApprovalRequiredForAdd"] is True
    converged(project)


ZOE = "1a6c1b1e-0f3d-4c36-9d2e-6a9c1f0e0099"  # a user of the tenant whom no file names
GRACE = "  - {id: 1a6c1b1e-0f3d-4c36-9d2e-6a9c1f0e0007, userPrincipalName: grace.comms@contoso.com"


def test_an_approver_added_in_the_portal_whom_no_file_names_is_shown_by_user_principal_name(project):
    """The plan names a policy's people by UPN though the configuration does not name them (it looks them up by
    id); one no longer in the directory by id. Both are undone by apply as any drift."""
    seed = project / "emulator" / "directory.yaml"
    text = seed.read_text()
    seed.write_text(text.replace(GRACE, f"  - {{id: {ZOE}, userPrincipalName: Zoe.Unnamed@contoso.com, displayName: "
                                        f"Zoe Unnamed}}\n{GRACE}", 1))
    assert apply(project).code == 0
    writers = package(project, WRITERS)
    policy = policy_of(project, writers["id"])
    body = {name: value for name, value in policy.items()
            if name not in ("id", "createdDateTime", "modifiedDateTime", "@odata.context", "@odata.etag")}
    stage = body["requestApprovalSettings"]["stages"][0]
    stage["primaryApprovers"] = stage["primaryApprovers"] + [
        {"@odata.type": "#microsoft.graph.singleUser", "userId": ZOE}]
    graph(project, "PUT", f"{GOV}/assignmentPolicies/{policy['id']}", {**body, "accessPackage": {"id": writers["id"]}})
    result = plan(project, "--format", "json")
    assert result.code == 0, result.err
    [change] = [c for c in json.loads(result.out)["changes"] if c["kind"] == "policy" and c["action"] == "update"]
    assert "zoe.unnamed@contoso.com" in change["before"]["approvers"], change["before"]
    assert ZOE not in json.dumps(change)
    gone = Store(project / ".idamconf" / "local.db")  # deleted from the directory since (by another tool: the
    gone.delete("users", ZOE)  # emulator serves no DELETE of users): named by its id
    gone.close()
    result = plan(project, "--format", "json")
    [change] = [c for c in json.loads(result.out)["changes"] if c["kind"] == "policy" and c["action"] == "update"]
    assert ZOE in change["before"]["approvers"] and "zoe.unnamed" not in json.dumps(change)
    assert apply(project).code == 0
    converged(project)
