"""apply on a terminal changes the tenant only after the answer `yes`; anything else, or no terminal at all, leaves it
as it was. The answer is typed into a terminal (a real pty), or fed to a stdin that says it is one."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys

import pytest

from idamconf.commands import run_command

from tests.cli.harness import EXAMPLE_APPLICATIONS, EXAMPLES_TO_ADD, apply, plan

from .graph_view import application, applications, listed

PROMPT = "Do you want to perform these actions? Only 'yes' will be accepted: "


class Terminal(io.StringIO):
    """A stdin that is a terminal, holding what the user types."""

    def isatty(self) -> bool:
        return True


def apply_typing(project, monkeypatch, capsys, typed: str | None) -> tuple[int, str, str]:
    """`idamconf apply -C project` with `typed` at the prompt (None: stdin is no terminal)."""
    stdin = Terminal(typed) if typed is not None else io.StringIO("yes\n")
    monkeypatch.setattr(sys, "stdin", stdin)
    code = run_command("apply", project, None, False, False, False, None, "human", 60, False, 300)
    out, err = capsys.readouterr()
    return code, out, err


def test_the_answer_yes_applies(project, monkeypatch, capsys):
    code, out, err = apply_typing(project, monkeypatch, capsys, "yes\n")
    assert code == 0, err
    assert PROMPT in out
    assert f"Apply complete: {EXAMPLES_TO_ADD} added, 0 changed, 0 destroyed." in out
    assert applications(project) == sorted(EXAMPLE_APPLICATIONS)


@pytest.mark.parametrize("typed", ["y\n", "Yes\n", "YES\n", "no\n", "\n", "yes please\n", "ok\n"])
def test_any_other_answer_changes_nothing(project, monkeypatch, capsys, typed):
    code, out, err = apply_typing(project, monkeypatch, capsys, typed)
    assert code == 1
    assert out.endswith(f"\n\n{PROMPT}Apply cancelled. Nothing was changed.\n")  # after the plan, a blank line
    assert "Apply complete" not in out
    assert listed(project, "applications") == []


def test_the_question_follows_the_plan_it_confirms_after_one_blank_line(project, monkeypatch, capsys):
    """What is confirmed is exactly what `idamconf plan` shows, with nothing between it and the question."""
    shown = plan(project).out
    code, out, err = apply_typing(project, monkeypatch, capsys, "no\n")
    assert code == 1, err
    assert out == f"{shown}\n{PROMPT}Apply cancelled. Nothing was changed.\n"


def test_an_approved_apply_shows_the_plan_then_a_blank_line_then_each_change_as_it_is_made(project):
    shown = plan(project).out
    result = apply(project)
    assert result.code == 0, result.err
    assert result.out.startswith(f"{shown}\n  + catalog[EUCS IDAM applications]: created\n  + app.")


def test_no_terminal_changes_nothing_even_with_yes_on_stdin(project, monkeypatch, capsys):
    code, out, err = apply_typing(project, monkeypatch, capsys, None)
    assert code == 1
    assert PROMPT not in out
    assert err == ("\nerror: apply needs confirmation and there is no terminal to ask. Nothing was changed.\n"
                   "fix: review the plan above, then run apply with --auto-approve (as pipelines do).\n")
    assert listed(project, "applications") == []


def test_auto_approve_asks_nothing(project, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", Terminal(""))  # an answer would be read from here: there is none
    code = run_command("apply", project, None, True, False, False, None, "human", 60, False, 300)
    out, _ = capsys.readouterr()
    assert code == 0 and PROMPT not in out
    assert applications(project) == sorted(EXAMPLE_APPLICATIONS)


def test_a_refused_deletion_asks_nothing_and_changes_nothing(project, monkeypatch, capsys):
    assert apply_typing(project, monkeypatch, capsys, "yes\n")[0] == 0
    (project / "applications/payments-api.yaml").unlink()
    code, out, err = apply_typing(project, monkeypatch, capsys, "yes\n")
    assert code == 1 and PROMPT not in out
    assert "that needs --allow-delete. Nothing was changed." in err
    # what would go, listed, and how to go on
    assert "\n  - app.payments-api  (destroy)\n" in err
    assert err.endswith("\nfix: check that these are intended, then run apply again with --allow-delete.\n")
    assert "payments-api" in {app["uniqueName"] for app in listed(project, "applications")}


def test_a_role_left_disabled_is_refused_like_a_deletion(project, monkeypatch, capsys):
    """Disabling a role people may hold takes access away: refused without --allow-delete, named as such."""
    from tests.cli.harness import edit

    assert apply_typing(project, monkeypatch, capsys, "yes\n")[0] == 0
    writer = "    value: Blog.Writer\n"
    edit(project / "applications/wordpress.yaml", writer, writer + "    enabled: false\n")
    code, out, err = apply_typing(project, monkeypatch, capsys, "yes\n")
    assert code == 1 and PROMPT not in out
    assert "\n  ~ app.wordpress.role.Blog.Writer  (disable: whoever holds the role loses it)\n" in err
    assert "  - " not in err  # nothing is deleted, so no deletion is listed
    assert err.endswith("\nfix: check that these are intended, then run apply again with --allow-delete.\n")
    roles = {role["value"]: role["isEnabled"] for role in application(project, "wordpress")["appRoles"]}
    assert roles["Blog.Writer"] is True


def in_a_terminal(project, answer: bytes) -> tuple[int, str]:
    """`idamconf apply` in its own process on a pseudo-terminal, `answer` typed once the prompt shows."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "idamconf", "apply", "-C", str(project), "--no-colour"],
                               stdin=terminal, stdout=terminal, stderr=terminal, close_fds=True)
    os.close(terminal)
    seen = b""
    try:
        while b"accepted: " not in seen:
            chunk = os.read(controller, 4096)
            assert chunk, seen.decode(errors="replace")
            seen += chunk
        os.write(controller, answer)
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the terminal closed: the process is done
                break
            if not chunk:
                break
            seen += chunk
    finally:
        code = process.wait(timeout=120)
        os.close(controller)
    return code, seen.decode(errors="replace")


def test_in_a_real_terminal_no_applies_nothing_and_yes_applies(project):
    code, screen = in_a_terminal(project, b"no\n")
    assert code == 1 and "Apply cancelled. Nothing was changed." in screen
    assert listed(project, "applications") == []
    code, screen = in_a_terminal(project, b"yes\n")
    assert code == 0, screen
    assert f"Apply complete: {EXAMPLES_TO_ADD} added, 0 changed, 0 destroyed." in screen
    assert applications(project) == sorted(EXAMPLE_APPLICATIONS)
