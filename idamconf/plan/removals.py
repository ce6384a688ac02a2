"""The changes that take access away, which `apply` makes only with `--allow-delete`.

Deleting anything (an application, a role, an exposed scope, a pre-authorised client, an owner, an access package,
its policy or role scope, a role's assignment to a group or a user, an owner of the service principal) is one. So is leaving an enabled role or scope disabled: whoever holds the role, or was
granted the scope, loses what it grants, as if it were gone -- `enabled: false`, and also a role or scope whose
removal Graph makes in two steps (disable, then remove), where the removal is the deletion. A role disabled only for
a moment -- Graph changes a role only while it is disabled, so the plan disables it, changes it, and the change
enables it again -- takes nothing away and needs no flag. What decides is the role's state once the plan is through
(its last change) against its state now (its first change's `before`), not the steps between.

A delegated consent that loses scopes takes them away too (plan/permissions.narrowed).

A pre-authorised client taken out is a deletion too: its users are asked to consent again, which in a tenant where
users may not consent (the usual setting) means they lose the API until an administrator consents. A logo is never
deleted (Graph can only replace one), and replacing it takes nothing away. A client secret's removal that its
rotation plans (superseded after its overlap, expired, or with no copy in the vault: credentials/rotation.py) is the
configuration's own schedule and takes away nothing anyone legitimately holds; removing one the file stopped naming
is a deletion like the others. Nor is an empty access package an apply of the project left behind (its shell, half
made or half taken apart: plan/left_behind.py), which grants nothing and has no policy: its deletion takes nothing
away, and the rename or removal in the file that left it unclaimed is no deletion either.
"""

from __future__ import annotations

from .left_behind import is_shell
from .model import DISABLED_FIRST, Action, Change, Plan
from .permissions import narrowed
from ..credentials.rotation import planned_removal


def removing_access(plan: Plan) -> tuple[Change, ...]:
    """Deletions, roles and scopes enabled now that the plan leaves disabled, and consents narrowed, in the plan's
    order."""
    disabled = {id(change) for change in disabled_roles(plan)}
    return tuple(change for change in plan.pending if change.action is Action.DELETE and not planned_removal(change)
                 and not is_shell(change) or id(change) in disabled or narrowed(change))


def disabled_roles(plan: Plan) -> list[Change]:
    """Each role's (and scope's) last change where it leaves it disabled and it is enabled now."""
    first: dict[tuple, Change] = {}
    last: dict[tuple, Change] = {}
    for change in plan.pending:
        if change.kind in DISABLED_FIRST:  # by id: a role's steps are matched whatever address each has
            key = (change.application, change.kind, (change.after or change.before)["id"])
            first.setdefault(key, change)
            last[key] = change
    return [change for key, change in last.items()
            if change.action is Action.UPDATE and _enabled(first[key].before) and not _enabled(change.after)]


def _enabled(attributes: dict | None) -> bool:
    return bool(attributes) and attributes.get("isEnabled", True) is not False
