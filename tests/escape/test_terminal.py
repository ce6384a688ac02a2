"""Human output -- plan, apply's reports, validate's and lint's diagnostics, error messages -- never carries a
control, bidi or invisible character from a value, and a value never starts a line (where a workflow command
would start), whether or not stdout is a terminal."""

from __future__ import annotations

import re
import tempfile

import pytest
from hypothesis import given, settings

from idamconf.apply import Outcome
from idamconf.commands import apply as apply_command
from idamconf.commands.apply_progress import Progress
from idamconf import commands
from idamconf.diagnostics import Diagnostic
from idamconf.escape import terminal
from idamconf.escape.characters import HIDDEN
from idamconf.graph.client import GraphFailure, GraphRequestFailed
from idamconf.lint import render_human as lint_human
from idamconf.lint.model import Finding
from idamconf.plan.render_human import render_plan

from .hostile import NAMES, VALUES, plan_of

PROPERTY = settings(deadline=None, database=None, max_examples=100)
OUR_COLOURS = re.compile(r"\x1b\[(?:3[123]|0)m")
ATTACKS = {
    "OSC 52 clipboard write": "\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\x07",
    "cursor up": "\x1b[1A",
    "erase line": "\x1b[2K",
    "bidi override": "\u202e",
    "8-bit CSI": "\x9b1A",
    "workflow command": "\n::error::forged",
}
FORGED = "\x1b]52;c;aGk=\x07\n::error::forged"


def assert_clean(text: str) -> None:
    """No hidden character but idamconf's own line ends, no line break of another kind, no line that a runner
    would read as a workflow command."""
    for line in text.split("\n"):
        assert HIDDEN.search(line) is None, line
        assert not line.lstrip().startswith("::") and "##[" not in line, line
    assert len(text.splitlines()) == len(text.split("\n")) - text.endswith("\n")


@pytest.mark.parametrize("attack", ATTACKS.values(), ids=ATTACKS.keys())
def test_each_attack_is_shown_not_executed(attack):
    shown = terminal(f"Blog{attack}Writer")
    assert shown.startswith("Blog") and shown.endswith("Writer")
    assert "\x1b" not in shown and "\x9b" not in shown and "\u202e" not in shown and "\n" not in shown
    assert "\\x1b" in shown or "\\u202e" in shown or "\\x9b" in shown or "\\n" in shown


@pytest.mark.parametrize("value, shown", [
    ("::error::forged", "\\x3a:error::forged"),  # a workflow command at the start of the line: its first ':'
    ("  ::warning file=x::y", "  \\x3a:warning file=x::y"),  # after spaces too, which the runner skips
    ("Blog ##[error]forged", "Blog ##\\x5berror]forged"),  # the older form, anywhere in a line
    ("::x ##[group]y", "\\x3a:x ##\\x5bgroup]y"),  # both in one value, each broken its own way
    ("a::b ## [c]", "a::b ## [c]"),  # neither: left as written
])
def test_what_a_runner_would_take_for_a_workflow_command_is_broken_and_still_readable(value, shown):
    assert terminal(value) == shown


@PROPERTY
@given(NAMES, VALUES)
def test_no_value_reaches_the_terminal_through_the_plan(names, target):
    plan = plan_of(names)
    for colour in (False, True):
        text = render_plan(plan, target, colour)
        assert_clean(OUR_COLOURS.sub("", text))
        deletions, changes = text.split("idamconf will perform these actions:")
        heads = [line for line in changes.split("\n") if re.match(r"(\x1b\[3[123]m)?  [-+~] ", line)]
        assert len(heads) == len(plan.pending)  # one head line per change: no value added or hid one
        for change in plan.deletions:
            assert terminal(change.address) in deletions


@PROPERTY
@given(NAMES)
def test_no_value_reaches_the_terminal_through_diagnostics_and_findings(values):
    summary, fix, file, path, note, *_ = values
    rendered = Diagnostic(summary, fix, file, 3, 4, path).render()
    assert_clean(rendered)
    assert len(rendered.split("\n")) == (2 if fix else 1)
    finding = Finding("approvers.two", "warning", summary, fix, file, 3, 4, path, note)
    text = lint_human.render([finding])
    assert_clean(text)
    assert len(text.split("\n")) == (5 if fix else 4)  # finding, fix (as validate's: none if empty), blank,
    # summary, and the final line end


@PROPERTY
@given(NAMES)
def test_no_value_reaches_the_terminal_through_applys_report(names):
    plan = plan_of(names)
    deleted, failed, skipped = plan.deletions[0], plan.deletions[1], plan.deletions[2]
    outcome = Outcome(done=[deleted], failed=[(failed, names[7])], skipped=[skipped])
    with _captured() as (out, err):
        apply_command._report(plan, outcome)
        Progress(3, tty=False)(deleted, "destroyed")  # apply's line for each change done
        apply_command._refuse_removals(plan, plan.deletions)
    assert_clean(out.getvalue())
    assert_clean(err.getvalue())


@pytest.mark.parametrize("error", [
    GraphRequestFailed("POST /applications", GraphFailure(400, "Request_BadRequest", f"bad {FORGED} value")),
    ValueError(f"bad {FORGED} value"),  # unexpected: the one-line message quotes it too
])
def test_error_messages_are_escaped_where_a_command_fails(error, capsys, monkeypatch, tmp_path):
    """Graph's error messages come from the tenant, and any message may quote a file: either can carry escapes."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where an unexpected error's traceback goes
    assert commands._unexpected(error) == 1
    err = capsys.readouterr().err
    assert_clean(err)
    assert "bad \\x1b]52;c;aGk=\\x07\\n::error::forged value" in err


def _captured():
    import contextlib
    import io

    @contextlib.contextmanager
    def both():
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            yield out, err
    return both()


def test_lint_redacts_a_secret_in_the_form_its_output_escaped_it():
    """Belt and braces: a secret holding a hidden character is shown escaped, and is redacted in that form too."""
    from idamconf.commands.lint import redacted as _redacted
    from idamconf.escape import json_dumps, sarif_text

    secret = "hunter2\u202eS3cret[x]"
    for shown in (terminal(f"holds {secret}"), json_dumps(sarif_text(f"holds {secret}"))):
        assert "hunter2" in shown and "hunter2" not in _redacted(shown, {secret})


@settings(deadline=None, database=None, max_examples=40)  # whole documents: fewer, larger examples
@given(NAMES, VALUES)
def test_no_value_reaches_the_terminal_through_drift_and_replacements(names, base):
    """The drift section (its base's label, the attributes overwritten) and a replaced application's lines (its
    successor, its old client id, its names) are values too."""
    from dataclasses import replace

    from idamconf.plan.model import Action, Change

    plan = plan_of(names)
    first, second = plan.pending[0].address, plan.pending[1].address
    renamed = Change(f"app.{names[1]}x", "application", names[1], Action.CREATE, None, {"displayName": names[7]})
    plan = replace(plan, changes=plan.changes + (renamed,), drift=frozenset({first}),
                   drifted={second: (names[3], names[4])}, drift_base=base)
    text = render_plan(plan, names[0])
    assert_clean(text)
    lines = text.split("\n")
    assert sum(line.startswith("Changed outside idamconf since") for line in lines) == 1
    heads = [line for line in lines if re.match(r"  (?:-/\+|[-+~]) ", line)]
    assert len(heads) == len(plan.pending) + len(plan.deletions)  # each change once, each deletion again first
