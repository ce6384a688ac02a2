"""What an access token says, as Entra's access tokens say it (access-token-claims-reference.md).

The resource application's `api.requestedAccessTokenVersion` picks v1 (`appid`, `appidacr`, issuer `…/{tid}/`, `aud`
as the scope named the resource) or v2 (`azp`, `azpacr`, issuer `…/{tid}/v2.0`, `aud` the application id);
Microsoft Graph's are v1. Every token lives one hour (Entra's fixed default for access tokens). Issuers are the
emulator's own origin, never Microsoft's: a token it issues can never be mistaken for Entra's. A claim with nothing
to say is left out, as Entra leaves it out ("Claims are present only if a value exists to fill it"): an application
granted no role has no `roles`, not `roles: []` -- code that reads `claims["roles"]` breaks here as against Entra.
"""

from __future__ import annotations

import time
import uuid

from ..graph_permissions import GRAPH_APP_ID
from ..store import Store
from . import keys, roles
from .clients import Client

LIFETIME = 3600  # seconds


def issuer(origin: str, tenant: str, version: str = "2.0") -> str:
    return f"{origin}/{tenant}/v2.0" if version == "2.0" else f"{origin}/{tenant}/"


def issued(store: Store, claims: dict) -> str:
    """The signed access token, without the claims that hold nothing (None, "", [])."""
    return keys.sign(store, {name: value for name, value in claims.items() if value not in (None, "", [])})


def answer(access_token: str) -> dict:
    return {"token_type": "Bearer", "expires_in": LIFETIME, "ext_expires_in": LIFETIME,
            "access_token": access_token}


def app_claims(store: Store, origin: str, tenant: str, client: Client, resource: dict,
               audience: str) -> dict:
    """An application's own token (no user): its roles on the resource, no `scp`."""
    principal = client.service_principal
    claims = base_claims(store, origin, tenant, client.application["appId"], client.acr, resource, audience)
    return {**claims, "idtyp": "app", "oid": principal["id"], "sub": principal["id"],
            "roles": roles.held_roles(store, principal["id"], resource)}


def base_claims(store: Store, origin: str, tenant: str, client_app_id: str, acr: str, resource: dict,
                audience: str) -> dict:
    """What every token carries, in the resource's token version."""
    now = int(time.time())
    version = token_version(store, resource)
    common = {"iss": issuer(origin, tenant, version), "iat": now, "nbf": now, "exp": now + LIFETIME, "tid": tenant,
              "uti": uuid.uuid4().hex, "ver": version}
    if version == "1.0":
        return {"aud": audience, **common, "appid": client_app_id, "appidacr": acr}
    return {"aud": resource["appId"], **common, "azp": client_app_id, "azpacr": acr}


def token_version(store: Store, resource: dict) -> str:
    if resource["appId"] == GRAPH_APP_ID:
        return "1.0"
    application = store.find("applications", "appId", resource["appId"]) or {}
    return "2.0" if (application.get("api") or {}).get("requestedAccessTokenVersion") == 2 else "1.0"
