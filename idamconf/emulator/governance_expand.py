"""`$expand` on entitlement management's objects, a whole page at a time: an expander takes the ids of a page's
objects (or of the one object a GET by id reads) and answers, for each, its expanded navigation properties as JSON
texts, for governance_query.py to splice into the object's stored text.

Each expansion costs a fixed number of SQL queries however long the page is, and the store's replication lag applies
to every one of them (a pending object is left out as `get`, `targets` and `sources` leave it out):
    access packages  `catalog` 1, `resourceRoleScopes` 1, with `role`/`scope` 1 more, with `role` 2 more
    policies         `accessPackage` 1
    resources        `roles`/`scopes` 1, with `roles` 1 more
A linked object the replica does not show (yet) expands to null. Roles are written straight from the app roles'
JSON texts (`resource_role_json`): a page of 999 resources holds ~5,000 of them.
"""

from __future__ import annotations

import json

from .governance_entities import (GROUP_SYSTEM, RESOURCES, ROLE_SCOPES, AppRoleJson, group_roles, json_string,
                                  resource_role_json, root_scope)
from .store import Store

Expansions = dict[str, str]  # navigation property -> its value as JSON text
NULL = "null"
encoded = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode  # as the store and replies write JSON

PACKAGE_EXPANSIONS = {"resourceRoleScopes": {"role": {}, "scope": {}}, "catalog": {}}
POLICY_EXPANSIONS = {"accessPackage": {}}
RESOURCE_EXPANSIONS = {"roles": {}, "scopes": {}}


def with_expansions(text: str, expansions: Expansions) -> str:
    """`{…}` -> `{…,"name":value,…}`: an object's JSON text with its expanded properties appended."""
    members = ",".join(f'"{name}":{value}' for name, value in expansions.items())  # names are identifiers
    if not members:
        return text
    return text[:-1] + ("," if text != "{}" else "") + members + "}"


# ------------------------------------------------------------------------------------------------ access packages
def expand_packages(store: Store, ids: list[str], expand: dict) -> list[Expansions]:
    found: list[Expansions] = [{} for _ in ids]
    if "resourceRoleScopes" in expand:
        role_scopes = _role_scopes(store, ids, expand["resourceRoleScopes"])
        for package_id, expansions in zip(ids, found):
            expansions["resourceRoleScopes"] = "[" + ",".join(role_scopes.get(package_id, ())) + "]"
    if "catalog" in expand:
        catalogs = _first_linking(store, "catalogPackages", ids, "catalogs")
        for package_id, expansions in zip(ids, found):
            expansions["catalog"] = catalogs.get(package_id, NULL)
    return found


def _role_scopes(store: Store, package_ids: list[str], expand: dict) -> dict[str, list[str]]:
    """Each package's role scopes as JSON texts, in the order they were added, with `role` and `scope` if asked."""
    rows = store.linked_objects("roleScopes", package_ids, ROLE_SCOPES)
    details = _role_scope_details(store, [key for _, key, _ in rows], expand) if expand else {}
    texts: dict[str, list[str]] = {}
    for package_id, key, text in rows:
        texts.setdefault(package_id, []).append(with_expansions(text, details.get(key, {})))
    return texts


def _role_scope_details(store: Store, keys: list[str], expand: dict) -> dict[str, Expansions]:
    """`role` and `scope` of role scopes (by storage key), derived from their resource and its service principal."""
    resources = _parsed(_first_linking(store, "resourceRoleScopes", keys, RESOURCES))
    if "role" in expand:
        app_role_ids = _first(store.linked_ids("roleScopeRole", keys))
        app_roles = _app_roles(store, [resource["originId"] for resource in resources.values()])
    scopes = {resource["id"]: encoded(root_scope(resource)) for resource in resources.values()}
    details: dict[str, Expansions] = {}
    for key in keys:
        resource, expansions = resources[key], details.setdefault(key, {})
        if "role" in expand:
            expansions["role"] = _role(resource, app_roles.get(resource["originId"], []), app_role_ids[key])
        if "scope" in expand:
            expansions["scope"] = scopes[resource["id"]]
    return details


def _role(resource: dict, app_roles: list[AppRoleJson], app_role_id: str) -> str:
    """The resource role of the app role a role scope names; named by its id alone once the app role is gone. (A
    group's role: Member or Owner.)"""
    if resource.get("originSystem") == GROUP_SYSTEM:
        return next(encoded(role) for role in group_roles(resource) if role["originId"] == app_role_id)
    wanted = app_role_id.lower()
    app_role = next((candidate for candidate in app_roles if json_string(candidate[0]).lower() == wanted),
                    (encoded(app_role_id), NULL, NULL))
    return resource_role_json(resource["id"], app_role)


# --------------------------------------------------------------------------------------------- assignment policies
def expand_policies(store: Store, ids: list[str], expand: dict) -> list[Expansions]:
    packages = _first_linking(store, "packagePolicies", ids, "accessPackages")
    return [{"accessPackage": packages.get(policy_id, NULL)} for policy_id in ids]


# ------------------------------------------------------------------------------------------------------ resources
def expand_resources(store: Store, ids: list[str], expand: dict) -> list[Expansions]:
    resources = {object_id: json.loads(text) for _, object_id, text in store.documents((RESOURCES,), ids)}
    if "roles" in expand:  # a service principal the replica does not show has no app roles
        app_roles = _app_roles(store, [resource["originId"] for resource in resources.values()])
    found: list[Expansions] = []
    for resource in (resources[object_id] for object_id in ids):
        expansions: Expansions = {}
        if "roles" in expand and resource.get("originSystem") == GROUP_SYSTEM:
            expansions["roles"] = "[" + ",".join(encoded(role) for role in group_roles(resource)) + "]"
        elif "roles" in expand:
            roles = app_roles.get(resource["originId"], ())
            expansions["roles"] = "[" + ",".join(resource_role_json(resource["id"], role) for role in roles) + "]"
        if "scopes" in expand:
            expansions["scopes"] = "[" + encoded(root_scope(resource)) + "]"
        found.append(expansions)
    return found


# ---------------------------------------------------------------------------------------------------- reading
def _first_linking(store: Store, relation: str, ids: list[str], kind: str) -> dict[str, str]:
    """For each id, the JSON text of the first object of `kind` linking to it through `relation` (one query)."""
    return _first((object_id, text) for object_id, _, text in store.linked_objects(relation, ids, kind, reverse=True))


def _first(pairs) -> dict[str, str]:
    found: dict[str, str] = {}
    for key, value in pairs:
        found.setdefault(key, value)
    return found


def _parsed(texts: dict[str, str]) -> dict[str, dict]:
    """JSON texts parsed, each distinct text once (a page's role scopes share resources)."""
    documents: dict[str, dict] = {}
    return {key: documents.get(text) or documents.setdefault(text, json.loads(text)) for key, text in texts.items()}


def _app_roles(store: Store, service_principal_ids: list[str]) -> dict[str, list[AppRoleJson]]:
    """The app roles of the service principals the replica shows, by id, as JSON texts: one query."""
    found: dict[str, list[AppRoleJson]] = {}
    for service_principal_id, *app_role in store.collection_items("servicePrincipals", list(dict.fromkeys(
            service_principal_ids)), "appRoles", ("id", "displayName", "description")):
        found.setdefault(service_principal_id, []).append(tuple(app_role))
    return found
