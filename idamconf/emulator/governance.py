"""Entitlement management under `/identityGovernance/entitlementManagement`: catalogs, the applications in them
(`resourceRequests`, `catalogs/{id}/resources`), access packages with their `resourceRoleScopes`, and assignment
policies. `HANDLERS` is this area's routing table; app.py routes the area's paths to it.

Relationships live in the store's links table, never inside the Graph-shaped documents:
    catalogPackages     catalog -> access package          catalogResources    catalog -> accessPackageResource
    originResources     service principal -> resource      packagePolicies     access package -> assignment policy
    roleScopes          access package -> role scope       resourceRoleScopes  resource -> role scope
    roleScopeRole       role scope -> app role id (the role's originId)
A role scope's id (`<roleId>_<scopeId>`) is unique only within its access package: it is stored under the key
`<packageId>/<roleScopeId>`. A resource's roles and root scope are derived when read, from its service principal.

Error codes marked (inferred) are not documented by Microsoft: the status and the refusal follow Graph's rules, the
code string is the emulator's best guess.
"""

from __future__ import annotations

from . import governance_assignments
from .entities import new_id, now
from .errors import GraphError, bad_request, not_found
from .governance_entities import (GROUP_SYSTEM, ORIGIN_SYSTEM, ORIGIN_SYSTEMS, RESOURCES, ROLE_SCOPES,
                                  access_package_defaults, catalog_defaults,
                                  check_access_package, check_catalog, check_policy, resource_defaults,
                                  resource_roles, root_scope)
from .governance_expand import (PACKAGE_EXPANSIONS, POLICY_EXPANSIONS, RESOURCE_EXPANSIONS, expand_packages,
                                expand_policies, expand_resources)
from .governance_query import BASE, body_of, created, fields, get_one, list_page, referenced, resolve
from .protocol import Key, Reply, Request
from .store import Store

ALREADY_ONBOARDED = "ResourceAlreadyOnboarded"  # (inferred)
NOT_IN_CATALOG = "ResourceNotFound"  # (inferred)
IN_USE = "ResourceInUse"  # (inferred) a resource, package or catalog something else still depends on
ROLE_SCOPE_EXISTS = "ResourceRoleScopeAlreadyExists"  # (inferred)


# ------------------------------------------------------------------------------------------------------ catalogs
def _made_now() -> dict:
    """A new object's creation and modification times: one reading of the clock (two could straddle a second)."""
    moment = now()
    return {"createdDateTime": moment, "modifiedDateTime": moment}


def create_catalog(store: Store, request: Request) -> Reply:
    body = body_of(request)
    check_catalog(body)
    if "displayName" not in body:
        raise bad_request("Property 'displayName' is required and cannot be empty.")
    catalog = catalog_defaults()
    catalog.update(fields(body), id=new_id(), **_made_now())
    store.put("catalogs", catalog)
    return created(request, "catalogs", catalog)


def update_catalog(store: Store, request: Request, key: Key) -> Reply:
    catalog, body = resolve(store, "catalogs", key), body_of(request)
    check_catalog(body)
    catalog.update(fields(body), modifiedDateTime=now())
    store.put("catalogs", catalog)
    return Reply(204)


def delete_catalog(store: Store, request: Request, key: Key) -> Reply:
    catalog = resolve(store, "catalogs", key)
    if store.targets("catalogPackages", catalog["id"], primary=True):
        raise bad_request("The catalog cannot be deleted while it contains access packages: delete them first.",
                          code=IN_USE)
    for resource_id in store.targets("catalogResources", catalog["id"], primary=True):
        store.delete(RESOURCES, resource_id)
    store.delete("catalogs", catalog["id"])
    return Reply(204)


def list_catalog_resources(store: Store, request: Request, key: Key) -> Reply:
    catalog = resolve(store, "catalogs", key)
    return list_page(store, request, RESOURCES, expand_resources, RESOURCE_EXPANSIONS,
                     within=("catalogResources", catalog["id"]),
                     context=f"{BASE}/catalogs('{catalog['id']}')/resources")


# ---------------------------------------------------------------------------------------------- resource requests
def create_resource_request(store: Store, request: Request) -> Reply:
    body = body_of(request)
    unknown = [name for name in fields(body) if name not in ("requestType", "resource", "catalog")]
    if unknown:
        raise bad_request(f"The property '{unknown[0]}' does not exist on type "
                          "'microsoft.graph.accessPackageResourceRequest'.")
    if body.get("requestType") not in ("adminAdd", "adminRemove"):
        raise bad_request(f"Invalid value specified for property 'requestType': '{body.get('requestType')}'. "
                          "The emulator serves 'adminAdd' and 'adminRemove'.")
    catalog = referenced(store, "catalogs", body.get("catalog"), "catalog")
    origin = _origin(body.get("resource"), "resource")
    (_onboard if body["requestType"] == "adminAdd" else _offboard)(store, catalog, origin)
    resource_request = {"id": new_id(), "requestType": body["requestType"], "state": "delivered",
                        "createdDateTime": now()}
    store.put("resourceRequests", resource_request)
    return created(request, "resourceRequests", resource_request)


