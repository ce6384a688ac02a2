"""An assignment policy in the plan's normal form, from the configuration and from Graph, and the people it names.

The normal form is what a plan shows, attribute by attribute: people by user principal name, groups as
`group:<name>` (or `group:<id>` when the configuration names them by id), the requestor's `manager` and `sponsors`,
reviewers' `self`; "every 12 months". Settings left at their default are left out of it (on both sides), so a
policy written before a setting existed plans as it did. A one-stage policy keeps its stage's keys at the top
(`approvers`, `autoDenyDays`…), as plans always showed them; further stages are `stage2` and `stage3`, so that a
change in one shows as `stage2.approvers` old -> new; a policy without approval is `approval = "none"`.
"""

from __future__ import annotations

from ..config.access import review_schedule
from ..config.model import MANAGER, SELF, SPONSORS
from ..config.policy import ADMIN_ONLY, GUID
from ..diagnostics import Diagnostic
from . import questions

ALL_MEMBERS, ADMINISTRATORS = "all members", "none (administrators assign)"
BY_RULE = "by rule (automatic)"  # everyone an attribute rule matches is assigned
EXTENSION = {"withApproval": "with approval", "withoutApproval": "without approval"}  # requestors extending
# What idamconf writes as a policy's description when the file gives none (and what it once wrote): "no description"
DEFAULT_DESCRIPTIONS = (None, "Managed by idamconf: change it in the configuration, not here.",
                        "Requests need approval. Managed by idamconf: change it in the configuration, not here.")

UNREVIEWED = {"remove": "removeAccess", "keep": "keepAccess", "recommendation": "acceptAccessRecommendation"}
_UNREVIEWED_FROM_GRAPH = {graph: ours for ours, graph in UNREVIEWED.items()}
# Graph's subject sets for the words the configuration uses (config/policy.py). `manager` is requestorManager at
# level 1 for approvers and reviewers alike (inferred for reviewers: the v1.0 reference lists the subject sets a
# review accepts without saying which); `sponsors` is the requestor's own (targetUserSponsors), not a connected
# organisation's.
RELATIVE = {MANAGER: {"@odata.type": "#microsoft.graph.requestorManager", "managerLevel": 1},
            SPONSORS: {"@odata.type": "#microsoft.graph.targetUserSponsors"}}
_RELATIVE_FROM_GRAPH = {"requestorManager": MANAGER, "targetUserSponsors": SPONSORS}


# ------------------------------------------------------------------------------------------------------- people
def subject_names(applications, users: dict[str, str], groups) -> dict[str, str]:
    """Object id -> how plans name it: users by UPN, groups by the name the configuration gives them (the first in
    order of names, if it gives several) or else by id. Both sides of a plan name people through this."""
    names = {user_id.lower(): upn for upn, user_id in users.items() if not upn.startswith("group:")}
    written = sorted({s for app in applications for package in app.packages
                      for s, _ in package.subjects() if s.startswith("group:")}, key=_by_name_first)
    for subject in written:
        found = _candidates(subject, groups)
        if len(found) == 1:
            names.setdefault(found[0]["id"].lower(), subject.lower())
    return names


def _by_name_first(subject: str) -> tuple:
    return bool(GUID.match(subject[6:])), subject.lower()


def _candidates(subject: str, groups) -> list[dict]:
    written = subject[6:]
    if GUID.match(written):
        found = (groups.by_id if groups is not None else {}).get(written.lower())
        return [found] if found else []
    found = (groups.by_name if groups is not None else {}).get(written.casefold(), [])
    return list({group["id"].lower(): group for group in found}.values())  # a group found by name and by id too


def resolve(package, users: dict[str, str], groups, names: dict[str, str], problems: list) -> tuple[dict, dict]:
    """(subject as written, lower-cased -> its normal-form name; normal-form name -> object id) for everyone the
    package names (people Graph works out per request have no id); what names nobody, or several groups, becomes a
    diagnostic at its place in the file."""
    labels, found = {}, {}
    for subject, path in package.subjects():
        if subject in (MANAGER, SPONSORS, SELF):
            continue
        object_id = _group_id(subject, groups, users) if subject.startswith("group:") else users.get(subject.lower())
        if isinstance(object_id, str):
            labels[subject.lower()] = names.get(object_id.lower(), subject.lower())
            found[labels[subject.lower()]] = object_id
            continue
        location = package.at(path)
        summary, fix = object_id if isinstance(object_id, tuple) else _unknown_user(subject)
        problems.append(Diagnostic(summary, fix, location.file, location.line, location.column))
    return labels, found


def _unknown_user(upn: str) -> tuple[str, str]:
    return (f"{upn} is not a user in the tenant", "check the spelling of the user principal name; people are "
            "matched by exact UPN, never by e-mail")


