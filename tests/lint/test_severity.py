"""Severity per environment: `environments.<env>.rules.<id>` in idamconf.yaml; reported once at the strictest among
the application's environments, or at one environment's with --env."""

from __future__ import annotations

import yaml

from tests.cli.harness import edit, idamconf

from .test_rules import PAYMENTS, lint

ONE_OWNER = ("  - dave.finance@contoso.com\n", "")
LIVE_RULES = "      approvers.two: error\n"


def test_a_rule_configured_as_an_error_in_one_environment_is_reported_once_at_the_strictest(project):
    edit(project / PAYMENTS, *ONE_OWNER)
    edit(project / "idamconf.yaml", LIVE_RULES, LIVE_RULES + "      owners.two: error\n")
    result = lint(project)
    assert result.code == 1
    assert result.out.count("[owners.two]") == 1
    assert ": error: [owners.two] owners: only 1 owner; the organisation requires at least two (error in live; " \
           "warning in devl, local, nle)" in result.out
    assert "lint: 1 error(s), 0 warning(s) from 13 rules." in result.out


def test_with_env_only_that_environments_severity_counts(project):
    edit(project / PAYMENTS, *ONE_OWNER)
    edit(project / "idamconf.yaml", LIVE_RULES, LIVE_RULES + "      owners.two: error\n")
    devl = lint(project, "--env", "devl")
    assert devl.code == 0, devl.out
    assert ": warning: [owners.two] owners: only 1 owner; the organisation requires at least two\n" in devl.out
    live = lint(project, "-e", "live")
    assert live.code == 1 and ": error: [owners.two] owners: only 1 owner" in live.out


def test_a_rule_can_be_turned_off_with_off_or_false(project):
    edit(project / PAYMENTS, *ONE_OWNER)
    set_rules(project, local={"owners.two": False}, devl={"owners.two": "off"}, live={"owners.two": "off"})
    assert "[owners.two] owners: only 1 owner" in lint(project, "-e", "nle").out
    set_rules(project, nle={"owners.two": False})
    result = lint(project)
    assert result.code == 0, result.err
    assert "[owners.two]" not in result.out
    assert idamconf("validate", "-C", str(project)).code == 0


def test_an_application_outside_the_environment_is_not_graded_there(project):
    edit(project / PAYMENTS, *ONE_OWNER)
    edit(project / PAYMENTS, "tags: [finance, pci]\n", "tags: [finance, pci]\nenvironments: [local]\n")
    assert "[owners.two]" in lint(project, "-e", "local").out
    assert "[owners.two]" not in lint(project, "-e", "live").out


def test_an_unknown_rule_id_is_refused_naming_the_rules(project):
    edit(project / "idamconf.yaml", LIVE_RULES, LIVE_RULES + "      owner.two: error\n")
    result = lint(project)
    assert result.code == 1
    assert "unknown key 'owner.two'" in result.out and "did you mean 'owners.two'?" in result.out


def test_an_unknown_environment_is_refused(project):
    result = lint(project, "--env", "prod")
    assert result.code == 1
    assert "error: unknown environment 'prod'" in result.err and "local, devl, nle, live" in result.err


def test_the_security_rules_are_errors_by_default_and_can_be_relaxed_per_environment(project):
    edit(project / "applications/wordpress.yaml", "web:\n", "web:\n  idTokenLifetime: 3600\n")
    relaxed = {"security.token-lifetime": "warning"}
    set_rules(project, local=relaxed, devl=relaxed, nle=relaxed)
    result = lint(project)
    assert "error: [security.token-lifetime] web: 'idTokenLifetime' customises token lifetimes, which the " \
           "organisation's guidance forbids (error in live; warning in devl, local, nle)" in result.out
    assert result.code == 1
    assert ": warning: [security.token-lifetime]" in lint(project, "-e", "local").out


def set_rules(project, **rules: dict) -> None:
    """Add `rules` to environments of idamconf.yaml (comments are lost; these tests do not need them)."""
    path = project / "idamconf.yaml"
    settings = yaml.safe_load(path.read_text())
    for environment, configured in rules.items():
        settings["environments"][environment].setdefault("rules", {}).update(configured)
    path.write_text(yaml.safe_dump(settings, sort_keys=False))
