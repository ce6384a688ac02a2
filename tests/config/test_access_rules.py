"""The organisation's access rules in validate: every finding at file:line, with the severity configured for each
environment the application is in, reported once at the strictest."""

from __future__ import annotations

from tests.cli.harness import apply, edit, idamconf

APP = "applications/hr-self-service.yaml"
MANAGER = """    accessPackage:
      approvers: [carol.hr@contoso.com, bob.ops@contoso.com]
      autoDenyDays: 7
"""


def line_of(path, text: str) -> int:
    """The 1-based line of the first line containing `text`: where a diagnostic must point."""
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def validate(project):
    return idamconf("validate", "-C", str(project))


def test_one_approver_is_a_warning_except_in_live_where_it_is_an_error(project):
    edit(project / APP, MANAGER, MANAGER.replace(", bob.ops@contoso.com", ""))
    result = validate(project)
    assert result.code == 1
    assert (f"{APP}:26:18: error: appRoles[1].accessPackage.approvers: only 1 approver; the organisation requires at "
            "least two [approvers.two] (error in live; warning in devl, local, nle)") in result.err
    assert "fix: add a second approver" in result.err
    edit(project / APP, "environments: [local, devl, nle, live]", "environments: [local, devl]")
    relaxed = validate(project)
    assert relaxed.code == 0, relaxed.err
    assert f"{APP}:26:18: warning: appRoles[1].accessPackage.approvers: only 1 approver" in relaxed.err
    assert "0 error(s), 1 warning(s)." in relaxed.err


def test_rule_severity_is_configurable_per_environment(project):
    edit(project / APP, MANAGER, MANAGER.replace(", bob.ops@contoso.com", ""))
    edit(project / "idamconf.yaml", "      approvers.two: error\n", "      approvers.two: off\n")
    edit(project / "idamconf.yaml", "    emulator: true\n", "    emulator: true\n    rules: {approvers.two: off}\n")
    result = validate(project)
    assert result.code == 0, result.err
    assert "[approvers.two] (warning in devl, nle; off in live, local)" in result.err


def test_a_review_frequency_graph_cannot_represent_names_the_nearest(project):
    edit(project / APP, "        frequencyDays: 90\n        durationDays: 7", "        frequencyDays: 100\n"
         "        durationDays: 7")
    result = validate(project)
    assert result.code == 1
    line = line_of(project / APP, "frequencyDays: 100")
    assert (f"{APP}:{line}:24: error: appRoles[2].accessPackage.accessReview.frequencyDays: Graph cannot repeat a review "
            "every 100 days: reviews recur weekly or monthly") in result.err
    assert "fix: use 98 (every 14 weeks) or 105 (every 15 weeks)" in result.err


def test_a_review_frequency_outside_30_to_365_days_is_an_error(project):
    edit(project / APP, "        frequencyDays: 90\n        durationDays: 7", "        frequencyDays: 420\n"
         "        durationDays: 7")
    result = validate(project)
    assert result.code == 1
    assert ("accessReview.frequencyDays: reviews every 420 days; the organisation requires every 30 to 365 days "
            "[review.frequency]") in result.err


def test_an_approver_who_is_the_only_reviewer_is_a_warning(project):
    edit(project / APP, "        reviewers: [carol.hr@contoso.com, frank.audit@contoso.com]",
         "        reviewers: [carol.hr@contoso.com]")
    result = validate(project)
    assert "carol.hr@contoso.com approves access and is also its only reviewer [review.approver-is-only-reviewer]" \
        in result.err
    assert "warning: appRoles[2].accessPackage.accessReview.reviewers" in result.err


def test_a_role_people_cannot_hold_cannot_have_a_package(project):
    path = project / "applications/payments-api.yaml"
    edit(path, "    allowedMemberTypes: [User]\n    accessPackage:", "    allowedMemberTypes: [Application]\n"
         "    accessPackage:")
    result = validate(project)
    assert result.code == 1
    assert "role 'Payments.Auditor' cannot be granted to people (allowedMemberTypes has no User)" in result.err


def test_two_roles_cannot_share_a_package_name(project):
    edit(project / APP, MANAGER, MANAGER + "      name: eucs-idam-hr-record-administrators\n")
    result = validate(project)
    assert result.code == 1
    assert "access package 'eucs-idam-hr-record-administrators' in catalog 'EUCS IDAM applications' is also " \
           "declared at" in result.err


def test_an_unknown_approver_is_a_plan_error_at_its_line(project):
    edit(project / APP, "approvers: [carol.hr@contoso.com, bob.ops@contoso.com]",
         "approvers: [carol.hr@contoso.com, bob.opps@contoso.com]")
    result = apply(project)
    assert result.code == 1
    assert f"{APP}:26:41: error: bob.opps@contoso.com is not a user in the tenant" in result.err
    assert ("fix: check the spelling of the user principal name; people are matched by exact UPN, never by e-mail"
            in result.err), result.err


def test_a_decimal_where_a_whole_number_belongs_is_refused(project):
    edit(project / APP, "        frequencyDays: 90\n", "        frequencyDays: 90.0\n")
    result = validate(project)
    assert result.code == 1
    assert "accessReview.frequencyDays: expected a whole number, found a decimal number" in result.err


