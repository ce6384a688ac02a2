"""Graph's rules on an application's `api` (apiApplication): the access token version, the delegated permissions it
exposes (`oauth2PermissionScopes`), the clients pre-authorized for them and its known client applications.

Sources: Graph's apiApplication, permissionScope and preAuthorizedApplication resources; [accounts] Microsoft
Entra, "Validation differences by supported account types"; [manifest] the app manifest reference. Where Graph's
refusal is documented or reported it is used:
- `InvalidAccessTokenVersion` "One or more properties contains invalid values." (azure-ad-b2c/Scripts 2);
- `CannotDeleteOrUpdateEnabledEntitlement`: an enabled scope, like an enabled role, is changed or removed only once
  a write has disabled it (permissionScope: "To delete a permission, this property must first be set to false");
- "Invalid value specified for property 'type' of resource 'PermissionScope'." (Graph's form for a scope's
  property, as reported in microsoft-graph-docs-contrib issue 4750), used for each of a scope's properties.
Inferred (code and wording not documented): a scope value or id that an app role of the same application already
uses (refused by terraform-provider-azuread's checks, "duplicate app role / oauth2_permissions values", and by the
portal), answered as Graph answers duplicate roles (`DuplicateValue`); required admin-consent texts (required by
the portal's form); a pre-authorization naming a scope the application does not expose.
"""

from __future__ import annotations

from ..graph import limits, uri_rules
from .entities import GUID, ROLE_VALUE, check_enabled_unchanged, duplicate_value
from .errors import GraphError, bad_request, invalid

SCOPE_DEFAULTS = {"adminConsentDescription": None, "adminConsentDisplayName": None, "id": None, "isEnabled": True,
                  "origin": "Application", "type": None, "userConsentDescription": None,
                  "userConsentDisplayName": None, "value": None}
SCOPE_TYPES = ("User", "Admin")
CONSENT_TEXTS = ("adminConsentDescription", "adminConsentDisplayName", "userConsentDescription",
                 "userConsentDisplayName")
PRE_AUTHORIZED_FIELDS = {"appId", "delegatedPermissionIds", "@odata.type"}
PERSONAL_SCOPES = limits.SCOPES_PERSONAL  # [accounts], shared with validate (graph/limits.py)


def stored_scopes(scopes):
    """The scopes as Graph stores them: every property present, `origin` set by the service. Anything that is not
    a scope object is left as sent, for `check_api` to refuse."""
    if not isinstance(scopes, list):
        return scopes
    return [_stored_scope(scope) if isinstance(scope, dict) else scope for scope in scopes]


def _stored_scope(scope: dict) -> dict:
    stored = {**SCOPE_DEFAULTS, **{k: v for k, v in scope.items() if k != "@odata.type"}, "origin": "Application"}
    if isinstance(stored["id"], str):  # a GUID (Edm.Guid) is kept, and returned, in lower case
        stored["id"] = stored["id"].lower()
    return stored


def written_principal_scopes(scopes, previous: list, audience: str | None) -> list:
    """A service principal's `oauth2PermissionScopes` as a write leaves them: serviceprincipal-update.md makes them
    writable, "see the oauth2PermissionScopes property definition on the application resource" -- so each scope
    by an application's rules, ids and values unique, and an enabled one changed or removed only once disabled
    (permissionScope: "To delete a permission, this property must first be set to false")."""
    stored = stored_scopes(scopes)
    _check_scopes(stored, previous, audience)
    _check_unique(stored, [])
    return stored


def check_api(application: dict, before: dict | None) -> None:
    """The application's `api` as a write leaves it (`before`: the application as stored, None for a create)."""
    api, audience = application.get("api") or {}, application["signInAudience"]
    previous = ((before or {}).get("api") or {}).get("oauth2PermissionScopes") or []
    _check_token_version(api, audience)
    if not isinstance(api.get("acceptMappedClaims"), (bool, type(None))):
        raise invalid("acceptMappedClaims", "ApiApplication")
    if not all(isinstance(item, str) and GUID.match(item) for item in api.get("knownClientApplications") or []):
        raise invalid("knownClientApplications", "ApiApplication")
    scopes = api.get("oauth2PermissionScopes") or []
    _check_scopes(scopes, previous, audience)
    _check_unique(scopes, application.get("appRoles") or [])
    _check_pre_authorized(api.get("preAuthorizedApplications") or [], {str(s["id"]).lower() for s in scopes})