def _group_id(subject: str, groups, users: dict[str, str]):
    """The id of the one group `subject` names, or (summary, fix) saying why there is none."""
    written = subject[6:]
    found = _candidates(subject, groups)
    if not found and GUID.match(written) and subject.lower() in users:  # found by the directory's look-up
        return users[subject.lower()]
    if len(found) == 1:
        return found[0]["id"]
    if GUID.match(written):
        return (f"group {written} is not in the tenant", "check the group's object id in the Entra admin centre "
                "(Groups), or name the group by its display name: {group: <name>}")
    if found:
        ids = ", ".join(sorted(group["id"] for group in found))
        return (f"{len(found)} groups are named '{written}' (ids {ids})",
                f"name the one you mean by its object id: {{group: <one of {ids}>}}")
    return (f"no group named '{written}' in the tenant", "check the group's display name in the Entra admin centre "
            "(Groups; names are compared in any case, as Graph does), or name it by object id: {group: <id>}")


# -------------------------------------------------------------------------------------------- the configuration's
def policy_attributes(policy, display_name: str, labels: dict[str, str]) -> dict:
    """A policy (config/model.AccessPolicy) in the normal form; `labels`: as `resolve` gives them."""
    def named(subjects) -> list[str]:  # each person once: written twice (in two cases, or by UPN and id) is one
        return sorted({labels.get(s.lower(), s.lower()) for s in subjects})

    attributes = {"displayName": display_name}
    if policy.description is not None:
        attributes["description"] = policy.description
    if not policy.stages:
        attributes["approval"] = "none"
    for number, stage in enumerate(policy.stages, 1):
        attributes |= _stage(stage, named) if number == 1 else {f"stage{number}": _stage(stage, named)}
    if not policy.requestor_justification:
        attributes["requestorJustificationRequired"] = False
    for number, question in enumerate(policy.questions, 1):
        attributes[f"question{number}"] = questions.normal(question)
    if policy.extension != "none":
        attributes["extension"] = EXTENSION[policy.extension]
    if policy.automatic is not None:
        attributes["automatic"] = _automatic(policy.automatic)
    attributes |= {
        "requestors": BY_RULE if policy.automatic else ALL_MEMBERS if policy.requestors is None
        else ADMINISTRATORS if policy.requestors == ADMIN_ONLY else named(policy.requestors),
        "assignmentDays": policy.assignment_days,
        "review": None if policy.review is None else _review(policy.review, named),
    }
    return attributes


def _automatic(automatic) -> dict:
    attributes = {"rule": automatic.rule, "removeWhenNoLongerMatching": automatic.remove}
    return attributes | {"gracePeriodDays": automatic.grace_days} if automatic.grace_days else attributes


def _stage(stage, named) -> dict:
    attributes = {"approvers": named(stage.approvers), "approverJustificationRequired": stage.justification,
                  "autoDenyDays": stage.auto_deny_days}
    if stage.fallback_approvers:
        attributes["fallbackApprovers"] = named(stage.fallback_approvers)
    if stage.escalation is not None:
        escalation = stage.escalation
        attributes["escalation"] = {"afterDays": escalation.after_days, "approvers": named(escalation.approvers)}
        if escalation.fallback_approvers:
            attributes["escalation"]["fallbackApprovers"] = named(escalation.fallback_approvers)
    return attributes


def _review(review, named) -> dict:
    attributes = {"reviewers": named(review.reviewers), "schedule": review_schedule(review.frequency_days).label,
                  "durationDays": review.duration_days, "unreviewed": review.unreviewed}
    if review.fallback_reviewers:
        attributes["fallbackReviewers"] = named(review.fallback_reviewers)
    if not review.recommendations:
        attributes["recommendations"] = False
    if not review.justification:
        attributes["justificationRequired"] = False
    return attributes


# --------------------------------------------------------------------------------------------------------- Graph's
def read_policy(policy: dict, names: dict[str, str], unnamed: set | None = None) -> dict:
    """A Graph assignment policy in the normal form of `policy_attributes` (`names`: object id -> normal name);
    `unnamed`: where to note the ids of the users `names` does not know (each is named by its id)."""
    approval = policy.get("requestApprovalSettings") or {}
    expiration = policy.get("expiration") or {}
    attributes = {"displayName": policy.get("displayName")}
    if policy.get("description") not in DEFAULT_DESCRIPTIONS:
        attributes["description"] = policy.get("description")
    stages = approval.get("stages") or [] if approval.get("isApprovalRequiredForAdd", True) else []
    if not stages:
        attributes["approval"] = "none"
    for number, stage in enumerate(stages, 1):
        read = _read_stage(stage, names, unnamed)
        attributes |= read if number == 1 else {f"stage{number}": read}
    if approval.get("isRequestorJustificationRequired") is False:
        attributes["requestorJustificationRequired"] = False
    for number, question in enumerate(sorted(policy.get("questions") or [], key=lambda q: q.get("sequence") or 0), 1):
        attributes[f"question{number}"] = questions.read(question)
    if (policy.get("requestorSettings") or {}).get("enableTargetsToSelfUpdateAccess"):
        attributes["extension"] = EXTENSION["withApproval" if approval.get("isApprovalRequiredForUpdate")
                                            else "withoutApproval"]
    scope, automatic = policy.get("allowedTargetScope"), _read_automatic(policy)
    if automatic is not None:
        attributes["automatic"] = automatic
    attributes |= {
        "requestors": BY_RULE if automatic else ALL_MEMBERS if scope == "allMemberUsers"
        else ADMINISTRATORS if scope == "notSpecified" else _names(policy.get("specificAllowedTargets"), names,
                                                                   unnamed),
        "assignmentDays": _days(expiration.get("duration")) if expiration.get("type") == "afterDuration" else None,
        "review": _read_review(policy.get("reviewSettings") or {}, names, unnamed),
    }
    return attributes


