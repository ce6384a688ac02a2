"""The Graph assignment policy for a policy in the plan's normal form (plan/policy.py): pure, built at apply time.

People are subject sets by `@odata.type` (users by object id, groups as their members, the requestor's manager and
sponsors as Graph's relative subjects); the first stage's keys sit at the top of the normal form and further stages
under `stage2`, `stage3`; questions under `question1`…; what the normal form leaves out is Graph's default.
"""

from __future__ import annotations

import datetime as dt

from ..config.model import SELF
from . import questions
from .policy import (ADMINISTRATORS, ALL_MEMBERS, BY_RULE, DEFAULT_DESCRIPTIONS, EXTENSION, RELATIVE,
                     UNREVIEWED)


def _subjects(names, people: dict[str, str]) -> list[dict]:
    """Graph subject sets for names in the plan's normal form (plan/policy.py): users by object id, groups as their
    members, the requestor's manager and sponsors as Graph's relative subjects."""
    return [dict(RELATIVE[name]) if name in RELATIVE else
            {"@odata.type": "#microsoft.graph.groupMembers", "groupId": people[name]} if name.startswith("group:") else
            {"@odata.type": "#microsoft.graph.singleUser", "userId": people[name]} for name in names]


def policy_body(policy: dict, ids: dict, package_id: str) -> dict:
    """The Graph assignment policy for a policy in idamconf's normal form (see plan/policy.policy_attributes);
    `ids` carries the people's object ids, the review's recurrence, and the live review's start, if any."""
    people = ids["people"]
    requestors = policy["requestors"]
    anyone = requestors not in (ALL_MEMBERS, ADMINISTRATORS, BY_RULE)  # specific people and groups
    automatic = policy.get("automatic")
    days = policy["assignmentDays"]
    stages = [policy] + [policy[f"stage{n}"] for n in (2, 3) if f"stage{n}" in policy]
    approval = policy.get("approval") != "none"
    requesting = requestors not in (ADMINISTRATORS, BY_RULE)  # else nobody requests: administrators, or a rule
    extending = "extension" in policy  # requestors may ask to extend their assignment before it ends
    return {
        "displayName": policy["displayName"],
        "description": policy.get("description") or DEFAULT_DESCRIPTIONS[1],
        "allowedTargetScope": "specificDirectoryUsers" if anyone or automatic else
        "allMemberUsers" if requestors == ALL_MEMBERS else "notSpecified",
        "specificAllowedTargets": _subjects(requestors, people) if anyone else _rule(automatic),
        "automaticRequestSettings": _automatic(automatic),
        "expiration": {"type": "afterDuration", "duration": f"P{days}D"} if days else {"type": "noExpiration"},
        # numbered from 1 without a gap (policy_attributes); as many as the file gives, the schema sets no limit
        "questions": [questions.body(policy[f"question{n}"], n) for n in range(1, len(policy) + 1)
                      if f"question{n}" in policy],
        "requestorSettings": {
            "enableTargetsToSelfAddAccess": requesting, "enableTargetsToSelfUpdateAccess": extending,
            "enableTargetsToSelfRemoveAccess": requesting, "allowCustomAssignmentSchedule": False,
            "enableOnBehalfRequestorsToAddAccess": False, "enableOnBehalfRequestorsToUpdateAccess": False,
            "enableOnBehalfRequestorsToRemoveAccess": False, "onBehalfRequestors": [],
        },
        "requestApprovalSettings": {
            "isApprovalRequiredForAdd": approval,
            "isApprovalRequiredForUpdate": policy.get("extension") == EXTENSION["withApproval"],
            "isRequestorJustificationRequired": policy.get("requestorJustificationRequired", True),
            "stages": [_stage(stage, people) for stage in stages] if approval else [],
        },
        "reviewSettings": _review(policy["review"], people, ids.get("recurrence"), ids.get("startDateTime")),
        "accessPackage": {"id": package_id},
    }


def _rule(automatic: dict | None) -> list[dict]:
    """The one target of a policy that assigns by rule: the users its dynamic-membership rule matches."""
    return [] if automatic is None else [{"@odata.type": "#microsoft.graph.attributeRuleMembers",
                                          "description": "Assigned by rule (idamconf)",
                                          "membershipRule": automatic["rule"]}]


def _automatic(automatic: dict | None) -> dict | None:
    if automatic is None:
        return None
    grace = automatic.get("gracePeriodDays")
    return {"requestAccessForAllowedTargets": True,
            "removeAccessWhenTargetLeavesAllowedTargets": automatic["removeWhenNoLongerMatching"],
            "gracePeriodBeforeAccessRemoval": f"P{grace}D" if grace else None}


def _stage(stage: dict, people: dict[str, str]) -> dict:
    escalation = stage.get("escalation")
    return {
        "durationBeforeAutomaticDenial": f"P{stage['autoDenyDays']}D",
        "isApproverJustificationRequired": stage["approverJustificationRequired"],
        "isEscalationEnabled": escalation is not None,
        "durationBeforeEscalation": f"P{escalation['afterDays']}D" if escalation else "PT0S",
        "primaryApprovers": _subjects(stage["approvers"], people),
        "fallbackPrimaryApprovers": _subjects(stage.get("fallbackApprovers", []), people),
        "escalationApprovers": _subjects(escalation["approvers"], people) if escalation else [],
        "fallbackEscalationApprovers": _subjects(escalation.get("fallbackApprovers", []), people) if escalation
        else [],
    }


def _review(review: dict | None, people: dict[str, str], recurrence, start: str | None) -> dict:
    if review is None:
        return {"isEnabled": False, "expirationBehavior": "keepAccess", "isRecommendationEnabled": False,
                "isReviewerJustificationRequired": False, "isSelfReview": False, "primaryReviewers": [],
                "fallbackReviewers": [], "schedule": None}
    pattern, interval = recurrence
    self_review = review["reviewers"] == [SELF]
    start = start or dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT00:00:00Z")
    return {
        "isEnabled": True, "expirationBehavior": UNREVIEWED[review["unreviewed"]],
        "isRecommendationEnabled": review.get("recommendations", True),
        "isReviewerJustificationRequired": review.get("justificationRequired", True), "isSelfReview": self_review,
        "primaryReviewers": [] if self_review else _subjects(review["reviewers"], people),
        "fallbackReviewers": _subjects(review.get("fallbackReviewers", []), people),
        "schedule": {
            "startDateTime": start,
            "expiration": {"type": "afterDuration", "duration": f"P{review['durationDays']}D"},
            "recurrence": {"pattern": {"type": pattern, "interval": interval, "month": 0, "dayOfMonth": 0,
                                       "daysOfWeek": []},
                           "range": {"type": "noEnd", "numberOfOccurrences": 0}},
        },
    }
