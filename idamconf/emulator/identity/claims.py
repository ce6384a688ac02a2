"""What an access token says, as Entra's access tokens say it (access-token-claims-reference.md).

The resource application's `api.requestedAccessTokenVersion` picks v1 (`appid`, `appidacr`, issuer `…/{tid}/`, `aud`
as the scope named the resource, an `x5t` header beside `kid`) or v2 (`azp`, `azpacr`, issuer `…/{tid}/v2.0`, `aud`
the application id); Microsoft Graph's are v1. Every token lives one hour (Entra's fixed default for access tokens).
Issuers are the emulator's own origin, never Microsoft's: a token it issues can never be mistaken for Entra's. A claim
with nothing to say is left out, as Entra leaves it out ("Claims are present only if a value exists to fill it"): an
application granted no role has no `roles`, not `roles: []` -- code that reads `claims["roles"]` breaks here as
against Entra. The resource's `optionalClaims.accessToken` adds what it asks for (optional-claims-reference.md):
`idtyp` ("app" in an application's token; in a user's only with `include_user_token`), the user's names a version
leaves out (`user_tokens.py`), and `aud` as the application id in a v1 token with `use_guid`.
"""

from __future__ import annotations

import base64
import hashlib
import time
import uuid

from ..graph_permissions import GRAPH_APP_ID
from ..store import Store
from . import keys, roles
from .clients import Client

LIFETIME = 3600  # seconds
# Microsoft Graph's own optional claims, Microsoft's setting: its reported tokens carry `idtyp`, a user's too.
GRAPH_OPTIONAL = {"idtyp": ["include_user_token"]}


def issuer(origin: str, tenant: str, version: str = "2.0") -> str:
    return f"{origin}/{tenant}/v2.0" if version == "2.0" else f"{origin}/{tenant}/"


def issued(store: Store, claims: dict) -> str:
    """The signed access token, without the claims that hold nothing (None, "", []); a v1 token's header has the
    legacy `x5t` ("emitted only in v1.0 access tokens", the same in use and value as `kid`)."""
    return keys.sign(store, {name: value for name, value in claims.items() if value not in (None, "", [])},
                     x5t=claims["ver"] == "1.0")


def answer(access_token: str) -> dict:
    return {"token_type": "Bearer", "expires_in": LIFETIME, "ext_expires_in": LIFETIME,
            "access_token": access_token}


def app_claims(store: Store, origin: str, tenant: str, client: Client, resource: dict,
               audience: str) -> dict:
    """An application's own token (no user): its roles on the resource, no `scp`."""
    principal = client.service_principal
    claims = base_claims(store, origin, tenant, client.application["appId"], client.acr, resource, audience)
    app_type = "app" if "idtyp" in optional_claims(store, resource) else None
    return {**claims, "idtyp": app_type, "oid": principal["id"], "sub": principal["id"],
            "roles": roles.held_roles(store, principal["id"], resource)}


def base_claims(store: Store, origin: str, tenant: str, client_app_id: str, acr: str, resource: dict,
                audience: str) -> dict:
    """What every token carries, in the resource's token version."""
    now = int(time.time())
    version = token_version(store, resource)
    common = {"iss": issuer(origin, tenant, version), "iat": now, "nbf": now, "exp": now + LIFETIME, "tid": tenant,
              "uti": uuid.uuid4().hex, "ver": version}
    if version == "1.0":
        if "use_guid" in optional_claims(store, resource).get("aud", []):
            audience = resource["appId"]
        return {"aud": audience, **common, "appid": client_app_id, "appidacr": acr}
    return {"aud": resource["appId"], **common, "azp": client_app_id, "azpacr": acr}


def token_version(store: Store, resource: dict) -> str:
    if resource["appId"] == GRAPH_APP_ID:
        return "1.0"
    application = _application(store, resource)
    return "2.0" if (application.get("api") or {}).get("requestedAccessTokenVersion") == 2 else "1.0"


def optional_claims(store: Store, resource: dict) -> dict[str, list[str]]:
    """The optional claims the resource asks for in its access tokens: name -> its additionalProperties. What is
    not of Graph's declared type is taken as not asked for: the emulator refuses it when written (entities.
    check_optional_claims), but a state file written before that check may hold it."""
    if resource["appId"] == GRAPH_APP_ID:
        return GRAPH_OPTIONAL
    kept = _application(store, resource).get("optionalClaims")
    asked = kept.get("accessToken") if isinstance(kept, dict) else None
    return {claim["name"]: [item for item in claim.get("additionalProperties") or () if isinstance(item, str)]
            for claim in (asked if isinstance(asked, list) else ())
            if isinstance(claim, dict) and isinstance(claim.get("name"), str) and claim["name"]}


def pairwise_subject(tenant: str, app_id: str, object_id: str) -> str:
    """A user's `sub`: "a pairwise identifier that's unique to a particular application ID" -- the same in every
    token of that user for that application, another for another application, never the user's object id (`oid`).
    Its form (base64url of a SHA-256, 43 characters, as Entra's look) is the emulator's choice."""
    digest = hashlib.sha256(f"{tenant}/{app_id}/{object_id}".encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def _application(store: Store, resource: dict) -> dict:
    """The resource's application object in this tenant ({} for one registered elsewhere)."""
    return store.find("applications", "appId", resource["appId"]) or {}
