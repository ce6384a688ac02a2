"""The plan as Terraform users read it: + create, ~ update (old -> new), - destroy, and a summary line.

Deletions and replacements come first, on their own, so none is lost in a long plan; every value from the
configuration or the tenant goes through escape.terminal, so none can move the cursor, colour, reorder or add a line.
"""

from __future__ import annotations

import json

from ..config.secrets import HIDDEN
from ..escape import terminal
from ..surface import APPLICATION, SERVICE_PRINCIPAL, defaults, shown

WHOLE = {"optionalClaims"}  # settings whose value is an object, shown whole
from .model import DISABLE_FIRST, Action, Change, Plan
from .replacement import replacement_lines
from .restore import said
from .secrets_written import hiding_secrets

_COLOURS = {Action.CREATE: "32", Action.UPDATE: "33", Action.DELETE: "31", Action.ADOPT: "36"}
_SHOWN_ON_CREATE = {
    "application": ("displayName", "description", "signInAudience", "identifierUris", "web.redirectUris",
                    "spa.redirectUris", "api.requestedAccessTokenVersion", "tags", *shown(APPLICATION)),
    "role": ("displayName", "description", "allowedMemberTypes", "isEnabled", "id"),
    "service_principal": ("tags", *shown(SERVICE_PRINCIPAL)),
    "owner": (),
    "service_principal_owner": (),
    "assignment": ("principalId",),  # the address names the role and the principal; this, whom the name resolved to
    "catalog": ("displayName", "description", "published", "externallyVisible"),
    "catalog_resource": ("catalog",),
    "access_package": ("displayName", "description", "catalog", "isHidden"),
    "role_scope": ("roleId", "catalog"),
    "grant": ("role", "group"),  # what a package of its own grants (plan/packages.py)
    "group_resource": ("catalog", "group"),
    "policy": None,  # every attribute but the name (the package's), in the order of plan/policy.py's normal form
    "permission": ("resourceAppId", "id"),
    "consent": ("resourceAppId", "appRoleId"),
    "delegated_consent": ("resourceAppId", "scope"),
    "scope": ("type", "adminConsentDisplayName", "adminConsentDescription", "userConsentDisplayName",
              "userConsentDescription", "isEnabled", "id"),
    "pre_authorized": ("client", "scopes"),
    "logo": ("image", "sha256"),
    "federated_credential": ("issuer", "subject", "audiences", "description"),
    "certificate": ("displayName", "keyId", "thumbprint", "startDateTime", "endDateTime"),  # never its bytes
    "saml": ("relayState", "defaultRedirectUri", "redirectUriSettings"),
    "claims_policy": ("displayName", "claims"),
    "signing_certificate": ("validityYears",),
    "secret": ("displayName", "keyId", "hint", "endDateTime", "expires", "status", "vault", "replaces"),  # no value
}


# What a removal shows of what goes, where its address does not say enough: a client secret by its hint and expiry.
_SHOWN_ON_DELETE = {"secret": ("keyId", "hint", "endDateTime")}


def render_plan(plan: Plan, target: str, colour: bool = False) -> str:
    paint = _painter(colour)
    where = f"Target: {terminal(target)}"
    warned = warning_lines(plan, paint)
    if plan.empty:
        return f"{where}\n\n" + "".join(f"{line}\n" for line in warned) + \
            paint("32", "No changes. The tenant matches the configuration.") + "\n"
    lines = [where, "", *warned, *deletions_first(plan, paint), *drift_lines(plan, paint)]
    own = [change for change in plan.pending if change.address not in plan.drift]
    if own:
        lines += ["This change's own changes:" if plan.drift_base is not None else
                  "idamconf will perform these actions:", ""]
    for change in own:
        lines += _change_lines(change, paint, plan.drifted.get(change.address))
    lines.append(summary(plan))
    return "\n".join(lines) + "\n"


def drift_lines(plan: Plan, paint=lambda code, text: text) -> list[str]:
    """The changes that only undo changes made outside idamconf (plan/drift.py), apart; nothing when the plan was
    not compared with what was last applied."""
    if plan.drift_base is None:
        return []
    base = terminal(plan.drift_base)
    if not plan.drift:
        return [f"No changes outside idamconf since the configuration was last applied (compared with {base}).", ""]
    lines = [f"Changed outside idamconf since the configuration was last applied (compared with {base}): the portal, "
             "another tool, or an apply that did not finish. Apply puts these back:", ""]
    for change in plan.pending:
        if change.address in plan.drift:
            lines += _change_lines(change, paint)
    return lines


def summary(plan: Plan) -> str:
    adopted = plan.count(Action.ADOPT)
    return (f"Plan: {f'{adopted} to adopt, ' if adopted else ''}{plan.count(Action.CREATE)} to add, "
            f"{plan.count(Action.UPDATE)} to change, {plan.count(Action.DELETE)} to destroy.")


def warning_lines(plan: Plan, paint=lambda code, text: text) -> list[str]:
    """The plan's warnings, before anything else, then a blank line; nothing when it has none."""
    warnings = [paint("31", f"WARNING: {terminal(warning)}") for warning in plan.warnings]
    return [*warnings, ""] if warnings else []


def deletions_first(plan: Plan, paint=lambda code, text: text) -> list[str]:
    """What the plan destroys, listed before anything else (after its warnings); nothing when it destroys nothing."""
    if not plan.deletions:
        return []
    return ["Deletions and replacements (listed first; each is shown again with the other changes):",
            *deletion_lines(plan, paint), ""]