def _origin(value, name: str) -> dict:
    if not isinstance(value, dict):
        raise bad_request(f"Property '{name}' is required.")
    if value.get("originSystem", ORIGIN_SYSTEM) not in ORIGIN_SYSTEMS:
        raise bad_request(f"Invalid value for '{name}.originSystem': '{value.get('originSystem')}'. The emulator "
                          f"serves applications ('{ORIGIN_SYSTEM}') and groups ('{GROUP_SYSTEM}').")
    return value


def _onboard(store: Store, catalog: dict, origin: dict) -> None:
    """An application's service principal (AadApplication) or a group (AadGroup) added to the catalog."""
    system = origin.get("originSystem", ORIGIN_SYSTEM)
    kind = "groups" if system == GROUP_SYSTEM else "servicePrincipals"
    found = store.get(kind, str(origin.get("originId")).lower())
    if found is None:
        what = "group" if kind == "groups" else "service principal"
        raise bad_request(f"The {what} '{origin.get('originId')}' (resource.originId) does not exist.")
    if _catalog_resource(store, catalog["id"], {"originId": found["id"]}, primary=True):
        raise bad_request(f"The resource '{found['id']}' is already in the catalog.", code=ALREADY_ONBOARDED)
    resource = resource_defaults()
    resource.update(id=new_id(), displayName=found["displayName"],
                    description=found.get("description") or found.get("appDescription"), originId=found["id"],
                    originSystem=system, **_made_now())
    store.put(RESOURCES, resource)
    store.link("catalogResources", catalog["id"], resource["id"])
    store.link("originResources", found["id"], resource["id"])


def _offboard(store: Store, catalog: dict, origin: dict) -> None:
    resource = _catalog_resource(store, catalog["id"], origin)
    if resource is None:
        raise bad_request(f"The resource '{origin.get('originId') or origin.get('id')}' is not in the catalog.",
                          code=NOT_IN_CATALOG)
    if store.targets("resourceRoleScopes", resource["id"], primary=True):
        raise bad_request("The resource cannot be removed while access packages use its roles: remove their "
                          "resourceRoleScopes first.", code=IN_USE)
    store.delete(RESOURCES, resource["id"])


def _catalog_resource(store: Store, catalog_id: str, reference, primary: bool = False) -> dict | None:
    """The catalog's resource named by `{"id"}` or by `{"originId"}` (the service principal's id). Found through the
    links from the resource's side, so the cost does not grow with the catalog (10,000 applications in one)."""
    if not isinstance(reference, dict):
        return None
    candidates = [reference["id"]] if isinstance(reference.get("id"), str) else []
    candidates += store.targets("originResources", str(reference.get("originId")).lower(), primary)
    for resource_id in candidates:
        if catalog_id in store.sources("catalogResources", resource_id, primary):
            return store.get(RESOURCES, resource_id, primary)
    return None


def remove_origin(store: Store, service_principal_id: str) -> None:
    """A deleted service principal leaves no catalog resources behind, nor role scopes on them."""
    for resource_id in store.targets("originResources", service_principal_id, primary=True):
        for role_scope_key in store.targets("resourceRoleScopes", resource_id, primary=True):
            store.delete(ROLE_SCOPES, role_scope_key)
        store.delete(RESOURCES, resource_id)


# ------------------------------------------------------------------------------------------------ access packages
def create_access_package(store: Store, request: Request) -> Reply:
    body = body_of(request)
    check_access_package(body)
    if "displayName" not in body:
        raise bad_request("Property 'displayName' is required and cannot be empty.")
    catalog = referenced(store, "catalogs", body.get("catalog"), "catalog")
    _unique_in_catalog(store, catalog["id"], body["displayName"])
    package = access_package_defaults()
    package.update(fields(body, "catalog"), id=new_id(), **_made_now())
    store.put("accessPackages", package)
    store.link("catalogPackages", catalog["id"], package["id"])
    return created(request, "accessPackages", package)


