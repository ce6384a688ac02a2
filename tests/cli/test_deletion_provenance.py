"""A plan that deletes an application this configuration never declared -- made by hand or by another
configuration, and tagged with the project's tag -- says so loudly, in every format, before anything else."""

from __future__ import annotations

import json
import subprocess

import pytest

from idamconf.emulator import Store
from idamconf.emulator.directory import _new_application

from .harness import apply, plan

STRANGER = {"displayName": "Made by hand", "uniqueName": "stranger", "tags": ["idamconf:eucs-idam"]}


def git(project, *args) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=project, check=True,
                   capture_output=True)


def committed(project) -> None:
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "configuration")


def stranger(project) -> None:
    store = Store(project / ".idamconf" / "local.db")
    with store.transaction():
        _new_application(store, dict(STRANGER))
    store.close()


def test_deleting_an_application_never_declared_here_is_a_loud_warning(project):
    committed(project)
    assert apply(project).code == 0
    stranger(project)
    result = plan(project)
    warning = "WARNING: this plan deletes app.stranger, which this configuration never declared"
    assert warning in result.out
    assert result.out.index(warning) < result.out.index("Deletions and replacements")
    assert any("app.stranger" in w and "never declared" in w
               for w in json.loads(plan(project, "--format", "json").out)["warnings"])
    markdown = plan(project, "--format", "markdown").out
    assert markdown.index("> **Warning:** this plan deletes app.stranger") < markdown.index("<details>")


def test_deleting_an_application_this_configuration_declared_is_not_a_warning(project):
    committed(project)
    assert apply(project).code == 0
    (project / "applications" / "payments-api.yaml").unlink()
    git(project, "commit", "-qam", "decommission payments-api")
    result = plan(project)
    assert "- app.payments-api  (destroy)" in result.out
    assert "WARNING" not in result.out
    assert json.loads(plan(project, "--format", "json").out)["warnings"] == []


@pytest.mark.usefixtures("applied")
def test_without_git_history_a_deletion_says_it_could_not_be_checked(project):
    (project / "applications" / "payments-api.yaml").unlink()
    result = plan(project)
    assert "WARNING: this plan deletes app.payments-api; whether this configuration ever declared them cannot be " \
           "checked (no git history here)" in result.out


def test_a_mention_outside_applications_is_no_declaration(project):
    """Only the history of applications/ says what this configuration declared: a note elsewhere naming the
    stranger (a runbook, a comment in idamconf.yaml) does not make it this configuration's."""
    (project / "RUNBOOK.md").write_text("The stranger application is someone else's: do not touch it.\n")
    committed(project)
    assert apply(project).code == 0
    stranger(project)
    assert "WARNING: this plan deletes app.stranger, which this configuration never declared" in plan(project).out
