"""What keeps idamconf safe to run: it never touches what it does not manage, never guesses a person, never
applies without consent, and validate stays a fast, offline check."""

from __future__ import annotations

import subprocess
import sys

from .harness import applications, apply, edit, idamconf, plan, tenant
from .test_scenarios import converged


def seed(project, text: str):
    fixtures = project / "fixtures.yaml"
    fixtures.write_text(text)
    result = idamconf("emulator", "seed", str(fixtures), "-C", str(project))
    assert result.code == 0, result.err


def test_seeding_a_tenant_in_use_adds_to_it_and_undoes_no_earlier_seed(project):
    """The environment's own seed makes its tenant once; `emulator seed` later lays a file over the tenant as it
    is, so what an earlier file changed of a seeded user stays changed."""
    seed(project, "users:\n  - {id: 1a6c1b1e-0f3d-4c36-9d2e-6a9c1f0e0002, userPrincipalName: bob.ops@contoso.com, "
                  "displayName: Bob Ops, jobTitle: Site Reliability}\n")
    seed(project, "users:\n  - {userPrincipalName: ivy.new@contoso.com, displayName: Ivy New}\n")
    users = {user["userPrincipalName"]: user for user in tenant(project)["objects"]["users"]}
    assert {"ivy.new@contoso.com", "alice.admin@contoso.com"} <= users.keys()
    assert users["bob.ops@contoso.com"]["jobTitle"] == "Site Reliability"  # not the environment's seed's again


def test_seed_with_state_acts_on_that_file_alone(project, tmp_path):
    fixtures = project / "fixtures.yaml"
    fixtures.write_text("users:\n  - {userPrincipalName: ivy.new@contoso.com, displayName: Ivy New}\n")
    other = tmp_path / "other.db"
    result = idamconf("emulator", "seed", str(fixtures), "-C", str(project), "--state", str(other))
    assert result.code == 0, result.err
    assert result.out.startswith(f"Seeded {other}: 1 user(s)")
    assert not (project / ".idamconf" / "local.db").exists()  # the environment's tenant is not touched


def test_an_unmanaged_application_is_never_touched(project):
    seed(project, "applications:\n  - {displayName: Legacy HR portal, uniqueName: legacy-hr, tags: [team-hr]}\n")
    before = applications(project)["legacy-hr"]
    assert apply(project, "--allow-delete").code == 0
    converged(project)
    assert applications(project)["legacy-hr"] == before
    assert "legacy-hr" not in plan(project).out


def test_a_name_held_by_an_unmanaged_application_stops_the_plan(project):
    seed(project, "applications:\n  - {displayName: Somebody else's blog, uniqueName: wordpress}\n")
    result = plan(project)
    assert result.code == 1
    theirs = applications(project)["wordpress"]["id"]
    assert result.err == (
        f"{project / 'applications/wordpress.yaml'}:2:7: error: an application named 'wordpress' already exists in "
        f"the tenant (\"Somebody else's blog\", id {theirs}) but is not managed by project 'eucs-idam'\n"
        "    fix: choose another name, or adopt it deliberately by adding the tag idamconf:eucs-idam to it in the "
        "tenant\n\n1 error(s), 0 warning(s).\n")
    assert apply(project).code == 1
    assert applications(project)["wordpress"]["displayName"] == "Somebody else's blog"
    assert len(applications(project)) == 1  # nothing else was created either


def test_an_unknown_owner_is_a_plan_error_at_its_line_and_nothing_changes(project):
    edit(project / "applications/wordpress.yaml", "grace.comms@contoso.com", "grace.com@contoso.com")
    result = apply(project)
    assert result.code == 1
    assert "applications/wordpress.yaml:7:5: error: owner grace.com@contoso.com is not a user in the tenant" in \
        result.err
    assert "never by e-mail" in result.err
    assert tenant(project)["objects"].get("applications") is None


def test_apply_without_a_terminal_and_without_auto_approve_changes_nothing(project):
    result = idamconf("apply", "-C", str(project), "--no-colour")
    assert result.code == 1
    assert "no terminal to ask" in result.err and "--auto-approve" in result.err
    assert tenant(project)["objects"].get("applications") is None


