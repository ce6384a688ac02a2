"""`plan --changed-since REF` never hands git an option (issue 23): `--changed-since=--output=FILE` would have had
`git diff` write FILE. A ref beginning with '-' is refused; the others are verified as commits after
--end-of-options and git is given the commit's hash."""

from __future__ import annotations

import os

import pytest

from idamconf.commands.changed import changed_applications, changed_documents

from .harness import plan
from .test_pull_request_flow import configuration_repository, git


@pytest.mark.parametrize("ref", ["--output={file}", "-o{file}", "--no-index", "-"])
def test_a_ref_that_looks_like_an_option_is_refused(project, tmp_path, ref):
    configuration_repository(project)
    written = tmp_path / "written-by-git"
    result = plan(project, f"--changed-since={ref.format(file=written)}")
    assert result.code == 1
    assert "--changed-since: a git ref cannot be empty or begin with '-'" in result.err
    assert "pass a branch, tag or commit" in result.err
    assert not written.exists()


def test_a_ref_that_names_no_commit_is_refused(project):
    configuration_repository(project)
    result = plan(project, "--changed-since", "no-such-ref")
    assert result.code == 1 and "--changed-since: no commit named 'no-such-ref' in this repository" in result.err


def test_refs_that_are_commits_still_work(project):
    configuration_repository(project)
    (project / "applications/payments-api.yaml").unlink()
    head = git(project, "rev-parse", "HEAD").strip()
    for ref in ("HEAD", "main", head, head[:10], "HEAD~0"):
        result = plan(project, "--changed-since", ref)
        assert result.code == 0, result.err
        assert "- app.payments-api  (destroy)" in result.out and "wordpress" not in result.out


def test_an_application_file_linking_outside_is_not_read(project, tmp_path):
    configuration_repository(project)
    outside = tmp_path / "outside.yaml"
    outside.write_text("name: read-from-outside\n")
    os.symlink(outside, project / "applications" / "linked.yaml")
    documents, everything = changed_documents(project, "HEAD")
    assert documents == []  # never read (the configuration's loader refuses it)
    assert everything and changed_applications(project, "HEAD") is None  # a link: every application is planned


def test_an_application_file_that_is_a_link_in_a_folder_has_every_application_planned(project):
    """As at the top of applications/ (commit 16fe138): a file in a folder of it that is a link changes with the
    file it leads to, which git lists under that file's path -- so every application is planned."""
    configuration_repository(project)
    (project / "applications" / "team").mkdir()
    os.symlink(project / "emulator" / "directory.yaml", project / "applications" / "team" / "linked.yaml")
    assert changed_applications(project, "HEAD") is None
