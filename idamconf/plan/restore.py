"""Restoring an application the project deleted: Graph keeps a deleted application 30 days in deleted items, and
refuses meanwhile to create one by its `uniqueName` (docs/emulator.md, "Deleted applications").

Plan looks in deleted items for each name it would create (graph/read.find_deleted). A deleted application tagged
as the project's is read as the project's live application, as it was deleted, and planned as such: its change is
an update whose reason is `restore` (shown as one), and apply restores it first (`POST directory/deletedItems/{id}
/restore`, the same id and appId back), then makes it match the file as any update (roles and scopes the file
changes or drops disabled first). Its service principal is gone with it and is made again. A deleted application
of another project, or of none, holding the name is reported before anything is written.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..diagnostics import Diagnostic
from .model import RESTORE, Action, Change, Plan


def ours(deleted: dict[str, dict], tag: str) -> tuple[dict[str, dict], dict[str, dict]]:
    """The deleted applications holding the names to create: the project's (tagged), and the others."""
    mine = {name: app for name, app in deleted.items() if tag.lower() in {t.lower() for t in app.get("tags") or []}}
    return mine, {name: app for name, app in deleted.items() if name not in mine}


def marked(current: dict, restoring: set[str]) -> dict:
    """The restored applications' resources say so (`restore` in their ids), for the plan to show the restore."""
    for key, resource in list(current.items()):
        if resource.kind == "application" and resource.application in restoring:
            current[key] = replace(resource, ids={**resource.ids, RESTORE: True})
    return current


def as_restores(plan: Plan) -> Plan:
    """The plan with each application to restore's change an update whose reason is `restore`, even if the file
    changes nothing of it (the restore is the change)."""
    if not any(c.kind == "application" and c.ids.get(RESTORE) for c in plan.changes):
        return plan
    return replace(plan, changes=tuple(_restore(c) if c.kind == "application" and c.ids.get(RESTORE) else c
                                       for c in plan.changes))


def _restore(change: Change) -> Change:
    return replace(change, action=Action.UPDATE if change.action is Action.NOOP else change.action, reason=RESTORE)


def conflicts(configuration, others: dict[str, dict]) -> list[Diagnostic]:
    """A deleted application that is not the project's holds a name the configuration would create."""
    problems = []
    for app in configuration.applications:
        other = others.get(app.key)
        if other is None:
            continue
        location = app.location
        problems.append(Diagnostic(
            f"the name '{app.key}' is held by a deleted application (\"{other.get('displayName')}\", id "
            f"{other.get('id')}, deleted {other.get('deletedDateTime') or 'less than 30 days ago'}) that is not "
            f"project '{configuration.project}'s: Graph refuses to create an application by it until that one is "
            "restored, deleted for good or 30 days old",
            f"choose another name; or delete it for good (Entra admin centre, App registrations, Deleted "
            f"applications); or restore it and adopt it deliberately by adding the tag {configuration.tag} to it",
            *((location.file, location.line, location.column) if location else (str(Path(configuration.root)
                                                                                  / "idamconf.yaml"),))))
    return problems
