"""Deleted items (`/directory/deletedItems`): where a deleted application waits 30 days to be restored.

What Graph documents (microsoft-graph-docs-contrib, api-reference/v1.0/api/): a deleted application "is moved to a
temporary container and can be restored within 30 days. After that time, [it is] permanently deleted"
(application-delete.md); deleted items are listed by an OData cast, `GET /directory/deletedItems/microsoft.graph
.application`, without which the list "is **not** supported", with the query options of the cast's resource, 100 a
page by default and up to 999 with `$top` (directory-deleteditems-list.md); one is read by id
(directory-deleteditems-get.md), restored by `POST .../{id}/restore` -> 200 with the object
(directory-deleteditems-restore.md) and removed for good by `DELETE .../{id}` -> 204 (directory-deleteditems-delete.md).

What only public reports say: that a deleted application's `uniqueName` stays taken meanwhile, a create by it
answered 400 `Request_BadRequest` (byte5ai/omadia#916; a deployment script, workoho/spfx-guest-sponsor-info).
The wording of that refusal, and of a restore refused because a live application now holds the name, are the
emulator's own.

Kept as a kind of its own (`deletedApplications`), with its owners' links and its logo: a deleted application is
in no `/applications` list or GET, and its identifier URIs are free (nothing says a deleted application holds them).
Its service principal is deleted with it as before (its assignments and grants go) and not kept: whether Graph's
restore of an application brings its service principal back is not documented (docs/emulator.md). The 30 days run
on idamconf's clock (idamconf/clock.py), so a test that moves the clock sees an item expire.
"""

from __future__ import annotations

import datetime as _dt

from .. import clock
from .entities import ENTITY_SETS
from .errors import GraphError, bad_request, not_found
from .listing import page
from .odata import parse_select
from .protocol import Key, Reply, Request
from .store import Store

KIND = "deletedApplications"
RETENTION = _dt.timedelta(days=30)
APPLICATION_CAST = "microsoft.graph.application"


def keep(store: Store, application: dict, owners: list[str]) -> None:
    """The application deleted: into deleted items, stamped with the time, its owners kept with it (a restore
    brings back "all its properties"; an owner may restore it with Application.ReadWrite.OwnedBy)."""
    stamp = clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    store.put(KIND, {**application, "deletedDateTime": stamp})
    for owner in owners:
        store.link("owners", application["id"], owner)


def expire(store: Store) -> None:
    """Items deleted 30 days ago or more are gone for good (whenever deleted items are listed or read)."""
    for doc in store.select(KIND, {}, primary=True):
        if _expired(doc):
            _purge(store, doc["id"])


def _expired(doc: dict) -> bool:
    return clock.graph_time(doc["deletedDateTime"]) + RETENTION <= clock.now()


def _purge(store: Store, object_id: str) -> None:
    """Gone for good: the item, its owners' links and its logo."""
    store.delete(KIND, object_id)
    store.delete("logos", object_id)


def holding(store: Store, unique_name: str) -> dict | None:
    """The deleted application that holds `unique_name`, if one does: asked at every create, so only that one is
    looked at (one deleted 30 days ago or more holds nothing, and goes now)."""
    doc = store.find(KIND, "uniqueName", unique_name, primary=True)
    if doc is not None and _expired(doc):
        _purge(store, doc["id"])
        return None
    return doc


def list_items(store: Store, request: Request, key: Key) -> Reply:
    """`/directory/deletedItems/{cast}`: only the application cast is served (the only deleted items the emulator
    keeps); the options are /applications' ($filter, $select, $top, paging)."""
    if key.value != APPLICATION_CAST:
        return get_item(store, request, key)
    expire(store)
    return page(store, request, KIND, ENTITY_SETS["applications"], "applications")


def list_without_cast(store: Store, request: Request) -> Reply:
    raise bad_request("The OData cast to a type is required to list deleted items, e.g. "
                      "/directory/deletedItems/microsoft.graph.application.")


def _item(store: Store, key: Key) -> dict:
    expire(store)
    doc = store.get(KIND, key.value)
    if doc is None:
        raise not_found(key.value)
    return doc


def get_item(store: Store, request: Request, key: Key) -> Reply:
    entity = ENTITY_SETS["applications"]
    select = parse_select(request.query.get("$select"), entity.properties, entity.odata_type)
    doc = _item(store, key)
    body = {name: doc.get(name) for name in select} if select else doc
    return Reply(200, {"@odata.context": request.context("directoryObjects") + "/$entity",
                       "@odata.type": f"#{APPLICATION_CAST}", **body})


def restore(store: Store, request: Request, key: Key) -> Reply:
    """The application back as it was deleted -- id, appId and properties -- unless its `uniqueName` or one of its
    identifier URIs is held by a live application by then (the emulator's wording)."""
    doc = _item(store, key)
    if doc.get("uniqueName") and store.find("applications", "uniqueName", doc["uniqueName"], primary=True):
        raise GraphError(400, "Request_BadRequest", f"The application cannot be restored: another application holds "
                                                    f"its uniqueName '{doc['uniqueName']}'.")
    for uri in doc.get("identifierUris") or ():
        if store.holders("applications", "identifierUris", uri):
            raise GraphError(400, "Request_MultipleObjectsWithSameKeyValue",
                             "Another object with the same value for property identifierUris already exists.")
    restored = {**doc, "deletedDateTime": None}
    owners = store.targets("owners", doc["id"], primary=True)
    store.delete(KIND, doc["id"])  # (and the links from its id: made again below)
    store.put("applications", restored)
    for owner in owners:
        store.link("owners", doc["id"], owner)
    return Reply(200, {"@odata.context": request.context("directoryObjects") + "/$entity",
                       "@odata.type": f"#{APPLICATION_CAST}", **restored})


def delete_item(store: Store, request: Request, key: Key) -> Reply:
    _purge(store, _item(store, key)["id"])
    return Reply(204)


HANDLERS = {  # below /directory
    ("GET", "deletedItems", ()): list_without_cast,
    ("GET", "deletedItems", ("{key}",)): list_items,
    ("POST", "deletedItems", ("{key}", "restore")): restore,
    ("DELETE", "deletedItems", ("{key}",)): delete_item,
}