def deletion_lines(plan: Plan, paint=lambda code, text: text, outcome=None) -> list[str]:
    """One line per deletion, replacements marked `-/+` (an application replaced by another, with what is lost and
    how to keep it, on lines of their own); with apply's `outcome`, what became of each."""
    lines = []
    for change in plan.deletions_listed:
        symbol = "-/+" if change.address in plan.replacements else "-"
        head = paint(_COLOURS[Action.DELETE], f"  {symbol} {terminal(change.address)}")
        detail = deletion_detail(plan, change, terminal)
        lines.append(f"{head}  ({detail[0]})" + (f": {outcome.result(change)}" if outcome else ""))
        lines += [f"        {line}" for line in detail[1:]]
    return lines


def deletion_note(plan: Plan, change: Change, value=str) -> str:
    """A deletion says whether the resource comes back: a replacement is destroyed, then created again; an
    application replaced by another says what is lost (`value`: the output's escaping of values)."""
    return "; ".join(deletion_detail(plan, change, value))


def deletion_detail(plan: Plan, change: Change, value) -> list[str]:
    successor = plan.replaced_applications.get(change.address)
    if successor is not None:
        return replacement_lines(change, successor, plan.packages_of(change.application), value)
    return ["replace: destroyed, then created again" if change.address in plan.replacements else "destroy"]


def _change_lines(change: Change, paint, drifted: tuple[str, ...] | None = None) -> list[str]:
    change = hiding_secrets(change)  # a secret the tenant holds: never printed (plan/secrets_written.py)
    note = {Action.CREATE: "create", Action.UPDATE: "update", Action.DELETE: "destroy",
            Action.ADOPT: "adopt: an existing application becomes the project's"}[change.action]
    if change.reason == DISABLE_FIRST:
        note = f"disable first: Graph changes or removes only disabled {change.kind}s"
    elif said(change) is not None:
        note = said(change, terminal)
    if change.action is Action.DELETE and (change.before or {}).get("status"):  # why (a client secret's rotation)
        note += f": {terminal(change.before['status'])}"
    if drifted is not None:
        note += f"; {overwrites(drifted, terminal)}"
    head = paint(_COLOURS[change.action], f"  {change.action.symbol} {terminal(change.address)}")
    lines = [f"{head}  ({note})"]
    if change.action is Action.CREATE:
        flat = _flatten(change.after or {})
        unsaid = defaults(change.kind) if change.kind in (APPLICATION, SERVICE_PRINCIPAL) else {}
        if change.kind == APPLICATION:  # (the model's, not the surface's: config/application.access_token_version)
            unsaid = {**unsaid, "api.requestedAccessTokenVersion": 1}
        names = _SHOWN_ON_CREATE[change.kind]
        names = [name for name in flat if name != "displayName"] if names is None else names
        shown = [(terminal(name), flat.get(name)) for name in names  # (a name may be a file's key)
                 if flat.get(name) not in (None, [], "") and (name not in unsaid or flat[name] != unsaid[name])]
        width = max((len(name) for name, _ in shown), default=0)
        lines += [f"      {name:<{width}} = {_value(value)}" for name, value in shown]
    elif change.action is Action.DELETE and change.kind in _SHOWN_ON_DELETE:
        shown = [(name, (change.before or {}).get(name)) for name in _SHOWN_ON_DELETE[change.kind]]
        width = max(len(name) for name, _ in shown)
        lines += [f"      {name:<{width}} = {_value(value)}" for name, value in shown if value is not None]
    elif change.action in (Action.UPDATE, Action.ADOPT):
        paths = [terminal(attribute.path) for attribute in change.attributes]
        width = max(map(len, paths), default=0)  # (a restore may change nothing else: no attribute)
        lines += [f"      {path:<{width}} : {_difference(attribute.before, attribute.after)}"
                  for path, attribute in zip(paths, change.attributes)]
    lines.append("")
    return lines


def overwrites(paths: tuple[str, ...], value=str) -> str:
    """What a change that also undoes a change made outside idamconf says (`value`: the output's escaping)."""
    where = f" ({', '.join(map(value, paths))})" if paths else ""
    return f"also changed outside idamconf{where}: this overwrites it"


def _difference(before, after) -> str:
    """`old → new`; for two lists, what was added and what was removed."""
    if isinstance(before, list) and isinstance(after, list):
        added = [f"+ {_value(item)}" for item in after if item not in before]
        removed = [f"- {_value(item)}" for item in before if item not in after]
        if added or removed:
            return ", ".join(added + removed)
    return f"{_value(before)} → {_value(after)}"


def _flatten(attributes: dict, prefix: str = "") -> dict:
    flat = {}
    for name, value in attributes.items():
        if isinstance(value, dict) and f"{prefix}{name}" not in WHOLE:
            flat.update(_flatten(value, f"{prefix}{name}."))
        else:
            flat[f"{prefix}{name}"] = value
    return flat


def _value(value) -> str:
    if value is None or value == HIDDEN:  # (said, not quoted as a value)
        return "(none)" if value is None else HIDDEN
    return terminal(json.dumps(value, ensure_ascii=False))


def _painter(colour: bool):
    if not colour:
        return lambda code, text: text
    return lambda code, text: f"\033[{code}m{text}\033[0m"
