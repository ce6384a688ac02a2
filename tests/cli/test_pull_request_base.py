"""A pull request's plan against its base (`plan --changed-since REF --base REF`, the pipeline's) makes the base
from the configuration read now and the changed files as they were (commands/base.base_beside), without writing
the whole configuration out of git: its drift, its warnings and its refusals are those of the base read whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from idamconf.commands import base as base_module
from idamconf.commands import plan as plan_module

from .harness import edit, plan
from .test_drift import portal_edit, pull_request
from .test_pull_request_flow import configuration_repository, git
from .test_pull_request_scope import linked_outside_at_head

BLOG = "applications/wordpress.yaml"


def read_whole(monkeypatch) -> None:
    """From here on the base is read whole, as a full plan's --base reads it."""
    monkeypatch.setattr(plan_module, "base_beside",
                        lambda config_dir, ref, commit: (lambda configuration, found=base_module.base_at(
                            config_dir, ref, commit): found))


def both(project, monkeypatch, *arguments):
    """The plan with the base made beside, then read whole: the same exit code, output and warnings."""
    beside = plan(project, *arguments)
    with monkeypatch.context() as patched:
        read_whole(patched)
        whole = plan(project, *arguments)
    assert (beside.code, beside.out, beside.err) == (whole.code, whole.out, whole.err)
    return beside


def test_drift_on_a_changed_application_is_shown_as_the_whole_base_shows_it(project, monkeypatch):
    pull_request(project)
    portal_edit(project, "wordpress", {"web": {"redirectUris": ["https://blog.contoso.com/portal-added"]}})
    result = both(project, monkeypatch, "--changed-since", "main", "--base", "main", "--format", "json")
    assert result.code == 0, result.err
    assert '"overwritten": [' in result.out and "web.redirectUris" in result.out
    human = both(project, monkeypatch, "--changed-since", "main", "--base", "main")
    assert "also changed outside idamconf (web.redirectUris): this overwrites it" in human.out


def test_a_configuration_named_relative_to_where_idamconf_runs_has_the_same_base(project, monkeypatch):
    """Its files are named from the working directory (`applications/wordpress.yaml`); the changed ones are known
    by where they are: the base still has each application once."""
    pull_request(project)
    portal_edit(project, "wordpress", {"web": {"redirectUris": ["https://blog.contoso.com/portal-added"]}})
    monkeypatch.chdir(project)
    result = both(Path("."), monkeypatch, "--changed-since", "main", "--base", "main")
    assert result.code == 0 and "does not validate" not in result.err, result.err
    assert "also changed outside idamconf (web.redirectUris): this overwrites it" in result.out


@pytest.mark.parametrize("broken, count", [("displayNme: WordPress Blog", 2),  # an unknown key, displayName missing
                                           ("displayName: WordPress Blog\nenvironments: [prod]", 1)])  # its own check
def test_a_changed_file_that_did_not_validate_at_the_base_only_warns(project, monkeypatch, broken, count):
    configuration_repository(project)
    edit(project / BLOG, "displayName: WordPress Blog", broken)
    git(project, "commit", "-qam", "broken at the base")
    edit(project / BLOG, broken, "displayName: Company Blog")
    result = both(project, monkeypatch, "--changed-since", "HEAD", "--base", "HEAD")
    assert result.code == 0 and f"does not validate, so drift is not shown apart ({count} error(s) there)" in result.err
    assert "Company Blog" in result.out


def test_a_base_valid_file_by_file_but_not_as_a_whole_only_warns(project, monkeypatch):
    """At the base, a file (removed since) held a name an unchanged file holds: only the checks across files see it."""
    configuration_repository(project)
    (project / "applications/again.yaml").write_text((project / "applications/payments-api.yaml").read_text())
    git(project, "add", "-A")
    git(project, "commit", "-qm", "payments-api twice")
    (project / "applications/again.yaml").unlink()
    result = both(project, monkeypatch, "--changed-since", "HEAD", "--base", "HEAD")
    assert result.code == 0 and "does not validate, so drift is not shown apart (3 error(s) there)" in result.err
    # (its name, its identifier URI and its package's name, each used twice)


def test_a_changed_file_that_linked_outside_at_the_base_only_warns(project, monkeypatch):
    linked_outside_at_head(project)
    result = both(project, monkeypatch, "--changed-since", "HEAD", "--base", "HEAD")
    assert result.code == 0 and "holds a link leading outside it (applications/outside.yaml)" in result.err


