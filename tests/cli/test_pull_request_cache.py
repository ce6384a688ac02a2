"""A plan with what `validate` kept (config/known_files.py), a pull request's or the whole configuration's: the same
plan, drift and warnings as without it; and a kept file that git tracks -- which a pull request could have committed
-- is never read, nor one git cannot vouch for."""

from __future__ import annotations

import json
import os

import pytest

from idamconf.config import known_files

from .harness import edit, idamconf, plan
from .test_pull_request_flow import configuration_repository, git

WORDPRESS = "applications/wordpress.yaml"


def test_a_pull_requests_plan_is_the_same_with_what_validate_kept(project):
    configuration_repository(project)
    assert idamconf("validate", "-C", str(project)).code == 0
    assert (project / known_files.FILE).is_file()
    edit(project / WORDPRESS, "displayName: ", "displayName: New ")
    arguments = ("--changed-since", "main", "--base", "main", "--format", "json")
    kept = plan(project, *arguments)
    (project / known_files.FILE).unlink()
    plain = plan(project, *arguments)
    assert kept.code == plain.code == 0, kept.err
    assert json.loads(kept.out) == json.loads(plain.out)
    assert "~ app.wordpress" in plan(project, "--changed-since", "main").out


def test_a_pull_requests_plan_shows_the_findings_of_files_it_did_not_model(project):
    """A pull request's plan models only the applications it needs (config/involved.py); the findings its Markdown
    shows (the comment's) are of every file, as the full plan's: a role with no description in a file the change
    did not touch is still reported."""
    edit(project / "applications/expenses.yaml", "    description: Signs in to Expenses.\n", "")
    configuration_repository(project)
    assert idamconf("validate", "-C", str(project)).code == 0
    edit(project / WORDPRESS, "displayName: ", "displayName: New ")
    narrowed = plan(project, "--changed-since", "main", "--format", "markdown")
    assert narrowed.code == 0, narrowed.err
    assert "role.description" in narrowed.out and "expenses.yaml" in narrowed.out
    assert findings_of(narrowed.out) == findings_of(plan(project, "--format", "markdown").out)


def findings_of(markdown: str) -> list[str]:
    return [line for line in markdown.splitlines() if "role.description" in line]


def test_a_plan_of_the_whole_configuration_is_the_same_with_what_validate_kept(project):
    configuration_repository(project)
    assert idamconf("validate", "-C", str(project)).code == 0
    edit(project / WORDPRESS, "displayName: ", "displayName: New ")
    arguments = ("--base", "main", "--format", "json")
    kept = plan(project, *arguments)
    (project / known_files.FILE).unlink()
    plain = plan(project, *arguments)
    assert kept.code == plain.code == 0, kept.err
    assert json.loads(kept.out) == json.loads(plain.out)
    changed = [change["address"] for change in json.loads(kept.out)["changes"] if change["action"] != "no-op"]
    assert "app.wordpress" in changed and all(address.startswith("app.wordpress") for address in changed)


def named_wordpress(line: str) -> str:
    """A line of the cache (config/known_files.py) whose value is forged to be named wordpress."""
    return named(line, "wordpress")


def named(line: str, name: str) -> str:
    """A line of the cache (config/known_files.py) whose value is forged to be named `name`."""
    summary, _, value = line.rpartition("\t")
    return f"{summary}\t{json.dumps({**json.loads(value), 'name': name})}"


@pytest.mark.parametrize("arguments", [("--changed-since", "main"), ()], ids=["pull-request", "whole"])
def test_a_kept_file_git_tracks_is_not_read(project, arguments):
    configuration_repository(project)
    assert idamconf("validate", "-C", str(project)).code == 0
    path = project / known_files.FILE
    head, *lines = path.read_text().splitlines()
    forged = []
    for line in lines:  # forged: every unchanged file now says it is wordpress
        forged.append(named_wordpress(line))
    path.write_text("\n".join([head, *forged]) + "\n")
    git(project, "add", "-f", str(known_files.FILE))
    git(project, "commit", "-qm", "a cache, committed")
    edit(project / WORDPRESS, "displayName: ", "displayName: New ")
    result = plan(project, *arguments)
    assert result.code == 0, result.err  # read from the files: no name used twice
    assert f"git tracks {known_files.FILE}, so what validate kept in .idamconf/ is not used" in result.err
    assert "~ app.wordpress" in result.out


