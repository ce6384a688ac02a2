"""Saved plans: applied on merge only if nothing they read has changed; refused -- with nothing changed -- otherwise."""

from __future__ import annotations

import json

import jsonschema

import pytest

from idamconf.config.schema import schema
from idamconf.emulator import Store

from .harness import EXAMPLES_TO_ADD, applications, edit, idamconf, plan
from .test_scenarios import converged


def out_of_band(project, name: str, **fields) -> None:
    """Someone changes an application in the tenant, outside idamconf."""
    store = Store(project / ".idamconf" / "local.db")
    with store.transaction():
        app = store.find("applications", "uniqueName", name)
        store.put("applications", {**app, **fields})
    store.close()


def save_plan(project, *extra) -> tuple:
    path = project.parent / "plan.json"
    result = plan(project, "--out", str(path), *extra)
    assert result.code == 0, result.err
    return path, result


@pytest.mark.usefixtures("applied")
def test_a_saved_plan_applies_when_nothing_changed(project):
    edit(project / "applications/wordpress.yaml", "description: The organisation's public blog.",
         "description: The public blog.")
    path, _ = save_plan(project)
    result = idamconf("apply", str(path), "-C", str(project), "--auto-approve")
    assert result.code == 0, result.err
    assert "Apply complete: 0 added, 1 changed, 0 destroyed." in result.out
    converged(project)
    assert applications(project)["wordpress"]["description"].startswith("The public blog.")


@pytest.mark.usefixtures("applied")
def test_a_saved_plan_is_refused_when_the_tenant_changed(project):
    edit(project / "applications/wordpress.yaml", "displayName: WordPress Blog", "displayName: Contoso Blog")
    path, _ = save_plan(project)
    out_of_band(project, "wordpress", description="edited in the portal")
    result = idamconf("apply", str(path), "-C", str(project), "--auto-approve")
    assert result.code == 1
    assert ("Saved plan is stale: app.wordpress changed in the tenant since the plan was made. Run plan again."
            in result.err)
    assert "app.payments-api" not in result.err
    assert applications(project)["wordpress"]["displayName"] == "WordPress Blog"  # nothing was changed


@pytest.mark.usefixtures("applied")
def test_applications_changed_in_the_tenant_are_named_one_a_line(project):
    edit(project / "applications/wordpress.yaml", "displayName: WordPress Blog", "displayName: Contoso Blog")
    path, _ = save_plan(project)
    for name in ("wordpress", "expenses"):
        out_of_band(project, name, description="edited in the portal")
    result = idamconf("apply", str(path), "-C", str(project), "--auto-approve")
    assert result.code == 1
    assert result.err == ("Saved plan is stale: app.expenses changed in the tenant since the plan was made. "
                          "Run plan again.\n"
                          "Saved plan is stale: app.wordpress changed in the tenant since the plan was made. "
                          "Run plan again.\nNothing was changed.\n")


@pytest.mark.usefixtures("applied")
def test_a_part_of_an_application_changed_in_the_tenant_is_named_by_its_application(project):
    """Its service principal's tags and its owners changed: one line, for app.wordpress, not one per part."""
    edit(project / "applications/wordpress.yaml", "displayName: WordPress Blog", "displayName: Contoso Blog")
    path, _ = save_plan(project)
    store = Store(project / ".idamconf" / "local.db")
    with store.transaction():
        app = store.find("applications", "uniqueName", "wordpress")
        principal = store.find("servicePrincipals", "appId", app["appId"])
        store.put("servicePrincipals", {**principal, "tags": [*principal["tags"], "edited-in-the-portal"]})
    store.close()
    result = idamconf("apply", str(path), "-C", str(project), "--auto-approve")
    assert result.code == 1
    assert result.err == ("Saved plan is stale: app.wordpress changed in the tenant since the plan was made. "
                          "Run plan again.\nNothing was changed.\n")
    assert applications(project)["wordpress"]["displayName"] == "WordPress Blog"


def test_a_saved_plan_is_refused_when_the_configuration_changed(project):
    path, _ = save_plan(project)
    edit(project / "applications/wordpress.yaml", "displayName: WordPress Blog", "displayName: Contoso Blog")
    result = idamconf("apply", str(path), "-C", str(project), "--auto-approve")
    assert result.code == 1
    assert result.err == ("Saved plan is stale: the configuration changed since the plan was made. Run plan again.\n"
                          "Nothing was changed.\n")
    assert applications(project) == {}  # nothing was changed: the tenant is as empty as when the plan was made


