"""An access package's policies as the application file writes them: who may request, the approval stages, the
questions, the review.

A package has one policy, its keys beside the package's (named as the package: the form every file used first), or
several under `policies:`, each with a `name` of its own -- its identity: renaming one is replacing it, unless it
says `renamedFrom: <its old name>`, which renames it in place.

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

from .model import AccessPolicy, AccessReview, ApprovalStage, Automatic, Escalation, Location, Question

GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
STAGE_KEYS = ("approvers", "fallbackApprovers", "escalation", "approverJustificationRequired", "autoDenyDays")
POLICY_KEYS = STAGE_KEYS + ("stages", "approval", "requestors", "requestorJustificationRequired", "assignmentDays",
                            "accessReview", "questions", "extension", "automatic")
ADMIN_ONLY = "none"  # requestors: none -- nobody requests; administrators assign


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
    """The approval stages the policy writes: none for `approval: none`, and for a policy nobody requests
    (`requestors: none`) that names no approvers."""
    nobody_requests = raw.get("requestors") == ADMIN_ONLY or "automatic" in raw
    if raw.get("approval") == "none" or nobody_requests and not _approval_keys(raw):
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


def requestors(raw: dict) -> tuple[str, ...] | str | None:
    written = raw.get("requestors", "allMembers")
    return None if written == "allMembers" else ADMIN_ONLY if written == ADMIN_ONLY else subjects(written)


def policies(raw: dict, location: Location, default_duration) -> tuple[AccessPolicy, ...]:
    """The package's policies: those under `policies:`, else the one written beside the package's keys."""
    if "policies" in raw:
        return tuple(_policy(item, ("policies", index), location, default_duration)
                     for index, item in enumerate(raw["policies"]))
    return (_policy(raw, (), location, default_duration),)


def _policy(raw: dict, path: tuple, location: Location, default_duration) -> AccessPolicy:
    return AccessPolicy(
        name=raw.get("name") if path else None, stages=stages(raw),
        requestor_justification=raw.get("requestorJustificationRequired", True), requestors=requestors(raw),
        assignment_days=raw.get("assignmentDays"),
        review=review(raw.get("accessReview"), default_duration, location.at(*location.path, *path, "accessReview")),
        questions=tuple(_question(item) for item in raw.get("questions") or ()),
        extension=raw.get("extension", "none"), automatic=_automatic(raw.get("automatic")),
        description=raw.get("description") if path else None, renamed_from=raw.get("renamedFrom"), path=path)


def _automatic(raw: dict | None) -> Automatic | None:
    if raw is None:
        return None
    return Automatic(raw["rule"], raw.get("removeWhenNoLongerMatching", True), raw.get("gracePeriodDays"))


def _question(raw: dict) -> Question:
    return Question(text=raw["text"], required=raw.get("required", False), choices=tuple(raw.get("choices") or ()),
                    multiple=raw.get("multipleSelection", False),
                    localized=tuple(sorted((raw.get("localizedText") or {}).items())),
                    single_line=raw.get("singleLine", True))


# ---------------------------------------------------------------------------------------------------------- checks
def _approval_keys(raw: dict) -> list[str]:
    return [key for key in STAGE_KEYS + ("stages",) if key in raw]


def check(document, raw: dict, package, base: tuple) -> list:
    """What the schema cannot say about one package's policies (`raw`: the package as written; `base`: its path)."""
    problems = _policies_form(document, raw, base) + _names(document, package, base)
    for policy in package.policies:
        written = _at_path(raw, policy.path)
        where = base + policy.path
        problems += _approval_form(document, written, where) + _relative_without_fallback(document, policy, where) + \
            _escalations(document, policy, where) + _self_review(document, policy, where) + \
            _questions(document, policy, where) + _extension(document, policy, where)
    return problems


def _at_path(raw: dict, path: tuple) -> dict:
    for part in path:
        raw = raw[part]
    return raw


def _policies_form(document, raw: dict, base: tuple) -> list:
    if "policies" not in raw:
        return []
    return [document.diagnostic(base + (key,), f"{key} is written beside policies: each policy has its own",
                                f"move {key} into the policies it belongs to") for key in POLICY_KEYS if key in raw]


def _names(document, package, base: tuple) -> list:
    """Policies are told apart by name, compared as Graph compares names: in any case."""
    seen, problems = {}, []
    for policy in package.policies:
        for name, key in ((policy.name, "name"), (policy.renamed_from, "renamedFrom")):
            if name is None:
                continue
            first = seen.setdefault(name.casefold(), policy)
            if first is not policy:
                problems.append(document.diagnostic(base + policy.path + (key,), f"policy name '{name}' is also "
                                                    f"used by policies[{first.path[-1]}] of this package (names "
                                                    "are compared in any case)", "give each policy its own name"))
    return problems