def test_a_kept_file_committed_under_another_case_or_as_a_submodule_is_not_read(project):
    """On a file system that ignores case, `.IDAMCONF/cache/...` is the file idamconf reads; a submodule at
    `.idamconf/cache` is not listed as files. Either way git tracks something there, and nothing there is read."""
    configuration_repository(project)
    forged = project / ".IDAMCONF/cache/application-files"
    forged.parent.mkdir(parents=True)
    forged.write_text("{}")
    git(project, "add", "-f", ".IDAMCONF")
    git(project, "commit", "-qm", "a cache in capitals")
    result = plan(project, "--changed-since", "main")
    assert result.code == 0 and "git tracks .IDAMCONF/cache/application-files" in result.err
    git(project, "rm", "-rq", "--cached", ".IDAMCONF")
    git(project, "update-index", "--add", "--cacheinfo", f"160000,{git(project, 'rev-parse', 'HEAD').strip()},"
        ".idamconf/cache")  # a submodule's entry, as a pull request adding one commits it
    git(project, "commit", "-qm", "a submodule there")
    result = plan(project, "--changed-since", "main")
    assert result.code == 0 and "git tracks .idamconf/cache, so what validate kept" in result.err


def test_a_name_git_tracks_there_that_is_not_utf8_is_said_as_its_bytes(project):
    """A file name is any bytes on Linux, and git lists it as it is: the plan says it (its odd byte written out),
    reads nothing validate kept, and plans from the files -- it failed decoding git's answer."""
    configuration_repository(project)
    assert idamconf("validate", "-C", str(project)).code == 0
    odd = os.fsdecode(b".idamconf/notes-\xff")
    (project / odd).write_text("")
    git(project, "add", "-f", odd)
    git(project, "commit", "-qm", "a name of another encoding")
    for arguments in (("--changed-since", "main"), ()):
        result = plan(project, *arguments)
        assert result.code == 0 and "No changes" in result.out, result.err
        assert "git tracks .idamconf/notes-\\xff, so what validate kept in .idamconf/ is not used" in result.err


@pytest.mark.parametrize("arguments", [("--changed-since", "main"), ()], ids=["pull-request", "whole"])
def test_a_plan_parses_only_the_files_changed_since_validate(project, monkeypatch, arguments):
    """What the cache is for: of 10 files, the plan parses the one changed, and takes the rest from validate's."""
    from pathlib import Path

    from idamconf.config import application, yamlfile

    configuration_repository(project)
    assert idamconf("validate", "-C", str(project)).code == 0
    edit(project / WORDPRESS, "displayName: ", "displayName: New ")
    parsed, original = [], yamlfile.load_with_digest
    monkeypatch.setattr(yamlfile, "load_with_digest",
                        lambda path, shown: parsed.append(Path(shown).name) or original(path, shown))
    monkeypatch.setattr(application, "processes_for", lambda files: 1)  # (counted in this process)
    result = plan(project, *arguments)
    assert result.code == 0 and "~ app.wordpress" in result.out, result.err
    assert [name for name in parsed if name != "idamconf.yaml"] == ["wordpress.yaml"]


def test_a_plan_outside_git_reads_nothing_validate_kept(project, monkeypatch):
    """Outside a git repository nothing says a commit did not make the kept file: every file is parsed, and the
    plan is made as without one (it needs no git)."""
    from pathlib import Path

    from idamconf.config import application, yamlfile

    assert idamconf("validate", "-C", str(project)).code == 0 and (project / known_files.FILE).is_file()
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(project.parent))  # (the test's own checkout is not its)
    parsed, original = [], yamlfile.load_with_digest
    monkeypatch.setattr(yamlfile, "load_with_digest",
                        lambda path, shown: parsed.append(Path(shown).name) or original(path, shown))
    monkeypatch.setattr(application, "processes_for", lambda files: 1)
    result = plan(project)
    assert result.code == 0, result.err
    assert "+ app.wordpress" in result.out
    assert len([name for name in parsed if name != "idamconf.yaml"]) == len(list((project / "applications").glob("*.yaml")))


