"""Restoring an application the project deleted: Graph keeps a deleted application 30 days in deleted items, and
refuses meanwhile to create one by its `uniqueName` (docs/emulator.md, "Deleted applications").

A plan that would create an application reads the project's deleted applications (graph/read.find_deleted: by its
tag). One holding a name to create is read as the project's live application, as it was deleted, and planned as
such (workflow._marked): its change is an update whose reason is `restore` (shown as one), and apply restores it
first (`POST directory/deletedItems/{id}/restore`, the same id and appId back), then makes it match the file as any
update (roles and scopes the file changes or drops disabled first). Its service principal is gone with it and is
made again. A deleted application of another project, or of none, holding the name is not looked for: Graph refuses
the create, and apply says so.
"""

from __future__ import annotations

from dataclasses import replace

from .model import RESTORE, Action, Change, Plan


def as_restores(plan: Plan) -> Plan:
    """The plan with each application to restore's change an update whose reason is `restore`, even if the file
    changes nothing of it (the restore is the change)."""
    if not any(c.kind == "application" and c.ids.get(RESTORE) for c in plan.changes):
        return plan
    return replace(plan, changes=tuple(_restore(c) if c.kind == "application" and c.ids.get(RESTORE) else c
                                       for c in plan.changes))


def _restore(change: Change) -> Change:
    return replace(change, action=Action.UPDATE if change.action is Action.NOOP else change.action, reason=RESTORE)
