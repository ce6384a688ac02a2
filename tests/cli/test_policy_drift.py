"""A policy changed in the portal is drift the next plan shows and apply undoes -- read as Graph holds it, not as
parts of it suggest: approval switched off with its stages left in place is a policy without approval."""

from __future__ import annotations

import pytest

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