def test_a_plan_with_nothing_kept_says_nothing_of_what_git_tracks(project):
    """A repository may track something under .idamconf/ (an emulator seed, say); with nothing validate kept there
    is nothing to leave unused, and a plan of the whole configuration says nothing about it."""
    configuration_repository(project)
    seed = project / ".idamconf" / "seed.json"
    seed.write_text("{}")
    git(project, "add", "-f", str(seed.relative_to(project)))
    git(project, "commit", "-qm", "a file under .idamconf/")
    assert not (project / known_files.FILE).exists()
    result = plan(project)
    assert result.code == 0, result.err
    assert "git tracks" not in result.err
    assert idamconf("validate", "-C", str(project)).code == 0  # now there is a kept file, which is not used
    assert "git tracks .idamconf/seed.json, so what validate kept" in plan(project).err


def test_a_configuration_git_does_not_hold_reads_nothing_validate_kept(project):
    """A configuration inside a repository that does not hold it (copied or unpacked into a checkout, never added)
    came from wherever it came from, its `.idamconf/` with it: git says nothing of where the kept file came from, as
    outside a repository -- it is not read, and the plan is made from the files."""
    (project.parent / "README").write_text("another project's checkout\n")
    git(project.parent, "init", "-q", "-b", "main")
    git(project.parent, "add", "README")
    git(project.parent, "commit", "-qm", "not the configuration")
    assert idamconf("validate", "-C", str(project)).code == 0
    path = project / known_files.FILE
    head, *lines = path.read_text().splitlines()
    path.write_text("\n".join([head, *map(named_wordpress, lines)]) + "\n")  # forged: every file says it is wordpress
    result = plan(project)
    assert result.code == 0, result.err  # read from the files: no name used twice
    assert "+ app.wordpress" in result.out and "+ app.expenses" in result.out


def forged_cache(project, content: bytes, like: str) -> None:
    """validate's kept file, plus an entry saying that a file of `content` is what the file `like` was when validate
    ran -- its value, findings and summary. Not tracked by git: as a pull request's own earlier run can leave one in
    the Actions cache of its own ref, which `actions/cache/restore` prefers to main's (docs/security.md)."""
    import hashlib

    path = project / known_files.FILE
    head, *lines = path.read_text().splitlines()
    then = hashlib.sha256(git(project, "show", f"main:{like}").encode()).hexdigest()
    entry = next(line for line in lines if line.startswith(then))
    path.write_text("\n".join([head, *lines, hashlib.sha256(content).hexdigest() + entry[64:]]) + "\n")


def test_a_forged_value_of_a_changed_file_does_not_hide_the_pull_requests_change(project):
    """A pull request changes wordpress.yaml; the cache its plan restores says its new content is the file as it
    was. The plan reads the files the pull request changed from themselves: the change shows (it said No changes)."""
    configuration_repository(project)
    assert idamconf("validate", "-C", str(project)).code == 0
    edit(project / WORDPRESS, "displayName: ", "displayName: New ")
    forged_cache(project, (project / WORDPRESS).read_bytes(), WORDPRESS)
    result = plan(project, "--changed-since", "main")
    assert result.code == 0, result.err
    assert "~ app.wordpress" in result.out


@pytest.mark.parametrize("renamed", [{}, {"name": "expenses-renamed", "renamedFrom": "expenses"}],
                         ids=["named", "renamed-from"])
