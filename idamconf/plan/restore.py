"""Restoring an application the project deleted: Graph keeps a deleted application 30 days in deleted items, and
refuses meanwhile to create one by its `uniqueName` (docs/emulator.md, "Deleted applications").

A plan that would create an application reads the project's deleted applications (graph/read.find_deleted: by its
tag), each with its owners. One holding a name to create is read as the project's live application, as it was
deleted, and planned as such (workflow._marked): its change is an update whose reason is `restore` (shown as one),
and apply restores it first (`POST directory/deletedItems/{id}/restore`, the same id and appId back, and its
owners), then makes it match the file as any update (roles and scopes the file changes or drops disabled first).
Graph restores an application without its service principal, which waits in deleted items to be restored on its
own (directory-deleteditems-restore.md): a plan that restores reads the project's deleted service principals too
(graph/read.find_deleted_service_principals), and one of an application to restore is restored the same way, right
after it -- its object id, and so what outside idamconf refers to it (Azure role assignments, a SAML signing
certificate the service provider trusts), kept; if none is there, one is created. A deleted application of another
project, or of none, holding the name is not looked for: Graph refuses the create, and apply says so.
"""

from __future__ import annotations

from dataclasses import replace

from .model import RESTORE, Action, Change, Plan


RESTORED_KINDS = {"application": "id", "service_principal": "servicePrincipalId"}  # kind -> its deleted item's id


def as_restores(plan: Plan) -> Plan:
    """The plan with each application and service principal to restore's change an update whose reason is
    `restore`, even if the file changes nothing of it (the restore is the change)."""
    if not any(_restored(c) for c in plan.changes):
        return plan
    return replace(plan, changes=tuple(_restore(c) if _restored(c) else c for c in plan.changes))


def deleted_item(change: Change) -> str:
    """The id of the deleted item a restore's change brings back (what the plan shows and apply restores)."""
    return str(change.ids.get(RESTORED_KINDS[change.kind]))


def _restored(change: Change) -> bool:
    return change.kind in RESTORED_KINDS and bool(change.ids.get(RESTORE))


def _restore(change: Change) -> Change:
    return replace(change, action=Action.UPDATE if change.action is Action.NOOP else change.action, reason=RESTORE)
