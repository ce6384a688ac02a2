"""Directory resources: applications, service principals, users and application owners.

Each handler takes the parsed request and the store and returns a `Reply`; errors are raised as `GraphError`.
"""

from __future__ import annotations

import copy

from . import (api_rules, app_rules, certificate_keys, deleted, directory_query, entities, governance, listing,
               principal_roles, principal_tags, references, value_types)
from .entities import ENTITY_SETS, GUID, EntitySet, check_application_roles, check_writable, new_id, now
from .errors import GraphError, bad_request, invalid, not_found
from .odata import parse_select
from .protocol import Key, Reply, Request
from .store import Store

CREATE_IF_MISSING = "create-if-missing"


# ------------------------------------------------------------------------------------------------------- reading
ALTERNATE_KEYS = {"applications": {"appId", "uniqueName"}, "servicePrincipals": {"appId"},
                  "users": {"userPrincipalName"}, "groups": set()}


def resolve(store: Store, set_name: str, key: Key, primary: bool = False) -> dict:
    """The object `key` addresses; `primary`: as the write primary sees it, even while replication lags."""
    kind = set_name
    if key.name != "id" and key.name not in ALTERNATE_KEYS[set_name]:
        raise bad_request(f"'{key.name}' is not a key of {set_name}: address objects by id"
                          f"{''.join(', ' + name for name in sorted(ALTERNATE_KEYS[set_name]))}.")
    if key.name == "id":
        doc = store.get(kind, key.value, primary)
    else:
        doc = store.find(kind, key.name, key.value, primary)
    if doc is None:
        raise not_found(key.value)
    return doc


def user_key(key: Key) -> Key:
    """`/users/{id | userPrincipalName}`: Graph accepts either in the same position."""
    return Key("userPrincipalName", key.value) if key.name == "id" and "@" in key.value else key


def referenced(store: Store, kind: str, object_id, prop: str, resource: str) -> dict:
    """The object a body's property names by id (`principalId`, `clientId`, ...): Graph's 400 for a value that is
    not an id, 404 for an object that does not exist."""
    if not isinstance(object_id, str) or not GUID.match(object_id):
        raise invalid(prop, resource)
    return resolve(store, kind, Key("id", object_id.lower()))


def list_set(store: Store, request: Request, set_name: str) -> Reply:
    if directory_query.expands(set_name, request):
        return directory_query.list_expanded(store, request, set_name)
    return listing.page(store, request, set_name, ENTITY_SETS[set_name], set_name)


def get_one(store: Store, request: Request, set_name: str, key: Key) -> Reply:
    entity = ENTITY_SETS[set_name]
    select = parse_select(request.query.get("$select"), entity.properties, entity.odata_type)
    refuse_other_options(request, {"$select"})
    doc = resolve(store, set_name, key)
    context = request.context(set_name, select) + "/$entity"
    return Reply(200, {"@odata.context": context, **project(certificate_keys.served(store, set_name, doc, select),
                                                             select)})


def project(doc: dict, select: tuple[str, ...]) -> dict:
    return {name: doc.get(name) for name in select} if select else doc


def refuse_other_options(request: Request, allowed: set[str]) -> None:
    for name in request.query:
        if name.startswith("$") and name not in allowed:
            raise GraphError(400, "Request_UnsupportedQuery", f"Unsupported query: '{name}' is not supported here.")


# -------------------------------------------------------------------------------------------------- applications
def create_application(store: Store, request: Request) -> Reply:
    return _created(request, "applications", _new_application(store, json_body(request)))


def _created(request: Request, set_name: str, doc: dict) -> Reply:
    return Reply(201, {"@odata.context": request.context(set_name) + "/$entity", **doc})


def _addressed_or_upserted(store: Store, request: Request, set_name: str, key: Key, upsert_key: str, create):
    """The object a PATCH addresses; if missing, addressed by `upsert_key` and sent `Prefer: create-if-missing`,
    `create()` makes it and the reply is 201 with the new object. Returns the object or that reply. An upsert runs
    on the write primary: it finds an object replication has not shown yet, and updates it (204)."""
    upsert = key.name == upsert_key and CREATE_IF_MISSING in request.prefer
    try:
        return resolve(store, set_name, key, primary=upsert)
    except GraphError:
        if upsert:
            return _created(request, set_name, create())
        raise


