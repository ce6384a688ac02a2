"""An access package's policy as the application file writes it: who may request, the approval stages, the review.

Approval is written in one of three ways (config/semantics.py refuses a mix):
- one stage, its keys beside the package's (`approvers`, `fallbackApprovers`, `escalation`,
  `approverJustificationRequired`, `autoDenyDays`) -- the form every file used before stages existed;
- `stages:`, a list of one to three such stages, each approving in turn;
- `approval: none`: requests are granted without approval.

People are named the same way everywhere: a user principal name, `{group: <display name or object id>}`, or a
word for a subject Graph works out per request: `manager` (the requestor's manager), `sponsors` (the requestor's
sponsors), and, among reviewers, `self` (people review their own access).
"""

from __future__ import annotations

import re

from .model import AccessReview, ApprovalStage, Escalation, Location

GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
STAGE_KEYS = ("approvers", "fallbackApprovers", "escalation", "approverJustificationRequired", "autoDenyDays")


def subject(item) -> str:
    """The model's form of one person as written: a UPN or word as it is, a group as "group:<name or id>" (an id
    lower-cased: Graph's ids are compared in any case)."""
    if isinstance(item, dict):
        group = str(item["group"])
        return f"group:{group.lower()}" if GUID.match(group) else f"group:{group}"
    return item


def subjects(items) -> tuple[str, ...]:
    return tuple(subject(item) for item in items or ())


def stages(raw: dict) -> tuple[ApprovalStage, ...]:
    """The approval stages the package writes: none for `approval: none`."""
    if raw.get("approval") == "none":
        return ()
    if "stages" in raw:
        return tuple(_stage(stage, ("stages", index)) for index, stage in enumerate(raw["stages"]))
    return (_stage(raw, ()),)


def _stage(raw: dict, path: tuple) -> ApprovalStage:
    escalation = raw.get("escalation")
    return ApprovalStage(
        approvers=subjects(raw.get("approvers")), fallback_approvers=subjects(raw.get("fallbackApprovers")),
        justification=raw.get("approverJustificationRequired", True), auto_deny_days=raw.get("autoDenyDays", 14),
        escalation=None if escalation is None else Escalation(
            escalation["afterDays"], subjects(escalation.get("approvers")),
            subjects(escalation.get("fallbackApprovers"))),
        path=path)


def review(raw: dict | None, default_duration, location: Location) -> AccessReview | None:
    if raw is None:
        return None
    return AccessReview(
        reviewers=subjects(raw["reviewers"]), frequency_days=raw["frequencyDays"],
        duration_days=raw.get("durationDays", default_duration(raw["frequencyDays"])),
        unreviewed=raw.get("unreviewed", "remove"), fallback_reviewers=subjects(raw.get("fallbackReviewers")),
        recommendations=raw.get("recommendations", True), justification=raw.get("justificationRequired", True),
        location=location)


def requestors(raw: dict) -> tuple[str, ...] | None:
    written = raw.get("requestors", "allMembers")
    return None if written == "allMembers" else subjects(written)


# ---------------------------------------------------------------------------------------------------------- checks
def check(document, raw: dict, package, base: tuple) -> list:
    """What the schema cannot say about one package's policy (`raw`: as written; `base`: its path in the file)."""
    return _approval_form(document, raw, base) + _relative_without_fallback(document, package, base) + \
        _escalations(document, package, base) + _self_review(document, package, base)


def _approval_form(document, raw: dict, base: tuple) -> list:
    """Approval written in exactly one of its three forms (see the module's notes)."""
    flat = [key for key in STAGE_KEYS if key in raw]
    if raw.get("approval") == "none":
        clash = flat + [key for key in ("stages",) if key in raw]
        return [document.diagnostic(base + (key,), f"{key} is written, but approval: none grants requests without "
                                    "approval", f"remove {key}, or remove approval: none") for key in clash]
    if "stages" in raw:
        return [document.diagnostic(base + (key,), f"{key} is written beside stages: each stage has its own",
                                    f"move {key} into the stage it belongs to") for key in flat]
    if "approvers" not in raw:
        return [document.diagnostic(base, "the access package says nobody who approves requests",
                                    "add approvers: [<user principal name or {group: <name>}>], stages: [...], or "
                                    "approval: none to grant requests without approval")]
    return []


def _relative_without_fallback(document, package, base: tuple) -> list:
    """`manager` or `sponsors` without fallbacks: a requestor may have neither, and Graph then has nobody to ask."""
    lists = [(stage.path, "approvers", stage.approvers, stage.fallback_approvers) for stage in package.stages]
    lists += [(stage.path + ("escalation",), "approvers", stage.escalation.approvers,
               stage.escalation.fallback_approvers) for stage in package.stages if stage.escalation is not None]
    if package.review is not None:
        lists.append((("accessReview",), "reviewers", package.review.reviewers, package.review.fallback_reviewers))
    problems = []
    for path, key, named, fallbacks in lists:
        for index, who in enumerate(named):
            if who in ("manager", "sponsors") and not fallbacks:
                fallback = "fallbackReviewers" if key == "reviewers" else "fallbackApprovers"
                problems.append(document.diagnostic(
                    base + path + (key, index), f"'{who}' is among the {key}, but a requestor may have no {who}: "
                    "Graph then has nobody to ask", f"add {fallback}: [<user principal name or {{group: <name>}}>] "
                    f"beside these {key}"))
    return problems


def _escalations(document, package, base: tuple) -> list:
    return [document.diagnostic(base + stage.path + ("escalation", "afterDays"), f"the request is escalated after "
                                f"{stage.escalation.after_days} days, but denied after {stage.auto_deny_days}: it "
                                "would never be escalated", f"use afterDays below {stage.auto_deny_days}, or raise "
                                "autoDenyDays")
            for stage in package.stages
            if stage.escalation is not None and stage.escalation.after_days >= stage.auto_deny_days]


def _self_review(document, package, base: tuple) -> list:
    """Graph's self-review is a setting of its own (isSelfReview): people review themselves and nobody else does."""
    reviewers = package.review.reviewers if package.review else ()
    if "self" not in reviewers or len(reviewers) == 1:
        return []
    return [document.diagnostic(base + ("accessReview", "reviewers", reviewers.index("self")), "self is listed with "
                                "other reviewers: with self-review, people review only their own access",
                                "list self alone, or remove it")]
