"""The emulated tenant as an OpenID Connect provider: discovery, keys, and the v2.0 token endpoint.

Paths are Entra's below the served emulator's origin, so an authority of `https://127.0.0.1:PORT` works as
`https://login.microsoftonline.com` does: `/{tenant}/v2.0/.well-known/openid-configuration`,
`/{tenant}/discovery/v2.0/keys`, `/{tenant}/oauth2/v2.0/token`; `{tenant}` is the tenant's id or one of its
verified domains. Grants: `client_credentials` (a secret, a certificate assertion or a federated token:
identity/clients.py) and, for tests only, `urn:idamconf:emulator:user` (identity/user_tokens.py).

The tokens' claims: identity/claims.py.
"""

from __future__ import annotations

from ..store import Store
from ..tenant import named_by
from . import clients, keys, refusals, roles
from .claims import answer, app_claims, issued, issuer
from .user_tokens import user_grant

CLIENT_CREDENTIALS = "client_credentials"
USER_GRANT = "urn:idamconf:emulator:user"  # test-only: identity/user_tokens.py


def tenant_id(store: Store, segment: str) -> str:
    """The tenant a path's `{tenant}` names, or AADSTS90002."""
    tenant = named_by(store, segment)
    if tenant is None:
        raise refusals.tenant_not_found(segment)
    return tenant


def discovery(store: Store, origin: str, segment: str, version: str = "2.0") -> dict:
    """The discovery document; v1's (`/{tenant}/.well-known/…`) differs, as Entra's does, by its issuer: the one
    v1 access tokens carry, which a service validating them checks (its token endpoint is still v2.0's here)."""
    tenant = tenant_id(store, segment)
    root = f"{origin}/{tenant}"
    return {"issuer": issuer(origin, tenant, version), "token_endpoint": f"{root}/oauth2/v2.0/token",
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
        return user_grant(store, origin, tenant, form)
    if grant != CLIENT_CREDENTIALS:
        raise refusals.unsupported_grant(grant)
    client = clients.authenticate(store, form, tenant, f"{origin}/{segment}/oauth2/v2.0/token")
    resource, audience = _resource(store, form.get("scope"), tenant)
    if resource.get("appRoleAssignmentRequired") and not roles.assigned(store, client.service_principal["id"],
                                                                         resource):
        raise refusals.client_not_assigned(client.application["appId"], audience)
    claims = app_claims(store, origin, tenant, client, resource, audience)
    return answer(issued(store, claims))


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
    if resource.get("accountEnabled") is False:
        raise refusals.resource_disabled(identifier)
    return resource, identifier
