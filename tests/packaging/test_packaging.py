"""What a user installing or scripting idamconf relies on: one version everywhere, a licence, build requirements that
build, and exit codes a pipeline can read (a usage error is an error: 1, never 2, which means "changes pending")."""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import idamconf
from tests.cli.harness import idamconf as run

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_version_has_one_source_and_is_printed():
    project = PYPROJECT["project"]
    assert "version" not in project and "version" in project["dynamic"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "idamconf.__version__"}
    assert importlib.metadata.version("idamconf") == idamconf.__version__
    shown = run("--version")
    assert shown.code == 0 and shown.out == f"idamconf {idamconf.__version__}\n"


def test_the_real_entry_point_prints_the_version():
    result = subprocess.run([sys.executable, "-m", "idamconf", "--version"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0 and result.stdout.strip() == f"idamconf {idamconf.__version__}"


def test_build_requirements_read_the_licence_field_as_written():
    """`license = "MIT"` (an SPDX expression, PEP 639) is read by setuptools 77 and later only; older ones refuse the
    project."""
    assert PYPROJECT["project"]["license"] == "MIT"
    setuptools = next(req for req in PYPROJECT["build-system"]["requires"] if req.startswith("setuptools"))
    lowest = tuple(int(part) for part in re.search(r">=\s*([0-9.]+)", setuptools).group(1).split("."))
    assert lowest >= (77,)
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert PYPROJECT["project"]["license-files"] == ["LICENSE"]


def test_the_changelog_describes_this_version():
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [{idamconf.__version__}]" in text and "## [Unreleased]" in text


@pytest.mark.parametrize("args", [("plan", "--bogus"), ("lint", "--format", "xml"), ("plan", "--timeout", "0"),
                                  ("new", "app"), ("no-such-command",), ()])
def test_usage_errors_exit_1_not_2(args):
    result = run(*args)
    assert result.code == 1, (args, result.out, result.err)


def test_a_usage_error_exits_1_from_the_real_entry_point():
    result = subprocess.run([sys.executable, "-m", "idamconf", "plan", "--detailed-exitcode", "--bogus"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "No such option: --bogus" in result.stderr


def test_readme_keeps_two_commands_first_and_says_how_to_run_idamconf():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = readme.split("```sh\n", 1)[1].split("```", 1)[0]
    assert [line.split()[0:2] for line in first_block.splitlines()] == [["make", "run"], ["make", "test"]]
    assert ".venv/bin/idamconf" in readme and ". .venv/bin/activate" in readme and "pipx install" in readme
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "run $(BIN)/idamconf" in makefile  # said at the end of `make run` too
