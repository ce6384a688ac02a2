"""`.pre-commit-hooks.yaml`: a validate and a lint hook whose commands exist and run, on the files they are for."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

from tests.cli.harness import edit, idamconf

HOOKS = yaml.safe_load((Path(__file__).resolve().parents[2] / ".pre-commit-hooks.yaml").read_text())
BY_ID = {hook["id"]: hook for hook in HOOKS}


def test_there_is_a_validate_and_a_lint_hook_installed_as_python():
    assert set(BY_ID) == {"idamconf-validate", "idamconf-lint"}
    for hook in HOOKS:
        assert hook["language"] == "python" and hook["pass_filenames"] is False  # the whole configuration
        assert set(hook) <= {"id", "name", "description", "entry", "language", "pass_filenames", "files", "args"}


@pytest.mark.parametrize("path, matched", [("idamconf.yaml", True), ("config/idamconf.yaml", True),
                                           ("applications/crm.yaml", True), ("config/applications/a/b.yml", True),
                                           ("README.md", False), ("examples/ci/idamconf.yml", False),
                                           ("applications/notes.txt", False)])
def test_hooks_run_on_configuration_files_only(path, matched):
    for hook in HOOKS:
        assert bool(re.search(hook["files"], path)) is matched


@pytest.mark.parametrize("hook", sorted(BY_ID))
def test_each_hooks_command_runs_and_fails_on_a_broken_configuration(project, hook):
    program, *args = shlex.split(BY_ID[hook]["entry"])
    assert program == "idamconf"
    assert idamconf(*args, "-C", str(project)).code == 0
    edit(project / "applications" / "wordpress.yaml", "name: wordpress", "name: Word Press")
    assert idamconf(*args, "-C", str(project)).code == 1
