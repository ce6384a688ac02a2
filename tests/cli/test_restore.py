"""An application an apply removed, added back within 30 days: Graph keeps it in deleted items and refuses a create
by its uniqueName meanwhile (docs/emulator.md, "Deleted applications"); idamconf restores it (plan/restore.py)."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest

from idamconf.emulator import Store
from tests.cli.harness import apply, applications, edit, faulted, plan, tenant
from tests.cli.test_scenarios import converged
from tests.safety.wire import Rule, Scripted, graph_error

NAME = "staff-directory"


def removed(project, name: str = NAME):
    """The application removed by an apply (--allow-delete), its file kept aside; its appId as it was."""
    app_id = applications(project)[name]["appId"]
    aside = project.parent / f"{name}.yaml"
    shutil.move(project / "applications" / f"{name}.yaml", aside)
    result = apply(project, "--allow-delete")
    assert result.code == 0, result.err
    assert name not in applications(project)
    return app_id, aside


def back(project, aside, display_name: str = "Staff Directory (restored)"):
    shutil.move(aside, project / "applications" / f"{NAME}.yaml")
    text = (project / "applications" / f"{NAME}.yaml").read_text()
    old = next(line for line in text.splitlines() if line.startswith("displayName:"))
    edit(project / "applications" / f"{NAME}.yaml", old, f"displayName: {display_name}")


@pytest.mark.usefixtures("applied")
def test_an_application_added_back_is_restored_with_its_app_id_and_made_to_match(project):
    app_id, aside = removed(project)
    back(project, aside)
    shown = plan(project)
    assert shown.code == 0, shown.err
    assert f"~ app.{NAME}  (restore " in shown.out and "from deleted items, then update" in shown.out, shown.out
    assert f"+ app.{NAME}  (create)" not in shown.out
    saved = plan(project, "--format", "json")
    changes = [c for c in json.loads(saved.out)["changes"] if c["address"] == f"app.{NAME}"]
    assert [(c["action"], c["reason"]) for c in changes] == [("update", "restore")]
    markdown = plan(project, "--format", "markdown").out
    assert "restore" in markdown and "from deleted items, then update" in markdown, markdown
    result = apply(project)
    assert result.code == 0, result.err
    app = applications(project)[NAME]
    assert app["appId"] == app_id and app["displayName"] == "Staff Directory (restored)"
    assert not tenant(project)["objects"].get("deletedApplications")
    converged(project)
    assert apply(project).code == 0
    converged(project)


@pytest.mark.usefixtures("applied")
def test_another_projects_deleted_application_holding_the_name_is_left_alone(project):
    """A deleted application of another project holding a name to create is not this project's to restore: the plan
    reads only the project's deleted applications (by its tag) and shows a create, which Graph refuses while the
    name is held -- apply says so, and the other project's deleted application stays as it was."""
    _, aside = removed(project)
    db = sqlite3.connect(project / ".idamconf" / "local.db")
    (key, doc), = db.execute("SELECT id, doc FROM objects WHERE kind = 'deletedApplications'").fetchall()
    db.close()
    theirs = {**json.loads(doc), "tags": ["idamconf:other"]}
    store = Store(project / ".idamconf" / "local.db")  # now another project's, as if it had deleted it
    store.put("deletedApplications", theirs, key)  # (its tags indexed as the emulator indexes them)
    store.close()
    back(project, aside)
    shown = plan(project)
    assert shown.code == 0 and f"+ app.{NAME}  (create)" in shown.out and "(restore " not in shown.out, shown.out
    result = apply(project)
    assert result.code == 1 and f"The uniqueName '{NAME}' is held by a deleted application" in result.err, result.err
    assert NAME not in applications(project)
    db = sqlite3.connect(project / ".idamconf" / "local.db")
    assert [json.loads(doc) for doc, in db.execute("SELECT doc FROM objects WHERE kind = 'deletedApplications'")] == \
        [theirs]
    db.close()


@pytest.mark.usefixtures("applied")
def test_an_apply_cut_short_after_the_restore_is_finished_by_the_next(project, monkeypatch):
    app_id, aside = removed(project)
    back(project, aside)

    def after_restore(request) -> bool:  # every write of the application once restored
        return request.method == "PATCH" and request.path.startswith("applications/")

    faulted(monkeypatch, Scripted([Rule(after_restore, graph_error(403, "Authorization_RequestDenied"), times=100)]))
    cut = apply(project)
    assert cut.code == 1 and "403 Authorization_RequestDenied" in cut.err, cut.err
    monkeypatch.undo()
    assert applications(project)[NAME]["appId"] == app_id  # restored, not updated
    again = plan(project)
    assert again.code == 0, again.err
    assert f"~ app.{NAME}  (update)" in again.out and "(restore " not in again.out, again.out
    assert apply(project).code == 0
    assert applications(project)[NAME]["displayName"] == "Staff Directory (restored)"
    converged(project)


@pytest.mark.usefixtures("applied")
def test_a_deleted_application_the_configuration_no_longer_names_is_left_in_deleted_items(project):
    """The project's deleted applications are read when a plan creates one; only one holding a name to create is
    restored -- another, whose file is gone, stays deleted, and no plan shows it."""
    removed(project)
    (project / "applications" / "added.yaml").write_text(
        "name: added\ndisplayName: Added\nowners: [alice.admin@contoso.com, grace.comms@contoso.com]\n")
    shown = plan(project)
    assert shown.code == 0 and "+ app.added  (create)" in shown.out, shown.out
    assert NAME not in shown.out, shown.out
    assert apply(project).code == 0
    assert NAME not in applications(project) and "added" in applications(project)
    converged(project)


@pytest.mark.usefixtures("applied")
def test_an_application_added_back_as_it_was_is_restored_and_shown_as_a_restore_alone(project):
    """The file unchanged: the restore is the change, with no attribute to show (the plan's renderer took the
    largest of no attribute names, and every such plan ended in a ValueError)."""
    app_id, aside = removed(project)
    shutil.move(aside, project / "applications" / f"{NAME}.yaml")
    shown = plan(project)
    assert shown.code == 0, shown.err
    line = next(line for line in shown.out.splitlines() if line.startswith(f"  ~ app.{NAME} "))
    assert line.endswith("from deleted items, then update)"), shown.out
    assert "Plan: " in shown.out and " 1 to change," in shown.out, shown.out
    assert apply(project).code == 0
    assert applications(project)[NAME]["appId"] == app_id
    converged(project)


@pytest.mark.usefixtures("applied")
def test_a_restored_applications_federated_credentials_are_made_again(project):
    """A deleted application's federated credentials cannot be listed (Graph documents no list of a deleted item's;
    GET applications/{id}/federatedIdentityCredentials of a deleted id is 404, and failed every such plan): the
    file's are planned as created, by name (an upsert: an update, had the restore brought one back)."""
    name = "hr-directory-sync"
    app_id, aside = removed(project, name)
    shutil.move(aside, project / "applications" / f"{name}.yaml")
    shown = plan(project)
    assert shown.code == 0, shown.err
    assert f"~ app.{name}  (restore " in shown.out and f"+ app.{name}.federated_credential[github-nightly]  (create)" \
        in shown.out, shown.out
    assert apply(project).code == 0
    assert applications(project)[name]["appId"] == app_id
    assert [c["name"] for c in tenant(project)["objects"]["federatedIdentityCredentials"]] == ["github-nightly"]
    converged(project)
