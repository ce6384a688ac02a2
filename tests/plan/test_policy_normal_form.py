"""A policy's normal form (what plans compare and show) survives Graph: the body apply sends, read back as a plan
reads it, is the normal form it was built from -- for every kind of subject, stage, question and setting. Were it
not, the plan after an apply would never be empty."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from idamconf.config.access import review_schedule
from idamconf.config.model import (AccessPackage, AccessPolicy, AccessReview, Application, ApprovalStage, Automatic,
                                   Escalation, Question)
from idamconf.graph.read_assignments import Groups
from idamconf.plan.policy import policy_attributes, read_policy, resolve, subject_names
from idamconf.plan.policy_body import policy_body

PEOPLE = {"alice.admin@contoso.com": "a1", "bob.ops@contoso.com": "b2", "group:idam approvers": "g1"}
NAMES = {object_id: name for name, object_id in PEOPLE.items()}
REVIEW = AccessReview(reviewers=("manager", "group:IDAM approvers"), frequency_days=84, duration_days=7,
                      unreviewed="recommendation", fallback_reviewers=("bob.ops@contoso.com",),
                      recommendations=False, justification=False)
POLICIES = {
    "one stage, as files always wrote it": AccessPolicy(
        name=None, stages=(ApprovalStage(("alice.admin@contoso.com", "bob.ops@contoso.com")),)),
    "manager, sponsors, fallbacks, escalation": AccessPolicy(
        name="Employees", stages=(ApprovalStage(
            ("manager", "group:IDAM approvers"), fallback_approvers=("bob.ops@contoso.com",), justification=False,
            auto_deny_days=9, escalation=Escalation(3, ("sponsors",), ("alice.admin@contoso.com",))),),
        requestor_justification=False, description="Staff.", review=REVIEW),
    "three stages, people and groups as requestors, extension": AccessPolicy(
        name="Contractors", stages=tuple(ApprovalStage(("alice.admin@contoso.com",), path=("stages", n))
                                         for n in range(3)),
        requestors=("bob.ops@contoso.com", "group:IDAM approvers"), assignment_days=90, extension="withApproval"),
    "extension without approval": AccessPolicy(name="Extended", stages=(ApprovalStage(("bob.ops@contoso.com",)),),
                                               assignment_days=30, extension="withoutApproval"),
    "questions": AccessPolicy(name="Asked", stages=(), questions=(
        Question("Why?", required=True, single_line=False, localized=(("de", "Warum?"), ("fr", "Pourquoi ?"))),
        Question("Team?", choices=("News", "Events"), multiple=True))),
    "administrators assign": AccessPolicy(name="Admins", stages=(), requestors="none"),
    "by rule": AccessPolicy(name="Sales", stages=(), automatic=Automatic('(user.department -eq "Sales")', False, 5),
                            assignment_days=30),
    "by rule, removed at once": AccessPolicy(name="Oslo", stages=(), automatic=Automatic('(user.city -eq "Oslo")')),
    "self-review": AccessPolicy(name="Self", stages=(), review=AccessReview(("self",), 365)),
    "a hundred and one questions": AccessPolicy(name="Many", stages=(), questions=tuple(
        Question(f"Question {n}?") for n in range(1, 102))),  # the schema sets no limit: none is dropped
}


@pytest.mark.parametrize("policy", POLICIES.values(), ids=POLICIES.keys())
def test_the_body_reads_back_as_the_normal_form_it_was_built_from(policy):
    labels = {name.lower(): name for name in PEOPLE} | {"group:idam approvers": "group:idam approvers"}
    normal = policy_attributes(policy, policy.name or "the package", labels)
    schedule = review_schedule(policy.review.frequency_days) if policy.review else None
    ids = {"people": PEOPLE, "recurrence": (schedule.pattern, schedule.interval) if schedule else None}
    body = policy_body(normal, ids, "package-id")
    assert read_policy(body, NAMES) == normal


def test_settings_at_their_default_are_left_out_so_older_plans_read_as_before():
    normal = policy_attributes(POLICIES["one stage, as files always wrote it"], "pkg", {})
    assert list(normal) == ["displayName", "approvers", "approverJustificationRequired", "autoDenyDays",
                            "requestors", "assignmentDays", "review"]


# A policy as someone left it in the portal, or as another tool wrote it: what the plan shows of it (drift) is read
# from Graph's own words -- ids in any case, subjects idamconf never writes, schedules and durations of other forms.
EDITED = {
    "displayName": "Edited", "description": "Managed by idamconf: change it in the configuration, not here.",
    "allowedTargetScope": "specificDirectoryUsers",
    "specificAllowedTargets": [{"@odata.type": "#microsoft.graph.singleUser", "userId": "A1"},
                               {"@odata.type": "#microsoft.graph.singleUser", "userId": "C3"},
                               {"@odata.type": "#microsoft.graph.groupMembers", "groupId": "G9"},
                               {"@odata.type": "#microsoft.graph.connectedOrganizationMembers"}, {}],
    "automaticRequestSettings": {"requestAccessForAllowedTargets": False},
    "expiration": {"type": "afterDuration", "duration": "PT12H"},
    "requestApprovalSettings": {"isApprovalRequiredForAdd": False, "stages": [
        {"primaryApprovers": [{"@odata.type": "#microsoft.graph.requestorManager", "managerLevel": 1}],
         "durationBeforeAutomaticDenial": "P14D"}]},
    "reviewSettings": {"isEnabled": True, "expirationBehavior": "keepAccess", "primaryReviewers": [
        {"@odata.type": "#microsoft.graph.targetUserSponsors"}, {"@odata.type": "#microsoft.graph.requestorManager"}],
        "schedule": {"expiration": {"type": "afterDuration", "duration": "14D"},
                     "recurrence": {"pattern": {"type": "weekly", "interval": 1}}}},
}


def test_a_policy_edited_outside_idamconf_reads_as_graph_holds_it():
    assert read_policy(EDITED, {"a1": "alice.admin@contoso.com"}) == {
        "displayName": "Edited", "approval": "none",  # stages Graph keeps while approval is off are not shown
        "requestors": ["?", "alice.admin@contoso.com", "c3", "connectedOrganizationMembers", "group:g9"],
        "assignmentDays": None,  # not a whole number of days: shown as none, so the file's days are planned
        "review": {"reviewers": ["manager", "sponsors"], "schedule": "every 1 week", "durationDays": None,
                   "unreviewed": "keep"}}


@pytest.mark.parametrize("pattern, label", [
    ({"type": "absoluteMonthly", "interval": 2}, "every 2 months"), ({"type": "weekly"}, "every 0 weeks"),
    ({"type": "daily", "interval": 1}, "daily"), ({}, None),
])
def test_review_schedules_of_every_form_are_named(pattern, label):
    review = {"isEnabled": True, "schedule": {"recurrence": {"pattern": pattern}}}
    assert read_policy({"reviewSettings": review}, {})["review"]["schedule"] == label


@pytest.mark.parametrize("duration, days", [("P7D", 7), ("PT7D", None), ("P1W", None), ("7D", None), ("P7", None),
                                            ("PxD", None), ("", None)])
def test_only_whole_days_are_days(duration, days):
    assert read_policy({"expiration": {"type": "afterDuration", "duration": duration}}, {})["assignmentDays"] == days


def test_a_rule_without_a_grace_period_sends_graph_none():
    """Removal when someone stops matching is at once: Graph receives no grace period, not a made-up duration."""
    policy = AccessPolicy(name="Sales", stages=(), automatic=Automatic('(user.department -eq "Sales")'))
    body = policy_body(policy_attributes(policy, "Sales", {}), {"people": {}}, "package-id")
    assert body["automaticRequestSettings"] == {"requestAccessForAllowedTargets": True,
                                                "removeAccessWhenTargetLeavesAllowedTargets": True,
                                                "gracePeriodBeforeAccessRemoval": None}


def test_questions_are_read_in_their_sequence_whatever_order_they_arrive_in_and_from_whatever_number():
    """`sequence` is each question's place as requestors see it (unset, an Int32 of Graph's is 0, as the emulator
    has it): the plan's question1 is the first of them, not the first listed."""
    listed = [{"sequence": 1, "text": "Team?"}, {"sequence": 0, "text": "Why?"}, {"sequence": 2, "text": "Until?"}]
    read = read_policy({"questions": listed}, {})
    assert [read[f"question{n}"]["text"] for n in (1, 2, 3)] == ["Why?", "Team?", "Until?"]


