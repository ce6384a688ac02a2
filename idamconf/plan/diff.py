"""make_plan(desired, live) -> Plan: pure, deterministic, and cheap when nothing changed.

Equal resources are recognised with `==` (microseconds); only resources that differ go through deepdiff, whose
result is converted here, once, into `AttributeChange`s: renderers and apply never see deepdiff objects.
"""

from __future__ import annotations

from deepdiff import DeepDiff

from .model import DISABLE_FIRST, Action, AttributeChange, Change, Plan, Resource


GO_WITH_APPLICATION = {"role", "service_principal", "owner"}  # access packages must be taken down explicitly


def make_plan(desired: dict, live: dict, project: str, environment: str, tenant: str) -> Plan:
    changes: list[Change] = []
    deletions: list[Change] = []
    leaving = {key[0] for key, have in live.items() if have.kind == "application" and key not in desired}
    for key in sorted(desired.keys() | live.keys(), key=lambda k: _reading_order(k, desired.get(k) or live[k])):
        want, have = desired.get(key), live.get(key)
        if want is None and have.kind in GO_WITH_APPLICATION and have.application in leaving:
            continue  # roles, owners and the service principal go with their application
        if have is not None and have.kind == "role" and have.attributes["isEnabled"] and _needs_disable(want, have):
            changes.append(_disable_step(have))  # the change itself still reads as old -> new
        change = _change(want, have)
        (deletions if change.action is Action.DELETE and change.kind == "application" else changes).append(change)
    return Plan(project, environment, tenant, tuple(changes + deletions))


def _reading_order(key: tuple, resource: Resource) -> tuple:
    """Plans read per application, then per role (by value), each role followed by its access package."""
    application, kind_order = key[0], key[1]
    role = resource.address.split(".role.", 1)[1].split(".access_package")[0] if ".role." in resource.address else ""
    return application, role, kind_order, key[2:]


def _needs_disable(want: Resource | None, have: Resource) -> bool:
    """Graph refuses to change or remove an enabled role: it must be disabled in a request of its own first."""
    if want is None:
        return True
    return _without_enabled(want.attributes) != _without_enabled(have.attributes)


def _without_enabled(attributes: dict) -> dict:
    return {name: value for name, value in attributes.items() if name != "isEnabled"}


def _disable_step(have: Resource) -> Change:
    after = {**have.attributes, "isEnabled": False}
    return Change(have.address, have.kind, have.application, Action.UPDATE, have.attributes, after,
                  (AttributeChange("isEnabled", True, False),), DISABLE_FIRST, dict(have.ids))


def _change(want: Resource | None, have: Resource | None) -> Change:
    if have is None:
        return Change(want.address, want.kind, want.application, Action.CREATE, None, want.attributes,
                      ids=dict(want.ids))
    if want is None:
        return Change(have.address, have.kind, have.application, Action.DELETE, have.attributes, None,
                      ids=dict(have.ids))
    ids = {**have.ids, **want.ids}
    if want.attributes == have.attributes:
        return Change(want.address, want.kind, want.application, Action.NOOP, have.attributes, want.attributes,
                      ids=ids)
    return Change(want.address, want.kind, want.application, Action.UPDATE, have.attributes, want.attributes,
                  attribute_changes(have.attributes, want.attributes), ids=ids)


def attribute_changes(before: dict, after: dict) -> tuple[AttributeChange, ...]:
    """The changed attributes, by dotted path; a list that changed is shown whole (old list -> new list)."""
    diff = DeepDiff(before, after, view="tree")
    paths: dict[str, tuple] = {}
    for changes in diff.values():
        for change in changes:
            parts = []
            for part in change.path(output_format="list"):
                if isinstance(part, int):
                    break
                parts.append(part)
            paths.setdefault(".".join(map(str, parts)), tuple(parts))
    return tuple(AttributeChange(dotted, _at(before, parts), _at(after, parts)) for dotted, parts in sorted(paths.items()))


def _at(value, parts: tuple):
    for part in parts:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value
