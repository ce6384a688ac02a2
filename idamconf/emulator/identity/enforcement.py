"""Graph's permission checks, in a tenant that enforces them (`tenant: {enforcePermissions: true}` in a seed, or
`idamconf emulator serve --enforce-permissions`); otherwise any bearer token is accepted, as before.

Each request (each `$batch` item too) must carry an access token this tenant's identity provider issued for
Microsoft Graph: signed by its key, current, with Graph's audience and this tenant's `tid`. Anything else is 401
`InvalidAuthenticationToken`, with the message Graph gives for that fault. The token's `roles` must then meet what
the request needs (graph/permissions.py, the table idamconf names a missing permission from), or it is 403
`Authorization_RequestDenied` "Insufficient privileges to complete the operation." -- Graph's own words, which name
no permission (idamconf's message does, from the same table).

`Application.ReadWrite.OwnedBy` counts only for an application or service principal the caller owns, or creates:
an application or service principal created by an application (app-only) gets the caller as its owner
(inferred: this is how such a caller can manage what it created, as the permission promises).
"""

from __future__ import annotations

import weakref

import jwt

from ...graph.permissions import OWNED_BY, Need, needs
from ..errors import GraphError
from ..graph_permissions import GRAPH_APP_ID
from ..protocol import Key, Reply, Request, split_path
from ..store import Store
from . import keys

SETTING = "identity.enforcePermissions"
GRAPH_AUDIENCES = ["https://graph.microsoft.com", "https://graph.microsoft.com/", GRAPH_APP_ID]
DENIED = "Insufficient privileges to complete the operation."
OWNED_SETS = ("applications", "servicePrincipals")


_ENFORCED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # store -> its setting, read once


def enforced(store: Store) -> bool:
    if store not in _ENFORCED:
        _ENFORCED[store] = bool(store.setting(SETTING, False))
    return _ENFORCED[store]


def enforce(store: Store, on: bool = True) -> None:
    store.set_setting(SETTING, on)
    _ENFORCED[store] = on


def check(store: Store, request: Request) -> None:
    """Refuses the request as Graph would (401, 403), or records its caller's service principal on it."""
    if not enforced(store):
        return
    claims = _validated(store, request.headers.get("authorization", "").partition(" ")[2].strip())
    if request.path == "$batch":
        return  # each item is checked on its own
    request.caller = claims.get("oid") if claims.get("idtyp") == "app" else None
    held = set(claims.get("roles") or ())
    for need in needs(request.method, request.path):
        if not _met(store, request, need, held):
            raise GraphError(403, "Authorization_RequestDenied", DENIED)


def _validated(store: Store, token: str) -> dict:
    try:
        claims = keys.verify(store, token, audience=GRAPH_AUDIENCES, options={"require": ["exp", "aud", "tid"]})
    except jwt.ExpiredSignatureError:
        raise _unauthorised("Lifetime validation failed, the token is expired.") from None
    except jwt.InvalidAudienceError:
        raise _unauthorised("Access token validation failure. Invalid audience.") from None
    except jwt.DecodeError as error:
        if "Signature verification failed" in str(error):
            raise _unauthorised("Access token validation failure.") from None
        raise _unauthorised("CompactToken parsing failed with error code: 80049217") from None
    except jwt.InvalidTokenError:
        raise _unauthorised("Access token validation failure.") from None
    if str(claims["tid"]).lower() != store.tenant_id.lower():
        raise _unauthorised("Access token validation failure. Invalid issuer or tenant.")
    return claims


def _unauthorised(message: str) -> GraphError:
    return GraphError(401, "InvalidAuthenticationToken", message)


def _met(store: Store, request: Request, need: Need, held: set[str]) -> bool:
    if held & (set(need.any_of) - set(need.owned)):
        return True
    return bool(held & set(need.owned)) and request.caller is not None and _owns(store, request)


def _owns(store: Store, request: Request) -> bool:
    """Whether the caller owns what the request writes -- or creates it (an application, or the service principal
    of an application it owns)."""
    parts = split_path(request.path)
    if parts[0] == "applicationTemplates":
        return True  # instantiate creates an application and its service principal: the caller becomes their owner
    if parts[:2] == ["directory", "deletedItems"] and len(parts) > 2:  # a deleted application's owner
        return request.caller in store.targets("owners", parts[2], primary=True)
    if parts[0] not in OWNED_SETS:
        return False
    key = parts[1] if len(parts) > 1 else None
    if isinstance(key, str):
        key = Key("id", key)
    target = _addressed(store, parts[0], key) if key else None
    if target is not None:
        return request.caller in store.targets("owners", target["id"], primary=True)
    if parts[0] == "applications":
        return True  # a create: the caller becomes its owner
    app_id = key.value if key and key.name == "appId" else (request.body or {}).get("appId") \
        if isinstance(request.body, dict) else None
    application = store.find("applications", "appId", app_id, primary=True) if app_id else None
    return application is not None and request.caller in store.targets("owners", application["id"], primary=True)


def _addressed(store: Store, set_name: str, key: Key) -> dict | None:
    if key.name == "id":
        return store.get(set_name, key.value, primary=True)
    return store.find(set_name, key.name, key.value, primary=True)


def owner_of_created(store: Store, request: Request, reply: Reply) -> None:
    """An application or service principal an application creates is owned by it (see the module's docstring)."""
    if getattr(request, "caller", None) is None or reply.status != 201 or not isinstance(reply.body, dict):
        return
    parts = split_path(request.path)
    if parts[0] in OWNED_SETS and (len(parts) == 1 or isinstance(parts[1], Key)) and "id" in reply.body:
        store.link("owners", reply.body["id"], request.caller)
    if parts[0] == "applicationTemplates":  # instantiate: the application and its service principal, both made
        for made in (reply.body.get("application"), reply.body.get("servicePrincipal")):
            if isinstance(made, dict) and "id" in made:
                store.link("owners", made["id"], request.caller)


__all__ = ["OWNED_BY", "check", "enforce", "enforced", "owner_of_created"]
