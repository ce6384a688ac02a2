"""What a user sees when something unexpected breaks (one line, and a log holding the traceback), which files of a
configuration directory are read (`*.yaml` and `*.yml` at any depth under applications/, nothing hidden), and when
the output is coloured (on a terminal only, unless NO_COLOR; `--colour/--no-colour` decides otherwise)."""

from __future__ import annotations

import gc
import io
import sys
import tempfile

import pytest

from idamconf import workflow
from idamconf.commands import run_command
from tests.cli.harness import EXAMPLE_APPLICATIONS, idamconf, plan

GREEN_CREATE = "\033[32m  + app.wordpress\033[0m"


# ------------------------------------------------------------------------------------------ unexpected failures
def test_an_unexpected_failure_is_one_line_and_a_log_with_the_traceback(project, monkeypatch, tmp_path):
    logs = tmp_path / "tmp"
    logs.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(logs))

    def broken(*args, **kwargs):
        raise RuntimeError("the planner broke")

    monkeypatch.setattr(workflow, "make_plan", broken)
    result = plan(project)
    [log] = logs.iterdir()  # a new file of its own, in the temporary directory, readable by this user only
    assert log.name.startswith("idamconf-error-") and log.suffix == ".log"
    assert log.stat().st_mode & 0o777 == 0o600
    assert result.code == 1
    assert result.err == f"error: unexpected RuntimeError: the planner broke (details in {log})\n"
    assert "Traceback" not in result.out + result.err
    text = log.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert all(line.startswith("  ") for line in lines[1:-1]), text  # the frames, as Python prints them
    assert "in broken" in text and "in survey" in text
    assert text.rstrip().endswith("RuntimeError: the planner broke")


