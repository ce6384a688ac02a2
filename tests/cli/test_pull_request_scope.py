"""What a pull request's plan (`plan --changed-since REF`) covers, so that the change cannot hide part of itself from
its review: a file renamed and changed at once shows both applications, an application renamed earlier
(`renamedFrom`) is still planned when its file changes, a `.yml` file counts, and an idamconf.yaml not yet in git
plans everything. And its base (`plan --base REF`): one that does not validate, or that links outside itself, is
said on stderr and drift is not shown apart -- never a traceback."""

from __future__ import annotations

import json

from .harness import apply, edit, idamconf, plan
from .test_pull_request_flow import DEMAND, configuration_repository, git

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
    (project / ".gitignore").write_text((project / ".gitignore").read_text() + "idamconf.yaml\n")  # ignored too
    git(project, "commit", "-qam", "the project file ignored")
    result = plan(project, "--changed-since", "main")
    assert result.code == 0 and "Planned only" not in result.err


def test_a_yml_file_is_an_application_file_for_a_pull_requests_plan_too(project):
    configuration_repository(project)
    (project / "applications/crm.yml").write_text(DEMAND)
    result = plan(project, "--changed-since", "main")
    assert result.code == 0, result.err
    assert "+ app.crm  (create)" in result.out and "wordpress" not in result.out
    assert "Planned only the 1 application(s)" in result.err


def test_a_base_with_an_error_only_the_whole_configuration_shows_is_not_used(project):
    configuration_repository(project)
    edit(project / "applications/wordpress.yaml", "tags: [communications, public-facing]\n",
         "tags: [communications, public-facing]\noverrides:\n  qa:\n    displayName: X\n")
    git(project, "commit", "-qam", "an override of no environment")
    git(project, "checkout", "-q", "HEAD~1", "--", "applications/wordpress.yaml")
    result = plan(project, "--base", "HEAD")
    assert result.code == 0, result.err
    assert "does not validate, so drift is not shown apart (2 error(s) there)" in result.err
    assert "outside idamconf" not in result.out


def linked_outside_at_head(project) -> None:
    """main applied; HEAD then added an application file linking outside the configuration, removed since."""
    import os

    configuration_repository(project)
    (project.parent / "outside.yaml").write_text("name: outside\n")
    os.symlink("../../outside.yaml", project / "applications/outside.yaml")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "a link leading outside")
    (project / "applications/outside.yaml").unlink()


def test_a_base_linking_outside_itself_is_said_and_not_used(project):
    linked_outside_at_head(project)
    result = plan(project, "--base", "HEAD")
    assert result.code == 0, result.err
    assert result.err == ("warning: the configuration at HEAD ({}) holds a link leading outside it "
                          "(applications/outside.yaml), so drift is not shown apart.\n"
                          .format(git(project, "rev-parse", "--short=7", "HEAD").strip()))
    assert "No changes." in result.out


def test_an_application_of_other_environments_is_not_planned_nor_is_its_catalog(project):
    """An application whose file lists other environments is left out of this one's plan whole: nothing of it is
    made or read here, not even the catalog its package would go in."""
    (project / "applications/crm.yaml").write_text(DEMAND.replace(
        "owners:", "environments: [nle]\nowners:").replace("      approvers:", "      catalog: CRM Catalog\n      approvers:"))
    result = plan(project)
    assert result.code == 0, result.err
    assert "crm" not in result.out.lower()


def _link(project, name: str, target: str) -> None:
    """`name` (a path in the configuration) made a link to `target`, where its file now is: inside the
    configuration, as the loader allows."""
    import os

    (project / target).parent.mkdir(exist_ok=True)
    (project / name).rename(project / target)
    os.symlink(os.path.relpath(project / target, (project / name).parent), project / name)


def test_a_change_made_through_a_linked_application_file_is_planned(project):
    """An application file may be a link to a file elsewhere in the configuration: a change to that file is a
    change of the application although git lists no path under applications/. The pull request's plan holds it,
    as the full plan does (the plan is then not narrowed: git's paths cannot say what changed)."""
    _link(project, "applications/wordpress.yaml", "shared/wordpress.yaml")
    configuration_repository(project)
    edit(project / "shared/wordpress.yaml", "displayName: WordPress Blog", "displayName: Company Blog")
    full = plan(project)
    assert "Plan: 0 to add, 4 to change, 0 to destroy." in full.out, full.out  # the blog, its roles' packages
    result = plan(project, "--changed-since", "main")
    assert (result.code, result.out, result.err) == (full.code, full.out, full.err)


