"""Deleted items (`/directory/deletedItems`): where a deleted application, and a deleted service principal, wait 30
days to be restored.

What Graph documents (microsoft-graph-docs-contrib, api-reference/v1.0/api/): a deleted application "is moved to a
temporary container and can be restored within 30 days. After that time, [it is] permanently deleted"
(application-delete.md); deleted items are listed by an OData cast, `GET /directory/deletedItems/microsoft.graph
.application` or `.../microsoft.graph.servicePrincipal`, without which the list "is **not** supported", with the
query options of the cast's resource (`$expand`, `$filter`, `$select`, `$top` ...), 100 a page by default and up to
999 with `$top` (directory-deleteditems-list.md); one is read by id (directory-deleteditems-get.md), restored by
`POST .../{id}/restore` -> 200 with the object (directory-deleteditems-restore.md) and removed for good by
`DELETE .../{id}` -> 204 (directory-deleteditems-delete.md). The restore page (its beta version in the repository;
learn.microsoft.com's v1.0 page and the SDKs' generated docs say the same): "restoring an application doesn't restore
the associated service principal automatically. You must call this API to explicitly restore the deleted service
principal." Entra's "Restore an enterprise application" article: deleting an application in its home tenant deletes
its service principal too, and both sit in deleted items.

What only public reports say: that a deleted application's `uniqueName` stays taken meanwhile, a create by it
answered 400 `Request_BadRequest` (byte5ai/omadia#916; a deployment script, workoho/spfx-guest-sponsor-info); that
a service principal is restored only while its application is live, and that an application deleted for good
leaves its deleted service principal in deleted items (MicrosoftDocs/azure-docs#110002); that a new service
principal can be made for a restored application while the old one is in deleted items, and that the old one is then
restored only once the new one is gone (MicrosoftDocs/azure-docs#99117; the refusal's wording, "cannot be created,
updated, or restored because the service principal name ... is already in use", KelvinTegelaar/CIPP#1142). The
wording of the other refusals is the emulator's own.

Kept as kinds of their own (`deletedApplications`, `deletedServicePrincipals`), each with its owners' links (an
application also with its logo): a deleted object is in no list or GET of its entity set, and an application's
identifier URIs are free (nothing says a deleted application holds them). A deleted service principal's app role
assignments, grants and place in catalogs go when it is deleted, as before (the emulator's choice: Graph's reference
says nothing of them), so a restored one has none. The 30 days run on idamconf's clock (idamconf/clock.py), so a
test that moves the clock sees an item expire.
"""

from __future__ import annotations

import datetime as _dt

from .. import clock
from . import directory_query
from .entities import ENTITY_SETS, RANGED_NAME, EntitySet
from .errors import GraphError, bad_request, method_not_allowed, not_found
from .listing import page
from .odata import parse_select
from .protocol import Key, Reply, Request
from .store import Store

KIND = "deletedApplications"
PRINCIPALS = "deletedServicePrincipals"
RETENTION = _dt.timedelta(days=30)
OWNED_MOST = 1000  # the most deleted objects getUserOwnedObjects gives a user, without a next page
APPLICATION_CAST = "microsoft.graph.application"
CASTS = {APPLICATION_CAST: KIND, "microsoft.graph.servicePrincipal": PRINCIPALS}  # the deleted items served
SETS = {KIND: "applications", PRINCIPALS: "servicePrincipals"}  # the entity set each kind was deleted from
TYPES = {kind: cast for cast, kind in CASTS.items()}
# The other casts Graph lists (directory-deleteditems-list.md) and their entity sets: the emulator never deletes a
# user, group, administrative unit or device, so there are none in its deleted items -- an empty list, as Graph gives
# a tenant that has none, not a refusal
EMPTY_CASTS = {"microsoft.graph.user": "users", "microsoft.graph.group": "groups",
               "microsoft.graph.administrativeUnit": "administrativeUnits", "microsoft.graph.device": "devices"}