@pytest.mark.parametrize("other", ["main~0", "rename-blog"])
def test_a_base_other_than_the_ref_changed_since_is_read_whole(project, monkeypatch, other):
    """Only the same commit's files are the same: another base (even the same commit, named otherwise, is the
    same commit and made beside) is read whole."""
    pull_request(project)
    git(project, "checkout", "-q", "main")
    git(project, "checkout", "-q", "-b", "second")
    edit(project / BLOG, "displayName: WordPress Blog", "displayName: Second Blog")
    git(project, "commit", "-qam", "second")
    made = []
    monkeypatch.setattr(plan_module, "base_beside", lambda *arguments: made.append(arguments) or (lambda c: None))
    plan(project, "--changed-since", "main", "--base", other)
    assert bool(made) is (other == "main~0")


@pytest.mark.parametrize("ref", ["no-such-branch", "-n"])
def test_a_base_ref_that_names_no_commit_is_refused_as_the_bases(project, ref):
    """A pull request's plan names both refs: the one that is wrong is said, as the option that gave it."""
    configuration_repository(project)
    result = plan(project, "--changed-since", "main", f"--base={ref}")
    assert result.code == 1
    assert result.err.startswith("error: --base: ") and "--changed-since" not in result.err, result.err


def test_a_base_other_than_the_ref_changed_since_is_read_from_its_files(project, monkeypatch):
    """The base read whole is read from its files, not from what validate kept (which was read for every file the
    same at the base until session 53): which changes are the pull request's own is what its plan shows, and a
    cache restored in the pipeline may be forged (test_pull_request_cache.py). The configuration read now takes
    the files the pull request did not change from it, as always."""
    from idamconf.config import application, yamlfile

    from .harness import idamconf

    configuration_repository(project)
    git(project, "tag", "applied")
    edit(project / BLOG, "displayName: WordPress Blog", "displayName: Company Blog")
    git(project, "commit", "-qam", "Rename the blog")
    assert idamconf("validate", "-C", str(project)).code == 0
    edit(project / "applications/payments-api.yaml", "displayName: ", "displayName: New ")
    parsed, original = [], yamlfile.load_with_digest
    monkeypatch.setattr(yamlfile, "load_with_digest",
                        lambda path, shown: parsed.append(Path(shown).name) or original(path, shown))
    monkeypatch.setattr(application, "processes_for", lambda files: 1)  # (counted in this process)
    result = plan(project, "--changed-since", "main", "--base", "applied")
    assert result.code == 0, result.err
    files = sorted(path.name for path in (project / "applications").glob("*.yaml"))
    assert sorted(name for name in parsed if name != "idamconf.yaml") == sorted([*files, "payments-api.yaml"])


def test_a_configuration_below_its_repositorys_top_with_a_file_not_yet_in_git_has_the_same_base(project, monkeypatch):
    """As in the pipeline, whose configuration is a directory of its repository (CONFIG_DIR): the base's files are
    found under it; and an application file not yet added to git is no part of the base."""
    from .harness import apply
    from .test_pull_request_flow import DEMAND

    repository = project.parent
    (repository / ".gitignore").write_text(".idamconf/\n")
    git(repository, "init", "-q", "-b", "main")
    git(repository, "add", "-A")
    git(repository, "commit", "-qm", "the configuration, in config/")
    assert apply(project).code == 0
    portal_edit(project, "wordpress", {"web": {"redirectUris": ["https://blog.contoso.com/portal-added"]}})
    edit(project / BLOG, "displayName: WordPress Blog", "displayName: Company Blog")
    (project / "applications/crm.yaml").write_text(DEMAND)  # new, not yet in git
    result = both(project, monkeypatch, "--changed-since", "main", "--base", "main", "--format", "json")
    assert result.code == 0, result.err
    assert "web.redirectUris" in result.out and '"app.crm"' in result.out