def _new_application(store: Store, body: dict) -> dict:
    check_writable(body, ENTITY_SETS["applications"])
    _require_display_name(body)
    doc = entities.application_defaults()
    doc.update(id=new_id(), appId=new_id(), createdDateTime=now(), publisherDomain=store.domain)
    if doc_unique := body.get("uniqueName"):
        _check_unique_name_free(store, doc_unique)
    doc = _apply_application_changes(store, doc, body, before=None)
    store.put("applications", doc)
    return doc


def _require_display_name(body: dict) -> None:
    if not isinstance(body.get("displayName"), str) or not body["displayName"].strip():
        raise bad_request("Property 'displayName' is required and cannot be empty.")


def _check_unique_name_free(store: Store, name) -> None:
    if not isinstance(name, str) or not name:
        raise bad_request("Invalid value specified for property 'uniqueName' of resource 'Application'.")
    if store.find("applications", "uniqueName", name, primary=True):
        raise GraphError(409, "Request_MultipleObjectsWithSameKeyValue",
                         "Another object with the same value for property uniqueName already exists.")
    if deleted.holding(store, name):  # public reports, not Graph's reference (emulator/deleted.py)
        raise bad_request(f"The uniqueName '{name}' is held by a deleted application: restore it or delete it "
                          "permanently from directory/deletedItems.")


def update_application(store: Store, request: Request, key: Key) -> Reply:
    body = json_body(request)
    doc = _addressed_or_upserted(store, request, "applications", key, "uniqueName",
                                 lambda: _upsert_create(store, key, body))
    if isinstance(doc, Reply):
        return doc
    check_writable(body, ENTITY_SETS["applications"])
    if key.name == "uniqueName" and CREATE_IF_MISSING in request.prefer:
        _require_display_name(body)  # application-upsert.md: "The request body must contain displayName", updating too
    if "uniqueName" in body and doc["uniqueName"] is not None and body["uniqueName"] != doc["uniqueName"]:
        raise bad_request("Property 'uniqueName' is immutable once set and cannot be updated.")
    if body.get("uniqueName") is not None and doc["uniqueName"] is None:
        _check_unique_name_free(store, body["uniqueName"])
    doc = _apply_application_changes(store, doc, body, before=doc)
    store.put("applications", doc)
    sync_service_principal(store, doc)
    return Reply(204)


def _upsert_create(store: Store, key: Key, body: dict) -> dict:
    if "uniqueName" in body and body["uniqueName"] != key.value:
        raise bad_request("Property 'uniqueName' in the body does not match the key in the request URL.")
    return _new_application(store, {**body, "uniqueName": key.value})


def _apply_application_changes(store: Store, doc: dict, body: dict, before: dict | None) -> dict:
    """The application as `body` leaves it (`before`: as stored; None for a create), checked by Graph's rules on
    the whole of it (emulator/app_rules.py). `doc` is not changed."""
    changes = copy.deepcopy(body)
    changes.pop("@odata.type", None)
    defaults = entities.application_defaults()
    if "appRoles" in changes:
        changes["appRoles"] = check_application_roles(changes["appRoles"], (before or {}).get("appRoles") or [])
    if isinstance(changes.get("api"), dict) and "oauth2PermissionScopes" in changes["api"]:
        changes["api"]["oauth2PermissionScopes"] = api_rules.stored_scopes(changes["api"]["oauth2PermissionScopes"])
    _check_logo_url_kept(changes, doc)
    value_types.check_not_null(changes, "Application")
    entities.check_types(changes, defaults)
    entities.check_nested(changes, defaults)
    entities.check_enumerated(changes)
    after = copy.deepcopy(doc)
    for name, value in changes.items():
        current = after.get(name)
        after[name] = {**current, **value} if isinstance(current, dict) and isinstance(value, dict) else value
        if isinstance(defaults.get(name), list) and value is None:
            after[name] = []  # a collection is never null: null clears it
    app_rules.check_application(store, before, after)
    _check_identifier_uris_free(store, doc["id"], after["identifierUris"])
    after["keyCredentials"] = certificate_keys.keep(store, after["id"],
                                                    app_rules.stored_key_credentials(after["keyCredentials"]),
                                                    doc.get("keyCredentials") or [])
    return after


