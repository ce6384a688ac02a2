"""What Graph receives for each access package's assignment policy: unreviewed access, days before a request is
denied, the approver's justification, days an assignment lasts, and how long a review runs -- read back from the
tenant (raw JSON and the typed msgraph-sdk), with every expected value written out here, never derived from
idamconf's own tables."""

from __future__ import annotations

import datetime as dt

import pytest
from kiota_abstractions.base_request_configuration import RequestConfiguration

from idamconf.emulator import Store
from tests.cli.harness import apply, edit, live_warns_of, plan
from tests.cli.test_scenarios import converged
from tests.emulator.conftest import serving
from tests.emulator.test_sdk_fidelity import sdk_run

from .graph_view import GOV, graph, listed

WORDPRESS = "applications/wordpress.yaml"
HR = "applications/hr-self-service.yaml"
PEOPLE = {f"1a6c1b1e-0f3d-4c36-9d2e-6a9c1f0e000{n}": upn for n, upn in enumerate(
    ["alice.admin", "bob.ops", "carol.hr", "dave.finance", "erin.security", "frank.audit", "grace.comms"], 1)}
HR_MANAGERS = "2b7d3c4e-5f60-4a1b-8c2d-3e4f5a6b0001"


def subjects(items: list[dict]) -> list[str]:
    return sorted(PEOPLE[s["userId"]] if s["@odata.type"] == "#microsoft.graph.singleUser"
                  else f"{s['@odata.type']}:{s['groupId']}" for s in items)


def as_graph_holds_it(policy: dict) -> dict:
    stage = policy["requestApprovalSettings"]["stages"][0]
    review = policy["reviewSettings"]
    schedule = review["schedule"] if review["isEnabled"] else None
    return {
        "who may ask": policy["allowedTargetScope"], "requestors": subjects(policy["specificAllowedTargets"]),
        "assignment": policy["expiration"].get("duration") or policy["expiration"]["type"],
        "denied after": stage["durationBeforeAutomaticDenial"],
        "approver justifies": stage["isApproverJustificationRequired"],
        "approvers": subjects(stage["primaryApprovers"]),
        "review": None if schedule is None else {
            "unreviewed": review["expirationBehavior"], "reviewers": subjects(review["primaryReviewers"]),
            "runs for": schedule["expiration"]["duration"],
            "every": (schedule["recurrence"]["pattern"]["type"], schedule["recurrence"]["pattern"]["interval"])},
    }


def policies(project) -> dict[str, dict]:
    """Each access package's policy, by the package's display name."""
    names = {package["id"]: package["displayName"] for package in listed(project, f"{GOV}/accessPackages")}
    found = {}
    for policy in listed(project, f"{GOV}/assignmentPolicies?$expand=accessPackage"):
        name = names[policy["accessPackage"]["id"]]
        assert name not in found, f"two policies for {name}"
        found[name] = as_graph_holds_it(policy)
    return found


