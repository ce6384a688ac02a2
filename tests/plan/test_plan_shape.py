"""The plan as `plan --format json` and the terminal show it, in the cases the renderers never recompute: what a
deletion, a no-op and a disable-first step carry, and where deleted applications come (last)."""

from __future__ import annotations

import json

import pytest

from tests.cli.harness import edit, plan

WORDPRESS = "applications/wordpress.yaml"
ALICE = "1a6c1b1e-0f3d-4c36-9d2e-6a9c1f0e0001"


def changes(project) -> dict[str, list[dict]]:
    result = plan(project, "--format", "json")
    assert result.code == 0, result.err
    found: dict[str, list[dict]] = {}
    for change in json.loads(result.out)["changes"]:
        found.setdefault(change["address"], []).append(change)
    return found


@pytest.mark.usefixtures("applied")
def test_no_op_changes_show_the_tenant_as_it_is_with_every_id_known(project):
    found = changes(project)
    assert {c["action"] for entries in found.values() for c in entries} == {"no-op"}
    assert all(c["before"] == c["after"] and c["attributes"] == [] for entries in found.values() for c in entries)
    [policy] = found["app.wordpress.role.Blog.Administrator.access_package.policy"]
    assert policy["ids"]["people"]["alice.admin@contoso.com"] == ALICE  # from the configuration's people
    assert policy["ids"]["policyId"]  # and from the tenant


@pytest.mark.usefixtures("applied")
def test_a_deletion_shows_what_goes_and_no_attribute_changes(project):
    (project / "applications/payments-api.yaml").unlink()
    found = changes(project)
    [gone] = found["app.payments-api"]
    assert (gone["action"], gone["after"], gone["attributes"]) == ("delete", None, [])
    assert gone["before"]["displayName"] == "Payments API" and gone["ids"]["id"]


@pytest.mark.usefixtures("applied")
def test_disabling_first_shows_the_role_disabled_and_its_ids(project):
    edit(project / WORDPRESS, "displayName: Writer", "displayName: Author")
    disable, update = found = changes(project)["app.wordpress.role.Blog.Writer"]
    assert [c["reason"] for c in found] == ["disable-first", None]
    assert disable["before"]["isEnabled"] is True
    assert disable["after"] == {**disable["before"], "isEnabled": False}
    assert disable["attributes"] == [{"path": "isEnabled", "before": True, "after": False}]
    assert disable["ids"]["id"] and disable["ids"]["appId"]
    assert (update["before"]["displayName"], update["after"]["displayName"]) == ("Writer", "Author")


@pytest.mark.usefixtures("applied")
def test_disabling_a_role_is_one_change_with_no_step_first(project):
    edit(project / WORDPRESS, "    value: Blog.Writer\n", "    value: Blog.Writer\n    enabled: false\n")
    result = plan(project)
    assert "Plan: 0 to add, 1 to change, 0 to destroy." in result.out
    assert "disable first" not in result.out
    assert "isEnabled : true → false" in result.out


@pytest.mark.usefixtures("applied")
def test_deleted_applications_come_last(project):
    (project / "applications/hr-self-service.yaml").unlink()
    edit(project / WORDPRESS, "displayName: WordPress Blog", "displayName: Contoso Blog")
    # The changes in the order apply makes them: after the deletions listed first for the reader's attention.
    listing = plan(project).out.split("idamconf will perform these actions:", 1)[1]
    lines = [line for line in listing.splitlines() if line.startswith("  ") and "  (" in line]
    assert lines[-1] == "  - app.hr-self-service  (destroy)"
    assert lines.index("  ~ app.wordpress  (update)") < lines.index("  - app.hr-self-service  (destroy)")
    assert "  - app.hr-self-service.role.HR.Manager.access_package  (destroy)" in lines[:-1]
