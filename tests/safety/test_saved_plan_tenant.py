"""A saved plan is applied only to the tenant it was made for: one made for another tenant is refused, and nothing
in the tenant changes."""

from __future__ import annotations

import json

import pytest

from tests.cli.harness import EXAMPLE_APPLICATIONS, edit, idamconf, plan

from .graph_view import application, applications, listed

OTHER_TENANT = "00000000-0000-0000-0000-00000000f001"
LOCAL_TENANT = "00000000-0000-0000-0000-00000000c001"  # the tenantId examples/idamconf.yaml declares for local


def saved_for(project, tenant: str):
    path = project.parent / "plan.json"
    assert plan(project, "--out", str(path)).code == 0
    document = json.loads(path.read_text())
    assert document["plan"]["tenant"] == LOCAL_TENANT  # the embedded emulator's tenant is the one declared
    document["plan"]["tenant"] = tenant  # made against another tenant, with the same configuration and state
    path.write_text(json.dumps(document))
    return path


def test_a_plan_made_for_another_tenant_is_refused_and_nothing_changes(project):
    path = saved_for(project, OTHER_TENANT)
    result = idamconf("apply", str(path), "-C", str(project), "--auto-approve")
    assert result.code == 1
    assert f"Saved plan was made for tenant {OTHER_TENANT}, not {LOCAL_TENANT}. Run plan again." in result.err
    assert "Nothing was changed." in result.err
    assert "Apply complete" not in result.out
    assert listed(project, "applications") == []


def test_a_plan_for_another_tenant_is_refused_before_any_change_even_with_deletions_allowed(project):
    assert idamconf("apply", "-C", str(project), "--auto-approve").code == 0
    edit(project / "applications/wordpress.yaml", "displayName: WordPress Blog", "displayName: Contoso Blog")
    path = saved_for(project, OTHER_TENANT)
    result = idamconf("apply", str(path), "-C", str(project), "--auto-approve", "--allow-delete")
    assert result.code == 1 and "Saved plan was made for tenant" in result.err
    assert application(project, "wordpress")["displayName"] == "WordPress Blog"


def test_the_same_plan_for_this_tenant_applies(project):
    path = saved_for(project, LOCAL_TENANT)
    result = idamconf("apply", str(path), "-C", str(project), "--auto-approve")
    assert result.code == 0, result.err
    assert applications(project) == sorted(EXAMPLE_APPLICATIONS)


def test_a_file_that_is_no_saved_plan_is_refused_before_anything_is_read(project):
    path = project.parent / "plan.json"
    for text, message in [("{not json", "cannot read saved plan: "),
                          ('{"kind": "terraform-plan", "format_version": "1.0"}', "not an idamconf saved plan"),
                          ("[]", "not an idamconf saved plan")]:
        path.write_text(text)
        result = idamconf("apply", str(path), "-C", str(project), "--auto-approve")
        assert result.code == 1, text
        assert f"{path}: error: {message}" in result.err, result.err
        assert "fix: pass a file written by `idamconf plan --out FILE`" in result.err
        assert "Traceback" not in result.err
    result = idamconf("apply", str(project.parent / "missing.json"), "-C", str(project), "--auto-approve")
    assert result.code == 1 and "cannot read saved plan" in result.err
    assert listed(project, "applications") == []


def test_a_plan_saved_by_another_format_is_refused(project):
    path = project.parent / "plan.json"
    assert plan(project, "--out", str(path)).code == 0
    document = json.loads(path.read_text())
    document["format_version"] = "0.9"
    path.write_text(json.dumps(document))
    result = idamconf("apply", str(path), "-C", str(project), "--auto-approve")
    assert result.code == 1
    assert f"{path}: error: saved plan format 0.9 is not 1.0" in result.err  # the file is named
    assert "fix: make the plan again with this idamconf" in result.err
    assert listed(project, "applications") == []


def test_a_plan_names_the_tenant_it_was_made_for_and_is_refused_in_another(project):
    """Against Graph (here a served emulator on loopback), a plan is made for the environment's tenantId, or for its
    Graph URL when it names none; moved to another tenant, the saved plan is refused, nothing changed."""
    from idamconf.emulator import Store
    from idamconf.emulator.seed import seed_file
    from tests.emulator.conftest import serving

    first, second = "11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"
    store = Store(project.parent / "served.db")
    seed_file(store, project / "emulator" / "directory.yaml")
    (project / "applications" / "payments-api.yaml").unlink()  # its identifier URI names {tenantId}: needs one
    with serving(store) as emulator:
        edit(project / "idamconf.yaml", "  devl:\n", f"  served:\n    graphUrl: {emulator.base_url}\n"
             "    verifiedDomains: [contoso.com]\n    credential: emulator\n  devl:\n")
        untold = json.loads(plan(project, "--env", "served", "--format", "json").out)
        assert untold["tenant"] == emulator.base_url
        edit(project / "idamconf.yaml", "    credential: emulator\n  devl:\n",
             f"    credential: emulator\n    tenantId: {first}\n  devl:\n")
        path = project.parent / "plan.json"
        made = plan(project, "--env", "served", "--out", str(path), "--format", "json")
        assert json.loads(made.out)["tenant"] == first
        edit(project / "idamconf.yaml", f"    tenantId: {first}\n", f"    tenantId: {second}\n")
        result = idamconf("apply", str(path), "-C", str(project), "--auto-approve")
        assert result.code == 1
        assert f"Saved plan was made for tenant {first}, not {second}. Run plan again." in result.err
        assert store.find("applications", "uniqueName", "wordpress") is None  # nothing was changed


@pytest.mark.parametrize("applications", ["wordpress", ["wordpress", 7], {"wordpress": True}])
def test_a_saved_plan_whose_application_list_is_damaged_is_refused_without_a_traceback(project, applications):
    """The applications a plan was limited to (`plan --changed-since`) are a list of names, or nothing else."""
    path = project.parent / "plan.json"
    assert plan(project, "--out", str(path)).code == 0
    document = json.loads(path.read_text())
    document["applications"] = applications
    path.write_text(json.dumps(document))
    result = idamconf("apply", str(path), "-C", str(project), "--auto-approve")
    assert result.code == 1
    assert f"{path}: error: the saved plan is damaged: its parts are missing or of the wrong type" in result.err
    assert "Traceback" not in result.out + result.err
    assert listed(project, "applications") == []


def test_a_plan_against_an_unseeded_embedded_emulator_without_a_tenant_id_is_for_embedded_emulator(project):
    """The embedded emulator needs neither a seed nor a tenantId; a plan made against it then names the tenant
    `embedded-emulator` (schemas/plan.schema.json), never a Graph URL a served emulator could also have."""
    edit(project / "idamconf.yaml", f"    seed: emulator/directory.yaml\n    tenantId: {LOCAL_TENANT}\n", "")
    for path in (project / "applications").iterdir():
        path.unlink()
    made = plan(project, "--format", "json")
    assert made.code == 0, made.err
    assert json.loads(made.out)["tenant"] == "embedded-emulator"
