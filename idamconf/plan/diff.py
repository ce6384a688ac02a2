"""make_plan(desired, live) -> Plan: pure, deterministic, and cheap when nothing changed.

Equal resources are recognised with `==` (microseconds); only resources that differ go through deepdiff, whose
result is converted here, once, into `AttributeChange`s: renderers and apply never see deepdiff objects.

deepdiff takes 0.06-0.1 s to import, and every command that plans imports this module before it reads its
configuration: it is imported when first used instead, so a plan with no changes never imports it. (It was imported
while other processes read the files, but at 10,000 files the main process is the busiest then, modelling them.)
"""

from __future__ import annotations

from ..surface.values import at
from .model import DISABLE_FIRST, DISABLED_FIRST, Action, AttributeChange, Change, Plan, Resource
from .roles import role_of


# access packages must be taken down explicitly; consents go with the application's service principal
GO_WITH_APPLICATION = {"role", "service_principal", "owner", "permission", "consent", "delegated_consent"}
GO_WITH_APPLICATION |= {"service_principal_owner", "assignment"}  # its service principal's: deleted with it
GO_WITH_APPLICATION |= {"scope", "pre_authorized", "logo"}  # its exposed API's
GO_WITH_APPLICATION |= {"federated_credential", "certificate", "secret"}  # its credentials
GO_WITH_APPLICATION |= {"saml", "claims_policy", "signing_certificate"}  # its single sign-on (saml/)


def make_plan(desired: dict, live: dict, project: str, environment: str, tenant: str) -> Plan:
    changes: list[Change] = []
    deletions: list[Change] = []
    leaving = {key[0] for key, have in live.items() if have.kind == "application" and key not in desired}
    add = changes.append
    rows_by_application = _rows_by_application(desired, live)
    for application in sorted(rows_by_application):  # in reading order, one application at a time: see below
        rows = rows_by_application.pop(application)
        rows.sort()
        for _, _, want, have in rows:
            if want is not None and have is not None and want.attributes is have.attributes:
                # The common case, said at once: alike, and shared (resources.add_live). A role alike needs no
                # disabling first.
                add(Change(want.address, want.kind, want.application, Action.NOOP, have.attributes, want.attributes,
                           (), None, _merged_ids(have.ids, want.ids)))
                continue
            if want is None and have.kind in GO_WITH_APPLICATION and have.application in leaving:
                continue  # roles, owners and the service principal go with their application
            if have is not None and have.kind in DISABLED_FIRST and have.attributes["isEnabled"] and \
                    _needs_disable(want, have):
                add(_disable_step(have, want))  # the change itself still reads as old -> new
            change = _change(want, have)
            (deletions if change.action is Action.DELETE and change.kind == "application" else changes).append(change)
    return Plan(project, environment, tenant, tuple(changes + deletions))


def _rows_by_application(desired: dict, live: dict) -> dict[str, list]:
    """Per application, a row (role, key, desired, live) for every key of either side. Sorted, an application's rows
    are as plans read: per role (by value), each role followed by its access package, then by kind and identity
    (keys are unique, so sorting the rows never compares two resources). Each application's rows are sorted apart:
    each sort is small (a dozen resources), and what it sorts is freed before the next."""
    rows_by_application: dict[str, list] = {}
    get = live.get
    for key, want in desired.items():
        rows = rows_by_application.get(key[0])
        if rows is None:
            rows = rows_by_application[key[0]] = []
        rows.append((role_of(want.address), key, want, get(key)))  # the desired address, if both
    for key in live.keys() - desired.keys():
        have = live[key]
        rows_by_application.setdefault(key[0], []).append((role_of(have.address), key, None, have))
    return rows_by_application


def _needs_disable(want: Resource | None, have: Resource) -> bool:
    """Graph refuses to change or remove an enabled role or scope: it must be disabled in a request of its own
    first."""
    if want is None:
        return True
    if want.attributes == have.attributes:
        return False  # the common case, without copying either side
    return _without_enabled(want.attributes) != _without_enabled(have.attributes)


def _without_enabled(attributes: dict) -> dict:
    return {name: value for name, value in attributes.items() if name != "isEnabled"}


def _disable_step(have: Resource, want: Resource | None) -> Change:
    """The step is part of the change it precedes, so it bears that change's address: a role whose value changes
    (adopted by `id`) is addressed by its new value, and removals.py reads the role's steps together."""
    after = {**have.attributes, "isEnabled": False}
    address = want.address if want is not None else have.address
    return Change(address, have.kind, have.application, Action.UPDATE, have.attributes, after,
                  (AttributeChange("isEnabled", True, False),), DISABLE_FIRST, have.ids)


def _change(want: Resource | None, have: Resource | None) -> Change:
    # Arguments are positional and ids are shared with the resources: a plan of 10,000 applications builds 130,000
    # changes, nearly all no-ops.
    if have is None:
        return Change(want.address, want.kind, want.application, Action.CREATE, None, want.attributes, (), None,
                      want.ids)
    if want is None:
        return Change(have.address, have.kind, have.application, Action.DELETE, have.attributes, None, (), None,
                      have.ids)
    ids = _merged_ids(have.ids, want.ids)
    if want.attributes == have.attributes:
        return Change(want.address, want.kind, want.application, Action.NOOP, have.attributes, want.attributes, (),
                      None, ids)
    return Change(want.address, want.kind, want.application, Action.UPDATE, have.attributes, want.attributes,
                  attribute_changes(have.attributes, want.attributes), None, ids)


def _merged_ids(have: dict, want: dict) -> dict:
    """Live ids, plus what the configuration knows (e.g. a policy's people); the live dict itself when that adds
    nothing, as for most resources."""
    if not want or want.items() <= have.items():
        return have
    return {**have, **want}


def attribute_changes(before: dict, after: dict) -> tuple[AttributeChange, ...]:
    """The changed attributes, by dotted path; a list that changed is shown whole (old list -> new list)."""
    from deepdiff import DeepDiff  # imported here, not with this module: see the module's notes

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
    return tuple(AttributeChange(dotted, at(before, parts), at(after, parts))
                 for dotted, parts in sorted(paths.items()))