EVERYONE = {"who may ask": "allMemberUsers", "requestors": []}
EXAMPLES = {
    "eucs-idam-wordpress-administrators": {
        **EVERYONE, "assignment": "P365D", "denied after": "P14D", "approver justifies": True,
        "approvers": ["alice.admin", "bob.ops", "erin.security"],
        "review": {"unreviewed": "removeAccess", "reviewers": ["erin.security", "frank.audit"], "runs for": "P14D",
                   "every": ("absoluteMonthly", 12)}},
    "eucs-idam-wordpress-writers": {
        **EVERYONE, "assignment": "noExpiration", "denied after": "P14D", "approver justifies": True,
        "approvers": ["alice.admin", "grace.comms"],
        "review": {"unreviewed": "removeAccess", "reviewers": ["frank.audit", "grace.comms"], "runs for": "P14D",
                   "every": ("absoluteMonthly", 6)}},
    "eucs-idam-wordpress-approvers": {
        **EVERYONE, "assignment": "noExpiration", "denied after": "P14D", "approver justifies": True,
        "approvers": ["alice.admin", "grace.comms"],
        "review": {"unreviewed": "keepAccess", "reviewers": ["frank.audit", "grace.comms"], "runs for": "P14D",
                   "every": ("absoluteMonthly", 3)}},
    "eucs-idam-hr-self-service-line-managers": {
        "who may ask": "specificDirectoryUsers", "requestors": [f"#microsoft.graph.groupMembers:{HR_MANAGERS}"],
        "assignment": "noExpiration", "denied after": "P7D", "approver justifies": True,
        "approvers": ["bob.ops", "carol.hr"],
        "review": {"unreviewed": "removeAccess", "reviewers": ["erin.security", "frank.audit"], "runs for": "P14D",
                   "every": ("absoluteMonthly", 6)}},
    "eucs-idam-hr-record-administrators": {
        "who may ask": "specificDirectoryUsers", "requestors": ["bob.ops", "carol.hr", "dave.finance"],
        "assignment": "P180D", "denied after": "P14D", "approver justifies": True,
        "approvers": ["carol.hr", "erin.security"],
        "review": {"unreviewed": "acceptAccessRecommendation", "reviewers": ["carol.hr", "frank.audit"],
                   "runs for": "P7D", "every": ("absoluteMonthly", 3)}},
    "eucs-idam-payments-api-ledger-auditors": {
        **EVERYONE, "assignment": "P90D", "denied after": "P14D", "approver justifies": True,
        "approvers": ["dave.finance", "erin.security"],
        "review": {"unreviewed": "removeAccess", "reviewers": ["erin.security", "frank.audit"], "runs for": "P14D",
                   "every": ("weekly", 8)}},
    # packages of their own (accessPackages:): two of hr-self-service's roles; membership of Expenses claimants
    "eucs-idam-hr-new-line-managers": {
        "who may ask": "specificDirectoryUsers", "requestors": [f"#microsoft.graph.groupMembers:{HR_MANAGERS}"],
        "assignment": "noExpiration", "denied after": "P14D", "approver justifies": True,
        "approvers": ["bob.ops", "carol.hr"],
        "review": {"unreviewed": "removeAccess", "reviewers": ["carol.hr", "frank.audit"], "runs for": "P14D",
                   "every": ("absoluteMonthly", 6)}},
    "eucs-idam-expenses-claimants": {
        **EVERYONE, "assignment": "P365D", "denied after": "P14D", "approver justifies": True,
        "approvers": ["bob.ops", "dave.finance"],
        "review": {"unreviewed": "removeAccess", "reviewers": ["dave.finance", "frank.audit"], "runs for": "P14D",
                   "every": ("absoluteMonthly", 6)}},
}


@pytest.mark.usefixtures("applied")
def test_the_examples_policies_as_graph_holds_them(project):
    assert policies(project) == EXAMPLES


@pytest.mark.usefixtures("applied")
def test_changed_settings_reach_graph_and_converge(project):
    edit(project / WORDPRESS, "        unreviewed: keep\n", "        unreviewed: remove\n")
    edit(project / WORDPRESS, "        frequencyDays: 365       # every 12 months\n        unreviewed: remove\n",
         "        frequencyDays: 365\n        unreviewed: keep\n        durationDays: 21\n")
    edit(project / WORDPRESS, "      assignmentDays: 365\n", "      assignmentDays: 30\n      autoDenyDays: 3\n"
         "      approverJustificationRequired: false\n")
    edit(project / HR, "      autoDenyDays: 7\n", "      autoDenyDays: 10\n")
    edit(project / HR, "        unreviewed: recommendation\n", "        unreviewed: keep\n")
    edit(project / HR, "      assignmentDays: 180\n", "")
    pending = plan(project)
    assert 'review.unreviewed : "keep" → "remove"' in pending.out
    assert "Plan: 0 to add, 4 to change, 0 to destroy." in pending.out
    assert apply(project).code == 0
    converged(project)
    found = policies(project)
    admins = found["eucs-idam-wordpress-administrators"]
    assert (admins["assignment"], admins["denied after"], admins["approver justifies"]) == ("P30D", "P3D", False)
    assert (admins["review"]["unreviewed"], admins["review"]["runs for"]) == ("keepAccess", "P21D")
    assert found["eucs-idam-wordpress-approvers"]["review"]["unreviewed"] == "removeAccess"
    assert found["eucs-idam-hr-self-service-line-managers"]["denied after"] == "P10D"
    records = found["eucs-idam-hr-record-administrators"]
    assert (records["assignment"], records["review"]["unreviewed"]) == ("noExpiration", "keepAccess")
    unchanged = {"eucs-idam-wordpress-writers", "eucs-idam-payments-api-ledger-auditors"}
    assert {name: found[name] for name in unchanged} == {name: EXAMPLES[name] for name in unchanged}


