"""The emulated tenant's own settings, served where Graph serves them: its verified domains (`GET /domains`,
`GET /organization` `verifiedDomains`) and its default app-management policy (`GET`/`PATCH
/policies/defaultAppManagementPolicy`, Graph's tenantAppManagementPolicy).

The policy is on by default with `uriAdditionWithoutUniqueTenantIdentifier` enabled, as Microsoft has shipped it
to tenants since mid-2025 (Microsoft Entra, "Restrictions on identifier URIs"): a new identifier URI of an
application with v1 tokens must contain the tenant id, the app id or a verified domain. A seed file switches it
(`tenant.defaultAppManagementPolicy`, a PATCH body), as a tenant administrator would.

Settings live in the store's meta table as JSON. The initial domain (`<name>.onmicrosoft.com`, the applications'
`publisherDomain`) is always verified; a seed adds others.
"""

from __future__ import annotations

import copy

from ..graph.uri_rules import Tenant
from .entities import GUID
from .errors import GraphError, bad_request, not_found
from .protocol import Key, Reply, Request

POLICY_ID = "00000000-0000-0000-0000-000000000000"
RESTRICTIONS = ("nonDefaultUriAddition", "uriAdditionWithoutUniqueTenantIdentifier")
# Graph v1.0 documents excludeAppsReceivingV2Tokens on identifierUriRestriction, but the msgraph-sdk models this
# project pins do not have it: it is honoured (the default, true, is what Microsoft's own enabling script sets and
# what "newly added URIs on v1 applications" means) and accepted on PATCH, but not served, so that the typed SDK
# parses the policy with nothing left over.
NOT_SERVED = "excludeAppsReceivingV2Tokens"


def restriction(state: str, by_microsoft: bool) -> dict:
    return {"excludeActors": None, "excludeSaml": True, NOT_SERVED: True, "isStateSetByMicrosoft": by_microsoft,
            "restrictForAppsCreatedAfterDateTime": None, "state": state}


def default_policy() -> dict:
    return {
        "id": POLICY_ID, "deletedDateTime": None, "displayName": "Default app management tenant policy",
        "description": "Default tenant policy that enforces app management restrictions on applications and service "
                       "principals.",
        "isEnabled": True,
        "applicationRestrictions": {"passwordCredentials": [], "keyCredentials": [], "identifierUris": {
            "nonDefaultUriAddition": None,
            "uriAdditionWithoutUniqueTenantIdentifier": restriction("enabled", by_microsoft=True)}},
        "servicePrincipalRestrictions": {"passwordCredentials": [], "keyCredentials": []},
    }


# --------------------------------------------------------------------------------------------------- settings
def tenant(store) -> Tenant:
    return Tenant(store.tenant_id, tuple(domain.lower() for domain in verified_domains(store)))


def verified_domains(store) -> list[str]:
    return [store.domain, *store.setting("verifiedDomains", [])]


def named_by(store, segment: str) -> str | None:
    """The tenant's id if `segment` -- the `{tenant}` of a login endpoint's path -- names it, else None: its id in
    any case (a GUID), or one of its verified domains in any case (federation-metadata.md: "a registered domain
    name ... or the immutable tenant ID"; the identity provider's paths and the SAML metadata read it alike)."""
    wanted = segment.lower()
    return store.tenant_id if wanted in (store.tenant_id.lower(), *map(str.lower, verified_domains(store))) else None


def add_verified_domains(store, names: list[str]) -> None:
    known = {name.lower() for name in verified_domains(store)}
    store.set_setting("verifiedDomains", [*store.setting("verifiedDomains", []),
                                          *(name for name in dict.fromkeys(names) if name.lower() not in known)])


def policy(store) -> dict:
    return store.setting("defaultAppManagementPolicy") or default_policy()


