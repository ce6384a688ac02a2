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
from .model import Plan


@dataclass(frozen=True)
class Base:
    """The configuration the tenant was last made to match, and how to name it ("origin/main (1a2b3c4)")."""

    configuration: Configuration
    label: str


def with_drift(plan: Plan, desired: dict, base: dict, live: dict, label: str) -> Plan:
    """`plan` with its changes classified: `drift` (the addresses of changes that only undo changes made outside
    idamconf) and `drifted` (the pull request's changes that also overwrite one: address -> the attributes changed
    outside idamconf, when both sides have the resource)."""
    outside, proposed = {}, set()
    for key in desired.keys() | live.keys():
        if _differ(base.get(key), live.get(key)):
            outside[_address(key, desired, live)] = key
        if _differ(desired.get(key), base.get(key)):
            proposed.add(_address(key, desired, live))
    pending = {change.address for change in plan.pending}
    drifted = {address: _paths(base.get(key), live.get(key)) for address, key in outside.items()
               if address in pending and address in proposed}
    return replace(plan, drift=frozenset(pending & (outside.keys() - proposed)), drifted=drifted, drift_base=label)


def _paths(base, live) -> tuple[str, ...]:
    """The attributes changed outside idamconf, by dotted path (none when one side has no such resource)."""
    if base is None or live is None:
        return ()
    return tuple(change.path for change in attribute_changes(base.attributes, live.attributes))


def _differ(one, other) -> bool:
    if one is None or other is None:
        return one is not other
    return one.attributes != other.attributes


def _address(key: tuple, desired: dict, live: dict) -> str:
    """The address the plan gives the change of `key`: the configuration's, when it has the resource."""
    return (desired.get(key) or live[key]).address
