"""Settings of idamconf.yaml as a user sees them take effect: the `local` environment is the embedded emulator unless
it names a Graph URL, an environment's catalog holds its packages, the configuration's files -- names included --
are what a saved plan is checked against, and commands that only read the configuration refuse a broken one."""

from __future__ import annotations

import json
import os

from tests.cli.harness import EXAMPLES_TO_ADD, edit, idamconf, plan

LOCAL = ("  local:\n    # The embedded Graph emulator: in-process, state in examples/.idamconf/local.db. Its tenant is "
         "created with\n    # this tenantId and these verifiedDomains, as declared.\n    emulator: true\n")
LOCAL_TENANT = "00000000-0000-0000-0000-00000000c001"  # the tenantId examples/idamconf.yaml declares for local


def test_local_is_the_embedded_emulator_without_saying_so(project):
    edit(project / "idamconf.yaml", LOCAL, "  local:\n")
    result = plan(project)
    assert result.code == 0, result.err
    assert result.out.startswith(f"Target: local — embedded emulator ({project / '.idamconf' / 'local.db'})")
    assert f"Plan: {EXAMPLES_TO_ADD} to add" in result.out


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
    assert result.out.startswith(f"Target: local — {emulator.base_url} (tenant {LOCAL_TENANT})")
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
    # the same content, the same place in the files' order, another name
    os.rename(project / "applications/wordpress.yaml", project / "applications/wordpress-blog.yaml")
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
    assert "this file links outside the configuration directory" in result.out
    assert "unexpected" not in result.err and "Traceback" not in result.err


def test_an_emulator_environments_plan_is_for_the_embedded_emulator(project):
    """An emulator environment's plan is for the embedded emulator, whatever it says; the JSON names it."""
    document = json.loads(plan(project, "--format", "json").out)
    assert document["tenant"] == LOCAL_TENANT and document["environment"] == "local"


def test_no_project_file_says_where_and_what_to_do(tmp_path):
    result = idamconf("validate", "-C", str(tmp_path))
    assert result.code == 1
    assert result.err.startswith(f"{tmp_path / 'idamconf.yaml'}: error: no idamconf.yaml in {tmp_path}\n"
                                 "    fix: run idamconf in a configuration directory or pass --config-dir; see "
                                 "examples/idamconf.yaml\n")


def test_the_defaults_name_the_packages(project):
    assert '    displayName = "eucs-idam-wordpress-writers"' in plan(project).out
    edit(project / "idamconf.yaml", "  organisation: eucs\n", "  organisation: corp\n")
    assert '    displayName = "corp-idam-wordpress-writers"' in plan(project).out


def test_without_a_default_environment_local_is_used(project):
    edit(project / "idamconf.yaml", "defaultEnvironment: local\n", "")
    result = plan(project)
    assert result.code == 0 and result.out.startswith("Target: local — embedded emulator")


def test_what_an_environment_signs_in_with(project):
    """The credential and identities idamconf will sign in with, as idamconf.yaml gives them (nothing is printed
    before signing in, so this is read from the target idamconf builds)."""
    from idamconf.config.load import load_configuration
    from idamconf.workflow import target_for

    edit(project / "idamconf.yaml", "    tenantId: 00000000-0000-0000-0000-00000000d001\n    verifiedDomains: "
         "[contoso.com]\n    credential: default\n", "    tenantId: 00000000-0000-0000-0000-00000000d001\n"
         "    verifiedDomains: [contoso.com]\n")
    edit(project / "idamconf.yaml", "    credential: workload-identity\n    # In live",
         "    credential: certificate\n    certificatePath: /vault/idamconf.pem\n    # In live")
    configuration = load_configuration(project)
    devl, nle, live = (target_for(configuration, name) for name in ("devl", "nle", "live"))
    assert (devl.credential, devl.tenant_id) == ("default", "00000000-0000-0000-0000-00000000d001")
    assert (nle.credential, nle.client_id) == ("workload-identity", "00000000-0000-0000-0000-0000000c11e0")
    assert (live.credential, live.client_id, live.certificate_path) == (
        "certificate", "00000000-0000-0000-0000-0000000c11e1", "/vault/idamconf.pem")


def test_every_error_is_reported_in_the_order_of_the_files_folders(project):
    (project / "applications" / "team").mkdir()
    (project / "applications" / "team" / "x.yaml").write_text("name: [broken\n")
    (project / "applications" / "team-b.yaml").write_text("name: [broken\n")
    err = idamconf("validate", "-C", str(project)).err
    assert err.index("applications/team/x.yaml:") < err.index("applications/team-b.yaml:")
