"""Access packages: derived names, review schedules Graph can represent, and the organisation's rules.

Pure functions over the desired model; `rule_findings` gives each finding the severity configured for every
environment the application is in, and reports it once at the strictest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..diagnostics import Diagnostic
from ..graph.limits import review_period_days
from ..quick_init import quick_init
from .model import Application, Configuration
from .overrides import written_at
from .policy import ADMIN_ONLY

DEFAULT_RULES = {"approvers.two": "warning", "reviewers.two": "warning", "review.frequency": "error",
                 "approval.required": "warning", "review.required": "warning",
                 "review.approver-is-only-reviewer": "warning", "secret.lifetime": "error"}
STRICT_ENVIRONMENTS = {"live": {"approvers.two": "error", "reviewers.two": "error",
                                "approval.required": "error", "review.required": "error",
                                "security.high-privilege-permission": "error"}}
RANK = {"off": 0, "warning": 1, "error": 2}
MIN_DAYS, MAX_DAYS = 30, 365


@quick_init
@dataclass(frozen=True, slots=True)
class Schedule:
    """An access review recurrence as Graph takes it: `weekly` or `absoluteMonthly`, every `interval` of them."""

    pattern: str
    interval: int

    @property
    def label(self) -> str:
        unit = "week" if self.pattern == "weekly" else "month"
        return f"every {self.interval} {unit}{'s' if self.interval != 1 else ''}"


def review_schedule(days: int) -> Schedule | None:
    """`frequencyDays` mapped exactly: multiples of 7 weekly; multiples of 30, or 365, monthly. None if neither."""
    if days % 7 == 0:
        return Schedule("weekly", days // 7)
    if days % 30 == 0:
        return Schedule("absoluteMonthly", days // 30)
    if days % 365 == 0:
        return Schedule("absoluteMonthly", 12 * (days // 365))
    return None


def default_duration(frequency_days: int) -> int:
    """How long a review stays open unless the configuration says: 14 days, or less if it recurs more often --
    Graph refuses a review open longer than it recurs (graph/limits.py [reviews])."""
    schedule = review_schedule(frequency_days)
    return min(14, review_period_days(schedule.pattern, schedule.interval)) if schedule else 14


def nearest_schedules(days: int) -> list[int]:
    """The representable frequencies closest to `days`, below and above it."""
    below = next((d for d in range(days - 1, 0, -1) if review_schedule(d)), None)
    above = next(d for d in range(days + 1, days + 400) if review_schedule(d))
    return [d for d in (below, above) if d is not None]


def package_name(organisation: str | None, department: str | None, application: str, role_name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", role_name.lower()).strip("-")
    plural = slug if slug.endswith("s") else slug + "s"
    return "-".join(part for part in (organisation, department, application, plural) if part)


def severity(configuration: Configuration, environment: str, rule: str, default: str | None = None) -> str:
    """`rule`'s severity in `environment`: as configured there, else the environment's and then the rule's default
    (`default` for a rule not in DEFAULT_RULES, such as lint's)."""
    configured = configuration.environments[environment].rules
    return configured.get(rule) or STRICT_ENVIRONMENTS.get(environment, {}).get(rule) or \
        DEFAULT_RULES.get(rule, default)


def strictest(configuration: Configuration, environments, rule: str, default: str | None = None) -> tuple[str, str]:
    """The strictest severity of `rule` among `environments` ("off" if none), and a note saying where it differs."""
    levels = {name: severity(configuration, name, rule, default) for name in environments}
    return max(levels.values(), key=RANK.__getitem__, default="off"), _levels_note(levels)


def rule_findings(configuration: Configuration, runs, checks=None) -> list[Diagnostic]:
    """The organisation's rules on one application (`checks`: app -> (rule, path, summary, fix) of each problem;
    default its access packages', `package_checks`), at the strictest configured severity.

    `runs`: (document, application, environments) -- the application as each of its environments has it (the file's
    values for those no override touches, each override's own; config/application.file_checks). A problem alike in
    several (the same rule, place and words) is one finding, graded at the strictest of all their environments, as
    lint grades it (lint/findings._each_environment): until session 53 each was graded apart, and a problem of an
    application with overrides was reported twice, a warning and an error at one line."""
    found: dict[tuple, tuple] = {}  # (rule, where written, summary, fix) -> ((document, path), environments)
    for document, app, environments in runs:  # (placed by path, not by line: a warning's line is looked up only
        for rule, path, summary, fix in (checks or package_checks)(app):  # if shown -- yamlfile.PLACING_WARNINGS)
            key = (rule, written_at(document, path), summary, fix)
            first, where = found.get(key, ((document, path), ()))
            found[key] = first, where + tuple(environments)
    findings = []
    for (rule, _, summary, fix), ((document, path), environments) in found.items():
        worst, where = strictest(configuration, dict.fromkeys(environments), rule)
        if worst != "off":
            finding = document.diagnostic(path, f"{summary} [{rule}]{where}", fix, severity=worst)
            findings.append(replace(finding, rule=rule))
    return findings


def package_checks(app: Application):
    """(rule, path, summary, fix) for each of the organisation's rules that an access package of `app` breaks."""
    for index, role in enumerate(app.app_roles):
        if role.access_package is not None:
            for policy in role.access_package.policies:
                yield from _checks(policy, ("appRoles", index, "accessPackage") + policy.path)
    for index, package in enumerate(app.access_packages):
        for policy in package.policies:
            yield from _checks(policy, ("accessPackages", index) + policy.path)


def _checks(policy, base: tuple):
    approvers = distinct_people(policy.approvers)
    if policy.stages and len(approvers) < 2:  # approval: none is approval.required's, not a lone approver
        yield ("approvers.two", base + policy.stages[0].path + ("approvers",), f"only {len(approvers)} "
               f"approver{_as_one(policy.approvers)}; the organisation requires at least two",
               "add a second approver so that nobody approves alone")
    yield from _unapproved_or_unreviewed(policy, base)
    review = policy.review
    if review is None:
        return
    reviewers = distinct_people(review.reviewers)
    if len(reviewers) < 2:
        yield ("reviewers.two", base + ("accessReview", "reviewers"), f"only {len(reviewers)} reviewer"
               f"{_as_one(review.reviewers)}; the organisation requires at least two", "add a second reviewer")
    if not MIN_DAYS <= review.frequency_days <= MAX_DAYS:
        yield ("review.frequency", base + ("accessReview", "frequencyDays"), f"reviews every {review.frequency_days} "
               f"days; the organisation requires every {MIN_DAYS} to {MAX_DAYS} days",
               f"use a frequency from {MIN_DAYS} to {MAX_DAYS} days, e.g. 90 or 365")
    if len(reviewers) == 1 and reviewers[0] in approvers:
        yield ("review.approver-is-only-reviewer", base + ("accessReview", "reviewers"), f"{review.reviewers[0]} "
               "approves access and is also its only reviewer", "add a reviewer who is not an approver")


def _unapproved_or_unreviewed(policy, base: tuple):
    """A policy people request granting access without approval (`approval: none`), and one whose assignments are
    never reviewed. Neither applies where nobody requests: administrators assigning (`requestors: none`) approve by
    assigning, and needs no approval; `automatic` assigns whoever its rule matches, so the rule, not a reviewer,
    decides who keeps access (a reviewer's removal would be undone by the rule)."""
    if not policy.stages and policy.automatic is None and policy.requestors != ADMIN_ONLY:
        yield ("approval.required", base + ("approval",), "requests are granted without approval (approval: none); "
               "the organisation requires at least two approvers", "replace approval: none with approvers: "
               "[<two user principal names or {group: <name>}>]")
    if policy.review is None and policy.automatic is None:
        yield ("review.required", base, "access is never reviewed (no accessReview); the organisation requires a "
               f"review every {MIN_DAYS} to {MAX_DAYS} days", "add accessReview: {reviewers: [<two people>], "
               "frequencyDays: 90}")


def distinct_people(subjects) -> list[str]:
    """Each person (or group) once, as the tenant tells them apart: user principal names and group names in any
    case, so carol.hr@contoso.com and CAROL.HR@contoso.com are one approver, never the two the rule asks for."""
    return list(dict.fromkeys(subject.casefold() for subject in subjects))


def _as_one(subjects) -> str:
    """The rules count people, not members: a group (or the requestor's manager) is one approver or reviewer, as
    nobody can tell how many people a group will hold when a request comes."""
    return " (a group counts as one)" if any(s.startswith("group:") for s in subjects) else ""


def _levels_note(levels: dict) -> str:
    distinct = set(levels.values())
    if len(distinct) <= 1:
        return ""
    parts = [f"{level} in {', '.join(sorted(n for n, l in levels.items() if l == level))}"
             for level in sorted(distinct, key=RANK.__getitem__, reverse=True)]
    return f" ({'; '.join(parts)})"
