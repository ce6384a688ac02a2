"""The organisation's rules at their edges, as `validate` and `lint` report them: the bounds themselves (a review
every 30 and every 365 days is allowed, one day outside is not), people compared as the tenant compares them (in
any case), and a policy that grants without approval not counted as a lone approver."""

from __future__ import annotations

import pytest

from tests.cli.harness import edit, idamconf

HR = "applications/hr-self-service.yaml"
REVIEW = "        frequencyDays: 90\n        durationDays: 7"
RULE = "[review.frequency]"


def validate(project):
    return idamconf("validate", "-C", str(project))


@pytest.mark.parametrize("days", [30, 35, 364, 365])
def test_a_review_every_30_to_365_days_is_allowed(project, days):
    """30 (every month), 35 (every 5 weeks), 364 (every 52 weeks) and 365 (every 12 months): within the rule."""
    edit(project / HR, REVIEW, REVIEW.replace("90", str(days)))
    result = validate(project)
    assert result.code == 0, result.err
    assert RULE not in result.err


@pytest.mark.parametrize("days", [28, 371])
def test_a_review_just_outside_30_to_365_days_is_an_error(project, days):
    """28 (every 4 weeks) and 371 (every 53 weeks) are reviews Graph can run, but not as often or as rarely as the
    organisation requires."""
    edit(project / HR, REVIEW, REVIEW.replace("90", str(days)))
    result = validate(project)
    assert result.code == 1
    assert (f"error: appRoles[2].accessPackage.accessReview.frequencyDays: reviews every {days} days; the organisation "
            f"requires every 30 to 365 days {RULE}") in result.err
    assert "Graph cannot repeat" not in result.err


def test_an_approver_who_is_the_only_reviewer_is_found_whatever_the_case_of_the_name(project):
    """User principal names are compared in any case, as the tenant does: CAROL.HR@contoso.com is carol.hr."""
    edit(project / HR, "        reviewers: [carol.hr@contoso.com, frank.audit@contoso.com]",
         "        reviewers: [CAROL.HR@Contoso.com]")
    result = validate(project)
    assert ("CAROL.HR@Contoso.com approves access and is also its only reviewer "
            "[review.approver-is-only-reviewer]") in result.err


def test_a_reviewer_who_approves_nothing_is_no_finding(project):
    edit(project / HR, "        reviewers: [carol.hr@contoso.com, frank.audit@contoso.com]",
         "        reviewers: [frank.audit@contoso.com, grace.comms@contoso.com]")
    result = validate(project)
    assert result.code == 0, result.err
    assert "[review.approver-is-only-reviewer]" not in result.err


# ------------------------------------------------------------------------------- names and settings across files
def test_an_identifier_uri_held_by_another_application_in_another_case_is_refused(project):
    """Graph compares identifier URIs in any case: https://HR.Contoso.com/API is hr-self-service's URI."""
    edit(project / "applications/wordpress.yaml", "  - api://{appId}  ", "  - https://HR.Contoso.com/API  ")
    result = validate(project)
    assert result.code == 1
    assert ("applications/wordpress.yaml:14:5: error: identifierUris[0]: identifier URI 'https://HR.Contoso.com/API' "
            "is also declared by application hr-self-service") in result.err


def test_an_access_package_name_used_again_in_another_case_is_refused(project):
    """A look-up by name finds either spelling: two packages of one catalog may not differ by case alone."""
    edit(project / "applications/wordpress.yaml", "    accessPackage:               # named",
         "    accessPackage:\n      name: EUCS-IDAM-HR-Record-Administrators\n      # named")
    result = validate(project)
    assert result.code == 1
    assert ("access package 'EUCS-IDAM-HR-Record-Administrators' in catalog 'EUCS IDAM applications' is also declared "
            "at") in result.err


@pytest.mark.parametrize("key", ["tenantId", "clientId"])
def test_a_workload_identity_needs_its_tenant_and_client(project, key):
    """Without either, the pipeline's federated sign-in has nothing to ask for a token."""
    project_file = project / "idamconf.yaml"
    text = project_file.read_text()
    nle = text.index("  nle:\n")
    line = next(row for row in text[nle:].splitlines() if row.startswith(f"    {key}: "))
    project_file.write_text(text[:nle] + text[nle:].replace(line + "\n", "", 1))
    result = validate(project)
    assert result.code == 1
    assert f"error: environments.nle: credential 'workload-identity' needs {key}" in result.err
    assert f"fix: add {key} to environment 'nle'" in result.err


# ------------------------------------------------------------------- people counted as the tenant tells them apart
LINE_MANAGER = "      approvers: [carol.hr@contoso.com, bob.ops@contoso.com]\n      autoDenyDays: 7"
GROUP = "{group: 2b7d3c4e-5f60-4a1b-8c2d-3e4f5a6b0001}"


@pytest.mark.parametrize("approvers, counted", [
    ("[carol.hr@contoso.com, CAROL.HR@contoso.com]", "only 1 approver;"),
    (f"[{GROUP}, {GROUP.upper().replace('GROUP', 'group')}]", "only 1 approver (a group counts as one);"),
], ids=["a user in two cases", "a group id in two cases"])
def test_one_approver_written_twice_in_two_cases_is_still_one(project, approvers, counted):
    """The tenant compares user principal names and group ids in any case: one person written twice is not the second
    approver the organisation asks for (an error in live)."""
    edit(project / HR, LINE_MANAGER, LINE_MANAGER.replace("[carol.hr@contoso.com, bob.ops@contoso.com]", approvers))
    result = validate(project)
    assert result.code == 1
    assert (f"error: appRoles[1].accessPackage.approvers: {counted} the organisation requires at least two "
            "[approvers.two] (error in live; warning in devl, local, nle)") in result.err, result.err


def test_one_reviewer_written_twice_in_two_cases_is_still_one_and_may_be_the_approver(project):
    edit(project / HR, "        reviewers: [carol.hr@contoso.com, frank.audit@contoso.com]",
         "        reviewers: [carol.hr@contoso.com, Carol.HR@contoso.com]")
    result = validate(project)
    assert result.code == 1
    assert ("error: appRoles[2].accessPackage.accessReview.reviewers: only 1 reviewer; the organisation requires at "
            "least two [reviewers.two]") in result.err, result.err
    assert "carol.hr@contoso.com approves access and is also its only reviewer [review.approver-is-only-reviewer]" \
        in result.err
