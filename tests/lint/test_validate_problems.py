"""lint exits 1 on validate's errors too: each of them is said in every format -- at its file and line, what is
wrong and how to fix it -- and counted, so that the counts agree with the exit code. validate's problems that no
lint rule grades (a secret rotated no sooner than it expires, in a configuration that loads; a schema error) are
shown as validate found them, under `configuration` in SARIF; those of a rule lint grades itself (an access
package's, secret.lifetime) are lint's, at the severity of the environment asked for."""

from __future__ import annotations

import json

import pytest

from tests.cli.harness import edit, idamconf

from .test_rules import HR, MANAGER, line_of, lint

EXPENSES = "applications/expenses.yaml"
EARLY = "rotateBeforeDays (180) is not shorter than lifetimeDays (180): every plan would add a new secret"
FIX = "rotate some days before expiry, e.g. rotateBeforeDays: 30"


@pytest.fixture
def early_rotation(project):
    """A client secret rotated no sooner than it expires: validate's error, of no rule, in a configuration that
    otherwise loads -- so every rule runs. (Until session 49 a secret valid too long stood for such an error: its
    rule, secret.lifetime, is now lint's to grade, tests/lint/test_severity.py.)"""
    edit(project / EXPENSES, "rotateBeforeDays: 30", "rotateBeforeDays: 180")
    return line_of(project / EXPENSES, "rotateBeforeDays")


def test_human_lists_validates_error_and_counts_it(project, early_rotation):
    result = lint(project)
    assert result.code == 1 and result.err == ""
    assert f"{EXPENSES}:{early_rotation}:23: error: secrets[0].rotateBeforeDays: {EARLY}\n    fix: {FIX}" in result.out
    assert result.out.splitlines()[-1] == "lint: 1 error(s), 0 warning(s) from 15 rules (1 of them validate's)."


def test_github_annotates_validates_error(project, early_rotation):
    result = lint(project, "--format", "github")
    assert result.code == 1 and result.err == ""
    assert (f"::error file={EXPENSES},line={early_rotation},col=23,title=idamconf validate%3A configuration::"
            f"secrets[0].rotateBeforeDays: {EARLY}%0Afix: {FIX}") in result.out.splitlines()
    assert result.out.splitlines()[-1].startswith("lint: 1 error(s), 0 warning(s)")


def test_sarif_has_validates_error_as_a_result(project, early_rotation):
    result = lint(project, "--format", "sarif")
    assert result.code == 1 and result.err == ""
    run = json.loads(result.out)["runs"][0]
    [found] = [r for r in run["results"] if r["level"] == "error"]
    # none of the organisation's rules: `configuration`, listed in the log after them, with its help
    assert found["ruleId"] == "configuration" and run["tool"]["driver"]["rules"][found["ruleIndex"]]["id"] == \
        "configuration"
    assert found["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == EXPENSES
    assert found["locations"][0]["physicalLocation"]["region"] == {"startLine": early_rotation, "startColumn": 23}
    assert found["message"]["text"].startswith("secrets\\[0\\].rotateBeforeDays: rotateBeforeDays (180)") and \
        f"Fix: {FIX}" in found["message"]["text"]


def test_a_secret_valid_too_long_is_lints_own_finding_under_its_rule(project):
    """secret.lifetime, which validate checks too, is graded by lint as its other rules: once, as lint's (not
    validate's as well), reported under its own id in SARIF -- listed in the log with its help."""
    edit(project / EXPENSES, "lifetimeDays: 180", "lifetimeDays: 900")
    line = line_of(project / EXPENSES, "lifetimeDays")
    human = lint(project)
    assert human.code == 1 and human.out.count("secret.lifetime") == 1
    assert f"{EXPENSES}:{line}:19: error: [secret.lifetime] secrets[0].lifetimeDays: a secret valid 900 days" in \
        human.out and human.out.splitlines()[-1] == "lint: 1 error(s), 0 warning(s) from 15 rules."
    run = json.loads(lint(project, "--format", "sarif").out)["runs"][0]
    [found] = run["results"]
    assert found["ruleId"] == "secret.lifetime" and run["tool"]["driver"]["rules"][found["ruleIndex"]]["id"] == \
        "secret.lifetime"
    assert "configuration" not in [rule["id"] for rule in run["tool"]["driver"]["rules"]]


@pytest.fixture
def broken_and_lone_approver(project):
    """A broken file stops lint's model rules; validate still graded the other files' access packages (two approvers
    an error in live): two problems of validate's, one of them with a rule of its own."""
    edit(project / HR, MANAGER, MANAGER.replace(", bob.ops@contoso.com", ""))
    (project / "applications" / "broken.yaml").write_text("name: [unclosed\n")
    return line_of(project / HR, "approvers: [carol.hr@contoso.com]")


def test_a_rule_problem_is_shown_when_only_the_security_rules_ran(project, broken_and_lone_approver):
    """That error is shown as validate found it -- its rule named once, at the end of validate's words -- not dropped
    as one lint would grade again."""
    result = lint(project)
    assert result.code == 1
    assert f"{HR}:{broken_and_lone_approver}:18: error: appRoles[1].accessPackage.approvers: only 1 approver; the " \
           "organisation requires at least two [approvers.two] (error in live" in result.out
    assert result.out.count("approvers.two") == 1
    assert "only security.token-lifetime and security.secret-in-file ran" in result.out.splitlines()[-1]


SUMMARY = ("lint: 2 error(s), 0 warning(s) (2 of them validate's); of the 15 rules only security.token-lifetime and "
           "security.secret-in-file ran, because the configuration has errors (fix those first).")


def test_validates_problems_with_a_rule_of_their_own_are_counted_as_validates(project, broken_and_lone_approver):
    """The summary's numbers agree with what is listed: the broken file's error and the lone approver are both
    validate's, in the text and in the annotations' summary."""
    for output in ("human", "github"):
        result = lint(project, "--format", output)
        assert result.code == 1 and result.out.splitlines()[-1] == SUMMARY


def test_validates_problem_with_a_rule_of_its_own_is_titled_as_validates(project, broken_and_lone_approver):
    """An annotation says who found it: validate, in lint's annotations and in validate's own."""
    for command in ("lint", "validate"):
        result = idamconf(command, "-C", str(project), "--format", "github")
        [annotation] = [line for line in result.out.splitlines() if "approvers.two" in line]
        assert annotation.startswith(f"::error file={HR},line={broken_and_lone_approver},col=18,title=idamconf "
                                     "validate%3A approvers.two::appRoles[1].accessPackage.approvers: only 1 approver")


def test_with_every_rule_run_a_rule_problem_is_lints_own_graded_for_the_environment(project):
    """The same problem with the configuration loading: lint's own finding once, at devl's severity with -e devl."""
    edit(project / HR, MANAGER, MANAGER.replace(", bob.ops@contoso.com", ""))
    strictest = lint(project)
    assert strictest.code == 1 and strictest.out.count("[approvers.two]") == 1
    assert strictest.out.splitlines()[-1] == "lint: 1 error(s), 0 warning(s) from 15 rules."
    devl = lint(project, "-e", "devl")
    assert devl.code == 0 and devl.out.count("warning: [approvers.two]") == 1