def update_access_package(store: Store, request: Request, key: Key) -> Reply:
    package, body = resolve(store, "accessPackages", key), body_of(request)
    check_access_package(body)
    if "catalog" in body and (body["catalog"] or {}).get("id") != _catalog_id(store, package):
        raise bad_request("The catalog of an access package cannot be changed.")
    if isinstance(body.get("displayName"), str):
        _unique_in_catalog(store, _catalog_id(store, package), body["displayName"], package["id"])
    package.update(fields(body, "catalog"), modifiedDateTime=now())
    store.put("accessPackages", package)
    return Reply(204)


def delete_access_package(store: Store, request: Request, key: Key) -> Reply:
    """Refused while anyone is assigned the package -- "You cannot delete an access package if it has any
    accessPackageAssignment" (accesspackage-delete.md; the code and wording are inferred) -- or while it has
    policies or role scopes."""
    package = resolve(store, "accessPackages", key)
    if governance_assignments.assigned(store, package["id"]):
        raise bad_request("The access package cannot be deleted while it has assignments: remove them first "
                          "(an adminRemove assignment request for each).", code=IN_USE)
    for relation, what in (("packagePolicies", "assignment policies"), ("roleScopes", "resourceRoleScopes")):
        if store.targets(relation, package["id"], primary=True):
            raise bad_request(f"The access package cannot be deleted while it has {what}: delete them first.",
                              code=IN_USE)
    store.delete("accessPackages", package["id"])
    return Reply(204)


def _unique_in_catalog(store: Store, catalog_id: str, name: str, package_id: str | None = None) -> None:
    """An access package's name is its catalog's alone: a create, or a rename, to a name another package of the
    catalog has is refused (409 DuplicateAccessPackage, as Graph answers it -- quoted in hashicorp/
    terraform-provider-azuread#1948; the v1.0 reference does not say it). Compared in any case, as the emulator's
    `$filter=displayName eq` compares (ASCII letters in any case, odata.py): inferred, since Graph says neither, and
    so a package this refuses is one a plan's look-up by name finds. Found through the display-name index, not by
    reading every package of the catalog: that made an apply of 13,334 packages into one catalog quadratic (half
    an hour to seed the 10,000-application benchmark tenant)."""
    for other in store.select("accessPackages", {}, primary=True,
                              where="json_extract(doc, '$.displayName') = ? COLLATE NOCASE", values=(name,)):
        if other["id"] != package_id and catalog_id in store.sources("catalogPackages", other["id"], primary=True):
            raise GraphError(409, "DuplicateAccessPackage",
                             f"There's an existing access package with name \"{name}\" in the catalog.")


def _catalog_id(store: Store, package: dict) -> str:
    return store.sources("catalogPackages", package["id"])[0]


# ---------------------------------------------------------------------------------------------- resourceRoleScopes
def add_role_scope(store: Store, request: Request, key: Key) -> Reply:
    package, body = resolve(store, "accessPackages", key), body_of(request)
    role, scope = _origin(body.get("role"), "role"), _origin(body.get("scope"), "scope")
    resource = _catalog_resource(store, _catalog_id(store, package), role.get("resource"))
    if resource is None:
        raise bad_request("role.resource must name (by id or originId) a resource in the access package's catalog.")
    for part, written in (("role", role), ("scope", scope)):
        if written.get("originSystem", resource["originSystem"]) != resource["originSystem"]:
            raise bad_request(f"{part}.originSystem must be the resource's, '{resource['originSystem']}'.")
    role_doc = _resource_role(store, resource, role)
    scope_doc = root_scope(resource)
    if scope.get("id", scope_doc["id"]) != scope_doc["id"] or scope.get("isRootScope", True) is not True or \
            str(scope.get("originId", resource["originId"])).lower() != resource["originId"]:
        raise bad_request("scope must be the root scope of the resource: originId = the service principal's (or "
                          "group's) id, isRootScope = true.")
    role_scope = {"id": f"{role_doc['id']}_{scope_doc['id']}", "createdDateTime": now()}
    storage_key = f"{package['id']}/{role_scope['id']}"
    if store.get(ROLE_SCOPES, storage_key, primary=True):
        raise GraphError(409, ROLE_SCOPE_EXISTS, "The access package already has this role and scope.")
    store.put(ROLE_SCOPES, role_scope, key=storage_key)
    store.link("roleScopes", package["id"], storage_key)
    store.link("resourceRoleScopes", resource["id"], storage_key)
    store.link("roleScopeRole", storage_key, role_doc["originId"])
    return created(request, f"accessPackages('{package['id']}')/resourceRoleScopes", role_scope)


