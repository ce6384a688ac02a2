"""An application leaves only after everything that depends on it: when Graph refuses to take one of its access
packages down, the application is kept (deleting it would orphan the package), the refusal is reported, and the
next apply finishes. And a saved plan is applied to the environment it was made for."""

from __future__ import annotations

import pytest

from benchmarks.tenant_check import check
from idamconf.emulator import embedded
from idamconf.emulator.errors import GraphError
from idamconf.emulator.protocol import Reply
from tests.cli.harness import apply, edit, idamconf, plan
from tests.cli.test_scenarios import converged

from .graph_view import GOV, listed


class RefusePolicyDeletion:
    async def before(self, request):
        if request.method == "DELETE" and request.path.startswith(f"{GOV}/assignmentPolicies/"):
            error = GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
            return Reply(403, error.body("test", "test"))
        return None

    async def after(self, request, reply):
        return reply


@pytest.mark.usefixtures("applied")
def test_an_application_whose_packages_cannot_go_is_kept_and_finished_next_time(project, monkeypatch):
    (project / "applications/hr-self-service.yaml").unlink()
    real_open = embedded.open_app
    monkeypatch.setattr(embedded, "open_app", lambda state, seed=None, faults=None, tenant=None: real_open(
        state, seed, RefusePolicyDeletion(), tenant))
    result = apply(project, "--allow-delete")
    assert result.code == 1
    assert "403 Authorization_RequestDenied" in result.err
    assert result.err.count("skipped: app.hr-self-service: ") == 1  # kept, and said once
    assert "skipped: app.hr-self-service: an earlier step for its application failed" in result.err
    assert "  - app.hr-self-service  (destroy): skipped" in result.out.splitlines()  # among the deletions, first
    assert "hr-self-service" in {app["uniqueName"] for app in listed(project, "applications")}
    findings = check(project / ".idamconf" / "local.db")
    assert findings.orphans == [] and findings.duplicates == []
    monkeypatch.setattr(embedded, "open_app", real_open)
    finished = apply(project, "--allow-delete")
    assert finished.code == 0, finished.err
    # the application's place in the catalog goes too, and apply says so
    assert "  - app.hr-self-service.catalog[EUCS IDAM applications]: destroyed" in finished.out.splitlines()
    converged(project)
    assert "hr-self-service" not in {app["uniqueName"] for app in listed(project, "applications")}
    assert check(project / ".idamconf" / "local.db").orphans == []


def test_a_saved_plan_is_applied_to_the_environment_it_was_made_for(project):
    edit(project / "idamconf.yaml", "  devl:\n", "  review:\n    emulator: true\n    seed: emulator/directory.yaml\n"
         "    tenantId: 00000000-0000-0000-0000-00000000a001\n    verifiedDomains: [contoso.com]\n  devl:\n")
    path = project.parent / "plan.json"
    assert plan(project, "--env", "review", "--out", str(path)).code == 0
    result = idamconf("apply", str(path), "-C", str(project), "--auto-approve")  # no --env: the plan's
    assert result.code == 0, result.err
    assert "Target: review" in result.out
    assert (project / ".idamconf" / "review.db").exists()
    assert not (project / ".idamconf" / "local.db").exists()