def _approval_form(document, raw: dict, base: tuple) -> list:
    """Approval written in exactly one of its three forms (see the module's notes)."""
    flat = [key for key in STAGE_KEYS if key in raw]
    if "automatic" in raw:
        return [document.diagnostic(base + (key,), f"{key} is written, but automatic assigns everyone its rule "
                                    "matches: nobody requests, so nobody approves",
                                    f"remove {key}, or remove automatic") for key in
                _approval_keys(raw) + [k for k in ("requestors", "extension", "questions") if k in raw]]
    if raw.get("requestors") == ADMIN_ONLY:
        return [document.diagnostic(base + (key,), f"{key} is written, but requestors: none means nobody requests "
                                    "this policy (administrators assign it), so nobody approves",
                                    f"remove {key}, or say who may request") for key in _approval_keys(raw)]
    if raw.get("approval") == "none":
        clash = flat + [key for key in ("stages",) if key in raw]
        return [document.diagnostic(base + (key,), f"{key} is written, but approval: none grants requests without "
                                    "approval", f"remove {key}, or remove approval: none") for key in clash]
    if "stages" in raw:
        return [document.diagnostic(base + (key,), f"{key} is written beside stages: each stage has its own",
                                    f"move {key} into the stage it belongs to") for key in flat]
    if "approvers" not in raw:
        return [document.diagnostic(base, "the policy says nobody who approves requests",
                                    "add approvers: [<user principal name or {group: <name>}>], stages: [...], or "
                                    "approval: none to grant requests without approval")]
    return []


def _relative_without_fallback(document, policy, base: tuple) -> list:
    """`manager` or `sponsors` without fallbacks: a requestor may have neither, and Graph then has nobody to ask."""
    lists = [(stage.path, "approvers", stage.approvers, stage.fallback_approvers) for stage in policy.stages]
    lists += [(stage.path + ("escalation",), "approvers", stage.escalation.approvers,
               stage.escalation.fallback_approvers) for stage in policy.stages if stage.escalation is not None]
    if policy.review is not None:
        lists.append((("accessReview",), "reviewers", policy.review.reviewers, policy.review.fallback_reviewers))
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


def _escalations(document, policy, base: tuple) -> list:
    return [document.diagnostic(base + stage.path + ("escalation", "afterDays"), f"the request is escalated after "
                                f"{stage.escalation.after_days} days, but denied after {stage.auto_deny_days}: it "
                                "would never be escalated", f"use afterDays below {stage.auto_deny_days}, or raise "
                                "autoDenyDays")
            for stage in policy.stages
            if stage.escalation is not None and stage.escalation.after_days >= stage.auto_deny_days]


def _self_review(document, policy, base: tuple) -> list:
    """Graph's self-review is a setting of its own (isSelfReview): people review themselves and nobody else does."""
    reviewers = policy.review.reviewers if policy.review else ()
    if "self" not in reviewers or len(reviewers) == 1:
        return []
    return [document.diagnostic(base + ("accessReview", "reviewers", reviewers.index("self")), "self is listed with "
                                "other reviewers: with self-review, people review only their own access",
                                "list self alone, or remove it")]


def _questions(document, policy, base: tuple) -> list:
    """A choice offered twice could not be told apart in the answers."""
    problems = []
    for index, question in enumerate(policy.questions):
        repeated = sorted({c for c in question.choices if question.choices.count(c) > 1})
        if repeated:
            problems.append(document.diagnostic(base + ("questions", index, "choices"), f"choice '{repeated[0]}' is "
                                                "offered twice", "offer each choice once"))
    return problems


def _extension(document, policy, base: tuple) -> list:
    """Only an assignment that expires can be extended; an extension approved by nobody is not `withApproval`."""
    if policy.extension == "none":
        return []
    if policy.assignment_days is None:
        return [document.diagnostic(base + ("extension",), "assignments of this policy never expire (no "
                                    "assignmentDays): there is nothing to extend", "add assignmentDays, or remove "
                                    "extension")]
    if policy.extension == "withApproval" and not policy.stages:
        return [document.diagnostic(base + ("extension",), "extension: withApproval, but the policy has no approvers",
                                    "use extension: withoutApproval, or name approvers")]
    return []
