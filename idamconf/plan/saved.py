"""Plans as data on disk and on stdout: the JSON form, saved plans, and the checks that refuse a stale one.

A saved plan holds the plan, a fingerprint of every live object it was computed from, a digest of the
configuration, where it was made (`made_by`) and, with a signing key, a signature (plan/signing.py).

A saved plan is evidence of what was reviewed, never instructions: `apply FILE` reads the configuration and the
tenant again, computes the plan again, and runs the plan it computed -- only when it equals the saved one
(`differences`). Anyone who can edit the file can therefore only make apply refuse, never make it do something
else. The other checks (environment, tenant, configuration digest, fingerprints) say *why* a plan no longer applies,
in words a reviewer understands. Nothing secret is ever part of a plan: attributes hold only what the configuration
and Graph's non-secret fields say.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .. import jsonread
from ..diagnostics import Diagnostic, DiagnosticError
from . import signing
from .model import Action, AttributeChange, Change, Plan
from .secrets_written import hiding_secrets

FORMAT_VERSION = "1.0"
FILE_KIND = "idamconf-saved-plan"


def plan_to_dict(plan: Plan) -> dict:
    return {
        "format_version": FORMAT_VERSION,
        "project": plan.project,
        "environment": plan.environment,
        "tenant": plan.tenant,
        "summary": {"adopt": plan.count(Action.ADOPT), "add": plan.count(Action.CREATE),
                    "change": plan.count(Action.UPDATE),
                    "destroy": plan.count(Action.DELETE)},
        **deletions_first(plan),
        **({"drift": {"base": plan.drift_base, "addresses": sorted(plan.drift),
                      "overwritten": [{"address": address, "paths": list(paths)}
                                      for address, paths in sorted(plan.drifted.items())]}}
           if plan.drift_base is not None else {}),
        "changes": [_change_to_dict(change) for change in plan.changes],
    }


def plan_from_dict(document: dict) -> Plan:
    """A plan as `plan_to_dict` wrote it (a saved plan's `plan`), to render again: the pull-request comment is made
    from the plans its jobs saved. Raises KeyError, TypeError or ValueError if it is not one."""
    drift = document.get("drift") or {}
    changes = tuple(Change(c["address"], c["kind"], c["application"], Action(c["action"]), c["before"], c["after"],
                           tuple(AttributeChange(a["path"], a["before"], a["after"]) for a in c["attributes"]),
                           c["reason"], c["ids"]) for c in document["changes"])
    overwritten = {item["address"]: tuple(item["paths"]) for item in drift.get("overwritten", ())}
    return Plan(document["project"], document["environment"], document["tenant"], changes,
                warnings=tuple(document.get("warnings", ())), drift=frozenset(drift.get("addresses", ())),
                drifted=overwritten, drift_base=drift.get("base"))


def deletions_first(plan: Plan) -> dict:
    """What the plan destroys, before its changes: `deletions` (every address deleted, replacements included) and
    `replacements` (those created again) -- the same in plan's and apply's JSON reports."""
    return {"warnings": list(plan.warnings), "deletions": [change.address for change in plan.deletions],
            "replacements": [change.address for change in plan.deletions if change.address in plan.replacements],
            "replaced_applications": [{"address": gone, "by": successor} for gone, successor
                                      in plan.replaced_applications.items()]}


def _change_to_dict(change: Change) -> dict:
    change = hiding_secrets(change)  # a secret the tenant holds: never saved nor printed (plan/secrets_written.py)
    return {
        "address": change.address, "kind": change.kind, "application": change.application,
        "action": change.action.value, "reason": change.reason, "before": change.before, "after": change.after,
        "attributes": [{"path": a.path, "before": a.before, "after": a.after} for a in change.attributes],
        "ids": change.ids,
    }


def fingerprints(live: dict) -> dict[str, str]:
    """address -> hash of what was read of that live object (its managed fields and ids)."""
    return {resource.address: _digest({"attributes": resource.attributes, "ids": resource.ids})
            for resource in live.values()}


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest()


def save(path: Path, plan: Plan, live: dict, digest: str, only: set[str] | None = None,
         earlier: frozenset | None = None) -> None:
    """`only`: the applications the plan was limited to (plan --changed-since), and `earlier` the names their files
    gave their access packages at the ref (workflow.survey): apply re-reads the same."""
    document = {"kind": FILE_KIND, "format_version": FORMAT_VERSION, "plan": plan_to_dict(plan),
                "configuration_digest": digest, "fingerprints": fingerprints(live),
                "applications": sorted(only) if only is not None else None,
                "earlier_packages": sorted(earlier) if only is not None and earlier is not None else None,
                "made_by": signing.made_by()}
    path.write_text(json.dumps(signing.sign(document), indent=1, sort_keys=True) + "\n", encoding="utf-8")


def load(path: Path) -> dict:
    try:
        document = jsonread.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise DiagnosticError([Diagnostic(f"cannot read saved plan: {error}", "pass a file written by "
                                          "`idamconf plan --out FILE`", str(path))]) from None
    if not isinstance(document, dict) or document.get("kind") != FILE_KIND:
        raise DiagnosticError([Diagnostic("not an idamconf saved plan", "pass a file written by "
                                          "`idamconf plan --out FILE`", str(path))])
    if document.get("format_version") != FORMAT_VERSION:
        raise DiagnosticError([Diagnostic(f"saved plan format {document.get('format_version')} is not "
                                          f"{FORMAT_VERSION}", "make the plan again with this idamconf", str(path))])
    if not _well_formed(document):
        raise DiagnosticError([Diagnostic("the saved plan is damaged: its parts are missing or of the wrong type",
                                          "make the plan again with `idamconf plan --out FILE`", str(path))])
    return document


def _well_formed(document: dict) -> bool:
    plan = document.get("plan")
    return (isinstance(plan, dict) and all(isinstance(plan.get(k), str) for k in ("environment", "tenant"))
            and isinstance(plan.get("changes"), list) and isinstance(document.get("fingerprints"), dict)
            and isinstance(document.get("configuration_digest"), str)
            and all(_names(document.get(part)) for part in ("applications", "earlier_packages")))


def _names(names) -> bool:
    return names is None or isinstance(names, list) and all(isinstance(n, str) for n in names)


def staleness(document: dict, environment: str, tenant: str, digest: str, live: dict, now: Plan) -> list[str]:
    """Why a saved plan may not be applied; empty when it may. `now`: the plan computed again from the configuration
    and the tenant as they are, which is what apply runs -- only if the saved one equals it."""
    reasons = signing.verify(document)
    if reasons:
        return reasons
    plan = document["plan"]
    reasons = _moved(document, environment, tenant, digest, live)
    if reasons:
        return reasons
    changed = differences(plan, now)
    if changed:
        shown = ", ".join(changed[:10]) + (f" and {len(changed) - 10} more" if len(changed) > 10 else "")
        return [f"Saved plan differs from the plan computed now from the configuration and the tenant ({shown}): "
                "it was edited, or made by another idamconf. Run plan again."]
    return []


def _moved(document: dict, environment: str, tenant: str, digest: str, live: dict) -> list[str]:
    """What moved since the plan was made, as the saved file tells it."""
    plan = document["plan"]
    if plan["environment"] != environment:
        return [f"Saved plan was made for environment '{plan['environment']}', not '{environment}'. "
                f"Run plan again for {environment}."]
    if plan["tenant"] != tenant:
        return [f"Saved plan was made for tenant {plan['tenant']}, not {tenant}. Run plan again."]
    if document["configuration_digest"] != digest:
        return ["Saved plan is stale: the configuration changed since the plan was made. Run plan again."]
    then, now = document["fingerprints"], fingerprints(live)
    moved = sorted({_owner(address) for address in then.keys() | now.keys() if then.get(address) != now.get(address)})
    return [f"Saved plan is stale: {address} changed in the tenant since the plan was made. Run plan again."
            for address in moved]


def differences(saved: dict | Plan, plan: Plan) -> list[str]:
    """The addresses whose changes differ between a saved plan (its JSON form, or the plan itself) and `plan`;
    empty when they are the same plan, for the same project, environment and tenant."""
    now = _as_saved(plan)
    saved = _as_saved(saved) if isinstance(saved, Plan) else saved
    if not isinstance(saved, dict):
        return ["the whole plan"]
    heads = [name for name in ("format_version", "project", "environment", "tenant")  # summary: follows changes
             if saved.get(name) != now[name]]
    mine, theirs = _by_change(now["changes"]), _by_change(saved.get("changes"))
    if mine is None or theirs is None:
        return heads + ["its changes"]
    addresses = {key[0] for key in mine.keys() ^ theirs.keys()}
    addresses |= {key[0] for key in mine.keys() & theirs.keys() if mine[key] != theirs[key]}
    return heads + sorted(addresses)


def _as_saved(plan: Plan) -> dict:
    return json.loads(json.dumps(plan_to_dict(plan)))  # as it would be saved: tuples as lists


def _by_change(changes) -> dict | None:
    """Each change by (address, action, reason), in order of appearance (a role may have two steps)."""
    if not isinstance(changes, list) or not all(isinstance(c, dict) for c in changes):
        return None
    keyed: dict = {}
    for change in changes:
        key = (str(change.get("address")), str(change.get("action")), str(change.get("reason")))
        keyed.setdefault(key, []).append(change)
    return keyed


def _owner(address: str) -> str:
    """The top-level object an address belongs to: app.wordpress.role.X -> app.wordpress."""
    if address.startswith("app."):
        return ".".join(address.split(".")[:2]).split("[")[0]
    return address
