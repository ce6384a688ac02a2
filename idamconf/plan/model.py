"""The plan is data: immutable changes to addressed resources, computed once and rendered or applied as is."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property

from ..quick_init import quick_init


class Action(str, Enum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    NOOP = "no-op"
    ADOPT = "adopt"  # an existing application, named by its appId, becomes the project's (plan/adoption.py)

    @property
    def symbol(self) -> str:
        return {"create": "+", "update": "~", "delete": "-", "no-op": " ", "adopt": "↻"}[self.value]


DISABLE_FIRST = "disable-first"  # the reason on the step Graph requires before an enabled role changes or goes
DISABLED_FIRST = frozenset({"role", "scope"})  # the kinds Graph changes or removes only once disabled
RESTORE = "restore"  # the reason on an application's update that first restores it from deleted items (plan/restore)
TAKE_BACK = "take-back"  # the reason on the update of an access package its application's deletion emptied (plan/restore)


# A plan at 10,000 applications holds 260,000 resources and 130,000 changes: they are slotted (smaller, quicker to
# build and to free), and hold their dicts (attributes, ids) shared, not copied: these are read, never changed.
NO_IDS: dict = {}  # the ids of what is not in the tenant


@quick_init
@dataclass(frozen=True, slots=True)
class Resource:
    """One thing idamconf manages, in a comparable form. `ids` are live object ids: known, never compared."""

    kind: str  # application | role | service_principal | owner
    address: str  # e.g. app.wordpress.role.Blog.Writer
    application: str  # the owning application's name (uniqueName)
    attributes: dict
    ids: dict = field(default_factory=lambda: NO_IDS, compare=False)


@quick_init
@dataclass(frozen=True, slots=True)
class AttributeChange:
    path: str  # e.g. displayName, web.redirectUris
    before: object
    after: object


@quick_init
@dataclass(frozen=True, slots=True)
class Change:
    address: str
    kind: str
    application: str
    action: Action
    before: dict | None
    after: dict | None
    attributes: tuple[AttributeChange, ...] = ()
    reason: str | None = None
    ids: dict = field(default_factory=dict)

    @property
    def counted(self) -> bool:
        """A disable step is part of the change or removal it precedes, not a change of its own."""
        return self.action is not Action.NOOP and self.reason != DISABLE_FIRST


@dataclass(frozen=True)
class Plan:
    project: str
    environment: str
    tenant: str
    changes: tuple[Change, ...]
    warnings: tuple[str, ...] = ()  # shown before anything else (record/history.py: deletions of strangers)
    # Drift (plan/drift.py), when the plan was compared with what was last applied (`drift_base` names it): the
    # addresses of changes that only undo changes made outside idamconf; and of this plan's own changes that also
    # overwrite one, each with the attributes changed outside (a dict: never changed once made).
    drift: frozenset[str] = frozenset()
    drifted: dict = field(default_factory=dict)
    drift_base: str | None = None

    def __repr__(self) -> str:
        # Short on purpose: Python 3.11's asyncio.run formats the finished main task, result included, when it
        # restores the SIGINT handler; the full repr of 130,000 changes cost 2 s at 10,000 applications.
        return f"Plan({self.project!r}, {self.environment!r}, {len(self.changes)} changes)"

    @cached_property
    def pending(self) -> tuple[Change, ...]:
        """Computed once: renderers ask for it several times, and most of a large plan is no-ops."""
        return tuple(change for change in self.changes if change.action is not Action.NOOP)

    def count(self, action: Action) -> int:
        return sum(1 for change in self.pending if change.action is action and change.counted)

    @property
    def deletions(self) -> tuple[Change, ...]:
        """What the plan deletes, replacements included; a role's disable-first step is an update, not one of them."""
        return tuple(change for change in self.changes if change.action is Action.DELETE)

    @property
    def deletions_listed(self) -> list[Change]:
        """The deletions as renderers list them: the applications replaced by another first (the gravest)."""
        return sorted(self.deletions, key=lambda change: change.address not in self.replaced_applications)

    @cached_property
    def replacements(self) -> frozenset[str]:
        """Addresses deleted and created again in this plan: the resource's identity moved (an access package to
        another catalog): the live one goes and a new one is made; and applications whose name changed, replaced
        by another (`replaced_applications`)."""
        created = {change.address for change in self.pending if change.action is Action.CREATE}
        return frozenset(change.address for change in self.deletions
                         if change.address in created or change.address in self.replaced_applications)

    @cached_property
    def replaced_applications(self) -> dict[str, str]:
        """Destroyed application's address -> the application created in its place (plan/replacement.py)."""
        from .replacement import application_replacements

        return application_replacements(self.pending)

    def packages_of(self, application: str) -> int:
        """How many access packages of `application` (its key) this plan destroys."""
        return sum(1 for change in self.deletions if change.kind == "access_package"
                   and change.application == application)

    @property
    def empty(self) -> bool:
        return not self.pending
