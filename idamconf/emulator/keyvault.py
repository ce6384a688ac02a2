"""The emulated Azure Key Vault's secrets API (REST 7.x), as the real azure-keyvault-secrets client uses it:

| request | answer |
|---|---|
| any request without a bearer token | 401 with Key Vault's challenge, `WWW-Authenticate: Bearer authorization="<authority>/<tenant id>", resource="https://vault.<host>"`: the SDK's first call is always one |
| `PUT /secrets/{name}` `{value, contentType, attributes: {enabled, nbf, exp}, tags}` | 200, a new version (32 hexadecimal digits) with its bundle |
| `GET /secrets/{name}[/{version}]` | 200, the version's bundle (the latest when none is named); 404 `SecretNotFound`; 403 `Forbidden` (inner error `SecretDisabled`) for a disabled version |
| `GET /secrets/{name}/versions` | 200 `{value: [items without the value], nextLink: null}`; an unknown name lists nothing, as Key Vault does |
| `GET /secrets` | 200, each secret's latest version as an item |
| `PATCH /secrets/{name}/{version}` `{contentType, attributes, tags}` | 200, the bundle updated (update_secret_properties) |
| `DELETE /secrets/{name}` | 200, the deleted secret (no value) with its `recoveryId`, `deletedDate` and `scheduledPurgeDate`: soft-deleted, its versions kept and its name held for `recoverableDays` (90), then purged |
| any of the above on a deleted secret's name | `PUT`: 409 `Conflict`, inner error `ObjectIsDeletedButRecoverable`; versions list nothing; the rest 404 `SecretNotFound` |
| `GET /deletedsecrets[/{name}]`, `POST /deletedsecrets/{name}/recover`, `DELETE /deletedsecrets/{name}` | the deleted secrets (no value); recovered as it was (200); purged (204) |

A vault is addressed by host, as Key Vault's are: `<vault name>.vault.<the emulator's host>` (vault/urls.py), a name
under `.localhost`. The challenge's resource is `https://vault.<the emulator's host>`, under which every vault's
host lies: azure-keyvault-secrets checks exactly that (`verify_challenge_resource`) before it asks for a token.
Like the emulator's Graph, it accepts any bearer token (docs/emulator.md: the emulator stays on this machine).
Timestamps are Unix seconds read from the shared clock (idamconf/clock.py), so tests can move time forward.
"""

from __future__ import annotations

import json
import re
import uuid

from .. import clock
from .hosts import _split
from .vault_store import VaultStore

VAULT_HOST = re.compile(r"(?P<vault>[a-z0-9-]{3,24})\.vault\.(?P<rest>.+)")
AUTHORITY = "https://login.microsoftonline.com"
RECOVERY = {"recoveryLevel": "Recoverable+Purgeable", "recoverableDays": 90}


def vault_of(host: str) -> tuple[str, str] | None:
    """(vault name, the host under `vault.` with the port as given) of a request's Host, if it addresses a vault."""
    name, port = _split(host.strip().lower())
    match = VAULT_HOST.fullmatch(name)
    return (match["vault"], match["rest"] + (f":{port}" if port else "")) if match else None


class VaultHosts:
    """ASGI middleware: requests addressed to a vault's host go to the emulated Key Vault, the rest to Graph (`app`;
    None for the embedded vault's own client, vault/vaults.py, whose transport sends to a vault's host only)."""

    def __init__(self, app, vaults: VaultStore, tenant_id):
        self.app, self.vaults, self.tenant_id = app, vaults, tenant_id

    async def __call__(self, scope, receive, send) -> None:
        host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")
        if scope["type"] != "http" or vault_of(host) is None:
            await self.app(scope, receive, send)
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        status, headers, content = answer(self.vaults, self.tenant_id(), scope, host, body)
        await send({"type": "http.response.start", "status": status, "headers": [
            (name.encode(), value.encode()) for name, value in {**headers, "content-length": str(len(content))}.items()]})
        await send({"type": "http.response.body", "body": content})


