"""A secret someone pasted into the tenant (a description edited in the portal) is what a plan that puts the
configuration's value back shows as "before": it is never shown -- not on the terminal, in Markdown, in JSON, in the
saved plan or in the pull request's comment made from it (plan/secrets_written.hiding_secrets) -- and the plan still
removes it."""

from __future__ import annotations

import json

import pytest

from tests.cli.harness import apply, idamconf, plan
from tests.cli.test_drift import portal_edit
from tests.cli.test_scenarios import converged
from tests.safety.graph_view import graph

SECRET = "abc8Q~" + "x" * 34  # an Entra client secret's shape (config/secrets.py)


@pytest.mark.usefixtures("applied")
def test_a_secret_pasted_in_the_portal_is_never_shown_and_the_plan_removes_it(project, tmp_path):
    tags = graph(project, "GET", "applications(uniqueName='wordpress')")["tags"]
    portal_edit(project, "wordpress", {"description": f"temp creds: {SECRET}", "tags": [*tags, SECRET]})
    saved = tmp_path / "plans" / "local.json"
    saved.parent.mkdir()
    said = {"human": plan(project), "saved": plan(project, "--out", str(saved)),
            "json": plan(project, "--format", "json"), "markdown": plan(project, "--format", "markdown"),
            "drift markdown": idamconf("drift", "-C", str(project), "--format", "markdown")}
    said["comment"] = idamconf("comment", "-C", str(project), "--plans", str(saved.parent))
    for name, result in said.items():
        assert result.code in (0, 2), (name, result.err)
        assert SECRET not in result.out + result.err, name
    assert SECRET not in saved.read_text()
    assert "description : (not shown: it looks like a secret) → " in said["human"].out, said["human"].out
    [change] = [c for c in json.loads(said["json"].out)["changes"] if c["address"] == "app.wordpress"]
    assert sorted(change["before"]["tags"]) == sorted([*tags, "(not shown: it looks like a secret)"])
    assert change["after"]["description"].startswith("The organisation's public blog.")  # what apply writes
    applied = idamconf("apply", str(saved), "-C", str(project), "--auto-approve")
    assert applied.code == 0, applied.err  # the saved plan (its before hidden) is the plan apply makes
    assert SECRET not in json.dumps(graph(project, "GET", "applications(uniqueName='wordpress')"))
    converged(project)


@pytest.mark.usefixtures("applied")
def test_a_secret_pasted_into_a_roles_description_is_removed_and_never_shown(project, tmp_path):
    """A role's description: the plan disables the role first, sending it back as read -- the tenant's secret in
    its request. That is not the file writing a secret: the plan is not refused (it was, blaming the file), and the
    value is hidden in every output, the disabling step's included (a review's finding in session 47)."""
    app = graph(project, "GET", "applications(uniqueName='wordpress')")

    def roles(**change):
        return [{k: v for k, v in (dict(r, **change) if r["value"] == "Blog.Writer" else r).items() if k != "origin"}
                for r in app["appRoles"]]

    portal_edit(project, "wordpress", {"appRoles": roles(isEnabled=False)})  # (Graph changes only a disabled role)
    portal_edit(project, "wordpress", {"appRoles": roles(isEnabled=False, description=f"creds {SECRET}")})
    portal_edit(project, "wordpress", {"appRoles": roles(description=f"creds {SECRET}")})
    saved = tmp_path / "plans" / "local.json"
    saved.parent.mkdir()
    said = {"human": plan(project), "saved": plan(project, "--out", str(saved)),
            "json": plan(project, "--format", "json"), "markdown": plan(project, "--format", "markdown")}
    said["comment"] = idamconf("comment", "-C", str(project), "--plans", str(saved.parent))
    for name, result in said.items():
        assert result.code in (0, 2), (name, result.err)
        assert SECRET not in result.out + result.err, name
    assert SECRET not in saved.read_text()
    assert "disable first" in said["human"].out
    assert apply(project).code == 0
    assert SECRET not in json.dumps(graph(project, "GET", "applications(uniqueName='wordpress')"))
    converged(project)