def test_an_unexpected_failure_in_validate_is_logged_too(project, monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    from idamconf.commands import validate

    monkeypatch.setattr(validate, "read", lambda root, **options: 1 / 0)
    result = idamconf("validate", "-C", str(project))
    assert result.code == 1
    assert result.err.startswith("error: unexpected ZeroDivisionError: division by zero (details in ")
    [log] = tmp_path.glob("idamconf-error-*.log")
    assert result.err.endswith(f"(details in {log})\n")
    assert "ZeroDivisionError" in log.read_text()


# ------------------------------------------------------------------------------------------------- which files
INTRANET = """name: intranet
displayName: Intranet
description: The staff intranet.
owners: [alice.admin@contoso.com, bob.ops@contoso.com]
"""
BROKEN = "name: [this is not an application\n"


def test_yml_files_at_any_depth_are_applications(project):
    (project / "applications" / "teams" / "comms").mkdir(parents=True)
    (project / "applications" / "teams" / "comms" / "intranet.yml").write_text(INTRANET)
    result = idamconf("validate", "-C", str(project))
    assert result.code == 0, result.err
    assert f"{len(EXAMPLE_APPLICATIONS) + 1} application(s)" in result.out
    assert "+ app.intranet  (create)" in plan(project).out


@pytest.mark.parametrize("hidden", [".drafts/blog.yaml", "teams/.git/blog.yml", ".old.yaml", "teams/.#intranet.yml"])
def test_hidden_directories_and_files_are_skipped(project, hidden):
    path = project / "applications" / hidden
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(BROKEN)
    result = idamconf("validate", "-C", str(project))
    assert result.code == 0, result.err
    assert f"{len(EXAMPLE_APPLICATIONS)} application(s)" in result.out


@pytest.mark.parametrize("other", ["notes.txt", "intranet.yaml.bak", "README.md", "intranet.json"])
def test_files_of_other_kinds_are_not_read(project, other):
    (project / "applications" / other).write_text(BROKEN)
    result = idamconf("validate", "-C", str(project))
    assert result.code == 0 and f"{len(EXAMPLE_APPLICATIONS)} application(s)" in result.out


def test_a_broken_yml_file_is_reported_like_a_yaml_one(project):
    (project / "applications" / "intranet.yml").write_text(BROKEN)
    result = idamconf("validate", "-C", str(project))
    assert result.code == 1
    assert "applications/intranet.yml:2:1: error: YAML syntax" in result.err


# ------------------------------------------------------------------------------------------------------ colour
class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def plan_output(project, monkeypatch, capsys, colour: bool | None, terminal: bool) -> str:
    screen = Terminal() if terminal else None
    if screen is not None:
        monkeypatch.setattr(sys, "stdout", screen)
    code = run_command("plan", project, None, False, colour, None, "human", None, 60, False, None)
    assert code == 0
    return screen.getvalue() if screen is not None else capsys.readouterr().out


def test_no_colour_when_piped(project, monkeypatch, capsys):
    monkeypatch.delenv("NO_COLOR", raising=False)
    out = plan_output(project, monkeypatch, capsys, None, terminal=False)
    assert "+ app.wordpress" in out and "\033[" not in out


def test_colour_on_a_terminal(project, monkeypatch, capsys):
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert GREEN_CREATE in plan_output(project, monkeypatch, capsys, None, terminal=True)


def test_a_plan_run_in_process_leaves_the_cycle_collector_on(project, monkeypatch, capsys):
    """The configuration is read with the cycle collector paused (commands/session._kept_to_the_end): a caller that
    runs a command in its own process (a test, a script) finds it switched on again afterwards."""
    assert gc.isenabled()
    assert "+ app.wordpress" in plan_output(project, monkeypatch, capsys, False, terminal=False)
    assert gc.isenabled()


def test_no_colour_on_a_terminal_with_no_color(project, monkeypatch, capsys):
    monkeypatch.setenv("NO_COLOR", "1")
    out = plan_output(project, monkeypatch, capsys, None, terminal=True)
    assert "+ app.wordpress" in out and "\033[" not in out


def test_the_flags_decide_over_the_terminal(project, monkeypatch, capsys):
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert GREEN_CREATE in plan_output(project, monkeypatch, capsys, True, terminal=False)
    assert "\033[" not in plan_output(project, monkeypatch, capsys, False, terminal=True)


def test_the_cli_colours_with_colour_only(project, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert "\033[" not in idamconf("plan", "-C", str(project)).out  # the test runner's output is a pipe
    assert GREEN_CREATE in idamconf("plan", "-C", str(project), "--colour").out
    assert GREEN_CREATE in idamconf("plan", "-C", str(project), "--color").out
    applied = idamconf("apply", "-C", str(project), "--auto-approve")
    assert applied.code == 0 and "\033[" not in applied.out


# ------------------------------------------------------------------------------------ signing in, and warnings
@pytest.mark.parametrize("message, shown", [("AADSTS7000215: Invalid client secret provided.\nTrace ID: 1234",
                                              "AADSTS7000215: Invalid client secret provided."),
                                             # only the full stop is taken off: a name ending the line stays whole
                                             ("AADSTS50020: No such user in tenant CONTOSO-X.",
                                              "AADSTS50020: No such user in tenant CONTOSO-X."),
                                             ("   \n ", "no message")])
def test_a_failed_sign_in_is_one_line_and_how_to_fix_it(project, monkeypatch, tmp_path, message, shown):
    from azure.core.exceptions import ClientAuthenticationError

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def refused(*args, **kwargs):
        raise ClientAuthenticationError(message)

    monkeypatch.setattr(workflow, "survey", refused)
    result = plan(project)
    assert result.code == 1
    assert result.err == (f"error: signing in to Entra ID failed (ClientAuthenticationError): {shown.rstrip('.')}. "
                          "Fix: check the environment's tenantId, clientId and credential, and that this machine can "
                          "reach its cloud's sign-in authority (login.microsoftonline.com for the global service).\n")
    assert list(tmp_path.glob("idamconf-error*")) == []  # expected, not a bug: no log


def test_warnings_alone_leave_validate_successful(project):
    from tests.cli.harness import edit

    edit(project / "applications/payments-api.yaml", "      approvers: [dave.finance@contoso.com, erin.security@contoso.com]",
         "      approvers: [dave.finance@contoso.com]")
    edit(project / "applications/payments-api.yaml", "tags: [finance, pci]\n", "tags: [finance, pci]\n"
         "environments: [local, devl]\n")
    result = idamconf("validate", "-C", str(project))
    assert "warning: " in result.err and "approvers.two" in result.err
    assert result.err.rstrip().endswith("0 error(s), 1 warning(s).")
    assert result.code == 0
