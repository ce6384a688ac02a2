"""The changes that take access away, which `apply` makes only with `--allow-delete`.

Deleting anything (an application, a role, an owner, an access package, its policy or role scope, a role's assignment
to a group or a user, an owner of the service principal) is one. So is
leaving an enabled role disabled: whoever holds it loses what it grants, as if it were gone -- `enabled: false`,
and also a role whose removal Graph makes in two steps (disable, then remove), where the removal is the deletion.
A role disabled only for a moment -- Graph changes a role only while it is disabled, so the plan disables it, changes
it, and the change enables it again -- takes nothing away and needs no flag. What decides is the role's state once
the plan is through (its last change) against its state now (its first change's `before`), not the steps between.
A delegated consent that loses scopes takes them away too (plan/permissions.narrowed).
"""

from __future__ import annotations

from .model import Action, Change, Plan
from .permissions import narrowed


def removing_access(plan: Plan) -> tuple[Change, ...]:
    """Deletions, roles enabled now that the plan leaves disabled, and consents narrowed, in the plan's order."""
    disabled = {id(change) for change in disabled_roles(plan)}
    return tuple(change for change in plan.pending if change.action is Action.DELETE or id(change) in disabled
                 or narrowed(change))


def disabled_roles(plan: Plan) -> list[Change]:
    """Each role's last change where it leaves the role disabled and the role is enabled now."""
    first: dict[str, Change] = {}
    last: dict[str, Change] = {}
    for change in plan.pending:
        if change.kind == "role":
            first.setdefault(change.address, change)
            last[change.address] = change
    return [change for address, change in last.items()
            if change.action is Action.UPDATE and _enabled(first[address].before) and not _enabled(change.after)]


def _enabled(attributes: dict | None) -> bool:
    return bool(attributes) and attributes.get("isEnabled", True) is not False
