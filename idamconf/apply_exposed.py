"""Apply the API an application exposes: its scopes and the clients pre-authorised for them.

Graph takes both as whole collections of the application's `api` (`oauth2PermissionScopes`,
`preAuthorizedApplications`), so they are written as roles are (apply.py): enabled scopes that change or go are
first disabled in a PATCH of their own (`disable_scopes`, Graph's rule: CannotDeleteOrUpdateEnabledEntitlement),
then the final collections go in the application's own write -- its create, or its update, with its roles -- so a
value can move between a role and a scope in one apply, and a scope is removed in the same write as the
pre-authorisations that name it (Graph refuses a pre-authorisation of a scope the application does not expose).
Whenever a write holds `api`, it holds the whole of it: the application's own `api` settings and both collections,
so nothing depends on how Graph merges a partial `api`.

A client named by `name` that this apply creates has no app id until its own chain has created it: its entry is left
out of its API's write, and `late_clients` writes the collection again once every chain has run (one PATCH per API
concerned, none in a steady state).
"""

from __future__ import annotations

import asyncio

from .apply_access import StepFailed
from .plan.model import DISABLE_FIRST, Action, Change

KINDS = ("scope", "pre_authorized")
VERBS = {Action.CREATE: "created", Action.UPDATE: "updated", Action.DELETE: "removed"}


def pending(chain) -> bool:
    return any(change.action is not Action.NOOP for kind in KINDS for change in chain.of(kind))


def with_api(chain, body: dict, app_ids: dict[str, str] | None = None) -> dict:
    """`body` (a create or an update of the application) with the whole `api` when it writes `api` or anything
    exposed changes: the application's settings, its final scopes and the pre-authorisations whose clients have an
    app id (`app_ids`: client label -> app id; by default those the plan knows)."""
    if "api" not in body and not pending(chain):
        return body
    application = next((c for c in chain.of("application") if c.after is not None), None)
    settings = application.after.get("api", {}) if application else {}
    scopes = final_scopes(chain)
    entries = _entries(chain, scopes, _known(chain) if app_ids is None else app_ids)
    return {**body, "api": {**settings, "oauth2PermissionScopes": scopes, "preAuthorizedApplications": entries}}


def final_scopes(chain) -> list[dict]:
    return [change.after for change in chain.of("scope") if change.after is not None and change.reason is None]


def _known(chain) -> dict[str, str]:
    """Client label -> app id, of the pre-authorised clients whose app id is known."""
    return {c.after["client"]: c.ids["clientAppId"] for c in chain.of("pre_authorized")
            if c.after is not None and c.ids.get("clientAppId")}


def _entries(chain, scopes: list[dict], app_ids: dict[str, str]) -> list[dict]:
    """Graph's preAuthorizedApplications: each client's app id and the ids of its scopes (by value)."""
    ids = {scope["value"]: scope["id"] for scope in scopes}
    return [{"appId": app_ids[change.after["client"]],
             "delegatedPermissionIds": [ids[value] for value in change.after["scopes"] if value in ids]}
            for change in chain.of("pre_authorized")
            if change.after is not None and change.after["client"] in app_ids]


def finished(chain) -> None:
    """The scopes and pre-authorisations a write of the application carried; not those still waiting for their
    client (`late_clients`)."""
    for change in [c for kind in KINDS for c in chain.of(kind) if c.action is not Action.NOOP and c.reason is None]:
        if not _waiting(change):
            chain.finish([change], VERBS[change.action])


def _waiting(change: Change) -> bool:
    return change.kind == "pre_authorized" and change.after is not None and not change.ids.get("clientAppId")


async def disable_scopes(chain) -> None:
    """Enabled scopes that change or go, disabled in a write of their own; the rest of `api` as Graph holds it."""
    steps = chain.of("scope", DISABLE_FIRST)
    if not steps:
        return
    disabled = {change.before["id"] for change in steps}
    live = [c.before for c in chain.of("scope") if c.before is not None and c.reason is None]
    scopes = [{**scope, "isEnabled": False} if scope["id"] in disabled else scope for scope in live]
    application = next(c for c in chain.of("application") if c.before is not None)
    entries = [{"appId": c.ids["clientAppId"], "delegatedPermissionIds": c.ids["delegatedPermissionIds"]}
               for c in chain.of("pre_authorized") if c.before is not None]
    await chain.send("PATCH", f"applications/{chain.ids['id']}", {"api": {
        **application.before.get("api", {}), "oauth2PermissionScopes": scopes, "preAuthorizedApplications": entries}})
    chain.finish(steps, "disabled")


async def late_clients(chains: dict) -> None:
    """Pre-authorisations of clients this apply created, written once every chain has run."""
    concerned = [chain for chain in chains.values()
                 if not chain.failed and any(_waiting(change) for change in chain.of("pre_authorized"))]
    await asyncio.gather(*(chain._steps([lambda chain=chain: _write_late(chain, chains)]) for chain in concerned))


async def _write_late(chain, chains: dict) -> None:
    waiting = [change for change in chain.of("pre_authorized") if _waiting(change)]
    app_ids = _known(chain)
    for change in waiting:
        creator = chains.get(change.after["client"])
        if creator is None or creator.failed or not creator.ids.get("appId"):
            raise StepFailed(f"client {change.after['client']} was not created, so it cannot be pre-authorised "
                             "yet: run apply again once it exists")
        app_ids[change.after["client"]] = creator.ids["appId"]
    await chain.send("PATCH", f"applications/{chain.ids['id']}", with_api(chain, {}, app_ids))
    for change in waiting:
        chain.finish([change], VERBS[change.action])
