"""Settings of idamconf.yaml as a user sees them take effect: the `local` environment is the embedded emulator unless
it names a Graph URL, an environment's catalog holds its packages, the configuration's files -- names included --
are what a saved plan is checked against, and commands that only read the configuration refuse a broken one."""

from __future__ import annotations

import json
import os

from tests.cli.harness import edit, idamconf, plan

LOCAL = "  local:\n    # The embedded Graph emulator: in-process, state in examples/.idamconf/local.db.\n    emulator: true\n"


def test_local_is_the_embedded_emulator_without_saying_so(project):
    edit(project / "idamconf.yaml", LOCAL, "  local:\n")
    result = plan(project)
    assert result.code == 0, result.err
    assert result.out.startswith(f"Target: local — embedded emulator ({project / '.idamconf' / 'local.db'})")
    assert "Plan: 43 to add" in result.out


def test_local_with_a_graph_url_is_that_graph(project):
    from idamconf.emulator import Store
    from idamconf.emulator.seed import seed_file
    from tests.emulator.conftest import serving

    store = Store(project.parent / "served.db")
    seed_file(store, project / "emulator" / "directory.yaml")
    with serving(store) as emulator:
        edit(project / "idamconf.yaml", LOCAL + "    seed: emulator/directory.yaml\n",
             f"  local:\n    graphUrl: {emulator.base_url}\n    credential: emulator\n")
        result = plan(project)
    assert result.code == 0, result.err
    assert result.out.startswith(f"Target: local — {emulator.base_url} (tenant from credential)")
    assert not (project / ".idamconf").exists()  # no embedded tenant was made


def test_an_environments_catalog_holds_its_packages(project):
    edit(project / "idamconf.yaml", "    seed: emulator/directory.yaml\n",
         "    seed: emulator/directory.yaml\n    catalog: Local test catalog\n")
    result = plan(project)
    assert "+ catalog[Local test catalog]  (create)" in result.out
    assert "EUCS IDAM applications" not in result.out


def test_a_saved_plan_is_refused_when_a_file_was_renamed(project):
    path = project.parent / "plan.json"
    assert plan(project, "--out", str(path)).code == 0
    os.rename(project / "applications/wordpress.yaml", project / "applications/blog.yaml")
    result = idamconf("apply", str(path), "-C", str(project), "--auto-approve")
    assert result.code == 1
    assert "Saved plan is stale: the configuration changed since the plan was made." in result.err


def test_seeding_refuses_a_configuration_with_errors(project):
    edit(project / "applications/wordpress.yaml", "frequencyDays: 90        # every 3 months",
         "frequencyDays: 31")
    fixtures = project / "fixtures.yaml"
    fixtures.write_text("users:\n  - {userPrincipalName: zoe@contoso.com}\n")
    result = idamconf("emulator", "seed", str(fixtures), "-C", str(project))
    assert result.code == 1
    assert "frequencyDays" in result.err and "error" in result.err
    assert "unexpected" not in result.err
    assert not (project / ".idamconf").exists()


def test_lint_refuses_a_file_linking_outside_without_a_traceback(project, tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text((project / "applications/payments-api.yaml").read_text())
    (project / "applications/linked.yaml").symlink_to(outside)
    result = idamconf("lint", "-C", str(project))
    assert result.code == 1
    assert "this file links outside the configuration directory" in result.err
    assert "unexpected" not in result.err and "Traceback" not in result.err


def test_an_emulator_environments_plan_is_for_the_embedded_emulator(project):
    """An emulator environment's plan is for the embedded emulator, whatever it says; the JSON names it."""
    document = json.loads(plan(project, "--format", "json").out)
    assert document["tenant"] == "embedded-emulator" and document["environment"] == "local"