def test_a_policy_that_never_expires_has_no_days_whatever_duration_it_still_holds():
    """Set to "never expires" in the portal while its old duration stays: the plan shows none, and plans the file's
    days (read as 90, the change would be hidden)."""
    held = {"expiration": {"type": "noExpiration", "duration": "P90D"}}
    assert read_policy(held, {})["assignmentDays"] is None


def test_an_unreviewed_behaviour_idamconf_has_no_word_for_is_shown_in_graphs():
    """Graph's evolvable enumeration may answer a behaviour newer than those the file can name: the plan shows it
    as Graph says it, never as nothing."""
    review = {"isEnabled": True, "expirationBehavior": "unknownFutureValue",
              "schedule": {"recurrence": {"pattern": {"type": "weekly", "interval": 1}}}}
    assert read_policy({"reviewSettings": review}, {})["review"]["unreviewed"] == "unknownFutureValue"


def test_a_policy_assigning_automatically_without_a_rule_reads_as_one_with_none():
    """Made by another tool, its targets hold no attribute rule: the plan shows the rule as none (and the file's
    rule, if any, as a change), never a traceback."""
    held = {"automaticRequestSettings": {"requestAccessForAllowedTargets": True},
            "specificAllowedTargets": [{"@odata.type": "#microsoft.graph.groupMembers", "groupId": "G9"}]}
    read = read_policy(held, {})
    assert (read["automatic"], read["requestors"]) == ({"rule": None, "removeWhenNoLongerMatching": False},
                                                      "by rule (automatic)")