def _check_logo_url_kept(changes: dict, doc: dict) -> None:
    """`info.logoUrl` is read-only (informationalUrl): set by a logo upload (emulator/logo.py). Sending back the
    value an application has is harmless; another is refused (inferred wording)."""
    info = changes.get("info")
    if isinstance(info, dict) and "logoUrl" in info and info["logoUrl"] != (doc.get("info") or {}).get("logoUrl"):
        raise bad_request("Property 'logoUrl' is read-only and cannot be set: upload a logo with PUT "
                          "/applications/{id}/logo.")


def _check_identifier_uris_free(store: Store, app_id: str, uris: list) -> None:
    """identifierUris are unique across the tenant (case-insensitively)."""
    for uri in uris:
        if any(other != app_id for other in store.holders("applications", "identifierUris", uri)):
            raise bad_request(
                "Another object with the same value for property identifierUris already exists.",
                code="Request_MultipleObjectsWithSameKeyValue",
            )


def delete_application(store: Store, key: Key) -> Reply:
    doc = resolve(store, "applications", key)
    owners = store.targets("owners", doc["id"], primary=True)
    service_principal = store.find("servicePrincipals", "appId", doc["appId"], primary=True)
    if service_principal:  # into deleted items too (deleted.py), restored apart
        _delete_service_principal(store, service_principal)
    from .federated import delete_all  # (federated.py reads applications through this module)

    delete_all(store, doc["id"])
    store.delete("applications", doc["id"])  # its logo stays with the deleted item (deleted.py)
    deleted.keep(store, doc, owners)  # restorable for 30 days (application-delete.md)
    return Reply(204)


# ---------------------------------------------------------------------------------------------- service principals
def create_service_principal(store: Store, request: Request) -> Reply:
    return _created(request, "servicePrincipals", _new_service_principal(store, json_body(request)))


def _new_service_principal(store: Store, body: dict, primary: bool = False) -> dict:
    """`primary`: the application is looked up on the write primary (a template's instantiation makes both)."""
    check_writable(body, ENTITY_SETS["servicePrincipals"])
    app_id = body.get("appId")
    application = store.find("applications", "appId", app_id, primary) if isinstance(app_id, str) else None
    if application is None:
        message = f"The appId '{app_id}' of the service principal does not reference a valid application object."
        raise GraphError(400, "Request_BadRequest", message,
                         [{"code": "NoBackingApplicationObject", "message": message, "target": "appId"}])
    if store.find("servicePrincipals", "appId", app_id, primary=True):
        raise GraphError(409, "Request_MultipleObjectsWithSameKeyValue",
                         "The service principal cannot be created, updated, or restored because the service principal "
                         f"name {app_id} is already in use.")
    doc = entities.service_principal_defaults()
    doc.update(id=new_id(), appId=app_id, appOwnerOrganizationId=store.tenant_id, tags=list(application["tags"]))
    mirror_application(doc, application)
    doc = _service_principal_changes(store, doc, body, before=None)
    doc["tags"] = principal_tags.written(store, doc["id"], body.get("tags") or [], application["tags"])
    store.put("servicePrincipals", doc)
    return doc


