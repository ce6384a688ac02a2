"""What a pull request's plan (`plan --changed-since REF`) covers, so that the change cannot hide part of itself from
its review: a file renamed and changed at once shows both applications, an application renamed earlier
(`renamedFrom`) is still planned when its file changes, and an idamconf.yaml not yet in git plans everything."""

from __future__ import annotations

import json

from .harness import apply, edit, plan
from .test_pull_request_flow import configuration_repository, git

PAYMENTS = "applications/payments-api.yaml"


def test_a_file_moved_and_renamed_at_once_shows_the_deletion(project):
    configuration_repository(project)
    git(project, "mv", PAYMENTS, "applications/payments.yaml")
    edit(project / "applications/payments.yaml", "name: payments-api", "name: payments")
    git(project, "commit", "-qam", "payments-api is now payments")  # git would see a rename here
    result = plan(project, "--changed-since", "HEAD~1")
    assert result.code == 0, result.err
    assert "- app.payments-api  (destroy)" in result.out and "+ app.payments  (create)" in result.out
    assert "wordpress" not in result.out


def test_an_application_renamed_earlier_is_planned_when_its_file_changes(project):
    configuration_repository(project)
    edit(project / PAYMENTS, "name: payments-api", "name: payments\nrenamedFrom: payments-api")
    git(project, "commit", "-qam", "payments-api renamed, keeping its application")
    assert apply(project, "--allow-delete").code == 0
    edit(project / PAYMENTS, "displayName: ", "displayName: Renamed ")
    result = plan(project, "--changed-since", "main")
    assert result.code == 0, result.err
    assert "Plan: 0 to add, 2 to change, 0 to destroy." in result.out  # its display name, and its package's words
    assert "~ app.payments  (update)" in result.out
    assert "Planned only the 1 application(s)" in result.err


def test_an_idamconf_yaml_not_yet_in_git_plans_every_application(project):
    configuration_repository(project)
    git(project, "rm", "-q", "--cached", "idamconf.yaml")
    git(project, "commit", "-qm", "the project file, to be added again")  # in the working tree, untracked
    document = json.loads(plan(project, "--changed-since", "main", "--format", "json").out)
    assert document["warnings"] == []  # nothing said to be left out: the whole plan
    result = plan(project, "--changed-since", "main")
    assert result.code == 0 and result.err == ""