# ----------------------------------------------------------------------------------- groups, as the plan names them
APPROVERS_ID = "2b7d3c4e-5f60-4a1b-8c2d-3e4f5a6b0101"  # begins with a digit: sorted as written, before any name


def planned(policy: AccessPolicy, users: dict[str, str], groups: Groups) -> tuple[dict, dict, list]:
    """The policy as the plan shows it, the body Graph receives for it, and the problems found in its people:
    `users` and `groups` as the tenant's two look-ups give them (graph/read.resolve_users: UPN -> id, and
    group:<id> -> id for each group named by an id that exists; graph/read_assignments.find_groups)."""
    package = AccessPackage("staff", "Staff", None, (policy,))
    names = subject_names([Application("blog", "Blog", (), access_packages=(package,))], users, groups)
    problems: list = []
    labels, people = resolve(package, users, groups, names, problems)
    normal = policy_attributes(policy, "staff", labels)
    return normal, policy_body(normal, {"people": people, "recurrence": None}, "package-id"), problems


def groups_of(*found: dict) -> Groups:
    return Groups({group["displayName"].casefold(): [group] for group in found}, {g["id"]: g for g in found})


def test_a_group_named_by_its_name_and_by_its_id_is_shown_by_its_name_in_both_places():
    """The plan names a group as the configuration does, by its name rather than its id wherever it writes both --
    whatever the directory's look-up of the id also gave."""
    policy = AccessPolicy(name="Staff", stages=(ApprovalStage(("group:IDAM approvers",)),),
                          requestors=(f"group:{APPROVERS_ID}",))
    group = {"id": APPROVERS_ID, "displayName": "IDAM approvers"}
    normal, body, problems = planned(policy, {f"group:{APPROVERS_ID}": APPROVERS_ID}, groups_of(group))
    assert (normal["approvers"], normal["requestors"], problems) == (["group:idam approvers"], ["group:idam approvers"],
                                                                      [])
    member = {"@odata.type": "#microsoft.graph.groupMembers", "groupId": APPROVERS_ID}
    assert body["requestApprovalSettings"]["stages"][0]["primaryApprovers"] == [member]
    assert body["specificAllowedTargets"] == [member]


def test_a_group_written_in_two_cases_is_shown_by_the_first_of_its_names_in_lower_case_order():
    """One group, two spellings that Graph (and idamconf: case-folded) take for one name: the plan shows one of them
    in both places, the first in lower-case order. Spelled with ϑ and ϴ, which fold alike and sort one way in lower
    case (θ < ϑ) and the other in upper case (Θ < ϴ), the choice is seen to be made in lower case."""
    policy = AccessPolicy(name="Staff", stages=(ApprovalStage(("group:ϑ approvers",)),),
                          requestors=("group:ϴ approvers",))
    normal, _, problems = planned(policy, {}, groups_of({"id": APPROVERS_ID, "displayName": "Θ approvers"}))
    assert (normal["approvers"], normal["requestors"], problems) == (["group:θ approvers"], ["group:θ approvers"], [])


