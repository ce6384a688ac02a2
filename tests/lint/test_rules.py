"""Each of the organisation's rules as `idamconf lint` reports it: fires on a minimal bad input, at file:line, with
its id, severity and fix; never on examples/."""

from __future__ import annotations

import json

import pytest

from tests.cli.harness import edit, idamconf

HR = "applications/hr-self-service.yaml"
BLOG = "applications/wordpress.yaml"
PAYMENTS = "applications/payments-api.yaml"
DAEMON = "applications/hr-directory-sync.yaml"
MANAGER = "      approvers: [carol.hr@contoso.com, bob.ops@contoso.com]\n      autoDenyDays: 7\n"
REVIEWED_MANAGERS = ("      accessReview: {reviewers: [frank.audit@contoso.com, erin.security@contoso.com], "
                     "frequencyDays: 180}\n")
REVIEWED_NEW_MANAGERS = ("    accessReview: {reviewers: [frank.audit@contoso.com, carol.hr@contoso.com], "
                         "frequencyDays: 180}\n")


def lint(project, *extra: str):
    return idamconf("lint", "-C", str(project), *extra)


def line_of(path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_the_examples_break_no_rule(project):
    result = lint(project)
    assert result.code == 0, result.out + result.err
    assert result.out == "lint: 0 error(s), 0 warning(s) from 15 rules.\n"
    assert result.err == ""


# (rule, file, old text, new text, line marker, severity, message, fix) — one minimal breakage per rule.
CASES = [
    ("approvers.two", HR, MANAGER, MANAGER.replace(", bob.ops@contoso.com", ""),
     "approvers: [carol.hr@contoso.com]", "error",
     "appRoles[1].accessPackage.approvers: only 1 approver; the organisation requires at least two "
     "(error in live; warning in devl, local, nle)", "add a second approver"),
    ("reviewers.two", BLOG, "reviewers: [erin.security@contoso.com, frank.audit@contoso.com]",
     "reviewers: [frank.audit@contoso.com]", "reviewers: [frank.audit@contoso.com]", "error",
     "appRoles[0].accessPackage.accessReview.reviewers: only 1 reviewer", "add a second reviewer"),
    ("review.frequency", HR, "frequencyDays: 90", "frequencyDays: 420", "frequencyDays: 420", "error",
     "reviews every 420 days; the organisation requires every 30 to 365 days", "use a frequency from 30 to 365"),
    ("review.approver-is-only-reviewer", HR, "reviewers: [carol.hr@contoso.com, frank.audit@contoso.com]",
     "reviewers: [carol.hr@contoso.com]", "reviewers: [carol.hr@contoso.com]", "warning",
     "carol.hr@contoso.com approves access and is also its only reviewer", "add a reviewer who is not an approver"),
    ("approval.required", HR, MANAGER, "      approval: none\n", "approval: none", "error",
     "appRoles[1].accessPackage.approval: requests are granted without approval (approval: none); the organisation "
     "requires at least two approvers (error in live; warning in devl, local, nle)",
     "replace approval: none with approvers:"),
    ("review.required", HR, REVIEWED_MANAGERS, "", MANAGER.splitlines()[0], "error",
     "appRoles[1].accessPackage: access is never reviewed (no accessReview); the organisation requires a review "
     "every 30 to 365 days (error in live; warning in devl, local, nle)", "add accessReview:"),
    ("review.required", HR, REVIEWED_NEW_MANAGERS, "", "name: eucs-idam-hr-new-line-managers", "error",
     "accessPackages[0]: access is never reviewed (no accessReview)", "add accessReview:"),
    ("owners.two", PAYMENTS, "  - dave.finance@contoso.com\n", "", "  - erin.security@contoso.com", "warning",
     "owners: only 1 owner; the organisation requires at least two", "add a second owner"),
    ("role.description", HR, "    description: Views own payslips and books own leave.\n", "",
     "  - displayName: Employee", "warning", "appRoles[0]: role 'HR.Employee' has no description",
     "add description:"),
    ("display-name.duplicate", HR, "displayName: Line Manager", "displayName: employee ", "displayName: employee",
     "warning", "appRoles[1].displayName: role display name 'employee' is also used by appRoles[0]",
     "give each role its own display name"),
    ("display-name.duplicate", BLOG, "displayName: WordPress Blog", "displayName: Payments  api",
     "displayName: Payments", "warning", "displayName: display name 'Payments  api' is also used by payments-api (",
     "give each application its own display name"),
    ("display-name.duplicate", BLOG, "displayName: WordPress Blog", 'displayName: "Payments\\ufe0f API"',
     "displayName: \"Payments", "warning", "displayName: display name 'Payments\\ufe0f API' is also used by "
     "payments-api (", "give each application its own display name"),  # a variation selector draws nothing
    ("package.naming", HR, "name: eucs-idam-hr-record-administrators", "name: hr-record-administrators",
     "name: hr-record-administrators", "warning", "access package name 'hr-record-administrators' does not follow "
     "<organisation>-<department>-<application>-<role>s", "rename it to start with eucs-idam- in lowercase letters, "
     "digits and hyphens, or remove name to use the default eucs-idam-hr-self-service-hr-administrators"),
    ("package.naming", HR, "name: eucs-idam-hr-new-line-managers", "name: New line managers",
     "name: New line managers", "warning", "accessPackages[0].name: access package name 'New line managers' does not "
     "follow <organisation>-<department>-<application>-<what it grants>", "rename it to start with eucs-idam- in "
     "lowercase letters, digits and hyphens"),
    ("security.multi-tenant", BLOG, "signInAudience: AzureADMyOrg", "signInAudience: AzureADMultipleOrgs",
     "signInAudience", "warning", "signInAudience AzureADMultipleOrgs lets accounts outside the organisation sign in",
     "use AzureADMyOrg"),
    ("security.high-privilege-permission", DAEMON, "[User.Read.All, GroupMember.Read.All]",
     "[User.Read.All, Group.ReadWrite.All]", "application: [User.Read.All", "error",
     "apiPermissions[0].application[1]: application permission Group.ReadWrite.All of Microsoft Graph is "
     "high-privilege", "request a narrower permission"),
]


@pytest.mark.parametrize("rule, file, old, new, marker, severity, message, fix", CASES,
                         ids=[f"{case[0]}-{case[1].split('/')[-1]}" for case in CASES])
def test_each_rule_fires_at_its_line(project, rule, file, old, new, marker, severity, message, fix):
    edit(project / file, old, new)
    result = lint(project)
    line = line_of(project / file, marker)
    found = [text for text in result.out.splitlines() if f"[{rule}]" in text]
    assert len(found) == 1, result.out
    assert f"{file}:{line}:" in found[0] and f": {severity}: [{rule}] " in found[0]
    assert message in found[0]
    assert f"    fix: {fix}" in result.out
    errors = sum(": error: [" in text for text in result.out.splitlines())  # one breakage may break two rules
    assert result.code == (1 if errors else 0), result.out + result.err


def test_policies_nobody_requests_need_no_approval_and_automatic_ones_no_review(project):
    """Administrators assigning (requestors: none) approve by assigning, but what they grant is still reviewed; an
    automatic policy's rule decides who keeps access, so it is neither approved nor reviewed."""
    edit(project / HR, "# For whoever manages it", "  - name: eucs-idam-hr-sales-employees\n"
         "    grants: [{role: HR.Employee}]\n    policies:\n"
         "      - {name: Administrators assign, requestors: none}\n"
         "      - {name: Sales staff, automatic: {rule: (user.department -eq \"Sales\")}}\n# For whoever manages it")
    result = lint(project)
    found = [text for text in result.out.splitlines() if "[approval.required]" in text or "[review.required]" in text]
    line = line_of(project / HR, "Administrators assign")
    assert len(found) == 1, result.out
    assert f"{HR}:{line}:" in found[0] and "[review.required] accessPackages[1].policies[0]: access is never " \
        "reviewed" in found[0]


def test_a_package_name_must_also_be_lowercase_words(project):
    edit(project / HR, "name: eucs-idam-hr-record-administrators", "name: eucs-idam-HR_Admins")
    assert "[package.naming]" in lint(project).out


def test_a_package_of_its_own_must_also_be_lowercase_words(project):
    edit(project / HR, "name: eucs-idam-hr-new-line-managers", "name: eucs-idam-New_Line_Managers")
    found = [line for line in lint(project).out.splitlines() if "[package.naming]" in line]
    assert len(found) == 1 and "accessPackages[0].name: access package name 'eucs-idam-New_Line_Managers'" in found[0]


def test_an_applications_own_department_sets_its_packages_prefix(project):
    """An application file's `organisation`/`department` win over idamconf.yaml's defaults, for its names too."""
    edit(project / HR, "description: Employees view", "department: hr\ndescription: Employees view")
    out = lint(project).out
    assert "    fix: rename it to start with eucs-hr- in lowercase letters, digits and hyphens, or remove name to use " \
           "the default eucs-hr-hr-self-service-hr-administrators\n" in out
    assert len([line for line in out.splitlines() if "[package.naming]" in line]) == 2  # its role's and its own


def test_a_package_name_is_not_checked_without_codes(project):
    edit(project / "idamconf.yaml", "  organisation: eucs\n  department: idam\n", "")
    edit(project / HR, "name: eucs-idam-hr-record-administrators", "name: hr-record-administrators")
    result = lint(project)
    assert result.code == 0 and "[package.naming]" not in result.out


def test_a_token_lifetime_setting_is_explained_though_the_schema_refuses_it(project):
    with (project / BLOG).open("a") as file:
        file.write("tokenLifetimePolicies:\n  - definition:\n      AccessTokenLifetime: '10:00:00'\n")
    result = lint(project)
    line = line_of(project / BLOG, "tokenLifetimePolicies")
    assert result.code == 1
    assert (f"{BLOG}:{line}:1: error: [security.token-lifetime] 'tokenLifetimePolicies' customises token lifetimes, "
            "which the organisation's guidance forbids") in result.out
    assert "fix: remove it: keep Entra's default token lifetimes and use refresh tokens" in result.out
    assert result.out.count("[security.token-lifetime]") == 1  # not again for the nested AccessTokenLifetime
    assert f"{BLOG}:{line}:1: error: unknown key 'tokenLifetimePolicies'" in result.out  # validate's
    # the rules that ran, by name: "the security rules" read as if security.multi-tenant had run too
    assert ("of the 15 rules only security.token-lifetime and security.secret-in-file ran, because the configuration "
            "has errors") in result.out


@pytest.mark.parametrize("key", ["accessTokenLifetime", "idTokenLifetime", "refresh_token_max_age",
                                 "TokenLifetimePolicy"])
def test_token_lifetime_keys_are_found_at_any_depth(project, key):
    edit(project / BLOG, "web:\n", f"web:\n  {key}: 3600\n")
    result = lint(project)
    assert f"error: [security.token-lifetime] web: '{key}' customises token lifetimes" in result.out
    assert result.code == 1


SECRET = "hunter2-Sup3rS3cret"


def test_a_secret_in_an_application_file_is_an_error_and_never_printed(project):
    edit(project / BLOG, "web:\n", f"clientSecret: {SECRET}\npasswordCredentials:\n  - secretText: {SECRET}x\nweb:\n")
    for output in ("human", "sarif"):
        result = lint(project, "--format", output)
        assert result.code == 1
        assert SECRET not in result.out + result.err
    human = lint(project)
    assert human.out.count("error: [security.secret-in-file]") == 2
    sarif = json.loads(lint(project, "--format", "sarif").out)
    found = [(r["ruleId"], r["level"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
             for r in sarif["runs"][0]["results"] if r["ruleId"] != "configuration"]  # (validate's: unknown keys)
    line = line_of(project / BLOG, "clientSecret")
    assert found == [("security.secret-in-file", "error", line), ("security.secret-in-file", "error", line + 1)]
    human = lint(project).out
    assert f"{BLOG}:{line_of(project / BLOG, 'clientSecret')}:1: error: [security.secret-in-file] 'clientSecret' " \
           "holds a secret in the file; secrets live only in the vault" in human
    assert "[security.secret-in-file] 'passwordCredentials'" in human and "'secretText'" not in human


def test_a_secret_written_where_a_variable_name_belongs_is_never_printed(project):
    edit(project / "idamconf.yaml", "    credential: workload-identity\n    # In live",
         f"    credential: client-secret\n    clientSecretEnv: {SECRET}\n    # In live")
    result = lint(project)
    assert result.code == 1
    assert "[security.secret-in-file] environments.live: 'clientSecretEnv' holds a secret" in result.out
    assert "clientSecretEnv: the value (not shown: it may be a secret)" in result.out  # validate never repeats it
    assert SECRET not in result.out + result.err


def test_a_variable_name_and_a_secret_reference_are_not_secrets(project):
    edit(project / "idamconf.yaml", "    credential: workload-identity\n    # In live",
         "    credential: client-secret\n    clientSecretEnv: IDAMCONF_CLIENT_SECRET\n    # In live")
    result = lint(project)
    assert result.code == 0, result.out + result.err
    assert "secret" not in result.out


def test_a_files_own_rule_is_graded_in_the_environments_the_file_lists(project):
    """A document rule on an application in live only is graded as live grades it (here a warning), not at the
    strictest of every environment's."""
    edit(project / HR, "environments: [local, devl, nle, live]", "environments: [live]")
    edit(project / "idamconf.yaml", "      reviewers.two: error\n",
         "      reviewers.two: error\n      security.token-lifetime: warning\n")
    with (project / HR).open("a") as file:
        file.write("tokenLifetimePolicies:\n  - definition:\n      AccessTokenLifetime: '10:00:00'\n")
    [found] = [line for line in lint(project).out.splitlines() if "[security.token-lifetime]" in line and HR in line]
    assert f"{HR}:{line_of(project / HR, 'tokenLifetimePolicies')}:1: warning: [security.token-lifetime] " in found


def test_an_overrides_own_secrets_list_declares_secrets_and_holds_none(project):
    """`secrets:` in an environment's override is the same declaration as at the top of the file: no finding."""
    edit(project / "applications/expenses.yaml", "\noverrides:\n", "\noverrides:\n  live:\n    secrets:\n"
         "      - displayName: expenses live sign-in\n        keyvault:\n"
         "          vaultUrl: https://contoso-expenses-live.vault.azure.net\n"
         "          secretName: expenses-live-client-secret\n")
    result = lint(project)
    assert "security.secret-in-file" not in result.out and result.code == 0, result.out + result.err
