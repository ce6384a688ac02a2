"""The command line's promises a pipeline relies on: plan exits 0 with changes unless asked for --detailed-exitcode,
an unknown --format is a usage error said as such (exit 1), Ctrl-C exits 130, an exit with a message exits 1 with
that message, and Graph's own words (the tenant's text) reach the terminal escaped."""

from __future__ import annotations

import subprocess
import sys

import pytest

from idamconf import workflow
from idamconf.graph.client import GraphRequestFailed

from .harness import idamconf, plan


def test_plan_exits_0_with_changes_unless_asked_for_a_detailed_exit_code(project):
    changes = plan(project)
    assert "Plan:" in changes.out and "No changes." not in changes.out
    assert changes.code == 0, changes.err
    assert plan(project, "--detailed-exitcode").code == 2


@pytest.mark.parametrize("command", [("plan", "-C", "."), ("apply", "-C", "."), ("validate", "-C", "."),
                                     ("drift", "-C", "."), ("show", "x", "-C", ".")])
def test_an_unknown_format_is_refused_naming_those_there_are(command):
    result = idamconf(*command, "--format", "xml")
    assert result.code == 1
    assert "'xml' is not one of " in result.err and "--format" in result.err


def entry_point(raised: str) -> subprocess.CompletedProcess:
    """The real entry point (`idamconf.cli.main`), its command replaced by one that raises `raised`."""
    code = f"import idamconf.cli as cli\ndef command():\n    raise {raised}\ncli.app = command\ncli.main()\n"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)


def test_ctrl_c_exits_130_saying_so():
    result = entry_point("KeyboardInterrupt")
    assert result.returncode == 130
    assert result.stderr == "Interrupted.\n"


def test_an_exit_with_a_message_exits_1_with_the_message():
    result = entry_point("SystemExit('the lease could not be released')")
    assert result.returncode == 1
    assert result.stderr == "the lease could not be released\n"


def test_an_exit_code_is_kept():
    assert entry_point("SystemExit(2)").returncode == 2
    assert entry_point("SystemExit(None)").returncode == 0


def test_graphs_own_words_reach_the_terminal_escaped(project, monkeypatch):
    """A Graph error's message comes from the tenant (an object's name quoted back): shown, never acted on."""
    def refused(*args, **kwargs):
        raise GraphRequestFailed("GET applications", "name 'x\x1b]52;c;Y3VybA==\x07\x1b[2K' refused\n::error::forged")

    monkeypatch.setattr(workflow, "survey", refused)
    result = plan(project)
    assert result.code == 1
    assert "\x1b" not in result.err and "\x07" not in result.err
    assert not any(line.startswith("::") for line in result.err.splitlines())
    assert result.err.startswith("error: ") and "refused" in result.err


@pytest.mark.parametrize("command", [("emulator", "reset"), ("emulator", "seed", "emulator/directory.yaml")])
def test_reset_and_seed_act_on_emulators_only(project, command):
    result = idamconf(*command, "-C", str(project), "-e", "live")
    assert result.code == 1
    assert "environment 'live' is not an embedded emulator" in result.err and "Traceback" not in result.err


@pytest.mark.parametrize("failure", ["unexpected", "sign-in"])
def test_an_unexpected_failures_words_reach_the_terminal_escaped(project, monkeypatch, tmp_path, failure):
    """The one line an unexpected failure (or a failed sign-in) leaves may quote what Graph or a file said."""
    import tempfile

    from azure.core.exceptions import ClientAuthenticationError

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    words = "bad \x1b]52;c;Y3VybA==\x07\x1b[2K name\n::error::forged"

    def broken(*args, **kwargs):
        raise RuntimeError(words) if failure == "unexpected" else ClientAuthenticationError(words)

    monkeypatch.setattr(workflow, "survey", broken)
    result = plan(project)
    assert result.code == 1
    assert "\x1b" not in result.err and "\x07" not in result.err
    assert result.err.startswith("error: ") and "bad " in result.err