def test_no_colour_when_piped_or_with_no_color(project, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    result = idamconf("plan", "-C", str(project))
    assert "\033[" not in result.out
    assert "\033[" in idamconf("plan", "-C", str(project), "--colour").out


def test_validate_and_help_import_no_graph_or_azure_module(project):
    probe = (
        "import sys\n"
        "from idamconf.commands import run_command\n"
        f"code = run_command('validate', {str(project)!r})\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in {'msgraph', 'msgraph_core', 'azure', 'kiota_http',"
        " 'pydantic', 'starlette', 'uvicorn'})\n"
        "print(code, heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip().endswith("0 []"), result.stdout + result.stderr
    cli = subprocess.run([sys.executable, "-c", "import sys, idamconf.cli; print(sorted(m for m in sys.modules if "
                          "m.split('.')[0] in {'msgraph', 'azure', 'jsonschema', 'pydantic'}))"],
                         capture_output=True, text=True, check=True)
    assert cli.stdout.strip() == "[]"


def test_schema_command_prints_the_published_schema():
    result = idamconf("schema")
    assert result.code == 0
    assert '"$schema": "https://json-schema.org/draft/2020-12/schema"' in result.out
    assert '"title": "idamconf application"' in result.out
    assert '"title": "idamconf plan (JSON output, format 1.0)"' in idamconf("schema", "plan").out
    unknown = idamconf("schema", "colour")
    assert unknown.code == 1 and "use: idamconf schema application | project | plan" in unknown.err


def test_people_with_plus_or_apostrophe_in_their_user_principal_name(project):
    seed(project, "users:\n  - {userPrincipalName: zoe+ops@contoso.com}\n  - {userPrincipalName: \"o'brien@contoso.com\"}\n")
    edit(project / "applications/wordpress.yaml", "  - grace.comms@contoso.com\n",
         "  - grace.comms@contoso.com\n  - zoe+ops@contoso.com\n  - \"o'brien@contoso.com\"\n")
    result = apply(project)
    assert result.code == 0, result.err
    converged(project)
    from .harness import owners_of
    assert {"zoe+ops@contoso.com", "o'brien@contoso.com"} <= owners_of(project, "wordpress")


def test_unknown_owners_of_several_applications_are_all_reported_at_once(project):
    """Every application's problems are kept, whichever file comes first: the first file's unknown owner is not lost
    when the files after it are read."""
    edit(project / "applications/ccms-provider-portal.yaml", "  - alice.admin@contoso.com\n  - dave.finance@contoso.com",
         "  - alice.adm@contoso.com\n  - dave.fin@contoso.com")  # two of one application's
    edit(project / "applications/wordpress.yaml", "grace.comms@contoso.com", "grace.com@contoso.com")
    result = plan(project)
    assert result.code == 1
    assert "applications/ccms-provider-portal.yaml:9:5: error: owner alice.adm@contoso.com is not a user in the " \
           "tenant" in result.err
    assert "applications/ccms-provider-portal.yaml:10:5: error: owner dave.fin@contoso.com is not a user in the " \
           "tenant" in result.err
    assert result.err.count("check the spelling of the user principal name; people are matched by exact UPN, never "
                            "by e-mail") == 3
    assert "applications/wordpress.yaml:7:5: error: owner grace.com@contoso.com is not a user in the tenant" in \
        result.err


def test_an_error_found_once_every_file_is_read_stops_plan_and_apply_before_any_request(project):
    """Errors that only the whole configuration shows (here an override of an environment the project does not
    have) stop plan and apply as a file's own errors do: said, and nothing read or written."""
    edit(project / "applications/wordpress.yaml", "tags: [communications, public-facing]\n",
         "tags: [communications, public-facing]\noverrides:\n  qa:\n    displayName: X\n")
    for result in (plan(project), apply(project)):
        assert result.code == 1 and result.out == ""
        assert "error: overrides.qa: unknown environment 'qa'" in result.err, result.err
    assert not (project / ".idamconf").exists()  # the emulator never opened


def test_more_owners_than_an_expanded_list_shows_converge_and_none_is_removed(project):
    """Graph's `$expand=owners` stops at 20: an application (and its service principal) with more owners has them
    read in full, so a plan neither adds an owner it has nor misses one it must remove. (The emulator had refused
    the `$top` of that read, so any such application stopped every plan.)"""
    names = [f"owner{n:02}@contoso.com" for n in range(21)]
    seed(project, "users:\n" + "".join(f"  - {{userPrincipalName: {name}}}\n" for name in names))
    edit(project / "applications/wordpress.yaml", "  - grace.comms@contoso.com\n",
         "  - grace.comms@contoso.com\n" + "".join(f"  - {name}\n" for name in names))
    assert apply(project).code == 0
    converged(project)
    from .harness import owners_of
    assert set(names) <= owners_of(project, "wordpress")
    edit(project / "applications/wordpress.yaml", f"  - {names[-1]}\n", "")  # 21 + the file's own, less one
    after = plan(project)
    assert f"- app.wordpress.owner.{names[-1]}  (destroy)" in after.out, after.out
    assert f"- app.wordpress.service_principal.owner.{names[-1]}  (destroy)" in after.out  # it owns both
    assert "Plan: 0 to add, 0 to change, 2 to destroy." in after.out
