"""Apply an application's client secrets (credentials/rotation.py planned them): removals, then each new secret
added and written to its vault at once.

A new secret is three steps, in this order, and only the last one reports success:
1. `POST applications/{id}/addPassword` with the displayName that marks it as idamconf's and its end date -- Graph
   answers with the value, once;
2. the value goes straight to the vault (`SecretClient.set_secret`, with `expires_on`, a content type and tags
   naming the application, its app id, the key id and the project), and the value is dropped: nothing else here
   keeps, logs or returns it;
3. if the vault write fails, the password is removed again (`removePassword`) so that no secret exists that nobody
   holds, and the step fails saying so.

An apply killed between 1 and 2 leaves a password whose key id is in no version of the vault's secret: the next plan
sees it (the vault's versions carry the key id as a tag) and removes it, adding a new one -- nothing is left that
nobody holds, and nothing is lost that anybody held. Removals of passwords already gone count as done.
"""

from __future__ import annotations

import datetime as _dt

from . import clock
from .apply_access import StepFailed
from .credentials.certificates import moment
from .credentials.client_secrets import KIND, MARKER
from .plan.model import Action, Change
from .vault.sinks import VaultError


async def write(chain) -> None:
    changes = [change for change in chain.of(KIND) if change.action is not Action.NOOP]
    for change in sorted(changes, key=lambda change: change.action is not Action.DELETE):
        if change.action is Action.DELETE:
            await _remove(chain, change.before["keyId"])
            chain.finish([change], "removed")
        else:
            await _add(chain, change)
            chain.finish([change], "created")


async def _remove(chain, key_id: str) -> None:
    await chain.send("POST", f"applications/{chain.ids['id']}/removePassword", {"keyId": key_id},
                     ok_if=lambda response: response.status == 404, settle=False)


async def _add(chain, change: Change) -> None:
    if chain.vaults is None:
        raise StepFailed(f"{change.address}: no vault to write the secret to: nothing was added")
    sink = chain.vaults.sink(change.ids["vaultUrl"], change.ids["secretName"])
    end = clock.now() + _dt.timedelta(days=change.ids["lifetimeDays"])
    response = await chain.send("POST", f"applications/{chain.ids['id']}/addPassword", {"passwordCredential": {
        "displayName": MARKER + change.after["displayName"], "endDateTime": moment(end)}})
    key_id = str(response.body.get("keyId")).lower()
    value = response.body.pop("secretText", None)  # the one copy from here on: written, then dropped
    try:
        if not value:
            raise VaultError("Graph returned no secret")
        await sink.write(value, key_id, end, _tags(chain, key_id))
    except VaultError as error:
        await _remove(chain, key_id)
        raise StepFailed(f"{change.address}: {error}; the new secret was removed again, so that none exists that "
                         "nobody holds") from None
    finally:
        del value  # dropped at once, whatever happened: the vault holds it now, or nobody does


def _tags(chain, key_id: str) -> dict:
    """What the vault's version says of itself: whose secret it is. The key id is what the plan reads back."""
    return {"application": chain.name, "appId": str(chain.ids.get("appId") or ""), "keyId": key_id,
            "project": chain.vaults.project, "managedBy": "idamconf"}
