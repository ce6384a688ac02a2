"""What a plan reads for client secrets beyond the application list (whose `passwordCredentials` are in its
`$select`): for each secret of the file with live passwords, which key ids its vault holds a copy of (the `keyId`
tag of each version: one list request per secret, side by side). Then the pure plan (credentials/rotation.py) gives
the desired passwords, and each live one its status."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from .. import clock
from ..plan.resources import KIND_ORDER, add_live
from . import rotation
from .client_secrets import KIND


async def planned_secrets(vaults, wanted: list, current: dict) -> tuple[dict, dict]:
    """The desired secret resources of the applications of `wanted`, and what becomes of `current`'s: each with its
    status, or None for the applications whose file has no `secrets` (left alone, as if never read) -- for the
    caller to lay over `current` once the reads running beside this one are done with it. `vaults`:
    vault/vaults.Vaults, or None (no vault read: every password counts as copied)."""
    live: dict[str, dict[str, tuple]] = {}  # application key -> keyId -> (resource key, resource)
    for key, resource in current.items():
        if resource.kind == KIND:
            live.setdefault(resource.application, {})[resource.attributes["keyId"]] = (key, resource)
    changed = {key: None for app in wanted if app.client_secrets is None for key, _ in live.pop(app.key, {}).values()}
    apps = [app for app in wanted if app.client_secrets is not None]
    held = await asyncio.gather(*(_held(vaults, app, live.get(app.key, {})) for app in apps))
    desired: dict = {}
    now = clock.now()
    for app, vault_copies in zip(apps, held):
        mine = live.get(app.key, {})
        made, statuses = rotation.planned(app.client_secrets, f"app.{app.name}",
                                          [resource.attributes for _, resource in mine.values()], vault_copies, now)
        sinks = {secret.display_name.casefold(): {"vaultUrl": secret.vault_url, "secretName": secret.secret_name}
                 for secret in app.client_secrets}  # where each password's copy is (apply disables a removed one's)
        for key_id, (key, resource) in mine.items():
            changed[key] = replace(resource, attributes={**resource.attributes, "status": statuses[key_id]},
                                   ids={**resource.ids, **sinks.get(resource.attributes["displayName"].casefold(), {})})
        for kind, address, attributes, identity, ids in made:
            add_live(desired, (app.key, KIND_ORDER[kind], kind, identity), kind, address, app.key, attributes, ids,
                     None)
    return desired, changed


def laid_over(current: dict, changed: dict) -> None:
    """`current` with `planned_secrets`' changes: a resource replaced, or (None) dropped."""
    for key, resource in changed.items():
        if resource is None:
            del current[key]
        else:
            current[key] = resource


async def _held(vaults, app, mine: dict) -> dict:
    """A secret's vault -> the key ids with a copy there, for each secret of `app` that has live passwords."""
    if vaults is None or not mine:
        return {}
    names = {resource.attributes["displayName"].casefold() for _, resource in mine.values()}
    secrets = [secret for secret in app.client_secrets if secret.display_name.casefold() in names]
    found = await asyncio.gather(*(vaults.sink(secret.vault_url, secret.secret_name).key_ids() for secret in secrets))
    return {secret.vault: ids for secret, ids in zip(secrets, found)}
