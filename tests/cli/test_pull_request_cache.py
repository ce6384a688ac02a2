"""A pull request's plan with what `validate` kept (config/known_files.py): the same plan, drift and warnings as
without it; and a kept file that git tracks -- which a pull request could have committed -- is never read."""

from __future__ import annotations

import json

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


def test_a_kept_file_git_tracks_is_not_read(project):
    configuration_repository(project)
    assert idamconf("validate", "-C", str(project)).code == 0
    path = project / known_files.FILE
    kept = json.loads(path.read_text())
    for value in kept["values"].values():  # forged: every unchanged file now says it is wordpress
        value["name"] = "wordpress"
    path.write_text(json.dumps(kept))
    git(project, "add", "-f", str(known_files.FILE))
    git(project, "commit", "-qm", "a cache, committed")
    edit(project / WORDPRESS, "displayName: ", "displayName: New ")
    result = plan(project, "--changed-since", "main")
    assert result.code == 0, result.err  # read from the files: no name used twice
    assert f"{known_files.FILE} is tracked by git, so not used" in result.err
    assert "~ app.wordpress" in result.out