def answer(vaults: VaultStore, tenant_id: str, scope: dict, host: str, body: bytes) -> tuple[int, dict, bytes]:
    vault, rest = vault_of(host)
    headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope.get("headers") or []}
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        challenge = f'Bearer authorization="{AUTHORITY}/{tenant_id}", resource="https://vault.{rest}"'
        return _json(401, {"error": {"code": "Unauthorized", "message": "AKV10000: Request is missing a Bearer or "
                                     "PoP token."}}, {"www-authenticate": challenge})
    base = f"{scope.get('scheme', 'https')}://{host}"
    parts = [part for part in scope["path"].split("/") if part]
    try:
        document = json.loads(body) if body else {}
    except ValueError:
        return _bad("The request body is not JSON.")
    return _route(vaults, vault, base, scope["method"], parts, document)


def _route(vaults: VaultStore, vault: str, base: str, method: str, parts: list[str], body) -> tuple[int, dict, bytes]:
    if parts[:1] == ["deletedsecrets"] and len(parts) <= 3:
        return _deleted_route(vaults, vault, base, method, parts)
    if not parts or parts[0] != "secrets" or len(parts) > 3:
        return _json(404, {"error": {"code": "NotFound", "message": "The requested resource was not found."}})
    if len(parts) == 1 and method == "GET":
        items = [_item(base, name, *vaults.versions(vault, name)[-1]) for name in vaults.names(vault)
                 if _deleted(vaults, vault, name) is None]
        return _json(200, {"value": items, "nextLink": None})
    name = parts[1]
    if _deleted(vaults, vault, name) is not None:
        return _while_deleted(name, method, parts)
    if len(parts) == 2 and method == "PUT":
        return _set(vaults, vault, base, name, body)
    if len(parts) == 2 and method == "DELETE":
        return _delete(vaults, vault, base, name)
    if len(parts) == 3 and parts[2] == "versions" and method == "GET":
        return _json(200, {"value": [_item(base, name, version, doc) for version, doc in vaults.versions(vault, name)],
                           "nextLink": None})
    if method in ("GET", "PATCH"):
        found = _version(vaults.versions(vault, name), parts[2] if len(parts) == 3 else "")
        if found is None:
            return _not_found(name, parts[2] if len(parts) == 3 else "")
        if method == "PATCH":
            return _update(vaults, vault, base, name, found, body)
        if found[1]["attributes"].get("enabled") is False:  # listed and updated, never read
            return _json(403, {"error": {"code": "Forbidden", "message": "Operation get is not allowed on a disabled "
                                         "secret.", "innererror": {"code": "SecretDisabled"}}})
        return _json(200, _bundle(base, name, *found))
    return _not_allowed(method)


def _set(vaults: VaultStore, vault: str, base: str, name: str, body) -> tuple[int, dict, bytes]:
    if not re.fullmatch(r"[0-9A-Za-z-]{1,127}", name):
        return _bad(f"The secret name '{name}' is invalid: letters, digits and hyphens only.")
    if not isinstance(body, dict) or not isinstance(body.get("value"), str):
        return _bad("The value of a secret is required (a string).")
    now = int(clock.now().timestamp())
    attributes = {key: value for key, value in (body.get("attributes") or {}).items() if key in ("enabled", "nbf", "exp")}
    doc = {"value": body["value"], "contentType": body.get("contentType"), "tags": body.get("tags") or {},
           "attributes": {"enabled": True, **attributes, "created": now, "updated": now, **RECOVERY}}
    version = uuid.uuid4().hex
    vaults.add(vault, name, version, doc)
    return _json(200, _bundle(base, name, version, doc))


def _update(vaults: VaultStore, vault: str, base: str, name: str, found: tuple, body) -> tuple[int, dict, bytes]:
    version, doc = found
    changes = body if isinstance(body, dict) else {}
    attributes = {key: value for key, value in (changes.get("attributes") or {}).items()
                  if key in ("enabled", "nbf", "exp")}
    doc = {**doc, "attributes": {**doc["attributes"], **attributes, "updated": int(clock.now().timestamp())}}
    doc.update({key: changes[key] for key in ("contentType", "tags") if key in changes})
    vaults.replace(vault, name, version, doc)
    return _json(200, _bundle(base, name, version, doc))


# ------------------------------------------------------------------------------------------------- soft-delete
def _deleted(vaults: VaultStore, vault: str, name: str) -> int | None:
    """When a deleted secret of that name was deleted, while soft-delete keeps it (`recoverableDays`); then it is
    purged, and its name free again."""
    when = vaults.deleted(vault, name)
    if when is not None and clock.now().timestamp() >= _purge_date(when):
        vaults.purge(vault, name)
        return None
    return when


def _purge_date(deleted: int) -> int:
    return deleted + RECOVERY["recoverableDays"] * 86400