def test_unknown_reviewers_requestors_and_groups_are_each_shown_where_they_are_written(project):
    edit(project / APP, "reviewers: [carol.hr@contoso.com, frank.audit@contoso.com]",
         "reviewers: [carol.hr@contoso.com, frank.audti@contoso.com]")
    edit(project / APP, "requestors: [carol.hr@contoso.com, bob.ops@contoso.com,",
         "requestors: [carol.hr@contoso.com, bob.opps@contoso.com,")
    edit(project / APP, "group: 2b7d3c4e-5f60-4a1b-8c2d-3e4f5a6b0001", "group: 2b7d3c4e-5f60-4a1b-8c2d-3e4f5a6b0999")
    result = apply(project)
    assert result.code == 1
    assert f"{APP}:30:11: error: group 2b7d3c4e-5f60-4a1b-8c2d-3e4f5a6b0999 is not in the tenant" in result.err
    assert f"{APP}:38:42: error: bob.opps@contoso.com is not a user in the tenant" in result.err
    assert f"{APP}:41:43: error: frank.audti@contoso.com is not a user in the tenant" in result.err


def test_a_rule_broken_in_an_application_with_overrides_is_one_finding_at_the_strictest_as_lint_grades_it(project):
    """wordpress overrides live's display name; its Approver package grants requests without approval, an error in
    live and a warning elsewhere. validate checks the file's own values (for the environments no override touches)
    and live's (its override laid over them) apart, and reported the one problem twice -- a warning and an error,
    at the same line. It is one finding, at the strictest of the application's environments, with where it differs,
    at its file:line, as lint without -e grades it."""
    wordpress = "applications/wordpress.yaml"
    edit(project / wordpress, "approvers: [grace.comms@contoso.com, alice.admin@contoso.com]", "approval: none")
    edit(project / wordpress, "tags: [communications, public-facing]\n",
         "tags: [communications, public-facing]\noverrides:\n  live:\n    displayName: WordPress Blog (LIVE)\n")
    result = validate(project)
    assert result.code == 1
    found = [line for line in result.err.splitlines() if "[approval.required]" in line]
    line = line_of(project / wordpress, "approval: none")
    assert len(found) == 1 and found[0].endswith(
        f"{wordpress}:{line}:17: error: appRoles[1].accessPackage.approval: requests are granted without approval "
        "(approval: none); the organisation requires at least two approvers [approval.required] (error in live; "
        "warning in devl, local, nle)"), result.err
    linted = [text for text in idamconf("lint", "-C", str(project)).out.splitlines() if "[approval.required]" in text]
    assert len(linted) == 1 and f"{wordpress}:{line}:17: error: " in linted[0] and \
        linted[0].endswith("(error in live; warning in devl, local, nle)"), linted


def test_a_secret_too_long_in_an_application_with_overrides_is_one_finding_at_the_strictest(project):
    """secret.lifetime is graded as the package rules are: expenses overrides devl, nle and (here) live, so validate
    checked local's model and each override's apart, and a secret too long (a warning in local only, here) in the
    file's own secrets, which local and live have, was reported twice, a warning and an error at its one line."""
    expenses = "applications/expenses.yaml"
    edit(project / expenses, "    lifetimeDays: 180\n", "    lifetimeDays: 800\n")
    edit(project / expenses, "overrides:\n", "overrides:\n  live:\n    displayName: Expenses (LIVE)\n")
    edit(project / "idamconf.yaml", "    emulator: true\n", "    emulator: true\n    rules: {secret.lifetime: warning}\n")
    result = validate(project)
    found = [line for line in result.err.splitlines() if "[secret.lifetime]" in line]
    line = line_of(project / expenses, "lifetimeDays: 800")
    assert len(found) == 1 and found[0].endswith(
        f"{expenses}:{line}:19: error: secrets[0].lifetimeDays: a secret valid 800 days; the organisation allows at "
        "most 730 (two years) [secret.lifetime] (error in live; warning in local)"), result.err  # devl's, nle's:
    # their overrides' own secrets, of 180 days


def test_a_rule_broken_both_in_the_file_and_in_an_overrides_own_lines_is_reported_at_each(project):
    """The same problem written twice -- in the file's own values and again in live's override, which writes the
    roles whole -- is two places to fix: each reported at its own line, graded by the environments that have it."""
    wordpress = "applications/wordpress.yaml"
    edit(project / wordpress, "approvers: [grace.comms@contoso.com, alice.admin@contoso.com]", "approval: none")
    edit(project / wordpress, "tags: [communications, public-facing]\n",
         "tags: [communications, public-facing]\noverrides:\n  live:\n    appRoles:\n"
         "      - {displayName: Administrator, value: Blog.Administrator, description: Administers.,\n"
         "         accessPackage: {approvers: [alice.admin@contoso.com, bob.ops@contoso.com]}}\n"
         "      - {displayName: Writer, value: Blog.Writer, description: Writes.,\n"
         "         accessPackage: {approval: none}}\n")  # (at the same path as the file's own: appRoles[1])
    result = validate(project)
    found = [line for line in result.err.splitlines() if "[approval.required]" in line]
    own, overridden = line_of(project / wordpress, "  approval: none"), line_of(project / wordpress, "{approval: none}")
    assert len(found) == 2, result.err
    assert f"{wordpress}:{own}:" in found[0] and ": warning: " in found[0], found
    assert f"{wordpress}:{overridden}:" in found[1] and ": error: " in found[1], found
