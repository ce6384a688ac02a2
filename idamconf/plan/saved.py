"""Plans as data on disk and on stdout: the JSON form, saved plans, and the checks that refuse a stale one.

A saved plan holds the plan, a fingerprint of every live object it was computed from, and a digest of the
configuration. Applying it later first re-reads the tenant and refuses -- changing nothing -- if any fingerprint
moved, if the configuration changed, or if it was made for another environment or tenant. Nothing secret is ever
part of a plan: attributes hold only what the configuration and Graph's non-secret fields say.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..diagnostics import Diagnostic, DiagnosticError
from .model import Action, AttributeChange, Change, Plan

FORMAT_VERSION = "1.0"
FILE_KIND = "idamconf-saved-plan"


def plan_to_dict(plan: Plan) -> dict:
    return {
        "format_version": FORMAT_VERSION,
        "project": plan.project,
        "environment": plan.environment,
        "tenant": plan.tenant,
        "summary": {"add": plan.count(Action.CREATE), "change": plan.count(Action.UPDATE),
                    "destroy": plan.count(Action.DELETE)},
        **deletions_first(plan),
        "changes": [_change_to_dict(change) for change in plan.changes],
    }


def deletions_first(plan: Plan) -> dict:
    """What the plan destroys, before its changes: `deletions` (every address deleted, replacements included) and
    `replacements` (those created again) -- the same in plan's and apply's JSON reports."""
    return {"deletions": [change.address for change in plan.deletions],
            "replacements": [change.address for change in plan.deletions if change.address in plan.replacements]}


def _change_to_dict(change: Change) -> dict:
    return {
        "address": change.address, "kind": change.kind, "application": change.application,
        "action": change.action.value, "reason": change.reason, "before": change.before, "after": change.after,
        "attributes": [{"path": a.path, "before": a.before, "after": a.after} for a in change.attributes],
        "ids": change.ids,
    }


def plan_from_dict(data: dict) -> Plan:
    changes = tuple(
        Change(item["address"], item["kind"], item["application"], Action(item["action"]), item["before"],
               item["after"], tuple(AttributeChange(a["path"], a["before"], a["after"]) for a in item["attributes"]),
               item["reason"], _ids_from_json(item["ids"]))
        for item in data["changes"]
    )
    return Plan(data["project"], data["environment"], data["tenant"], changes)


def _ids_from_json(ids: dict) -> dict:
    """JSON has no tuples: the one tuple in ids (a review's recurrence) comes back as a list; give it back."""
    if isinstance(ids.get("recurrence"), list):
        return {**ids, "recurrence": tuple(ids["recurrence"])}
    return ids


def fingerprints(live: dict) -> dict[str, str]:
    """address -> hash of what was read of that live object (its managed fields and ids)."""
    return {resource.address: _digest({"attributes": resource.attributes, "ids": resource.ids})
            for resource in live.values()}


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest()


def save(path: Path, plan: Plan, live: dict, digest: str, only: set[str] | None = None) -> None:
    """`only`: the applications the plan was limited to (plan --changed-since); apply re-reads the same."""
    document = {"kind": FILE_KIND, "format_version": FORMAT_VERSION, "plan": plan_to_dict(plan),
                "configuration_digest": digest, "fingerprints": fingerprints(live),
                "applications": sorted(only) if only is not None else None}
    path.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def load(path: Path) -> dict:
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise DiagnosticError([Diagnostic(f"cannot read saved plan: {error}", "pass a file written by "
                                          "`idamconf plan --out FILE`", str(path))]) from None
    if not isinstance(document, dict) or document.get("kind") != FILE_KIND:
        raise DiagnosticError([Diagnostic("not an idamconf saved plan", "pass a file written by "
                                          "`idamconf plan --out FILE`", str(path))])
    if document.get("format_version") != FORMAT_VERSION:
        raise DiagnosticError([Diagnostic(f"saved plan format {document.get('format_version')} is not "
                                          f"{FORMAT_VERSION}", "make the plan again with this idamconf", str(path))])
    return document


def staleness(document: dict, environment: str, tenant: str, digest: str, live: dict) -> list[str]:
    """Why a saved plan may no longer be applied; empty when it may."""
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


def _owner(address: str) -> str:
    """The top-level object an address belongs to: app.wordpress.role.X -> app.wordpress."""
    if address.startswith("app."):
        return ".".join(address.split(".")[:2]).split("[")[0]
    return address
