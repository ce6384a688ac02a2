"""Drift: what changed in the tenant outside idamconf since the configuration was last applied, shown apart from the
changes a pull request proposes.

What was last applied is a configuration too: the pull request's base (its target branch, which the pipeline
applies on every merge), or, for `idamconf drift`, the configuration itself. With it, each resource of the plan is
compared three ways -- the base (`base`), the tenant (`live`), and the configuration planned (`desired`):

- the tenant differs from the base, and the configuration planned does not: **drift** -- someone changed the tenant
  (a redirect URI added in the portal, a role disabled), or an apply did not finish; apply undoes it;
- the configuration planned differs from the base: the pull request's own change -- and if the tenant also differs
  from the base there (**drifted**), applying it overwrites a change made outside idamconf, which the plan says.

Only the plan's changes are classified, so nothing is read from the tenant for it. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..config.model import Configuration
from .diff import attribute_changes
from .exposed import resolve_clients
from .model import Plan
from .placeholders import resolve_app_ids
from .relationships import desired_relationships
from .resources import add_live
from .restore import held

PERMISSION_KINDS = ("permission", "consent", "delegated_consent")


@dataclass(frozen=True)
class Base:
    """The configuration the tenant was last made to match, and how to name it ("origin/main (1a2b3c4)").
    `everywhere`: each of its applications as it is in the environment planned, by name, planned or not (set by
    workflow.survey, as the configuration's own `everywhere`): a package of its own of a file not planned may grant
    a planned application's role, and so give it its place in the package's catalog (plan/packages.py), which the
    base made of the planned files alone would lack -- a pull request's plan called that place's drift its own
    change until session 53."""

    configuration: Configuration
    label: str
    everywhere: dict | None = None


def with_drift(plan: Plan, desired: dict, base: dict, live: dict, label: str) -> Plan:
    """`plan` with its changes classified: `drift` (the addresses of changes that only undo changes made outside
    idamconf) and `drifted` (the pull request's changes that also overwrite one: address -> the attributes changed
    outside idamconf, when both sides have the resource)."""
    outside, proposed = {}, set()
    for key in desired.keys() | live.keys():
        if _differ(base.get(key), _held(live, key)):
            outside[_address(key, desired, live)] = key
        if _differ(desired.get(key), base.get(key)):
            proposed.add(_address(key, desired, live))
    pending = {change.address for change in plan.pending}
    drifted = {address: _paths(base.get(key), _held(live, key)) for address, key in outside.items()
               if address in pending and address in proposed}
    return replace(plan, drift=frozenset(pending & (outside.keys() - proposed)), drifted=drifted, drift_base=label)


def last_applied(made: dict, base: Configuration, configuration: Configuration, environment: str, desired: dict,
                 live: dict, found) -> dict:
    """The base's resources (`made`: its applications' and packages', as the configuration's are first made),
    finished as workflow._resources finishes the configuration's: `{appId}` resolved, clients by app id, the service
    principals' owners and assignments (`found`: the users, groups and app ids read). API permissions and consents
    are the configuration's for an application whose `apiPermissions` did not change; for one whose did, the
    tenant's -- never called drift, since the base's own would need its APIs read again."""
    finished = resolve_app_ids(made, live)
    finished, _ = resolve_clients(finished, live, found.app_ids, add_live)
    finished |= desired_relationships(base, environment, found.users, found.groups)[0]
    before = {app.key: app.api_permissions for app in base.applications}
    unchanged = {app.key for app in configuration.applications if before.get(app.key) == app.api_permissions}
    for side in (desired, live):
        for key, resource in side.items():
            if resource.kind in PERMISSION_KINDS and key not in finished:
                source = desired if resource.application in unchanged else live
                if key in source:
                    finished[key] = source[key]
    return finished


def _paths(base, live) -> tuple[str, ...]:
    """The attributes changed outside idamconf, by dotted path (none when one side has no such resource)."""
    if base is None or live is None:
        return ()
    return tuple(change.path for change in attribute_changes(base.attributes, live.attributes))


def _held(live: dict, key: tuple):
    """The live resource of `key` as the tenant holds it: none for one only in deleted items, or emptied by its
    application's deletion (plan/restore.held) -- until session 53 a restore equal to what was last applied was
    never drift, and one of an application an apply had deleted "overwrote" a change made outside idamconf."""
    resource = live.get(key)
    return resource if resource is None or held(resource) else None


def _differ(one, other) -> bool:
    if one is None or other is None:
        return one is not other
    return one.attributes != other.attributes


def _address(key: tuple, desired: dict, live: dict) -> str:
    """The address the plan gives the change of `key`: the configuration's, when it has the resource."""
    return (desired.get(key) or live[key]).address
