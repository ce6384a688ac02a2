"""The organisation's two-people rules (config/access.py: two approvers, two reviewers) counted again at plan time,
as the tenant tells people apart, where the environment makes them errors.

`validate` reads no tenant and counts what the file writes: a group written by its name and again by its id, or a
group whose only member is the other approver written, passed there as two. Here each subject counts as the people
it names: a user as themself; a group as its direct members when the plan's group look-up read them all (fewer than
the 20 Graph expands, every one a user: graph/read_assignments.GROUP_MEMBERS) -- otherwise, as the group itself
(one, as validate counts it); `manager` and `sponsors` as one each. Fewer than two people is refused at the file's
line. Entitlement management asks a group's members when a request comes; membership read at plan time may change
by then, so a group of two or more people passes here, whoever they are then.
"""

from __future__ import annotations

from ..config.access import distinct_people, severity
from ..config.model import Configuration
from ..diagnostics import Diagnostic
from ..graph.limits import EXPANDED

USER = "#microsoft.graph.user"


def two_people(configuration: Configuration, environment: str, package, found: tuple, groups, names: dict):
    """Diagnostics for `package`'s policies. `found`: plan/policy.resolve's (labels, label -> object id); `groups`:
    graph/read_assignments.Groups (with members); `names`: object id -> how plans name it."""
    labels, ids = found
    problems = []
    for policy in package.policies:
        named = [("approvers.two", "approver", policy.stages[0].path + ("approvers",), policy.approvers)] \
            if policy.stages else []  # (every stage's, counted together, at the first's: as validate does)
        if policy.review is not None:
            named.append(("reviewers.two", "reviewer", ("accessReview", "reviewers"), policy.review.reviewers))
        for rule, noun, path, written in named:
            if len(distinct_people(written)) < 2 or severity(configuration, environment, rule) != "error":
                continue  # (fewer than two written: validate's own finding)
            resolved = {labels.get(subject.lower(), subject.lower()) for subject in written}
            people = {subject.lower(): _people(subject, labels, ids, groups) for subject in written}
            counted = set().union(*people.values())
            if min(len(resolved), len(counted)) >= 2:
                continue
            where = package.at(policy.path + path)
            if len(resolved) < 2:
                summary = (f"the {len(written)} {noun}s written are {len(resolved)} in environment {environment} "
                           f"({', '.join(sorted(resolved))}): one group or person written two ways")
                fix = f"add a second {noun}: each name and id here names one group or person"
            else:
                summary = (f"the {len(written)} {noun}s written are {_count(counted)} in environment {environment} "
                           f"({_who(people, labels, names)}): a group holds no one but the other {noun}s written")
                fix = f"add a second {noun} who is not in the group, or a second member to the group"
            problems.append(Diagnostic(f"{summary}; the organisation requires at least two [{rule}]", fix,
                                       where.file, where.line, where.column, rule=rule))
    return problems


def _people(subject: str, labels: dict, ids: dict, groups) -> frozenset:
    """Whom one subject names: user ids, a group's members' ids, or its label when that cannot be told."""
    label = labels.get(subject.lower(), subject.lower())
    object_id = (ids.get(label) or "").lower()
    if not object_id:
        return frozenset({label})  # manager, sponsors, or unknown (a problem of its own)
    group = groups.by_id.get(object_id) if groups is not None and label.startswith("group:") else None
    if group is None:
        return frozenset({label if label.startswith("group:") else object_id})
    members = group.get("members")
    if not isinstance(members, list) or len(members) >= EXPANDED or \
            any(member.get("@odata.type") != USER for member in members):
        return frozenset({label})  # not all read, or a group in it: one, as validate counts it
    return frozenset(member["id"].lower() for member in members)


def _count(people: set) -> str:
    return f"{len(people)} {'person' if len(people) == 1 else 'people'}"


def _who(people: dict, labels: dict, names: dict) -> str:
    """Each subject written and whom it names: `group:idam approvers` has 1 member, alice.admin@contoso.com."""
    parts = []
    for subject, ids in people.items():
        label = labels.get(subject, subject)
        if label.startswith("group:") and not (len(ids) == 1 and label in ids):
            members = ", ".join(sorted(names.get(member, member) for member in ids)) or "nobody"
            parts.append(f"{label} has {len(ids)} member{'s' if len(ids) != 1 else ''}: {members}")
        else:
            parts.append(names.get(next(iter(ids)), label) if len(ids) == 1 else label)
    return "; ".join(dict.fromkeys(parts))
