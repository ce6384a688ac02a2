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

Deleting a service principal empties the access packages that granted its roles (workflow._restoring): a package
the file declares for an application the plan restores, found under its name in its catalog granting nothing, is
taken back by its id (`EMPTIED`), not made again. It is planned as what apply does with it -- an update whose reason
is `take-back`, from the package as it is -- and shown so, as a restore is, in every rendering (`said`).
"""

from __future__ import annotations

from dataclasses import replace

from .model import RESTORE, TAKE_BACK, Action, Change, Plan


RESTORED_KINDS = {"application": "id", "service_principal": "servicePrincipalId"}  # kind -> its deleted item's id
EMPTIED = "emptied"  # an access package's ids: the id of the package its application's deletion emptied
_SAID = {RESTORE: "restore {} from deleted items, then update",
         TAKE_BACK: "take back {}, emptied when its application was deleted, then update"}


def as_restores(plan: Plan) -> Plan:
    """The plan with each application and service principal to restore's change an update whose reason is
    `restore`, and each access package to take back's one whose reason is `take-back`, even if the file changes
    nothing of it (the restore is the change)."""
    if not any(_restored(c) for c in plan.changes):
        return plan
    return replace(plan, changes=tuple(_restore(c) if _restored(c) else c for c in plan.changes))


def deleted_item(change: Change) -> str:
    """The id of the deleted item a restore's change brings back, or of the package a take-back's takes (what the
    plan shows and apply restores or takes)."""
    return str(change.ids.get(EMPTIED if change.reason == TAKE_BACK else RESTORED_KINDS[change.kind]))


def held(resource) -> bool:
    """Whether the tenant holds a live resource as it is: not one read from deleted items to restore, nor a package
    its application's deletion emptied. Drift (plan/drift.py) takes those as absent: what was deleted outside
    idamconf is a change made outside it, and what an apply deleted is not there as last applied."""
    return not (resource.ids.get(RESTORE) or resource.ids.get(EMPTIED))


def said(change: Change, value=str) -> str | None:
    """What a restore's or take-back's change says it does, its id escaped by `value` for the output; else None."""
    return _SAID[change.reason].format(value(deleted_item(change))) if change.reason in _SAID else None


def _restored(change: Change) -> bool:
    return change.kind in RESTORED_KINDS and bool(change.ids.get(RESTORE)) or \
        change.kind == "access_package" and bool(change.ids.get(EMPTIED))


def _restore(change: Change) -> Change:
    return replace(change, action=Action.UPDATE if change.action is Action.NOOP else change.action,
                   reason=RESTORE if change.kind in RESTORED_KINDS else TAKE_BACK)
