"""`plan --base REF` takes the base's files out of git (commands/base.py): a path git is given is never read as one
of its options, a failing `git archive` is said in one line with exit 1 (never a traceback), the temporary
directory the files are written to is removed after, and before Python 3.11.4 (no extraction filter) only regular
files and directories inside it are written."""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile

import pytest

from idamconf.commands import base as base_module

from .harness import apply, edit, plan
from .test_drift import portal_edit
from .test_pull_request_base import both
from .test_pull_request_flow import configuration_repository, git
from .test_pull_request_scope import linked_outside_at_head

BLOG = "applications/wordpress.yaml"
PORTAL_URI = "https://blog.contoso.com/portal-added"


def test_a_configuration_directory_named_like_an_option_has_its_base(project, monkeypatch):
    """The configuration in a directory of its repository named `-config`: its paths, given to git, are paths
    (after `--`), never options -- the pull request's base made beside and read whole, and a full plan's base."""
    repository = project.parent
    dashed = repository / "-config"
    project.rename(dashed)
    (repository / ".gitignore").write_text(".idamconf/\n")
    git(repository, "init", "-q", "-b", "main")
    git(repository, "add", "-A")
    git(repository, "commit", "-qm", "the configuration, in -config/")
    assert apply(dashed).code == 0
    portal_edit(dashed, "wordpress", {"web": {"redirectUris": [PORTAL_URI]}})
    edit(dashed / BLOG, "displayName: WordPress Blog", "displayName: Company Blog")
    (dashed / "applications/new.yaml").write_text((dashed / BLOG).read_text().replace("name: wordpress", "name: new")
                                                  .replace("Company Blog", "New Blog"))  # not yet in git
    result = both(dashed, monkeypatch, "--changed-since", "main", "--base", "main")
    assert result.code == 0, result.err
    assert "also changed outside idamconf (web.redirectUris): this overwrites it" in result.out, result.out
    assert "does not validate" not in result.err
    whole = plan(dashed, "--base", "main")
    assert whole.code == 0, whole.err
    assert "also changed outside idamconf (web.redirectUris): this overwrites it" in whole.out, whole.out


def test_a_branch_named_applications_is_not_taken_for_the_directory(project, monkeypatch):
    """A repository may have a branch named as the configuration's folder: what changed under applications/ is
    asked of git as a path, never as that branch."""
    configuration_repository(project)
    git(project, "branch", "applications")
    portal_edit(project, "wordpress", {"web": {"redirectUris": [PORTAL_URI]}})
    edit(project / BLOG, "displayName: WordPress Blog", "displayName: Company Blog")
    result = both(project, monkeypatch, "--changed-since", "main", "--base", "main")
    assert result.code == 0, result.err
    assert "also changed outside idamconf (web.redirectUris): this overwrites it" in result.out, result.out


def test_a_change_elsewhere_in_the_repository_is_no_part_of_the_base(project, monkeypatch):
    """The configuration is a directory of a larger repository, where a link leading outside it (a tool's) changed
    since the base: the base is the configuration's files only, and holds no such link."""
    import os

    repository = project.parent
    (repository / "tools").mkdir()
    os.symlink("/usr/bin/env", repository / "tools/env")
    (repository / ".gitignore").write_text(".idamconf/\n")
    git(repository, "init", "-q", "-b", "main")
    git(repository, "add", "-A")
    git(repository, "commit", "-qm", "the configuration, in config/, beside tools/")
    assert apply(project).code == 0
    (repository / "tools/env").unlink()
    os.symlink("/bin/env", repository / "tools/env")
    edit(project / BLOG, "displayName: WordPress Blog", "displayName: Company Blog")
    result = both(project, monkeypatch, "--changed-since", "main", "--base", "main")
    assert result.code == 0, result.err
    assert result.err.startswith("Planned only the 1 application(s)") and "link" not in result.err, result.err


def _lose(project, path: str) -> str:
    """The object of `path` at HEAD taken out of the repository (as a broken or partial clone lacks it)."""
    blob = git(project, "rev-parse", f"HEAD:{path}").strip()
    (project / ".git/objects" / blob[:2] / blob[2:]).unlink()
    return blob


@pytest.mark.parametrize("beside", [False, True])
def test_a_git_archive_that_fails_is_said_in_one_line_with_gits_reason(project, beside):
    """The base's files cannot be taken out of git (an object missing): exit 1, `--base` and git's own words on
    one line, how to fix it -- never a traceback. Read whole (a full plan's base) or beside (a pull request's:
    only the files the change left alone are the same, so a file outside applications/ is taken out of git)."""
    configuration_repository(project)
    lost = _lose(project, "emulator/directory.yaml")
    if beside:
        edit(project / BLOG, "displayName: WordPress Blog", "displayName: Company Blog")
    result = plan(project, "--base", "HEAD", *(["--changed-since", "HEAD"] if beside else []))
    assert result.code == 1 and result.out == ""
    assert result.err == (f"error: --base: git archive failed: error: invalid object 100644 {lost} for "
                          f"'emulator/directory.yaml'; error: cannot read '{lost}'\n"
                          "    fix: pass a ref of this repository, e.g. origin/main (fetch it first)\n\n"
                          "1 error(s), 0 warning(s).\n")