def test_an_application_file_git_ignores_is_no_part_of_the_base(project, monkeypatch):
    """The base is the configuration as committed at the ref: a file in the working tree that git ignores (a local
    experiment) was not there. Here it takes the name the blog had at the ref, which the change gives up: the base
    read whole validates, and so must the one made beside."""
    from .test_pull_request_flow import DEMAND

    configuration_repository(project)
    (project / ".gitignore").write_text(".idamconf/\napplications/local-*.yaml\n")
    git(project, "commit", "-qam", "local files ignored")
    (project / "applications/local-crm.yaml").write_text(DEMAND.replace("name: crm", "name: wordpress"))
    edit(project / BLOG, "name: wordpress", "name: blog")
    result = both(project, monkeypatch, "--changed-since", "HEAD", "--base", "HEAD", "--format", "json")
    assert result.code == 0, result.err
    assert "does not validate" not in result.err


@pytest.mark.parametrize("change", ["a file added", "a file moved", "no defaults in idamconf.yaml"])
def test_files_added_or_moved_since_the_base_and_a_project_without_defaults(project, monkeypatch, change):
    """What git lists of a change (added: not in the base; moved: two paths, never a rename's line) and an
    idamconf.yaml that leaves every default out: the base made beside is the base read whole."""
    from .test_pull_request_flow import DEMAND

    if change == "no defaults in idamconf.yaml":
        path = project / "idamconf.yaml"
        text = path.read_text()
        start = text.index("defaults:")
        path.write_text(text[:start] + text[text.index("\nenvironments:", start) + 1:])
    configuration_repository(project)
    if change == "a file added":
        (project / "applications/crm.yaml").write_text(DEMAND)
    elif change == "a file moved":
        (project / "applications/blog").mkdir()
        git(project, "mv", BLOG, "applications/blog/wordpress.yaml")
    git(project, "add", "-A")
    git(project, "commit", "-qm", change, "--allow-empty")
    edit(project / "applications/payments-api.yaml", "displayName: ", "displayName: New ")
    result = both(project, monkeypatch, "--changed-since", "HEAD~1", "--base", "HEAD~1", "--format", "json")
    assert result.code == 0, result.err
    assert "does not validate" not in result.err


def test_a_changed_file_naming_a_logo_reads_it_in_the_base(project, monkeypatch):
    """A changed application file names its logo by a path in the configuration (orders-portal's images/...): the
    base made beside finds it there as it was at the base, as the base read whole does, and validates."""
    pull_request(project)
    portal_edit(project, "orders-portal", {"notes": "edited in the portal"})
    edit(project / "applications/orders-portal.yaml", "displayName: ", "displayName: New ")
    result = both(project, monkeypatch, "--changed-since", "main", "--base", "main", "--format", "json")
    assert result.code == 0, result.err
    assert "does not validate" not in result.err
    assert '"overwritten": [' in result.out and '"notes"' in result.out, result.out


def test_files_changed_removed_and_added_at_once(project, monkeypatch):
    """A change that alters one file, removes another and adds a third (in that order in git's list): each is
    taken as git says -- the added one is not asked of the base, the removed one is read there -- as read whole."""
    from .test_pull_request_flow import DEMAND

    pull_request(project)
    edit(project / "applications/ccms-provider-portal.yaml", "displayName: ", "displayName: New ")
    git(project, "rm", "-q", "applications/pui.yaml")
    (project / "applications/zz-crm.yaml").write_text(DEMAND)
    git(project, "add", "applications/zz-crm.yaml")
    result = both(project, monkeypatch, "--changed-since", "main", "--base", "main", "--format", "json")
    assert result.code == 0, result.err
    assert "does not validate" not in result.err
    assert '"app.pui"' in result.out and '"app.crm"' in result.out and '"app.ccms-provider-portal"' in result.out


def test_a_link_leading_outside_elsewhere_in_the_configuration_at_the_base_only_warns(project, monkeypatch):
    """Not an application file: at the base, a file beside them (images/) was a link leading outside the
    configuration. The base made beside takes that folder from git too, and says so as the base read whole does."""
    import os

    configuration_repository(project)
    (project.parent / "outside.png").write_bytes(b"not the configuration's")
    os.symlink("../../outside.png", project / "images/outside.png")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "a link leading outside, beside the applications")
    edit(project / BLOG, "displayName: WordPress Blog", "displayName: Company Blog")
    result = both(project, monkeypatch, "--changed-since", "HEAD", "--base", "HEAD")
    assert result.code == 0, result.err
    assert result.err.startswith("warning: the configuration at HEAD ({}) holds a link leading outside it "
                                 "(images/outside.png), so drift is not shown apart.\n"
                                 .format(git(project, "rev-parse", "--short=7", "HEAD").strip())), result.err