def _check_token_version(api: dict, audience: str) -> None:
    version = api.get("requestedAccessTokenVersion")
    problem = limits.token_version_problem(audience, version)
    if problem and version in limits.TOKEN_VERSIONS:
        raise GraphError(400, "InvalidAccessTokenVersion", "One or more properties contains invalid values.")
    if problem:
        raise invalid("requestedAccessTokenVersion", "ApiApplication")


def _check_scopes(scopes: list, previous: list, audience: str) -> None:
    """Each scope: a GUID id, a type, the admin-consent texts, a value of appRole's characters of at most 120
    characters (40, and at most 100 scopes, for personal accounts [accounts]); an enabled scope changes only once
    disabled."""
    if not isinstance(scopes, list) or (uri_rules.personal(audience) and len(scopes) > PERSONAL_SCOPES):
        raise invalid("oauth2PermissionScopes", "ApiApplication")
    for scope in scopes:
        if not isinstance(scope, dict):
            raise invalid("oauth2PermissionScopes", "ApiApplication")
        _check_scope(scope, limits.scope_value_limit(audience))
    check_enabled_unchanged(scopes, previous)


def _check_scope(scope: dict, length: int) -> None:
    unknown = sorted(set(scope) - set(SCOPE_DEFAULTS))
    if unknown:
        raise bad_request(f"The property '{unknown[0]}' does not exist on type 'microsoft.graph.permissionScope'.")
    value = scope["value"]
    checks = {"id": isinstance(scope["id"], str) and bool(GUID.match(scope["id"])),
              "type": scope["type"] in SCOPE_TYPES, "isEnabled": isinstance(scope["isEnabled"], bool),
              "value": isinstance(value, str) and bool(ROLE_VALUE.match(value)) and len(value) <= length and
              not value.startswith("."),
              "adminConsentDisplayName": _text(scope["adminConsentDisplayName"]),
              "adminConsentDescription": _text(scope["adminConsentDescription"]),
              **{name: scope[name] is None or isinstance(scope[name], str) for name in CONSENT_TEXTS[2:]}}
    for name, passed in checks.items():
        if not passed:
            raise invalid(name, "PermissionScope")


def _text(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _check_unique(scopes: list, roles: list) -> None:
    """Scope ids and values are unique among the application's scopes and its app roles' ids and values."""
    for name in ("id", "value"):
        seen: set = set()
        for item in [*scopes, *roles]:
            value = item.get(name)
            key = value.lower() if name == "id" and isinstance(value, str) else value
            if key is not None and key in seen:
                raise duplicate_value("api.oauth2PermissionScopes")
            seen.add(key)


def _check_pre_authorized(entries: list, scope_ids: set[str]) -> None:
    """Each pre-authorized client: an app id (a GUID), once, with ids of scopes this application exposes."""
    seen: set[str] = set()
    for entry in entries:
        if not isinstance(entry, dict) or set(entry) - PRE_AUTHORIZED_FIELDS:
            raise invalid("preAuthorizedApplications", "ApiApplication")
        app_id, ids = entry.get("appId"), entry.get("delegatedPermissionIds")
        if not isinstance(app_id, str) or not GUID.match(app_id) or app_id.lower() in seen:
            raise invalid("appId", "PreAuthorizedApplication")
        if not isinstance(ids, list) or not all(isinstance(i, str) and i.lower() in scope_ids for i in ids):
            raise invalid("delegatedPermissionIds", "PreAuthorizedApplication")
        seen.add(app_id.lower())