def person(number: int) -> dict:
    return {"@odata.type": "#microsoft.graph.singleUser", "userId": f"1a6c1b1e-0f3d-4c36-9d2e-6a9c1f0e000{number}",
            "description": None}


# HR record administrators (examples/applications/hr-self-service.yaml) as Graph holds the policy, every field: who
# may ask (three people, who may add and remove their own access, nobody on their behalf), for 180 days, approved
# by carol and erin within 14 days with a reason, reviewed every 3 months for 7 days by carol and frank, each with a
# reason, Graph's recommendation taken for whoever is not reviewed; no questions.
RECORD_ADMINISTRATORS = {
    "displayName": "eucs-idam-hr-record-administrators",
    "description": "Managed by idamconf: change it in the configuration, not here.",
    "allowedTargetScope": "specificDirectoryUsers", "specificAllowedTargets": [person(2), person(3), person(4)],
    "automaticRequestSettings": None,
    "expiration": {"endDateTime": None, "duration": "P180D", "type": "afterDuration"},
    "requestorSettings": {
        "enableTargetsToSelfAddAccess": True, "enableTargetsToSelfUpdateAccess": False,
        "enableTargetsToSelfRemoveAccess": True, "allowCustomAssignmentSchedule": False,
        "enableOnBehalfRequestorsToAddAccess": False, "enableOnBehalfRequestorsToUpdateAccess": False,
        "enableOnBehalfRequestorsToRemoveAccess": False, "onBehalfRequestors": []},
    "requestApprovalSettings": {
        "isApprovalRequiredForAdd": True, "isApprovalRequiredForUpdate": False,
        "isRequestorJustificationRequired": True,
        "stages": [{"durationBeforeAutomaticDenial": "P14D", "isApproverJustificationRequired": True,
                    "isEscalationEnabled": False, "durationBeforeEscalation": "PT0S",
                    "primaryApprovers": [person(3), person(5)], "fallbackPrimaryApprovers": [],
                    "escalationApprovers": [], "fallbackEscalationApprovers": [],
                    "approverInformationVisibility": "default"}]},
    "reviewSettings": {
        "isEnabled": True, "expirationBehavior": "acceptAccessRecommendation", "isRecommendationEnabled": True,
        "isReviewerJustificationRequired": True, "isSelfReview": False,
        "primaryReviewers": [person(3), person(6)], "fallbackReviewers": [],
        "schedule": {
            "startDateTime": "(today, UTC)",
            "expiration": {"endDateTime": None, "duration": "P7D", "type": "afterDuration"},
            "recurrence": {"pattern": {"type": "absoluteMonthly", "interval": 3, "month": 0, "dayOfMonth": 0,
                                       "daysOfWeek": [], "firstDayOfWeek": "sunday", "index": "first"},
                           "range": {"type": "noEnd", "numberOfOccurrences": 0, "startDate": None, "endDate": None,
                                     "recurrenceTimeZone": None}}}},
    "questions": [],
    "notificationSettings": {"isAssignmentNotificationDisabled": False},
}


def test_a_policy_as_graph_holds_it_field_by_field(project):
    """Nothing left to Graph's whim: every field of a policy, as another client reads it back."""
    before = dt.datetime.now(dt.timezone.utc).date()
    live_warns_of(project, "review.required")  # the line managers' package without its review, as a package can be
    edit(project / HR, "      accessReview: {reviewers: [frank.audit@contoso.com, erin.security@contoso.com], "
                       "frequencyDays: 180}\n", "")
    assert apply(project).code == 0
    [policy] = [policy for policy in listed(project, f"{GOV}/assignmentPolicies?$expand=accessPackage")
                if policy["accessPackage"]["displayName"] == "eucs-idam-hr-record-administrators"]
    start = policy["reviewSettings"]["schedule"]["startDateTime"]
    assert start in {f"{day.isoformat()}T00:00:00Z" for day in (before, dt.datetime.now(dt.timezone.utc).date())}
    policy["reviewSettings"]["schedule"]["startDateTime"] = "(today, UTC)"
    for key in ("id", "createdDateTime", "modifiedDateTime", "accessPackage"):
        del policy[key]
    assert policy == RECORD_ADMINISTRATORS
    [unreviewed] = [policy for policy in listed(project, f"{GOV}/assignmentPolicies?$expand=accessPackage")
                    if policy["accessPackage"]["displayName"] == "eucs-idam-hr-self-service-line-managers"]
    assert unreviewed["reviewSettings"] == {  # no review: off, and nothing of one asked for
        "isEnabled": False, "expirationBehavior": "keepAccess", "isRecommendationEnabled": False,
        "isReviewerJustificationRequired": False, "isSelfReview": False, "primaryReviewers": [],
        "fallbackReviewers": [], "schedule": None}


