"""`idamconf --help` and `idamconf validate` stay light: run through the real entry point in a new process, they
import no Graph SDK (msgraph, kiota), no azure and, for a valid configuration, no jsonschema (which only explains
invalid documents). Not timed: `make bench` measures start-up; this only guards the imports that would slow it."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

HEAVY = ("msgraph", "msgraph_core", "kiota", "azure", "pydantic", "jsonschema")
PROBE = (
    "import atexit, sys\n"
    "from idamconf.cli import main\n"
    "heavy = {heavy!r}\n"
    "atexit.register(lambda: print('IMPORTED', sorted({{m.split('.')[0] for m in sys.modules\n"
    "                                                if m.split('.')[0].startswith(heavy)}})))\n"
    "sys.argv = ['idamconf', *{args!r}]\n"
    "main()\n"
)


def imported_by(*args: str, heavy: tuple = HEAVY) -> tuple[list[str], subprocess.CompletedProcess]:
    result = subprocess.run([sys.executable, "-c", PROBE.format(heavy=heavy, args=list(args))], capture_output=True,
                            text=True, timeout=120)
    line = next(line for line in result.stdout.splitlines() if line.startswith("IMPORTED "))
    return ast.literal_eval(line.removeprefix("IMPORTED ")), result


@pytest.mark.parametrize("args", [["--help"], ["validate", "--help"], ["plan", "--help"]])
def test_help_imports_no_sdk(args):
    modules, result = imported_by(*args)
    assert result.returncode == 0, result.stderr
    assert modules == []


def test_validate_imports_no_sdk_and_no_jsonschema_for_a_valid_configuration(project):
    modules, result = imported_by("validate", "-C", str(project))
    assert result.returncode == 0, result.stderr
    assert "Configuration is valid" in result.stdout
    assert modules == []


def test_validate_of_an_invalid_configuration_imports_no_sdk(project):
    (project / "applications" / "wordpress.yaml").write_text("name: Bad_Name\n", encoding="utf-8")
    modules, result = imported_by("validate", "-C", str(project))
    assert result.returncode == 1
    assert "'Bad_Name' is not a valid value here" in result.stderr
    assert [m for m in modules if not m.startswith("jsonschema")] == []


def test_a_plan_imports_not_httpxs_command_line_client(project):
    """httpx would import its own command-line client with itself -- rich, click and pygments, a third of its
    import time -- which idamconf never runs (idamconf/__init__.py)."""
    modules, result = imported_by("plan", "-C", str(project), heavy=("httpx", "rich", "pygments", "click"))
    assert result.returncode == 0, result.stderr
    assert "Plan:" in result.stdout
    assert modules == ["httpx"]