NEVER_KEPT = "deletedDirectoryObjects"  # the kind their lists are read from: nothing is ever put there
# The two of those the emulator serves no entity set of, as their resource pages give them (administrativeunit.md,
# device.md): their properties bound `$select`, and the `$filter`s they support without the advanced query parameters
# (concepts/aad-advanced-queries.md: `ne`, `not`, `endsWith` and `$count`-based ones need them, and the emulator
# refuses those on every list); a boolean or date property is left out of `$filter` (the parser compares strings).
UNSERVED_SETS = {
    "administrativeUnits": EntitySet(
        "administrativeUnits", "microsoft.graph.administrativeUnit",
        frozenset({"id", "deletedDateTime", "description", "displayName", "visibility"}), frozenset(),
        {"displayName": RANGED_NAME, "description": {"eq", "in", "startswith"}, "id": {"eq"}}),
    "devices": EntitySet(
        "devices", "microsoft.graph.device",
        frozenset({"id", "deletedDateTime", "accountEnabled", "alternativeSecurityIds", "approximateLastSignInDateTime",
                   "complianceExpirationDateTime", "deviceId", "deviceMetadata", "deviceVersion", "displayName",
                   "extensionAttributes", "isCompliant", "isManaged", "manufacturer", "mdmAppId", "model",
                   "onPremisesLastSyncDateTime", "onPremisesSyncEnabled", "operatingSystem", "operatingSystemVersion",
                   "physicalIds", "profileType", "systemLabels", "trustType"}), frozenset(),
        {"displayName": RANGED_NAME, "id": {"eq", "in"}, "deviceId": {"eq", "startswith"},
         "mdmAppId": {"eq", "startswith"}, "operatingSystem": {"eq", "ge", "le", "startswith"},
         "operatingSystemVersion": {"eq", "ge", "le", "startswith"}}),
}


def keep(store: Store, doc: dict, owners: list[str], kind: str = KIND) -> None:
    """The object deleted (an application, or a service principal: `kind`): into deleted items, stamped with the
    time, its owners kept with it (a restore brings back "all its properties"; an owner may restore it with
    Application.ReadWrite.OwnedBy)."""
    stamp = clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    store.put(kind, {**doc, "deletedDateTime": stamp})
    for owner in owners:
        store.link("owners", doc["id"], owner)


def expire(store: Store) -> None:
    """Items deleted 30 days ago or more are gone for good (whenever deleted items are listed or read)."""
    for kind in CASTS.values():
        for doc in store.select(kind, {}, primary=True):
            if _expired(doc):
                _purge(store, kind, doc["id"])


def _expired(doc: dict) -> bool:
    return clock.graph_time(doc["deletedDateTime"]) + RETENTION <= clock.now()


def _purge(store: Store, kind: str, object_id: str) -> None:
    """Gone for good: the item, its owners' links and its logo. (An application's deleted service principal stays:
    the report of MicrosoftDocs/azure-docs#110002.)"""
    store.delete(kind, object_id)
    store.delete("logos", object_id)


def holding(store: Store, unique_name: str) -> dict | None:
    """The deleted application that holds `unique_name`, if one does: asked at every create, so only that one is
    looked at (one deleted 30 days ago or more holds nothing, and goes now)."""
    doc = store.find(KIND, "uniqueName", unique_name, primary=True)
    if doc is not None and _expired(doc):
        _purge(store, KIND, doc["id"])
        return None
    return doc


def list_items(store: Store, request: Request, key: Key) -> Reply:
    """`/directory/deletedItems/{cast}`: the application and service principal casts (the only deleted items the
    emulator keeps), each with its entity set's options ($filter, $select, $top, paging, `$expand=owners`)."""
    kind = CASTS.get(key.value)
    if kind is None and key.value in EMPTY_CASTS:
        set_name = EMPTY_CASTS[key.value]  # (options checked as the set's own: what Graph refuses is refused)
        return page(store, request, NEVER_KEPT, ENTITY_SETS.get(set_name) or UNSERVED_SETS[set_name], set_name)
    if kind is None:
        return get_item(store, request, key)
    expire(store)
    set_name = SETS[kind]
    if directory_query.expands(set_name, request):
        return directory_query.list_expanded(store, request, set_name, kind)
    return page(store, request, kind, ENTITY_SETS[set_name], set_name)


def list_without_cast(store: Store, request: Request) -> Reply:
    raise bad_request("The OData cast to a type is required to list deleted items, e.g. "
                      "/directory/deletedItems/microsoft.graph.application.")


def _item(store: Store, key: Key) -> tuple[str, dict]:
    expire(store)
    for kind in CASTS.values():
        doc = store.get(kind, key.value)
        if doc is not None:
            return kind, doc
    raise not_found(key.value)


def get_item(store: Store, request: Request, key: Key) -> Reply:
    kind, doc = _item(store, key)
    entity = ENTITY_SETS[SETS[kind]]
    select = parse_select(request.query.get("$select"), entity.properties, entity.odata_type)
    body = {name: doc.get(name) for name in select} if select else doc
    return Reply(200, {"@odata.context": request.context("directoryObjects") + "/$entity",
                       "@odata.type": f"#{TYPES[kind]}", **body})


