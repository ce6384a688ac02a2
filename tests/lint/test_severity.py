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
    assert "lint: 1 error(s), 0 warning(s) from 15 rules." in result.out


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


# secret.lifetime: validate grades it at the strictest of the application's environments (plan refuses an error); lint
# grades it as its other rules, so that `-e ENV` judges ENV's secrets by ENV's severity alone, in every format.
EXPENSES = "applications/expenses.yaml"
DEVL_VAULT = ("          vaultUrl: https://contoso-expenses-devl.vault.azure.net\n"
              "          secretName: expenses-client-secret\n")
TOO_LONG = "secrets[0].lifetimeDays: a secret valid 900 days; the organisation allows at most 730 (two years)"


def in_every_format(project, *extra: str) -> dict:
    """lint's exit code, and the secret.lifetime findings and the summary it gives, in each format."""
    import json

    found = {}
    for output in ("human", "github", "sarif"):
        result = lint(project, "--format", output, *extra)
        assert result.err == "", result.err
        if output == "sarif":
            results = json.loads(result.out)["runs"][0]["results"]
            found[output] = (result.code, [(r["level"], r["ruleId"]) for r in results], "")
        else:
            lines = result.out.splitlines()
            found[output] = (result.code, [line for line in lines if "secret.lifetime" in line], lines[-1])
    return found


def test_with_env_a_secret_too_long_only_in_other_environments_is_not_found(project):
    """expenses's secret valid 900 days as the file's base says it: in local and live (devl and nle override the
    secrets). validate's error, graded across every environment, made `lint -e devl` exit 1 with it until session 49."""
    edit(project / EXPENSES, "lifetimeDays: 180", "lifetimeDays: 900")
    clean = "lint: 0 error(s), 0 warning(s) from 15 rules."
    assert in_every_format(project, "-e", "devl") == {"human": (0, [], clean), "github": (0, [], clean),
                                                      "sarif": (0, [], "")}
    live = lint(project, "-e", "live")
    assert live.code == 1 and live.out.count("secret.lifetime") == 1, live.out
    assert f": error: [secret.lifetime] {TOO_LONG}\n    fix: use lifetimeDays: 730 or less" in live.out
    everywhere = lint(project)  # without -e: at the strictest, once -- lint's, not validate's as well
    assert everywhere.code == 1 and everywhere.out.count("secret.lifetime") == 1, everywhere.out
    assert everywhere.out.splitlines()[-1] == "lint: 1 error(s), 0 warning(s) from 15 rules."


def test_with_env_a_secret_too_long_there_is_graded_by_that_environments_rules(project):
    """devl's own secret valid 900 days, and rule secret.lifetime a warning in devl: a warning with -e devl in every
    format (exit 0), nothing with -e live; made an error in devl, an error (exit 1)."""
    edit(project / EXPENSES, DEVL_VAULT, DEVL_VAULT + "        lifetimeDays: 900\n")
    set_rules(project, devl={"secret.lifetime": "warning"})
    line = next(n for n, text in enumerate((project / EXPENSES).read_text().splitlines(), 1)
                if "lifetimeDays: 900" in text)
    found = in_every_format(project, "-e", "devl")
    warned = "lint: 0 error(s), 1 warning(s) from 15 rules."
    assert found["human"] == (0, [f"{project / EXPENSES}:{line}:23: warning: [secret.lifetime] overrides.devl."
                                  f"{TOO_LONG}"], warned)
    [annotation] = found["github"][1]
    assert found["github"][0] == 0 and found["github"][2] == warned
    assert annotation.startswith(f"::warning file={EXPENSES},line={line},col=23,title=idamconf lint%3A "
                                 f"secret.lifetime::overrides.devl.{TOO_LONG}%0Afix: use lifetimeDays: 730 or less")
    assert found["sarif"] == (0, [("warning", "secret.lifetime")], "")
    assert in_every_format(project, "-e", "live")["human"] == (0, [], "lint: 0 error(s), 0 warning(s) from 15 rules.")
    set_rules(project, devl={"secret.lifetime": "error"})
    found = in_every_format(project, "-e", "devl")
    assert [found[output][0] for output in found] == [1, 1, 1]
    assert found["human"][2] == "lint: 1 error(s), 0 warning(s) from 15 rules."
    assert found["sarif"][1] == [("error", "secret.lifetime")] and found["github"][1][0].startswith("::error ")