def _while_deleted(name: str, method: str, parts: list[str]) -> tuple[int, dict, bytes]:
    """A deleted secret's name: not a secret any more (404, nothing listed), and not free for a new one (409) until
    it is recovered or purged."""
    if len(parts) == 2 and method == "PUT":
        return _json(409, {"error": {"code": "Conflict", "message": f"Secret {name} is currently in a deleted but "
                                     "recoverable state, and its name cannot be reused; in this state, the secret can "
                                     "only be recovered or purged.",
                                     "innererror": {"code": "ObjectIsDeletedButRecoverable"}}})
    if len(parts) == 3 and parts[2] == "versions" and method == "GET":
        return _json(200, {"value": [], "nextLink": None})
    if method in ("GET", "PATCH", "DELETE"):
        return _not_found(name, parts[2] if len(parts) == 3 else "")
    return _not_allowed(method)


def _delete(vaults: VaultStore, vault: str, base: str, name: str) -> tuple[int, dict, bytes]:
    versions = vaults.versions(vault, name)
    if not versions:
        return _not_found(name, "")
    when = int(clock.now().timestamp())
    vaults.delete(vault, name, when)
    return _json(200, _deleted_item(base, name, *versions[-1], when))


def _deleted_route(vaults: VaultStore, vault: str, base: str, method: str, parts: list[str]):
    if len(parts) == 1 and method == "GET":
        items = [_deleted_item(base, name, *vaults.versions(vault, name)[-1], when)
                 for name in vaults.deleted_names(vault) if (when := _deleted(vaults, vault, name)) is not None]
        return _json(200, {"value": items, "nextLink": None})
    if len(parts) == 1:
        return _not_allowed(method)
    name = parts[1]
    when = _deleted(vaults, vault, name)
    if when is None:
        return _json(404, {"error": {"code": "SecretNotFound", "message": f"Deleted Secret {name} not found."}})
    if len(parts) == 2 and method == "GET":
        return _json(200, _deleted_item(base, name, *vaults.versions(vault, name)[-1], when))
    if len(parts) == 2 and method == "DELETE":
        vaults.purge(vault, name)
        return 204, {}, b""
    if len(parts) == 3 and parts[2] == "recover" and method == "POST":
        vaults.recover(vault, name)
        return _json(200, _item(base, name, *vaults.versions(vault, name)[-1]))
    return _not_allowed(method)


def _deleted_item(base: str, name: str, version: str, doc: dict, when: int) -> dict:
    """A deleted secret as Key Vault shows one: its latest version's item (never the value), how to recover it, and
    when it was deleted and will be purged."""
    return {**_item(base, name, version, doc), "recoveryId": f"{base}/deletedsecrets/{name}", "deletedDate": when,
            "scheduledPurgeDate": _purge_date(when)}


def _not_allowed(method: str) -> tuple[int, dict, bytes]:
    return _json(405, {"error": {"code": "BadRequest", "message": f"The method {method} is not allowed here."}})


def _not_found(name: str, version: str) -> tuple[int, dict, bytes]:
    return _json(404, {"error": {"code": "SecretNotFound", "message": f"A secret with (name/id) {name}/{version} was "
                                 "not found in this key vault."}})


def _version(versions: list, wanted: str):
    if not versions:
        return None
    if not wanted:
        return versions[-1]
    return next((found for found in versions if found[0] == wanted.lower()), None)


def _item(base: str, name: str, version: str, doc: dict) -> dict:
    """As Key Vault answers: a secret set without tags or a content type has neither key (not an empty one), as in
    the REST reference's example of Get Secret Versions; the SDK then reads `tags` as None."""
    optional = {"tags": doc["tags"], "contentType": doc["contentType"]}
    return {"id": f"{base}/secrets/{name}/{version}", "attributes": doc["attributes"],
            **{key: value for key, value in optional.items() if value}}


def _bundle(base: str, name: str, version: str, doc: dict) -> dict:
    return {"value": doc["value"], **_item(base, name, version, doc)}


def _bad(message: str) -> tuple[int, dict, bytes]:
    return _json(400, {"error": {"code": "BadParameter", "message": message}})


def _json(status: int, body: dict, headers: dict | None = None) -> tuple[int, dict, bytes]:
    return status, {"content-type": "application/json; charset=utf-8", **(headers or {})}, json.dumps(body).encode()
