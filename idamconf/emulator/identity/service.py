"""The emulated tenant as an OpenID Connect provider: discovery, keys, and the v2.0 token endpoint.

Paths are Entra's below the served emulator's origin, so an authority of `https://127.0.0.1:PORT` works as
`https://login.microsoftonline.com` does: `/{tenant}/v2.0/.well-known/openid-configuration`,
`/{tenant}/discovery/v2.0/keys`, `/{tenant}/oauth2/v2.0/token`; `{tenant}` is the tenant's id or one of its
verified domains. Grants: `client_credentials` (a secret, a certificate assertion or a federated token:
identity/clients.py) and, for tests only, `urn:idamconf:emulator:user` (identity/user_tokens.py).

Tokens follow Entra's access tokens (access-token-claims-reference.md): the resource application's
`api.requestedAccessTokenVersion` picks v1 (`appid`, `appidacr`, issuer `…/{tid}/`) or v2 (`azp`, `azpacr`,
issuer `…/{tid}/v2.0`); Microsoft Graph's are v1 with `aud` as the scope named it. Every token lives one hour
(Entra's fixed default for access tokens). Issuers are the emulator's own origin, never Microsoft's: a token it
issues can never be mistaken for Entra's.
"""

from __future__ import annotations

import time
import uuid

from ..graph_permissions import GRAPH_APP_ID
from ..store import Store
from ..tenant import verified_domains
from . import clients, keys, refusals, roles

LIFETIME = 3600  # seconds
CLIENT_CREDENTIALS = "client_credentials"
USER_GRANT = "urn:idamconf:emulator:user"  # test-only: identity/user_tokens.py


def tenant_id(store: Store, segment: str) -> str:
    """The tenant a path's `{tenant}` names, or AADSTS90002."""
    if segment.lower() == store.tenant_id.lower() or segment.lower() in (d.lower() for d in verified_domains(store)):
        return store.tenant_id
    raise refusals.tenant_not_found(segment)


def issuer(origin: str, tenant: str, version: str = "2.0") -> str:
    return f"{origin}/{tenant}/v2.0" if version == "2.0" else f"{origin}/{tenant}/"


def discovery(store: Store, origin: str, segment: str) -> dict:
    tenant = tenant_id(store, segment)
    root = f"{origin}/{tenant}"
    return {"issuer": issuer(origin, tenant), "token_endpoint": f"{root}/oauth2/v2.0/token",
            "authorization_endpoint": f"{root}/oauth2/v2.0/authorize", "jwks_uri": f"{root}/discovery/v2.0/keys",
            "response_types_supported": ["token"], "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": [keys.ALGORITHM], "tenant_region_scope": "EU",
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt"],
            "grant_types_supported": [CLIENT_CREDENTIALS, USER_GRANT], "scopes_supported": ["openid"],
            "claims_supported": ["aud", "iss", "iat", "nbf", "exp", "tid", "oid", "sub", "azp", "appid", "roles",
                                 "scp", "ver"]}


def token(store: Store, origin: str, segment: str, form: dict) -> dict:
    """The token endpoint's answer to a form, or a TokenRefused."""
    tenant = tenant_id(store, segment)
    grant = form.get("grant_type")
    if not grant:
        raise refusals.missing("grant_type")
    if grant == USER_GRANT:
        from .user_tokens import user_grant
        return user_grant(store, origin, tenant, form)
    if grant != CLIENT_CREDENTIALS:
        raise refusals.unsupported_grant(grant)
    client = clients.authenticate(store, form, tenant, f"{origin}/{segment}/oauth2/v2.0/token")
    resource, audience = _resource(store, form.get("scope"), tenant)
    claims = app_claims(store, origin, tenant, client, resource, audience)
    return answer(keys.sign(store, claims))


def answer(access_token: str) -> dict:
    return {"token_type": "Bearer", "expires_in": LIFETIME, "ext_expires_in": LIFETIME,
            "access_token": access_token}


def _resource(store: Store, scope: str | None, tenant: str) -> tuple[dict, str]:
    """The resource's service principal, and the identifier the scope named it by (a v1 token's `aud`)."""
    if not scope:
        raise refusals.missing("scope")
    names = scope.split()
    if len(names) != 1 or not names[0].endswith("/.default"):
        raise refusals.bad_scope(scope)
    identifier = names[0].removesuffix("/.default")
    resource = roles.resource_principal(store, identifier)
    if resource is None:
        raise refusals.resource_not_found(identifier, tenant)
    return resource, identifier


def app_claims(store: Store, origin: str, tenant: str, client: clients.Client, resource: dict,
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