def test_a_change_made_through_a_linked_idamconf_yaml_plans_every_application(project):
    """idamconf.yaml a link to another file of the configuration: a change to that file (here the department every
    application defaults to) changes every application, as a change to idamconf.yaml itself does."""
    _link(project, "idamconf.yaml", "settings/project.yaml")
    configuration_repository(project)
    edit(project / "applications/wordpress.yaml", "displayName: WordPress Blog", "displayName: Company Blog")
    edit(project / "settings/project.yaml", "  department: idam\n", "  department: iam\n")
    full = plan(project)
    assert "~ app.payments-api.role.Payments.Auditor.access_package  (update)" in full.out, full.out  # (its name)
    result = plan(project, "--changed-since", "main")
    assert "Planned only" not in result.err
    assert (result.code, result.out, result.err) == (full.code, full.out, full.err)


def test_an_application_file_linked_at_the_ref_and_gone_since_shows_its_deletion(project):
    """At the ref, an application file was a link (git holds only where it led, not the application): removed
    since, its application's deletion is in the pull request's plan, as in the full plan."""
    _link(project, PAYMENTS, "shared/payments-api.yaml")
    configuration_repository(project)
    git(project, "rm", "-q", PAYMENTS, "shared/payments-api.yaml")
    result = plan(project, "--changed-since", "main")
    assert result.code == 0, result.err
    assert "- app.payments-api  (destroy)" in result.out, result.out


def test_an_application_file_whose_name_git_would_quote_is_planned(project, monkeypatch):
    """A file name holding '"' (or a backslash, a tab: what git quotes in its lists unless asked not to) is an
    application file like another: a change to it is in the pull request's plan, with its base made beside."""
    from .test_pull_request_base import both

    (project / "applications/wordpress.yaml").rename(project / 'applications/the "blog".yaml')
    configuration_repository(project)
    edit(project / 'applications/the "blog".yaml', "displayName: WordPress Blog", "displayName: Company Blog")
    (project / 'applications/new\\one.yaml').write_text(DEMAND)  # not yet in git
    result = both(project, monkeypatch, "--changed-since", "main", "--base", "main")
    assert result.code == 0, result.err
    assert '~ app.wordpress  (update)\n      displayName : "WordPress Blog" → "Company Blog"' in result.out, result.out
    assert "+ app.crm  (create)" in result.out and "Planned only the 2 application(s)" in result.err


def test_an_application_file_git_ignores_is_planned_as_the_full_plan_plans_it(project):
    """A file git ignores (a local experiment) is still a file of the configuration: the full plan reads it, so the
    plan of the changes since the ref shows it too, never 'No changes' over an application it would create (found
    by tests/cli/test_pull_request_fuzz.py, seed 8)."""
    configuration_repository(project)
    (project / ".gitignore").write_text(".idamconf/\napplications/local-*.yaml\n")
    git(project, "commit", "-qam", "local files ignored")
    (project / "applications/local-crm.yaml").write_text(DEMAND)
    full = plan(project)
    assert "+ app.crm  (create)" in full.out, full.err
    result = plan(project, "--changed-since", "HEAD")
    assert result.code == 0, result.err
    assert "+ app.crm  (create)" in result.out
    assert [line for line in result.out.splitlines() if "app.crm" in line] == \
        [line for line in full.out.splitlines() if "app.crm" in line]


HIDDEN = """name: hidden-sync
displayName: Hidden Sync
description: !!binary not-base64
owners: [alice.admin@contoso.com, bob.ops@contoso.com]
"""


