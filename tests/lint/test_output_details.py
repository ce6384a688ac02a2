"""lint's output as a person and code scanning read it, whole: the terminal's text, and in `--format sarif` security rules tagged as such, a finding's message as
written (with no note when every environment grades it alike), the other file a duplicate display name is in, and a
log indented for people who read its diff."""

from __future__ import annotations

import json

from tests.cli.harness import edit

from .test_rules import BLOG, PAYMENTS, lint


def test_security_rules_are_tagged_and_only_they(project):
    out = lint(project, "--format", "sarif").out
    assert out.startswith('{\n  "$schema": ')
    rules = json.loads(out)["runs"][0]["tool"]["driver"]["rules"]
    assert {rule["id"]: rule.get("properties") for rule in rules if "properties" in rule} == {
        "security.token-lifetime": {"tags": ["security"]}, "security.secret-in-file": {"tags": ["security"]},
        "security.multi-tenant": {"tags": ["security"]}, "security.high-privilege-permission": {"tags": ["security"]}}


def test_a_duplicate_display_name_is_shown_where_both_are(project):
    edit(project / PAYMENTS, "displayName: Payments API", "displayName: WordPress  blog")
    [result] = json.loads(lint(project, "--format", "sarif", "--env", "devl").out)["runs"][0]["results"]
    assert result["ruleId"] == "display-name.duplicate"
    assert result["message"]["text"] == (f"displayName: display name 'WordPress Blog' is also used by payments-api "
                                         f"({project / PAYMENTS}:3). Fix: give each application its own display "
                                         "name.")
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == BLOG
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 3, "startColumn": 14}


def test_the_terminal_shows_each_finding_its_fix_and_a_summary(project):
    edit(project / PAYMENTS, "displayName: Payments API", "displayName: WordPress  blog")
    result = lint(project, "--env", "devl")
    assert result.code == 0
    assert result.out == (
        f"{project / BLOG}:3:14: warning: [display-name.duplicate] displayName: display name 'WordPress Blog' is also "
        f"used by payments-api ({project / PAYMENTS}:3)\n"
        "    fix: give each application its own display name\n"
        "\n"
        "lint: 0 error(s), 1 warning(s) from 15 rules.\n")


def test_a_finding_graded_alike_everywhere_carries_no_note(project):
    edit(project / PAYMENTS, "  - dave.finance@contoso.com\n", "")
    text = json.loads(lint(project, "--format", "sarif").out)["runs"][0]["results"][0]["message"]["text"]
    assert text == ("owners: only 1 owner; the organisation requires at least two. Fix: add a second owner so that "
                    "the application is never left without one.")


def test_each_finding_says_where_and_how_to_fix_it(project):
    from .test_rules import HR

    edit(project / BLOG, "signInAudience: AzureADMyOrg", "signInAudience: AzureADMultipleOrgs")
    edit(project / HR, "      name: eucs-idam-hr-record-administrators", "      name: hr-admins")
    result = lint(project, "--env", "devl")
    assert result.out == (
        f"{project / HR}:35:13: warning: [package.naming] appRoles[2].accessPackage.name: access package name "
        "'hr-admins' does not follow <organisation>-<department>-<application>-<role>s\n"
        "    fix: rename it to start with eucs-idam- in lowercase letters, digits and hyphens, or remove name to use "
        "the default eucs-idam-hr-self-service-hr-administrators\n"
        f"{project / BLOG}:8:17: warning: [security.multi-tenant] signInAudience: signInAudience AzureADMultipleOrgs "
        "lets accounts outside the organisation sign in\n"
        "    fix: use AzureADMyOrg (the default) unless the security team has approved a multi-tenant application\n"
        "\n"
        "lint: 0 error(s), 2 warning(s) from 15 rules.\n")


def test_a_secret_finding_says_how_to_get_rid_of_it(project):
    edit(project / BLOG, "web:\n", "clientSecret: hunter2-Sup3rS3cret\nweb:\n")
    assert ("    fix: remove the value and rotate the secret (it is in the repository's history); let the pipeline "
            "pass it from the vault, e.g. clientSecretEnv: IDAMCONF_CLIENT_SECRET names the variable\n") in lint(
        project).out
