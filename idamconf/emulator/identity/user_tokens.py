"""Tokens for a service team's tests: their application, called by a user of the emulated tenant.

`idamconf emulator token --app NAME --user UPN [--scope S ...]`, and the token endpoint's test-only grant
`urn:idamconf:emulator:user` (form: `client_id` = the application's app id, `username`, optional `scope` of its
exposed scope values, space-separated, bare or as `<identifier URI>/<value>`), issue a delegated token as Entra would
for that user signing in to that application:

- `aud` is the application (its app id in a v2 token, its first identifier URI or app id in a v1 one), and the
  client (`azp`/`appid`) is the application itself, as for a web app calling its own API;
- `roles` are the app roles the user holds on it now (identity/roles.py): a role granted through an access package
  is there once the assignment is delivered, and gone from the next token once the assignment is removed;
- a user assigned no role, directly or through a group, gets no token at all when the application's service
  principal requires assignment (idamconf's default): Entra's AADSTS50105; nor does anyone when the service
  principal is disabled (AADSTS7000112);
- `scp` holds the scopes asked for (each must be an enabled scope the application exposes), or every enabled scope
  it exposes when none is named (a user who consented to all of them);
- `oid` is the user's object id, `sub` a value of its own for that user and that application (`claims.py`), `name`
  the user's display name; the other names follow the token's version (access-token-claims-reference.md,
  optional-claims-reference.md): a v1 token has `unique_name` and `upn` (the user principal name), `given_name` and
  `family_name`; a v2 token has `preferred_username` (the user principal name) only, unless the application asks
  for the others in `optionalClaims.accessToken` -- and a v1 token has `preferred_username` only when asked;
- `idtyp` is there only when the application asks for it with `include_user_token` (by default Entra sends it in
  application tokens only);
- `email`, `groups` and `wids` as the application's optional claims and `groupMembershipClaims` ask
  (directory_claims.py).

Decisions: the grant needs no secret, because it exists for tests against an emulator only this machine can reach
(docs/security.md); and it refuses Microsoft Graph as the audience: the emulator enforces application permissions
only, so a delegated token for Graph would prove nothing.
"""

from __future__ import annotations

import time
import uuid

from ..store import Store
from . import keys, refusals, roles
from .claims import answer, base_claims, issued, optional_claims, pairwise_subject
from .directory_claims import directory_claims


def user_grant(store: Store, origin: str, tenant: str, form: dict) -> dict:
    for name in ("client_id", "username"):
        if not form.get(name):
            raise refusals.missing(name)
    application = store.find("applications", "appId", form["client_id"])
    if application is None:
        raise refusals.application_not_found(form["client_id"], tenant)
    scopes = [value.rsplit("/", 1)[-1] for value in (form.get("scope") or "").split()]
    return answer(user_token(store, origin, tenant, application, form["username"], scopes))


def user_token(store: Store, origin: str, tenant: str, application: dict, upn: str, scopes: list[str]) -> str:
    """A signed delegated token for `upn` to call `application`, with the roles the user holds on it now."""
    user = store.find("users", "userPrincipalName", upn)
    if user is None:
        raise refusals.user_not_found(upn, tenant)
    resource = store.find("servicePrincipals", "appId", application["appId"])
    if resource is None:
        raise refusals.resource_not_found(application["appId"], tenant)
    if resource.get("accountEnabled") is False:  # the application signed in to is disabled
        raise refusals.application_disabled(application)
    granted = _scopes(application, scopes)  # the request's own faults first, then the user's
    if resource.get("appRoleAssignmentRequired") and not roles.assigned(store, user["id"], resource):
        raise refusals.user_not_assigned(upn, application)
    audience = (application.get("identifierUris") or [application["appId"]])[0]
    claims = base_claims(store, origin, tenant, application["appId"], "0", resource, audience)
    optional = optional_claims(store, resource)
    user_type = "user" if "include_user_token" in optional.get("idtyp", []) else None
    subject = pairwise_subject(tenant, application["appId"], user["id"])
    claims.update({"idtyp": user_type, "oid": user["id"], "sub": subject, **user_names(user, claims["ver"], optional),
                   "scp": " ".join(granted), "roles": roles.held_roles(store, user["id"], resource),
                   **directory_claims(store, user, resource, application, optional)})
    return issued(store, claims)


# The claims that name the user, by version: access-token-claims-reference.md gives `unique_name` "only present in
# v1.0 tokens" and `preferred_username` "only present in v2.0 tokens"; optional-claims-reference.md gives `upn`,
# `given_name` and `family_name` as "always included in v1.0 tokens, but not included in v2.0 tokens unless
# requested", and `preferred_username` as an optional claim of v1 tokens. `unique_name` holds the user principal
# name (the reference says only "a human readable value that identifies the subject"; Entra's tokens show the UPN).
NAMES = {"1.0": {"name", "unique_name", "upn", "given_name", "family_name"}, "2.0": {"name", "preferred_username"}}
OPTIONAL_NAMES = {"preferred_username", "upn", "given_name", "family_name"}


def user_names(user: dict, version: str, optional: dict) -> dict:
    upn = user["userPrincipalName"]
    values = {"name": user.get("displayName"), "unique_name": upn, "upn": upn, "preferred_username": upn,
              "given_name": user.get("givenName"), "family_name": user.get("surname")}
    wanted = NAMES[version] | (OPTIONAL_NAMES & set(optional))
    return {claim: value for claim, value in values.items() if claim in wanted}


def _scopes(application: dict, asked: list[str]) -> list[str]:
    exposed = [scope["value"] for scope in (application.get("api") or {}).get("oauth2PermissionScopes") or []
               if scope.get("isEnabled", True)]
    unknown = [value for value in asked if value not in exposed]
    if unknown:
        raise refusals.TokenRefused("invalid_scope", 70011, f"The provided value for the input parameter 'scope' is "
                                                            f"not valid. The scope {' '.join(unknown)} is not valid.")
    return asked or exposed


def federated_token(store: Store, issuer: str, subject: str, audience: str = "api://AzureADTokenExchange",
                    lifetime: int = 600) -> str:
    """A workload-identity token as an external issuer (GitHub Actions) would write it, signed with the tenant's key,
    which is the only issuer key the offline emulator trusts (identity/clients.py). GitHub's live 10 minutes."""
    now = int(time.time())
    return keys.sign(store, {"iss": issuer, "sub": subject, "aud": audience, "iat": now, "nbf": now,
                             "exp": now + lifetime, "jti": uuid.uuid4().hex})