def _resource_role(store: Store, resource: dict, role: dict) -> dict:
    wanted = str(role.get("originId") or "").lower()
    service_principal = store.get("servicePrincipals", resource["originId"]) \
        if resource["originSystem"] == ORIGIN_SYSTEM else None
    for candidate in resource_roles(resource, service_principal):
        if candidate["originId"].lower() == wanted or candidate["id"] == role.get("id"):
            return candidate
    raise bad_request(f"The role '{role.get('originId') or role.get('id')}' is not a role of the resource "
                      f"'{resource['displayName']}'.")


def remove_role_scope(store: Store, request: Request, key: Key, role_scope_id: str) -> Reply:
    package = resolve(store, "accessPackages", key)
    storage_key = f"{package['id']}/{role_scope_id}"
    if store.get(ROLE_SCOPES, storage_key) is None:
        raise not_found(role_scope_id)
    store.delete(ROLE_SCOPES, storage_key)
    return Reply(204)


# --------------------------------------------------------------------------------------------- assignment policies
def create_policy(store: Store, request: Request) -> Reply:
    body = body_of(request)
    if "id" in body:
        raise bad_request("Property 'id' is read-only and cannot be set.")
    package = referenced(store, "accessPackages", body.get("accessPackage"), "accessPackage")
    policy = _stored_policy(store, body, new_id(), None)
    store.put("assignmentPolicies", policy)
    store.link("packagePolicies", package["id"], policy["id"])
    return created(request, "assignmentPolicies", policy)


def replace_policy(store: Store, request: Request, key: Key) -> Reply:
    """PUT replaces the whole policy (same rules as a create) and answers 200 with it."""
    current, body = resolve(store, "assignmentPolicies", key), body_of(request)
    if body.get("id", current["id"]) != current["id"]:
        raise bad_request("Property 'id' in the body does not match the policy in the request URL.")
    package_id = store.sources("packagePolicies", current["id"])[0]
    if "accessPackage" in body and (body["accessPackage"] or {}).get("id") != package_id:
        raise bad_request("The access package of an assignment policy cannot be changed.")
    policy = _stored_policy(store, body, current["id"], current["createdDateTime"])
    store.put("assignmentPolicies", policy)
    context = f"{request.base}/$metadata#{BASE}/assignmentPolicies/$entity"
    return Reply(200, {"@odata.context": context, **policy})


def _stored_policy(store: Store, body: dict, policy_id: str, created: str | None) -> dict:
    fields = check_policy(body, lambda kind, object_id: store.get(kind, object_id) is not None)
    stamp = now()
    return {"id": policy_id, **fields, "createdDateTime": created or stamp, "modifiedDateTime": stamp}


def delete_policy(store: Store, request: Request, key: Key) -> Reply:
    store.delete("assignmentPolicies", resolve(store, "assignmentPolicies", key)["id"])
    return Reply(204)


# ------------------------------------------------------------------------------------------------ routing table
HANDLERS = {
    **governance_assignments.HANDLERS,  # assignmentRequests, assignments
    ("GET", "catalogs", ()): lambda s, r: list_page(s, r, "catalogs"),
    ("POST", "catalogs", ()): create_catalog,
    ("GET", "catalogs", ("{key}",)): lambda s, r, k: get_one(s, r, "catalogs", k),
    ("PATCH", "catalogs", ("{key}",)): update_catalog,
    ("DELETE", "catalogs", ("{key}",)): delete_catalog,
    ("GET", "catalogs", ("{key}", "resources")): list_catalog_resources,
    ("POST", "resourceRequests", ()): create_resource_request,
    ("GET", "accessPackages", ()): lambda s, r: list_page(s, r, "accessPackages", expand_packages, PACKAGE_EXPANSIONS),
    ("POST", "accessPackages", ()): create_access_package,
    ("GET", "accessPackages", ("{key}",)):
        lambda s, r, k: get_one(s, r, "accessPackages", k, expand_packages, PACKAGE_EXPANSIONS),
    ("PATCH", "accessPackages", ("{key}",)): update_access_package,
    ("DELETE", "accessPackages", ("{key}",)): delete_access_package,
    ("POST", "accessPackages", ("{key}", "resourceRoleScopes")): add_role_scope,
    ("DELETE", "accessPackages", ("{key}", "resourceRoleScopes", "{id}")): remove_role_scope,
    ("GET", "assignmentPolicies", ()):
        lambda s, r: list_page(s, r, "assignmentPolicies", expand_policies, POLICY_EXPANSIONS),
    ("POST", "assignmentPolicies", ()): create_policy,
    ("GET", "assignmentPolicies", ("{key}",)):
        lambda s, r, k: get_one(s, r, "assignmentPolicies", k, expand_policies, POLICY_EXPANSIONS),
    ("PUT", "assignmentPolicies", ("{key}",)): replace_policy,
    ("DELETE", "assignmentPolicies", ("{key}",)): delete_policy,
}