def update_policy(store, body: dict) -> None:
    """A PATCH of the policy: checked, merged into the stored one (nested objects merge, as Graph's PATCH does)."""
    if not isinstance(body, dict):
        raise bad_request("Write requests must carry a JSON object body.")
    _check_policy(body)
    updated = _merged(policy(store), body)
    for name in RESTRICTIONS:
        sent = ((body.get("applicationRestrictions") or {}).get("identifierUris") or {}).get(name)
        current = updated["applicationRestrictions"]["identifierUris"].get(name)
        if isinstance(sent, dict) and current is not None:
            updated["applicationRestrictions"]["identifierUris"][name] = {
                **restriction("disabled", by_microsoft=False), **current, "isStateSetByMicrosoft": False}
    store.set_setting("defaultAppManagementPolicy", updated)


def _merged(current: dict, changes: dict) -> dict:
    merged = copy.deepcopy(current)
    for name, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(name), dict):
            merged[name] = _merged(merged[name], value)
        else:
            merged[name] = copy.deepcopy(value)
    return merged


POLICY_SHAPE = {"displayName": str, "description": str, "isEnabled": bool,
                "applicationRestrictions": {"passwordCredentials": list, "keyCredentials": list,
                                            "identifierUris": {name: "restriction" for name in RESTRICTIONS}},
                "servicePrincipalRestrictions": {"passwordCredentials": list, "keyCredentials": list}}
RESTRICTION_SHAPE = {"state": {"enabled", "disabled"}, "excludeSaml": bool, NOT_SERVED: bool,
                     "restrictForAppsCreatedAfterDateTime": "datetime", "excludeActors": type(None)}


def _check_policy(body: dict, shape: dict = POLICY_SHAPE, where: str = "tenantAppManagementPolicy") -> None:
    for name, value in body.items():
        if name.startswith("@odata."):
            continue
        rule = shape.get(name)
        if rule is None:
            read_only = name in ("id", "deletedDateTime", "isStateSetByMicrosoft")
            raise bad_request(f"Property '{name}' is read-only and cannot be set." if read_only else
                              f"The property '{name}' does not exist on type 'microsoft.graph.{where}'.")
        _check_value(name, value, rule)


def _check_value(name: str, value, rule) -> None:
    if value is None and rule != bool:
        return
    if isinstance(rule, dict) or rule == "restriction":
        if not isinstance(value, dict):
            raise bad_request(f"Invalid value specified for property '{name}': expected an object.")
        _check_policy(value, RESTRICTION_SHAPE if rule == "restriction" else rule, name)
    elif rule is list:
        if value != []:  # credential restrictions are not modelled: refused rather than silently not enforced
            raise bad_request(f"The emulator does not enforce '{name}' restrictions; send an empty collection.")
    elif not _matches(value, rule):
        raise bad_request(f"Invalid value specified for property '{name}': '{value}'.")


def _matches(value, rule) -> bool:
    if isinstance(rule, set):
        return value in rule
    if rule == "datetime":
        return isinstance(value, str) and value[:4].isdigit()
    return isinstance(value, rule)


# ---------------------------------------------------------------------------------------------------- handlers
def get_policy(store, request: Request, key: Key) -> Reply:
    _policy_key(key)
    served = _without(policy(store), NOT_SERVED)
    return Reply(200, {"@odata.context": f"{request.base}/$metadata#policies/defaultAppManagementPolicy/$entity",
                       **served})


def patch_policy(store, request: Request, key: Key) -> Reply:
    _policy_key(key)
    update_policy(store, request.body)
    return Reply(204)


def _policy_key(key: Key) -> None:
    if key.value != "defaultAppManagementPolicy":
        raise GraphError(400, "BadRequest", f"Resource not found for the segment '{key.value}'.")


def _without(value, name: str):
    if isinstance(value, dict):
        return {key: _without(item, name) for key, item in value.items() if key != name}
    return value


def list_domains(store, request: Request) -> Reply:
    _no_options(request)
    return Reply(200, {"@odata.context": f"{request.base}/$metadata#domains",
                       "value": [_domain(store, name) for name in verified_domains(store)]})