def test_a_saved_plan_is_refused_in_another_environment(project):
    edit(project / "idamconf.yaml", "  devl:\n", "  review:\n    emulator: true\n    seed: emulator/directory.yaml\n"
         "    tenantId: 00000000-0000-0000-0000-00000000c002\n    verifiedDomains: [contoso.com]\n  devl:\n")
    path, _ = save_plan(project, "--env", "review")
    result = idamconf("apply", str(path), "-C", str(project), "--env", "local", "--auto-approve")
    assert result.code == 1
    assert "Saved plan was made for environment 'review', not 'local'. Run plan again for local." in result.err
    assert not (project / ".idamconf" / "local.db").exists()  # refused before the tenant was even opened


def test_a_saved_plan_applies_to_its_own_environment_without_being_told(project):
    """`idamconf apply plan.json` alone goes where the plan was made, not to the default environment."""
    edit(project / "idamconf.yaml", "  devl:\n", "  review:\n    emulator: true\n    seed: emulator/directory.yaml\n"
         "    tenantId: 00000000-0000-0000-0000-00000000c002\n    verifiedDomains: [contoso.com]\n  devl:\n")
    path, _ = save_plan(project, "--env", "review")
    result = idamconf("apply", str(path), "-C", str(project), "--auto-approve")
    assert result.code == 0, result.err
    assert result.out.startswith("Target: review — embedded emulator") and "\nApply complete: " in result.out
    assert not (project / ".idamconf" / "local.db").exists()  # the default environment's tenant never opened
    assert "\nNo changes. The tenant matches the configuration.\n" in plan(project, "--env", "review").out


def test_a_saved_plan_applies_once(project):
    path, _ = save_plan(project)
    assert idamconf("apply", str(path), "-C", str(project), "--auto-approve").code == 0
    again = idamconf("apply", str(path), "-C", str(project), "--auto-approve")
    assert again.code == 1 and "Saved plan is stale" in again.err
    converged(project)


@pytest.mark.usefixtures("applied")
def test_json_output_follows_its_published_schema(project):
    edit(project / "applications/wordpress.yaml", "displayName: Writer", "displayName: Author")
    result = plan(project, "--format", "json")
    document = json.loads(result.out)
    assert result.out == json.dumps(document, indent=2, ensure_ascii=False) + "\n"  # for people too: indented
    jsonschema.Draft202012Validator(schema("plan")).validate(document)
    assert document["format_version"] == "1.0"
    assert document["summary"] == {"adopt": 0, "add": 0, "change": 3, "destroy": 0}
    steps = [(c["address"], c["reason"]) for c in document["changes"] if c["action"] != "no-op"]
    assert ("app.wordpress.role.Blog.Writer", "disable-first") in steps
    saved = json.loads((save_plan(project)[0]).read_text())
    jsonschema.Draft202012Validator(schema("plan")).validate(saved["plan"])


def test_apply_markdown_report(project):
    result = idamconf("apply", "-C", str(project), "--auto-approve", "--format", "markdown")
    assert result.code == 0, result.err
    assert result.out.startswith("<!-- idamconf-apply -->")
    assert f"**Apply complete: {EXAMPLES_TO_ADD} added, 0 changed, 0 destroyed; 0 failed.**" in result.out
    assert "- ➕ `app.wordpress` (create)" in result.out
    again = idamconf("apply", "-C", str(project), "--auto-approve", "--format", "markdown")
    assert "**No changes.**" in again.out


def test_apply_json_report(project):
    result = idamconf("apply", "-C", str(project), "--auto-approve", "--format", "json")
    report = json.loads(result.out)
    assert result.code == 0 and report["complete"] is True
    assert report["summary"] == {"adopted": 0, "added": EXAMPLES_TO_ADD, "changed": 0, "destroyed": 0, "failed": 0}
    assert {"address": "app.wordpress", "action": "create"} in report["done"]


@pytest.mark.usefixtures("applied")
def test_apply_json_report_when_refused(project):
    (project / "applications/payments-api.yaml").unlink()
    result = idamconf("apply", "-C", str(project), "--auto-approve", "--format", "json")
    report = json.loads(result.out)
    assert result.code == 1 and report["complete"] is False
    assert report["refused"] == "deletions and disabled roles need --allow-delete"
    assert "app.payments-api" in report["deletions"] and report["disabled"] == []


@pytest.mark.usefixtures("applied")
def test_plan_json_counts_what_it_destroys(project):
    """An application gone from the configuration: it, its catalog entry and its access package's three parts go
    (its roles, service principal and owners go with it, uncounted), as the terminal's plan says."""
    (project / "applications/payments-api.yaml").unlink()
    document = json.loads(plan(project, "--format", "json").out)
    assert document["summary"] == {"adopt": 0, "add": 0, "change": 0, "destroy": 5}
    assert document["deletions"][-1] == "app.payments-api" and len(document["deletions"]) == 5
    assert plan(project).out.endswith("Plan: 0 to add, 0 to change, 5 to destroy.\n")
