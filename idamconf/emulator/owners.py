"""Application owners: `GET /applications/{id}/owners`, `POST …/owners/$ref`, `DELETE …/owners/{id}/$ref`.

Owners are users or service principals, kept in the store's `owners` links (application -> owner), first added
first. Graph's answers: 204 for an add and a remove; a repeated add 400 "One or more added object references already
exist for the following modified properties: 'owners'." (Graph's real text, widely quoted); a remove of someone who
is not an owner 404; at most 100 owners [limits] (wording inferred).
"""

from __future__ import annotations

from ..graph import limits
from .directory import json_body, project, refuse_other_options, resolve
from .entities import ENTITY_SETS, GUID
from .errors import bad_request, not_found
from .odata import parse_select
from .protocol import Key, Reply, Request
from .store import Store


def list_owners(store: Store, request: Request, key: Key) -> Reply:
    application = resolve(store, "applications", key)
    refuse_other_options(request, {"$select"})
    select = parse_select(request.query.get("$select"), ENTITY_SETS["users"].properties | {"appId"},
                          "microsoft.graph.directoryObject")
    owners = [_directory_object(store, target, select) for target in store.targets("owners", application["id"])]
    return Reply(200, {"@odata.context": request.base + "/$metadata#directoryObjects", "value": owners})


def _directory_object(store: Store, object_id: str, select: tuple[str, ...]) -> dict:
    for set_name, odata_type in (("users", "#microsoft.graph.user"),
                                 ("servicePrincipals", "#microsoft.graph.servicePrincipal")):
        doc = store.get(set_name, object_id)
        if doc is not None:
            return {"@odata.type": odata_type, **project(doc, tuple(n for n in select if n in doc) or ())}
    return {"@odata.type": "#microsoft.graph.directoryObject", "id": object_id}


def add_owner(store: Store, request: Request, key: Key) -> Reply:
    application = resolve(store, "applications", key)
    reference = json_body(request).get("@odata.id")
    if not isinstance(reference, str) or "/" not in reference:
        raise bad_request("Invalid request body: '@odata.id' must reference a directory object.")
    target = reference.rstrip("/").rsplit("/", 1)[-1]
    if not GUID.match(target) or not (store.get("users", target) or store.get("servicePrincipals", target)):
        raise not_found(target)
    if len(store.targets("owners", application["id"], primary=True)) >= limits.OWNERS and \
            target not in store.targets("owners", application["id"], primary=True):
        # [limits] at most 100 users and service principals own an application; Graph's wording is undocumented
        raise bad_request(f"An application can have at most {limits.OWNERS} owners (inferred wording).")
    if not store.link("owners", application["id"], target):
        raise bad_request(
            "One or more added object references already exist for the following modified properties: 'owners'."
        )
    return Reply(204)


def remove_owner(store: Store, key: Key, owner_id: str) -> Reply:
    application = resolve(store, "applications", key)
    if not store.unlink("owners", application["id"], owner_id):
        raise not_found(owner_id)
    return Reply(204)
