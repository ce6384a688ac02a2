"""The certificates' public keys (`keyCredentials[].key`) of applications and service principals, kept apart from
the objects, so that reads show them only where Graph does.

keycredential.md, `key`: "Requires $select to retrieve; only available for single object requests (GET
/applications/{applicationId}?$select=keyCredentials or GET /servicePrincipals/{servicePrincipalId}?$select=
keyCredentials); otherwise, it's always null." The objects are stored with every key null -- so lists, expansions,
deleted items and the answers to writes show null, as Graph does -- and the keys are kept in a kind of their own
(`certificateKeys`, keyed `<object id>/<keyId>`), which `with_keys` puts back for that one read and for the
emulator's own uses (a client assertion's certificate, a SAML application's signing certificate). A certificate
sent back without its key (as a read without `$select` shows it) keeps the key it has.
"""

from __future__ import annotations

from .store import Store

KIND = "certificateKeys"
HOLDERS = ("applications", "servicePrincipals")


def keep(store: Store, owner_id: str, credentials: list, previous: list) -> list:
    """The credentials as stored, every key null, once each key sent is kept apart; the keys of the credentials it
    had (`previous`, as stored) and no longer has are forgotten."""
    held = {_key(owner_id, c.get("keyId")): c for c in credentials if isinstance(c, dict) and c.get("keyId")}
    for credential in held.values():
        if credential.get("key") is not None:
            store.put(KIND, {"id": _key(owner_id, credential["keyId"]), "owner": owner_id, "key": credential["key"]})
    for old in previous:
        if _key(owner_id, old.get("keyId")) not in held:
            store.delete(KIND, _key(owner_id, old.get("keyId")))
    return [{**credential, "key": None} if isinstance(credential, dict) else credential for credential in credentials]


def with_keys(store: Store, owner_id: str, credentials: list) -> list:
    """The credentials with their keys, as a single-object read with `$select=keyCredentials` shows them."""
    return [{**credential, "key": _stored(store, owner_id, credential)} for credential in credentials or []]


def served(store: Store, set_name: str, doc: dict, select: tuple[str, ...]) -> dict:
    """An application or service principal as a single-object read shows it: with the keys when `$select` names
    keyCredentials."""
    if set_name not in HOLDERS or "keyCredentials" not in select:
        return doc
    return {**doc, "keyCredentials": with_keys(store, doc["id"], doc.get("keyCredentials") or [])}


def _stored(store: Store, owner_id: str, credential: dict):
    found = store.get(KIND, _key(owner_id, credential.get("keyId")), primary=True)
    return found["key"] if found else credential.get("key")  # an object stored before keys were kept apart


def _key(owner_id: str, key_id) -> str:
    return f"{owner_id}/{str(key_id).lower()}"