def test_a_forged_value_of_an_unchanged_file_does_not_hide_a_deletion(project, renamed):
    """A pull request deletes expenses.yaml; the cache its plan restores says the content of wordpress.yaml, which
    it did not change, is expenses as it was (or another application renamed from it). The application the plan
    plans is never taken from the cache: the deletion shows (the plan said No changes: wordpress.yaml stood in for
    expenses)."""
    configuration_repository(project)
    assert idamconf("validate", "-C", str(project)).code == 0
    git(project, "rm", "-q", "applications/expenses.yaml")
    forged_cache(project, (project / WORDPRESS).read_bytes(), "applications/expenses.yaml")
    if renamed:
        path = project / known_files.FILE
        head, *lines = path.read_text().splitlines()
        summary, _, value = lines[-1].rpartition("\t")
        value = json.dumps({**json.loads(value), **renamed})
        path.write_text("\n".join([head, *lines[:-1], f"{summary}\t{value}"]) + "\n")
    result = plan(project, "--changed-since", "main")
    assert result.code == 0, result.err
    assert "- app.expenses" in result.out


def test_a_forged_value_of_an_added_file_does_not_hide_the_application_it_adds(project):
    """A pull request adds crm.yaml; the cache its plan restores says its content is an application of another
    name, which nothing plans. The file is read from itself: the new application shows (the plan said No changes,
    and crm would have been created at merge)."""
    from .test_pull_request_flow import DEMAND

    configuration_repository(project)
    assert idamconf("validate", "-C", str(project)).code == 0
    (project / "applications/crm.yaml").write_text(DEMAND)
    path = project / known_files.FILE
    forged_cache(project, DEMAND.encode(), WORDPRESS)
    head, *lines = path.read_text().splitlines()
    path.write_text("\n".join([head, *lines[:-1], named(lines[-1], "nothing-plans-this")]) + "\n")
    result = plan(project, "--changed-since", "main")
    assert result.code == 0, result.err
    assert "+ app.crm" in result.out


def test_a_pull_requests_plan_of_every_application_takes_nothing_from_the_cache(project):
    """A pull request that changes idamconf.yaml is planned whole: every application is planned, and none is taken
    from the cache its plan restores -- whose forged value of wordpress.yaml's new content hid the change."""
    configuration_repository(project)
    assert idamconf("validate", "-C", str(project)).code == 0
    (project / "idamconf.yaml").write_text((project / "idamconf.yaml").read_text() + "# reviewed\n")
    edit(project / WORDPRESS, "displayName: ", "displayName: New ")
    forged_cache(project, (project / WORDPRESS).read_bytes(), WORDPRESS)
    result = plan(project, "--changed-since", "main")
    assert result.code == 0, result.err
    assert "~ app.wordpress" in result.out


def test_a_forged_value_of_a_changed_files_base_does_not_make_its_change_drift(project):
    """`--base` at another commit than `--changed-since`: the configuration there is read from git. The cache says
    wordpress.yaml as it was there is already what the pull request makes it, so the pull request's change would be
    drift (the tenant differing from the base, and the pull request not changing it): a pull request's plan reads
    its base from the files, and the change is its own."""
    configuration_repository(project)
    git(project, "branch", "applied")  # what was last applied
    edit(project / "applications/expenses.yaml", "description: Signs in to Expenses.", "description: Signs in.")
    git(project, "commit", "-qam", "a change on main since")
    assert idamconf("validate", "-C", str(project)).code == 0
    edit(project / WORDPRESS, "displayName: ", "displayName: New ")
    path = project / known_files.FILE
    forged_cache(project, git(project, "show", f"applied:{WORDPRESS}").encode(), WORDPRESS)  # (main's = applied's)
    head, *lines = path.read_text().splitlines()
    summary, _, value = lines[-1].rpartition("\t")
    value = json.dumps({**json.loads(value), "displayName": "New WordPress Blog"})  # what the pull request makes it
    path.write_text("\n".join([head, *lines[:-1], f"{summary}\t{value}"]) + "\n")
    result = plan(project, "--changed-since", "main", "--base", "applied", "--format", "json")
    assert result.code == 0, result.err
    document = json.loads(result.out)
    assert "app.wordpress" in [change["address"] for change in document["changes"] if change["action"] != "no-op"]
    assert "app.wordpress" not in (document.get("drift") or {}).get("addresses", [])