def test_a_group_only_the_directorys_look_up_of_its_id_found_is_shown_by_its_id_and_sent_by_it():
    """A group named by an id that the look-up of the groups named did not return, but the directory's look-up of
    that id did: it is the group (no problem), the plan shows it by its id as written, and Graph receives its id."""
    policy = AccessPolicy(name="Staff", stages=(ApprovalStage((f"group:{APPROVERS_ID}",)),))
    normal, body, problems = planned(policy, {f"group:{APPROVERS_ID}": APPROVERS_ID}, Groups())
    assert (normal["approvers"], problems) == ([f"group:{APPROVERS_ID}"], [])
    assert body["requestApprovalSettings"]["stages"][0]["primaryApprovers"] == [
        {"@odata.type": "#microsoft.graph.groupMembers", "groupId": APPROVERS_ID}]


def test_a_review_starts_on_the_utc_day_whatever_the_machines_time_zone(monkeypatch):
    """A new review's schedule starts today in UTC, as Graph keeps dates. Fourteen hours ahead and twelve behind: at any
    hour, one of the two machines is on another day than UTC, so a local date would show on one of them."""
    policy = AccessPolicy(name="Reviewed", stages=(), review=AccessReview(("bob.ops@contoso.com",), 90))
    normal = policy_attributes(policy, "Reviewed", {"bob.ops@contoso.com": "bob.ops@contoso.com"})
    ids = {"people": {"bob.ops@contoso.com": "b2"}, "recurrence": ("absoluteMonthly", 3)}
    try:
        for zone in ("Etc/GMT-14", "Etc/GMT+12"):  # (the POSIX sign: GMT-14 is UTC+14)
            monkeypatch.setenv("TZ", zone)
            time.tzset()
            before = dt.datetime.now(dt.timezone.utc).date()
            start = policy_body(normal, ids, "package-id")["reviewSettings"]["schedule"]["startDateTime"]
            days = {before, dt.datetime.now(dt.timezone.utc).date()}  # (the same, unless midnight passed meanwhile)
            assert start in {f"{day.isoformat()}T00:00:00Z" for day in days}, zone
    finally:
        monkeypatch.undo()
        time.tzset()


def _placed(where: str, person: str = "bob.ops@contoso.com") -> AccessPolicy:
    """A policy naming `person` in one place only (`where`), and alice.admin wherever it must name someone else."""
    alice = ("alice.admin@contoso.com",)
    one = (person,)
    first = ApprovalStage(one if where == "approvers" else alice,
                          fallback_approvers=one if where == "fallback approvers" else (),
                          escalation=Escalation(3, one if where == "escalation" else alice,
                                                one if where == "escalation fallback" else ()))
    second = (ApprovalStage(one, path=("stages", 1)),) if where == "second stage" else ()
    return AccessPolicy(name=where, stages=(first, *second), requestors=one if where == "requestors" else alice,
                        review=AccessReview(one if where == "reviewers" else alice, 91,
                                            fallback_reviewers=one if where == "fallback reviewers" else ()))


PLACES = ["approvers", "fallback approvers", "escalation", "escalation fallback", "second stage", "requestors",
          "reviewers", "fallback reviewers", "nowhere"]


@pytest.mark.parametrize("where", PLACES)
def test_a_person_the_names_do_not_know_is_named_by_id_and_noted_wherever_the_policy_names_them(where):
    """What plan/governance.name_the_unnamed then looks up -- and nobody the names know."""
    policy = _placed(where)
    labels = {name.lower(): name for name in PEOPLE} | {"group:idam approvers": "group:idam approvers"}
    normal = policy_attributes(policy, policy.name, labels)
    schedule = review_schedule(policy.review.frequency_days)
    body = policy_body(normal, {"people": PEOPLE, "recurrence": (schedule.pattern, schedule.interval)}, "package-id")
    known = {object_id: name for object_id, name in NAMES.items() if name != "bob.ops@contoso.com"}
    unnamed: set[str] = set()
    read = read_policy(body, known, unnamed)
    assert unnamed == (set() if where == "nowhere" else {"b2"})
    assert repr(read) == repr(normal).replace("'bob.ops@contoso.com'", "'b2'")
    assert read_policy(body, NAMES, everyone := set()) == normal and everyone == set()


def test_the_people_the_configuration_names_are_known_by_the_lower_cased_id_graph_sends():
    names = subject_names([], {"alice.admin@contoso.com": "1A6C1B1E-0F3D-4C36-9D2E-6A9C1F0E0001"}, None)
    unnamed: set[str] = set()
    body = {"requestApprovalSettings": {"stages": [{"primaryApprovers": [
        {"@odata.type": "#microsoft.graph.singleUser", "userId": "1a6c1b1e-0f3d-4c36-9d2e-6a9c1f0e0001"}]}]}}
    assert read_policy(body, names, unnamed)["approvers"] == ["alice.admin@contoso.com"] and unnamed == set()