def get_domain(store, request: Request, key: Key) -> Reply:
    _no_options(request)
    found = [name for name in verified_domains(store) if name.lower() == key.value.lower()]
    if not found:
        raise not_found(key.value)
    return Reply(200, {"@odata.context": f"{request.base}/$metadata#domains/$entity", **_domain(store, found[0])})


def _domain(store, name: str) -> dict:
    initial = name == store.domain
    return {"authenticationType": "Managed", "availabilityStatus": None, "id": name, "isAdminManaged": True,
            "isDefault": initial, "isInitial": initial, "isRoot": True, "isVerified": True,
            "passwordNotificationWindowInDays": None, "passwordValidityPeriodInDays": None, "state": None,
            "supportedServices": []}


def list_organization(store, request: Request) -> Reply:
    _no_options(request)
    return Reply(200, {"@odata.context": f"{request.base}/$metadata#organization", "value": [_organization(store)]})


def get_organization(store, request: Request, key: Key) -> Reply:
    _no_options(request)
    if key.value.lower() != store.tenant_id.lower():
        raise not_found(key.value)
    return Reply(200, {"@odata.context": f"{request.base}/$metadata#organization/$entity", **_organization(store)})


def _organization(store) -> dict:
    verified = [{"capabilities": "None", "isDefault": name == store.domain, "isInitial": name == store.domain,
                 "name": name, "type": "Managed"} for name in verified_domains(store)]
    return {"id": store.tenant_id, "deletedDateTime": None, "displayName": store.domain.split(".")[0].title(),
            "tenantType": "AAD", "verifiedDomains": verified}


def _no_options(request: Request) -> None:
    for name in request.query:
        if name.startswith("$"):
            raise GraphError(400, "Request_UnsupportedQuery", f"Unsupported query: '{name}' is not supported here.")


def seed_tenant(store, fixtures: dict, origin: str, error) -> None:
    """A seed file's `tenant:` block: `id`, `verifiedDomains`, `defaultAppManagementPolicy` (a PATCH body),
    `enforcePermissions` (emulator/identity/enforcement)."""
    unknown = set(fixtures) - {"id", "verifiedDomains", "defaultAppManagementPolicy", "enforcePermissions"}
    if unknown:
        raise error(f"{origin}: tenant: unknown field(s) {', '.join(sorted(unknown))}")
    if "id" in fixtures:
        if not isinstance(fixtures["id"], str) or not GUID.match(fixtures["id"]):
            raise error(f"{origin}: tenant.id must be the tenant's GUID")
        store.set_tenant_id(fixtures["id"].lower())
    domains = fixtures.get("verifiedDomains") or []
    if not isinstance(domains, list) or not all(isinstance(name, str) and "." in name for name in domains):
        raise error(f"{origin}: tenant.verifiedDomains is a list of domain names such as contoso.com")
    add_verified_domains(store, domains)
    if not isinstance(fixtures.get("enforcePermissions", False), bool):
        raise error(f"{origin}: tenant.enforcePermissions is true or false")
    if "enforcePermissions" in fixtures:
        from .identity.enforcement import enforce
        enforce(store, fixtures["enforcePermissions"])
    if fixtures.get("defaultAppManagementPolicy") is not None:
        try:
            update_policy(store, fixtures["defaultAppManagementPolicy"])
        except GraphError as refused:
            raise error(f"{origin}: tenant.defaultAppManagementPolicy: {refused.message}") from None


HANDLERS = {
    ("GET", "policies", ("{key}",)): get_policy,
    ("PATCH", "policies", ("{key}",)): patch_policy,
    ("GET", "domains", ()): list_domains,
    ("GET", "domains", ("{key}",)): get_domain,
    ("GET", "organization", ()): list_organization,
    ("GET", "organization", ("{key}",)): get_organization,
}