def _service_principal_changes(store: Store, doc: dict, body: dict, before: dict | None) -> dict:
    """The service principal as `body` leaves it, checked by Graph's rules (emulator/app_rules.py)."""
    changes = {name: value for name, value in copy.deepcopy(body).items() if not name.startswith("@odata.")}
    defaults = entities.service_principal_defaults()
    if "appRoles" in changes:  # serviceprincipal-update.md: writable, as application.md defines an application's
        changes["appRoles"] = principal_roles.written(changes["appRoles"], doc.get("appRoles") or [])
    if "oauth2PermissionScopes" in changes and changes["oauth2PermissionScopes"] is not None:
        changes["oauth2PermissionScopes"] = api_rules.written_principal_scopes(
            changes["oauth2PermissionScopes"], doc.get("oauth2PermissionScopes") or [], doc.get("signInAudience"))
    value_types.check_not_null(changes, "ServicePrincipal")
    entities.check_types(changes, defaults)
    entities.check_nested(changes, defaults, "ServicePrincipal")
    after = {**doc, **changes}
    for name, value in changes.items():
        if isinstance(defaults.get(name), list) and value is None:
            after[name] = []
    app_rules.check_service_principal(after, before)
    after["keyCredentials"] = certificate_keys.keep(store, after["id"],
                                                    app_rules.stored_key_credentials(after["keyCredentials"]),
                                                    doc.get("keyCredentials") or [])
    return after


def mirror_application(service_principal: dict, application: dict) -> None:
    """What Entra copies from an application onto its service principal, and keeps in step with it."""
    service_principal.update(
        appDisplayName=application["displayName"], appDescription=application["description"],
        displayName=service_principal.get("displayName") or application["displayName"],
        signInAudience=application["signInAudience"], appRoles=principal_roles.mirrored(service_principal, application),
        oauth2PermissionScopes=copy.deepcopy((application.get("api") or {}).get("oauth2PermissionScopes") or []),
        info=copy.deepcopy(application["info"]),
        servicePrincipalNames=[application["appId"], *application["identifierUris"]],
    )


def sync_service_principal(store: Store, application: dict) -> None:
    service_principal = store.find("servicePrincipals", "appId", application["appId"], primary=True)
    if service_principal:
        mirror_application(service_principal, application)
        service_principal["tags"] = principal_tags.synced(store, service_principal, application["tags"])
        store.put("servicePrincipals", service_principal)


def update_service_principal(store: Store, request: Request, key: Key) -> Reply:
    body = json_body(request)
    doc = _addressed_or_upserted(store, request, "servicePrincipals", key, "appId",
                                 lambda: _new_service_principal(store, {**body, "appId": key.value}))
    if isinstance(doc, Reply):
        return doc
    check_writable(body, ENTITY_SETS["servicePrincipals"])
    if body.get("appId", doc["appId"]) != doc["appId"]:
        raise bad_request("Property 'appId' is immutable and cannot be updated.")
    doc = _service_principal_changes(store, doc, body, before=doc)
    if "tags" in body:
        application = store.find("applications", "appId", doc["appId"], primary=True) or {}
        doc["tags"] = principal_tags.written(store, doc["id"], doc["tags"], application.get("tags") or [])
    store.put("servicePrincipals", doc)
    return Reply(204)


def delete_service_principal(store: Store, key: Key) -> Reply:
    _delete_service_principal(store, resolve(store, "servicePrincipals", key))
    return Reply(204)


def _delete_service_principal(store: Store, service_principal: dict) -> None:
    """A service principal goes into deleted items with its owners (deleted.py), and what refers to it goes for
    good: its place in catalogs, the app role assignments it holds or grants, the delegated permission grants it
    is client or resource of."""
    owners = store.targets("owners", service_principal["id"], primary=True)
    governance.remove_origin(store, service_principal["id"])
    references.forget(store, service_principal["id"])
    store.delete("servicePrincipals", service_principal["id"])
    deleted.keep(store, service_principal, owners, deleted.PRINCIPALS)


# -------------------------------------------------------------------------------------------------------- helpers
def json_body(request: Request, entity: EntitySet | None = None) -> dict:
    """A write's JSON object body; with `entity`, holding only the properties that type lets a client set."""
    if not isinstance(request.body, dict):
        raise bad_request("Write requests must carry a JSON object body.")
    if entity is not None:
        check_writable(request.body, entity)
    return request.body