@pytest.mark.usefixtures("applied")
def test_a_changed_policy_keeps_its_reviews_start(project):
    """Reviews run on from the day they started: a change to the policy is sent with the live review's start, never
    today's, which would move every review to come."""
    [policy] = [policy for policy in listed(project, f"{GOV}/assignmentPolicies?$expand=accessPackage")
                if policy["accessPackage"]["displayName"] == "eucs-idam-hr-record-administrators"]
    policy["reviewSettings"]["schedule"]["startDateTime"] = "2026-01-05T00:00:00Z"  # as an earlier apply left it
    body = {key: value for key, value in policy.items()
            if key not in ("id", "createdDateTime", "modifiedDateTime", "accessPackage")}
    graph(project, "PUT", f"{GOV}/assignmentPolicies/{policy['id']}", body)
    edit(project / HR, "      assignmentDays: 180\n", "      assignmentDays: 90\n")
    assert apply(project).code == 0
    changed = graph(project, "GET", f"{GOV}/assignmentPolicies/{policy['id']}")
    assert changed["expiration"]["duration"] == "P90D"
    assert changed["reviewSettings"]["schedule"]["startDateTime"] == "2026-01-05T00:00:00Z"


@pytest.mark.usefixtures("applied")
@pytest.mark.filterwarnings("ignore:GetQueryParameters is deprecated:DeprecationWarning")
def test_the_typed_sdk_reads_the_same_policies(project):

    async def read(client):
        from msgraph.generated.identity_governance.entitlement_management.assignment_policies.assignment_policies_request_builder import (  # noqa: E501
            AssignmentPoliciesRequestBuilder,
        )
        parameters = AssignmentPoliciesRequestBuilder.AssignmentPoliciesRequestBuilderGetQueryParameters(
            expand=["accessPackage"])
        return (await client.identity_governance.entitlement_management.assignment_policies.get(
            RequestConfiguration(query_parameters=parameters))).value

    with serving(Store(project / ".idamconf" / "local.db")) as emulator:
        typed = sdk_run(emulator.base_url, read)
    seen = {}
    for policy in typed:
        stage = policy.request_approval_settings.stages[0]
        review = policy.review_settings
        seen[policy.access_package.display_name] = (
            policy.expiration.duration, stage.duration_before_automatic_denial,
            stage.is_approver_justification_required,
            review.expiration_behavior.value if review.is_enabled else None,
            review.schedule.expiration.duration if review.is_enabled else None)
    days = dt.timedelta
    assert seen == {
        "eucs-idam-wordpress-administrators": (days(365), days(14), True, "removeAccess", days(14)),
        "eucs-idam-wordpress-writers": (None, days(14), True, "removeAccess", days(14)),
        "eucs-idam-wordpress-approvers": (None, days(14), True, "keepAccess", days(14)),
        "eucs-idam-hr-self-service-line-managers": (None, days(7), True, "removeAccess", days(14)),
        "eucs-idam-hr-record-administrators": (days(180), days(14), True, "acceptAccessRecommendation", days(7)),
        "eucs-idam-payments-api-ledger-auditors": (days(90), days(14), True, "removeAccess", days(14)),
        "eucs-idam-hr-new-line-managers": (None, days(14), True, "removeAccess", days(14)),
        "eucs-idam-expenses-claimants": (days(365), days(14), True, "removeAccess", days(14)),
    }
