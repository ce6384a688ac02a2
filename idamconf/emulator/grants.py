"""Delegated permission grants (Graph's oAuth2PermissionGrant): consent for a client service principal to call a
resource service principal with some of its delegated permissions, for all users (`AllPrincipals`, an
administrator's consent) or for one (`Principal`).

Served: `POST/GET /oauth2PermissionGrants` (the list takes `$filter` eq on `clientId`, `consentType`, `principalId`
and `resourceId`, `$select`, `$top`, and pages like the directory's), `GET/PATCH/DELETE /oauth2PermissionGrants/{id}`
and `GET /servicePrincipals/{id}/oauth2PermissionGrants` (the grants a client holds). PATCH changes `scope` only.

Graph's rules, with their sources:
- `scope` is "a space-separated list of the claim values for delegated permissions"; each "should match the value
  field of one of the delegated permissions defined by the API" (oAuth2PermissionGrant resource). The emulator
  refuses a value the resource does not expose, or exposes disabled: 400 "Invalid value specified for property
  'scope' of resource 'OAuth2PermissionGrant'." (inferred: Graph documents "should", not its refusal; stricter is
  safe for a client); and at most 3,850 characters, as the resource documents (graph/limits.py [grants]; the
  refusal's wording is the same, inferred);
- `principalId` is null for `AllPrincipals` and a user's id for `Principal` (resource page);
- one grant per client, resource and consent (one per user for `Principal`): a second is 409
  `Request_MultipleObjectsWithSameKeyValue` "Permission entry already exists." (Graph's answer, as reported in
  hashicorp/terraform-provider-azuread issue 690); to grant more scopes, PATCH the grant's `scope`;
- a PATCH of anything but `scope`: 400 "Property cannot be updated: <name>" (Graph's text, as reported in
  MicrosoftDocs/azure-docs issue 105249); a client or resource that does not exist: 404.
A grant's id is Graph's form: the client's and the resource's object ids as bytes (GUID byte order), then the
user's for `Principal`, in unpadded URL-safe base64 (43 or 64 characters), as in grants Graph returns (Azure/azure-cli
issue 20974): the same client, resource and user always give the same id.
"""

from __future__ import annotations

import base64
import uuid

from ..graph import limits
from . import listing
from .directory import json_body, referenced, resolve
from .entities import EntitySet
from .errors import GraphError, bad_request, invalid, not_found
from .odata import parse_select
from .protocol import Key, Reply, Request
from .references import GRANTS
from .store import Store

PROPERTIES = frozenset({"id", "clientId", "consentType", "principalId", "resourceId", "scope"})
ENTITY = EntitySet(GRANTS, "microsoft.graph.oAuth2PermissionGrant", PROPERTIES, PROPERTIES - {"id"},
                   {name: {"eq"} for name in ("clientId", "consentType", "principalId", "resourceId")})
CONSENT_TYPES = ("AllPrincipals", "Principal")


def create_grant(store: Store, request: Request) -> Reply:
    body = json_body(request, ENTITY)
    client = _object(store, "servicePrincipals", body.get("clientId"), "clientId")
    resource = _object(store, "servicePrincipals", body.get("resourceId"), "resourceId")
    principal_id = _principal_id(store, body.get("consentType"), body.get("principalId"))
    grant = {"id": _grant_id(client["id"], resource["id"], principal_id), "clientId": client["id"],
             "consentType": body["consentType"], "principalId": principal_id, "resourceId": resource["id"],
             "scope": _scope(resource, body.get("scope"))}
    if store.get(GRANTS, grant["id"], primary=True):
        raise GraphError(409, "Request_MultipleObjectsWithSameKeyValue", "Permission entry already exists.")
    store.put(GRANTS, grant)
    return Reply(201, {"@odata.context": request.context(GRANTS) + "/$entity", **grant})


def list_grants(store: Store, request: Request) -> Reply:
    return listing.page(store, request, GRANTS, ENTITY, GRANTS)


def list_client_grants(store: Store, request: Request, key: Key) -> Reply:
    client = resolve(store, "servicePrincipals", key)
    return listing.page(store, request, GRANTS, ENTITY, f"servicePrincipals('{client['id']}')/oauth2PermissionGrants",
                        within={"clientId": client["id"]})


def get_grant(store: Store, request: Request, key: Key) -> Reply:
    select = parse_select(request.query.get("$select"), ENTITY.properties, ENTITY.odata_type)
    grant = _grant(store, key)
    shown = {name: grant.get(name) for name in select} if select else grant
    return Reply(200, {"@odata.context": request.context(GRANTS, select) + "/$entity", **shown})


def update_grant(store: Store, request: Request, key: Key) -> Reply:
    grant, body = _grant(store, key), json_body(request, ENTITY)
    for name, value in body.items():
        if name != "scope" and not name.startswith("@odata.") and value != grant.get(name):
            raise bad_request(f"Property cannot be updated: {name}")
    if "scope" in body:
        grant["scope"] = _scope(resolve(store, "servicePrincipals", Key("id", grant["resourceId"])), body["scope"])
        store.put(GRANTS, grant)
    return Reply(204)


def delete_grant(store: Store, request: Request, key: Key) -> Reply:
    store.delete(GRANTS, _grant(store, key)["id"])
    return Reply(204)


# -------------------------------------------------------------------------------------------------------- checks
def _scope(resource: dict, scope) -> str:
    """`scope` if each of its values is an enabled delegated permission of `resource`."""
    exposed = {item["value"] for item in resource.get("oauth2PermissionScopes") or [] if item.get("isEnabled", True)}
    if not isinstance(scope, str) or len(scope) > limits.GRANT_SCOPE or \
            any(value not in exposed for value in scope.split()):
        raise _invalid("scope")
    return scope


def _principal_id(store: Store, consent, principal_id) -> str | None:
    if consent not in CONSENT_TYPES:
        raise _invalid("consentType")
    if consent == "AllPrincipals":
        if principal_id is not None:
            raise _invalid("principalId")
        return None
    return _object(store, "users", principal_id, "principalId")["id"]


def _object(store: Store, kind: str, object_id, name: str) -> dict:
    return referenced(store, kind, object_id, name, "OAuth2PermissionGrant")


def _grant(store: Store, key: Key) -> dict:
    grant = store.get(GRANTS, key.value) if key.name == "id" else None
    if grant is None:
        raise not_found(key.value)
    return grant


def _grant_id(client_id: str, resource_id: str, principal_id: str | None) -> str:
    raw = b"".join(uuid.UUID(value).bytes_le for value in (client_id, resource_id, principal_id) if value)
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _invalid(name: str) -> GraphError:
    return invalid(name, "OAuth2PermissionGrant")


HANDLERS = {
    ("POST", GRANTS, ()): create_grant,
    ("GET", GRANTS, ()): list_grants,
    ("GET", GRANTS, ("{key}",)): get_grant,
    ("PATCH", GRANTS, ("{key}",)): update_grant,
    ("DELETE", GRANTS, ("{key}",)): delete_grant,
    ("GET", "servicePrincipals", ("{key}", GRANTS)): list_client_grants,
}