def _read_automatic(policy: dict) -> dict | None:
    """The rule of a policy that assigns automatically (its one target: attributeRuleMembers), if it does."""
    settings = policy.get("automaticRequestSettings") or {}
    if not settings.get("requestAccessForAllowedTargets"):
        return None
    rules = [t.get("membershipRule") for t in policy.get("specificAllowedTargets") or []
             if t.get("@odata.type") == "#microsoft.graph.attributeRuleMembers"]
    attributes = {"rule": rules[0] if rules else None,
                  "removeWhenNoLongerMatching": bool(settings.get("removeAccessWhenTargetLeavesAllowedTargets"))}
    grace = _days(settings.get("gracePeriodBeforeAccessRemoval"))
    return attributes | {"gracePeriodDays": grace} if grace else attributes


def _read_stage(stage: dict, names: dict[str, str], unnamed: set | None) -> dict:
    attributes = {"approvers": _names(stage.get("primaryApprovers"), names, unnamed),
                  "approverJustificationRequired": bool(stage.get("isApproverJustificationRequired")),
                  "autoDenyDays": _days(stage.get("durationBeforeAutomaticDenial"))}
    if stage.get("fallbackPrimaryApprovers"):
        attributes["fallbackApprovers"] = _names(stage["fallbackPrimaryApprovers"], names, unnamed)
    if stage.get("isEscalationEnabled"):
        attributes["escalation"] = {"afterDays": _days(stage.get("durationBeforeEscalation")),
                                    "approvers": _names(stage.get("escalationApprovers"), names, unnamed)}
        if stage.get("fallbackEscalationApprovers"):
            attributes["escalation"]["fallbackApprovers"] = _names(stage["fallbackEscalationApprovers"], names,
                                                                   unnamed)
    return attributes


def _read_review(review: dict, names: dict[str, str], unnamed: set | None) -> dict | None:
    if not review.get("isEnabled"):
        return None
    attributes = {
        "reviewers": [SELF] if review.get("isSelfReview") else _names(review.get("primaryReviewers"), names,
                                                                       unnamed),
        "schedule": _schedule_label(review),
        "durationDays": _days(((review.get("schedule") or {}).get("expiration") or {}).get("duration")),
        "unreviewed": _UNREVIEWED_FROM_GRAPH.get(review.get("expirationBehavior"), review.get("expirationBehavior")),
    }
    if review.get("fallbackReviewers"):
        attributes["fallbackReviewers"] = _names(review["fallbackReviewers"], names, unnamed)
    if review.get("isRecommendationEnabled") is False:
        attributes["recommendations"] = False
    if review.get("isReviewerJustificationRequired") is False:
        attributes["justificationRequired"] = False
    return attributes


def _names(subjects, names: dict[str, str], unnamed: set | None = None) -> list[str]:
    """People by UPN, groups as the configuration names them (else group:<id>), Graph's relative subjects by the
    configuration's words, anything else by its type. A user `names` does not know is named by id (and noted in
    `unnamed`)."""
    return sorted(_name(subject, names, unnamed) for subject in subjects or [])


def _name(subject: dict, names: dict[str, str], unnamed: set | None = None) -> str:
    for key, fallback in (("userId", "{}"), ("groupId", "group:{}")):
        if subject.get(key):
            object_id = subject[key]
            found = names.get(object_id) or names.get(object_id.lower())
            if found is None and key == "userId" and unnamed is not None:
                unnamed.add(object_id.lower())
            return found or fallback.format(object_id.lower())
    kind = (subject.get("@odata.type") or "?").removeprefix("#microsoft.graph.")
    return _RELATIVE_FROM_GRAPH.get(kind, kind)


def _days(duration: str | None) -> int | None:
    if not duration or not duration.startswith("P") or not duration.endswith("D"):
        return None
    try:
        return int(duration[1:-1])
    except ValueError:
        return None


def _schedule_label(review: dict) -> str | None:
    pattern = (((review.get("schedule") or {}).get("recurrence") or {}).get("pattern") or {})
    unit = {"weekly": "week", "absoluteMonthly": "month"}.get(pattern.get("type"))
    interval = pattern.get("interval") or 0
    return f"every {interval} {unit}{'s' if interval != 1 else ''}" if unit else pattern.get("type")
