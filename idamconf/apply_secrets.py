"""Apply an application's client secrets (credentials/rotation.py planned them): each new secret added and written
to its vault at once, then removals -- none while a new secret the plan adds is not in its vault.

A new secret is three steps, in this order, and only the last one reports success:
1. `POST applications/{id}/addPassword` with the displayName that marks it as idamconf's and its end date -- Graph
   answers with the value, once;
2. the value goes straight to the vault (`SecretClient.set_secret`, with `expires_on`, a content type and tags
   naming the application, its app id, the key id and the project), and the value is dropped: nothing else here
   keeps, logs or returns it;
3. if the vault write fails, the password is removed again (`removePassword`) so that no secret exists that nobody
   holds, and the step fails saying so -- and if that removal fails too, the step says which password is left with
   its value stored nowhere, which the next plan treats as a password with no copy (added anew, removed after the
   overlap). A sink known to be unusable before any write (local files: vault/file_sink.py) fails the step before
   addPassword.

A password the rotation removes has its vault versions disabled (`update_secret_properties(enabled=False)`): the
vault's enabled versions are exactly the values that still sign in.

A lost answer to 1 is sent again; a password it added, whose value nobody received, is removed once the step's own
is in the vault (`_sweep`). An apply killed between 1 and 2 leaves a password whose key id is in no version of the
vault's secret: the next plan sees it (the vault's versions carry the key id as a tag) and adds a new one; the orphan,
which Graph cannot tell from a moved secret's password, is kept for the overlap like one and then removed
(credentials/rotation.py) -- nothing is lost that anybody held. Removals of passwords already gone count as done.
"""

from __future__ import annotations

import datetime as _dt

from . import clock
from .apply_access import StepFailed
from .credentials.certificates import moment
from .credentials.client_secrets import KIND, MARKER
from .graph.client import GraphUnavailable, query
from .plan.model import Action, Change
from .vault.sinks import VaultError, fixed


async def write(chain) -> None:
    changes = [change for change in chain.of(KIND) if change.action is not Action.NOOP]
    # New secrets first, each in its vault before any password goes: a vault refusing the write (its access not
    # granted yet, a deleted secret of that name) fails the step there, and the passwords that still sign in stay.
    for change in sorted(changes, key=lambda change: change.action is Action.DELETE):
        if change.action is Action.DELETE:  # its copies disabled first: a cut between the two leaves a password
            await _retire(chain, change)  # the next plan still lists, and removes (key_ids counts disabled copies)
            await _remove(chain, change.before["keyId"])
            chain.finish([change], "removed")
        else:
            await _add(chain, change)
            chain.finish([change], "created")


async def _remove(chain, key_id: str) -> None:
    await chain.send("POST", f"applications/{chain.ids['id']}/removePassword", {"keyId": key_id},
                     ok_if=lambda response: response.status == 404, settle=False)


async def _retire(chain, change: Change) -> None:
    """The copies in the vault of the password to remove are disabled, before it is removed: the vault's enabled
    versions are the values that still sign in (or are about to stop), and the newest is the one in use. Removed
    first, an apply cut short between the two left an enabled copy of a dead value, which no plan looked for
    again (found by a review in session 47)."""
    if chain.vaults is None or "vaultUrl" not in change.ids:
        return  # a secret the file no longer names: its vault is not known any more
    try:
        await chain.vaults.sink(change.ids["vaultUrl"], change.ids["secretName"]).retire(change.before["keyId"])
    except VaultError as error:
        raise StepFailed(f"not removed from the application, as {error}", change) from None


async def _add(chain, change: Change) -> None:
    if chain.vaults is None:
        raise StepFailed("no vault to write the secret to: nothing was added", change)
    sink = chain.vaults.sink(change.ids["vaultUrl"], change.ids["secretName"])
    try:  # a sink known to be unusable (local files: the directory, the key list) fails before anything is added
        await sink.prepare()
    except VaultError as error:
        raise StepFailed(f"{error.summary}; nothing was added{fixed(error.fix)}", change) from None
    end = clock.now() + _dt.timedelta(days=change.ids["lifetimeDays"])
    # A lost answer is sent again (`repeatable`): the password it may have added, whose value nobody received, is
    # swept away below, once the one whose value is held is in the vault.
    response = await chain.send("POST", f"applications/{chain.ids['id']}/addPassword", {"passwordCredential": {
        "displayName": MARKER + change.after["displayName"], "endDateTime": moment(end)}}, repeatable=True)
    key_id = str(response.body.get("keyId")).lower()
    value = response.body.pop("secretText", None)  # the one copy from here on: written, then dropped
    try:
        if not value:
            raise VaultError("Graph returned no secret")
        await sink.write(value, key_id, end, _tags(chain, key_id))
    except VaultError as error:
        await _withdraw(chain, change, key_id, error)
        raise StepFailed(f"{error.summary}; the new secret was removed again, so that none exists "
                         f"that nobody holds{fixed(error.fix)}", change) from None
    finally:
        del value  # dropped at once, whatever happened: the vault holds it now, or nobody does
    await _sweep(chain, change, key_id)


async def _withdraw(chain, change: Change, key_id: str, error: VaultError) -> None:
    """The password whose value could not be stored, removed again (with any a lost answer added). If Graph
    refuses that too, the step says that a password whose value is nowhere is left, and that the next apply deals
    with it: the password has no copy in the vault, so the plan adds a new one and removes it after the overlap
    (credentials/rotation.py) -- nobody is left not knowing."""
    try:
        await _remove(chain, key_id)
        await _sweep(chain, change, None)
    except (StepFailed, GraphUnavailable) as failure:
        raise StepFailed(f"{error.summary}; removing the new password again failed too "
                         f"({failure}): password {key_id} is left in the application with its value stored nowhere "
                         "-- nobody holds it; the next apply adds a new secret and removes this one once its overlap "
                         f"is over (or remove it now){fixed(error.fix)}", change) from None


async def _sweep(chain, change: Change, kept: str | None) -> None:
    """Passwords of this secret that neither the plan knew nor this step holds: added by a request whose answer
    was lost (and sent again), so their value reached nobody. Removed now, not at the next apply."""
    known = {c.before["keyId"] for c in chain.of(KIND) if c.before} | {kept}
    read = await chain.send("GET", query(f"applications/{chain.ids['id']}", select="passwordCredentials"))
    shown = MARKER + change.after["displayName"]
    for password in read.body.get("passwordCredentials") or []:
        if password.get("displayName") == shown and str(password.get("keyId")).lower() not in known:
            await _remove(chain, str(password["keyId"]).lower())


def _tags(chain, key_id: str) -> dict:
    """What the vault's version says of itself: whose secret it is. The key id is what the plan reads back."""
    return {"application": chain.name, "appId": str(chain.ids.get("appId") or ""), "keyId": key_id,
            "project": chain.vaults.project, "managedBy": "idamconf"}