def restore(store: Store, request: Request, key: Key) -> Reply:
    """The object back as it was deleted, id and properties, with its owners -- an application without its service
    principal, which is restored on its own (directory-deleteditems-restore.md)."""
    kind, doc = _item(store, key)
    (_check_application if kind == KIND else _check_service_principal)(store, doc)
    restored = {**doc, "deletedDateTime": None}
    if kind == PRINCIPALS:
        from .directory import mirror_application  # (directory.py deletes through this module)

        mirror_application(restored, store.find("applications", "appId", doc["appId"], primary=True))
    owners = store.targets("owners", doc["id"], primary=True)
    store.delete(kind, doc["id"])  # (and the links from its id: made again below)
    store.put(SETS[kind], restored)
    for owner in owners:
        store.link("owners", restored["id"], owner)
    return Reply(200, {"@odata.context": request.context("directoryObjects") + "/$entity",
                       "@odata.type": f"#{TYPES[kind]}", **restored})


def _check_application(store: Store, doc: dict) -> None:
    """Refused while a live application holds its `uniqueName` or one of its identifier URIs (the emulator's
    wording)."""
    if doc.get("uniqueName") and store.find("applications", "uniqueName", doc["uniqueName"], primary=True):
        raise GraphError(400, "Request_BadRequest", f"The application cannot be restored: another application holds "
                                                    f"its uniqueName '{doc['uniqueName']}'.")
    for uri in doc.get("identifierUris") or ():
        if store.holders("applications", "identifierUris", uri):
            raise GraphError(400, "Request_MultipleObjectsWithSameKeyValue",
                             "Another object with the same value for property identifierUris already exists.")


def _check_service_principal(store: Store, doc: dict) -> None:
    """Refused unless its application is live, and while another service principal of its appId is (both reported,
    module notes)."""
    if store.find("applications", "appId", doc["appId"], primary=True) is None:
        raise GraphError(400, "Request_BadRequest", f"The service principal cannot be restored: its application "
                                                    f"(appId {doc['appId']}) is not in the directory.")
    if store.find("servicePrincipals", "appId", doc["appId"], primary=True):
        raise GraphError(409, "Request_MultipleObjectsWithSameKeyValue",
                         "The service principal cannot be created, updated, or restored because the service principal "
                         f"name {doc['appId']} is already in use.")


def user_owned_objects(store: Store, request: Request, key: Key) -> Reply:
    """`POST /directory/deletedItems/getUserOwnedObjects {userId, type}`: the deleted applications (`type`
    Application) or groups (Group: the emulator deletes none) the user owns, sorted by id, at most 1,000 and no
    next page (directory-deleteditems-getuserownedobjects.md: "Group and Application are currently the only supported
    values"; the refusal's wording is the emulator's). Graph documents no other way to read a deleted application's
    owners past the 20 `$expand` gives."""
    from .directory import json_body  # (directory.py deletes through this module)

    if key.value != "getUserOwnedObjects":  # a deleted item's id: only restore is posted, below it
        raise method_not_allowed()
    body = json_body(request)
    user, kind = body.get("userId"), str(body.get("type") or "").lower()
    if not isinstance(user, str) or not user or kind not in ("application", "group"):
        raise bad_request("Invalid request: 'userId' and a 'type' of Group or Application are required.")
    expire(store)
    holds = set(store.sources("owners", user, primary=True))  # what the user owns, deleted or not: one look-up
    owned = sorted((doc for doc in store.select(KIND, {}, primary=True) if doc["id"] in holds), key=lambda d: d["id"])
    items = [{"@odata.type": f"#{APPLICATION_CAST}", **doc} for doc in owned] if kind == "application" else []
    return Reply(200, {"@odata.context": request.context("directoryObjects"), "value": items[:OWNED_MOST]})


def delete_item(store: Store, request: Request, key: Key) -> Reply:
    kind, doc = _item(store, key)
    _purge(store, kind, doc["id"])
    return Reply(204)


HANDLERS = {  # below /directory
    ("GET", "deletedItems", ()): list_without_cast,
    ("GET", "deletedItems", ("{key}",)): list_items,
    ("POST", "deletedItems", ("{key}",)): user_owned_objects,  # getUserOwnedObjects
    ("POST", "deletedItems", ("{key}", "restore")): restore,
    ("DELETE", "deletedItems", ("{key}",)): delete_item,
}