def _touched(project) -> list[str]:
    result = idamconf("environments", "-C", str(project), "--changed-since", "main", "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_an_application_file_only_the_configurations_own_reader_reads_is_planned(project):
    """A YAML tag PyYAML's safe loader refuses (`!!binary` of no base64) is read by the configuration's loader as
    the text written: the pull request's scope reads the files the same way, so the application it adds is planned
    -- and, were a file's key unreadable, everything would be."""
    configuration_repository(project)
    git(project, "checkout", "-q", "-b", "demand/hidden")
    (project / "applications/hidden.yaml").write_text(HIDDEN)
    git(project, "add", "-A")
    git(project, "commit", "-qm", "a new application")
    result = plan(project, "--changed-since", "main")
    assert result.code == 0, result.err
    assert "+ app.hidden-sync  (create)" in result.out and "Planned only the 1 application(s)" in result.err
    assert _touched(project) == ["devl", "nle", "live"]


def test_a_changed_application_file_whose_name_cannot_be_read_touches_every_environment(project):
    """What a version that does not read as an application would have touched is unknown: every environment's
    plan runs (and reports the file's errors), not only those of the version that did read."""
    configuration_repository(project)
    (project / "applications/crm.yaml").write_text("name: crm\ndisplayName: CRM\nowners: [a@contoso.com]\n"
                                                   "environments: [nle]\n")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "crm in nle")
    git(project, "checkout", "-q", "-b", "demand/crm")
    edit(project / "applications/crm.yaml", "name: crm", "name: [crm]")  # not a name: validate says so
    assert _touched(project) == ["devl", "nle", "live"]
    result = plan(project, "--changed-since", "main")
    assert result.code == 1 and "Planned only" not in result.err


def test_a_file_an_application_reads_changed_alone_plans_every_application(project):
    """A logo (as SAML metadata, a certificate) changes what its application's plan sends while no application file
    changes; which application reads it is known only by reading them all, so all are planned, in every
    environment."""
    configuration_repository(project)
    git(project, "checkout", "-q", "-b", "demand/logo")
    logo = project / "images/orders-portal.png"
    logo.write_bytes(logo.read_bytes() + b"\0")  # (a PNG may carry bytes after its end)
    git(project, "commit", "-qam", "the logo changed")
    result = plan(project, "--changed-since", "main")
    assert result.code == 0, result.err
    assert "app.orders-portal.logo" in result.out and "Planned only" not in result.err
    assert _touched(project) == ["devl", "nle", "live"]


def test_a_new_file_not_yet_in_git_beside_the_applications_plans_every_application(project):
    configuration_repository(project)
    (project / "images/new.png").write_bytes(b"\x89PNG")
    result = plan(project, "--changed-since", "main")
    assert result.code == 0, result.err
    assert "Planned only" not in result.err and _touched(project) == ["devl", "nle", "live"]


def test_a_new_application_file_not_yet_in_git_whose_name_cannot_be_read_touches_every_environment(project):
    configuration_repository(project)
    (project / "applications/crm.yaml").write_text("name: [crm]\ndisplayName: CRM\nowners: [a@contoso.com]\n"
                                                   "environments: [nle]\n")
    assert _touched(project) == ["devl", "nle", "live"]


def test_files_git_ignores_beside_the_applications_leave_the_scope_narrow(project):
    """An ignored file is no pull request's (a checkout holds none), and a working copy is full of them (editors',
    a pipeline's plans): the plan stays the changed applications'."""
    configuration_repository(project)
    (project / ".gitignore").write_text((project / ".gitignore").read_text() + "plans/\n*.swp\n")
    git(project, "commit", "-qam", "ignore the pipeline's plans")
    (project / "plans").mkdir()
    (project / "plans" / "live.json").write_text("{}")
    (project / "images" / ".orders-portal.png.swp").write_bytes(b"x")
    (project / "applications/crm.yaml").write_text(DEMAND)
    result = plan(project, "--changed-since", "main")
    assert result.code == 0, result.err
    assert "+ app.crm  (create)" in result.out and "Planned only the 1 application(s)" in result.err
    assert _touched(project) == ["devl", "nle", "live"]  # (crm names no environments: every one)


def test_idamconfs_own_state_is_never_a_change_even_where_git_does_not_ignore_it(project):
    configuration_repository(project)
    (project / ".gitignore").write_text("")
    git(project, "commit", "-qam", "nothing ignored")
    assert any((project / ".idamconf").iterdir())  # the emulator's state, not in git
    (project / "applications/crm.yaml").write_text(DEMAND)
    result = plan(project, "--changed-since", "main")
    assert result.code == 0, result.err
    assert "Planned only the 1 application(s)" in result.err
