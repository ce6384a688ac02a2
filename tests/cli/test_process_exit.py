"""The real entry point leaves the process at once when a command is done (cli._leave), without freeing what the
command built: what a user or a pipeline relies on still holds -- the exit code, every line of the output through
a pipe, exit handlers, and the state an apply wrote."""

from __future__ import annotations

import subprocess
import sys


def idamconf(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "idamconf", *args], capture_output=True, text=True, timeout=300)


def test_exit_codes_and_whole_output_survive_the_quick_exit(project):
    planned = idamconf("plan", "-C", str(project), "--detailed-exitcode")
    assert planned.returncode == 2, planned.stderr
    assert planned.stdout.rstrip().endswith("to destroy.") and "Plan:" in planned.stdout

    applied = idamconf("apply", "-C", str(project), "--auto-approve")
    assert applied.returncode == 0, applied.stderr
    assert "Apply complete:" in applied.stdout

    state = project / ".idamconf" / "local.db"  # the embedded tenant: closed at exit, whole in its state file
    assert not (project / ".idamconf" / "local.db-wal").exists() and state.stat().st_size > 100_000

    again = idamconf("plan", "-C", str(project), "--detailed-exitcode")  # what the apply wrote was kept
    assert again.returncode == 0, again.stderr
    assert "No changes." in again.stdout


def test_a_broken_configuration_still_exits_1_with_its_errors(project):
    (project / "applications" / "broken.yaml").write_text("name: [\n", encoding="utf-8")
    result = idamconf("validate", "-C", str(project))
    assert result.returncode == 1
    assert "broken.yaml:" in result.stderr and "error(s)" in result.stderr
