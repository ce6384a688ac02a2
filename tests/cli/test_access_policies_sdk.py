"""Issue 17's check: the typed msgraph-sdk client, through the served emulator (`idamconf emulator serve`'s stack),
reads back every kind of subject and setting a policy can now hold -- groups, the requestor's manager and sponsors,
fallback and escalation approvers, two stages, no approval, self-review, questions of both kinds, several named
policies, admin-only assignment -- with nothing in any `additional_data`."""

from __future__ import annotations

from idamconf.emulator import Store
from tests.emulator.conftest import serving
from tests.emulator.test_sdk_fidelity import assert_no_leftovers, sdk_run

from .harness import apply, edit
from .test_access_policies import POLICIES, WORDPRESS, with_groups, writer

APPROVER = ("      approvers: [grace.comms@contoso.com, alice.admin@contoso.com]\n"
            "      accessReview:\n"
            "        reviewers: [grace.comms@contoso.com, frank.audit@contoso.com]\n"
            "        frequencyDays: 90        # every 3 months\n"
            "        unreviewed: keep\n")
ADMINISTRATOR = ("      approvers: [alice.admin@contoso.com, erin.security@contoso.com, bob.ops@contoso.com]\n"
                 "      assignmentDays: 365\n")


def test_typed_sdk_reads_every_subject_type_and_stage_with_nothing_unknown(project):
    with_groups(project)
    writer(project, "      requestors: [carol.hr@contoso.com, {group: HR line managers}]\n"
                    "      stages:\n"
                    "        - approvers: [manager]\n"
                    "          fallbackApprovers: [{group: IDAM approvers}]\n"
                    "          autoDenyDays: 10\n"
                    "          escalation: {afterDays: 3, approvers: [sponsors], fallbackApprovers: "
                    "[bob.ops@contoso.com]}\n"
                    "        - approvers: [grace.comms@contoso.com, {group: IDAM approvers}]\n"
                    "      accessReview:\n"
                    "        reviewers: [manager, {group: IDAM approvers}]\n"
                    "        fallbackReviewers: [frank.audit@contoso.com]\n"
                    "        frequencyDays: 90\n")
    edit(project / WORDPRESS, APPROVER, POLICIES)  # three named policies, with questions
    edit(project / WORDPRESS, ADMINISTRATOR, "      approval: none\n      assignmentDays: 365\n")
    edit(project / WORDPRESS, "        reviewers: [erin.security@contoso.com, frank.audit@contoso.com]\n",
         "        reviewers: [self]\n")
    edit(project / WORDPRESS, "tags: [communications, public-facing]\n",  # self-review: one reviewer, an error in live
         "tags: [communications, public-facing]\nenvironments: [local, devl]\n")
    assert apply(project).code == 0

    async def read(client):
        policies = await client.identity_governance.entitlement_management.assignment_policies.get()
        return policies.value

    with serving(Store(project / ".idamconf" / "local.db")) as emulator:
        policies = sdk_run(emulator.base_url, read)

    from msgraph.generated.models.access_package_answer_choice import AccessPackageAnswerChoice
    from msgraph.generated.models.access_package_localized_text import AccessPackageLocalizedText
    from msgraph.generated.models.access_package_multiple_choice_question import (
        AccessPackageMultipleChoiceQuestion,
    )
    from msgraph.generated.models.access_package_text_input_question import AccessPackageTextInputQuestion
    from msgraph.generated.models.attribute_rule_members import AttributeRuleMembers
    from msgraph.generated.models.group_members import GroupMembers
    from msgraph.generated.models.requestor_manager import RequestorManager
    from msgraph.generated.models.single_user import SingleUser
    from msgraph.generated.models.target_user_sponsors import TargetUserSponsors

    assert_no_leftovers(*policies, must_see=(GroupMembers, RequestorManager, SingleUser, TargetUserSponsors,
                                             AccessPackageTextInputQuestion, AccessPackageMultipleChoiceQuestion,
                                             AccessPackageAnswerChoice, AccessPackageLocalizedText,
                                             AttributeRuleMembers))
    by_name = {policy.display_name: policy for policy in policies}
    writers = by_name["eucs-idam-wordpress-writers"]
    first, second = writers.request_approval_settings.stages
    assert isinstance(first.primary_approvers[0], RequestorManager) and first.is_escalation_enabled
    assert isinstance(first.escalation_approvers[0], TargetUserSponsors)
    assert {type(s) for s in second.primary_approvers} == {SingleUser, GroupMembers}
    assert {type(s) for s in writers.review_settings.primary_reviewers} == {RequestorManager, GroupMembers}
    administrators = by_name["eucs-idam-wordpress-administrators"]
    assert administrators.request_approval_settings.is_approval_required_for_add is False
    assert administrators.review_settings.is_self_review is True
    text, choice = sorted(by_name["Employees"].questions, key=lambda question: question.sequence)
    assert isinstance(text, AccessPackageTextInputQuestion) and text.is_required
    assert isinstance(choice, AccessPackageMultipleChoiceQuestion) and choice.is_multiple_selection_allowed
    assert [c.actual_value for c in choice.choices] == ["News", "Events"]
    assert by_name["Administrators assign"].allowed_target_scope.value == "notSpecified"
    assert by_name["Sales staff"].automatic_request_settings.request_access_for_allowed_targets