def test_git_that_cannot_be_run_for_the_archive_is_said_in_one_line(tmp_path, monkeypatch):
    """git gone from the PATH by the time the base's files are asked of it: said as git archive's failure, with the
    system's reason -- never a traceback."""
    from idamconf.diagnostics import DiagnosticError

    monkeypatch.setenv("PATH", str(tmp_path))  # (no git here)
    with pytest.raises(DiagnosticError) as raised:
        base_module._extract(tmp_path, "0" * 40, ["."], tmp_path)
    [said] = raised.value.diagnostics
    assert said.summary == "--base: git archive failed: [Errno 2] No such file or directory: 'git'"
    assert said.fix == "pass a ref of this repository, e.g. origin/main (fetch it first)"


@pytest.fixture
def made(tmp_path, monkeypatch):
    """The temporary directories commands/base.py makes, each path recorded; made under a directory of the test's
    own (`tempfile.tempdir`), so that nothing else left there is missed."""
    here = tmp_path / "tmp"
    here.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(here))
    paths = []

    class Recorded(tempfile.TemporaryDirectory):
        def __init__(self, *arguments, **keywords):
            super().__init__(*arguments, **keywords)
            paths.append(self.name)

    monkeypatch.setattr(base_module.tempfile, "TemporaryDirectory", Recorded)
    return here, paths


@pytest.mark.parametrize("how", ["read whole", "made beside", "linked outside, beside", "linked outside, whole"])
def test_the_bases_temporary_directory_is_removed_after(project, made, how):
    """Whatever the base comes to (drift shown apart, or a link leading outside said), the files written out of
    git are removed after. The directory is named for what made it (`idamconf-base-...`): a run killed before its
    end leaves it behind, and whoever finds it in the temporary directory can tell what it is."""
    here, paths = made
    if how.startswith("linked outside"):
        linked_outside_at_head(project)
    else:
        configuration_repository(project)
    edit(project / BLOG, "displayName: WordPress Blog", "displayName: Company Blog")
    result = plan(project, "--base", "HEAD", *(["--changed-since", "HEAD"] if "beside" in how else []))
    assert result.code == 0, result.err
    assert ("holds a link leading outside it" in result.err) is how.startswith("linked outside")
    assert len(paths) == 1 and paths[0].startswith(f"{here}/idamconf-base-"), paths
    assert list(here.iterdir()) == []


def _tar(members: list[tuple[tarfile.TarInfo, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for info, data in members:
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if data else None)
    return buffer.getvalue()


def _member(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.mode = kind, link, 0o755 if kind == tarfile.DIRTYPE else 0o644
    return info


def test_before_python_3_11_4_only_files_and_directories_inside_are_written(tmp_path, monkeypatch):
    """Without tarfile's "data" filter (Python before 3.11.4), what git archive gives is written only if it is a
    regular file or a directory with a name inside the directory: a link, a hard link, an absolute name or one
    climbing out with `..` is left out (the base then lacks it: it does not validate, or validates without it)."""
    outside = tmp_path / "outside"
    into = tmp_path / "into" / "base"
    into.mkdir(parents=True)
    archive = _tar([(_member("config", tarfile.DIRTYPE), b""),
                    (_member("config/idamconf.yaml"), b"project: p\n"),
                    (_member("config/applications", tarfile.DIRTYPE), b""),
                    (_member("config/applications/a.yaml"), b"name: a\n"),
                    (_member("config/applications/link.yaml", tarfile.SYMTYPE, f"{outside}/secret.yaml"), b""),
                    (_member("config/applications/hard.yaml", tarfile.LNKTYPE, "config/idamconf.yaml"), b""),
                    (_member(f"{outside}/absolute.yaml"), b"name: absolute\n"),
                    (_member("../climbed.yaml"), b"name: climbed\n"),
                    (_member("config/../../through.yaml"), b"name: through\n")])
    asked = []

    def run(command, **keywords):
        asked.append(command)
        return subprocess.CompletedProcess(command, 0, stdout=archive, stderr=b"")

    monkeypatch.chdir(into.parent)  # (where anything extracted without its directory would land)
    monkeypatch.delattr(tarfile, "data_filter")
    monkeypatch.setattr(base_module.subprocess, "run", run)
    base_module._extract(tmp_path, "0" * 40, ["config"], into)
    assert asked == [["git", "archive", "--format=tar", "0" * 40, "--", "config"]]
    written = sorted(path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*"))
    assert written == ["into", "into/base", "into/base/config", "into/base/config/applications",
                       "into/base/config/applications/a.yaml", "into/base/config/idamconf.yaml"]
    assert (into / "config/idamconf.yaml").read_text() == "project: p\n"
