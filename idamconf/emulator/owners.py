"""Owners of applications and of service principals: `GET /{applications|servicePrincipals}/{id}/owners`,
`POST …/owners/$ref`, `DELETE …/owners/{id}/$ref`; and, read only, a group's `GET /groups/{id}/members` and
`/groups/{id}/owners` (the emulator changes a group's members and owners only as an access package assignment
delivers them, emulator/governance_assignments.py, or as a seed says: idamconf never writes them).

Owners are users or service principals, kept in the store's `owners` links (application or service principal ->
owner), first added first. Graph's answers: 204 for an add and a remove; a repeated add 400 "One or more added object
references already exist for the following modified properties: 'owners'." (Graph's real text, widely quoted); a
remove of someone who is not an owner 404; at most 100 owners [limits] (documented for applications; the same limit
and wording are assumed for service principals: inferred).
"""

from __future__ import annotations

from ..graph import limits
from .directory import json_body, project, refuse_other_options, resolve
from .entities import ENTITY_SETS, GUID
from .errors import bad_request, not_found
from .odata import decode_skiptoken, parse_select, parse_top
from .protocol import Key, Reply, Request
from .store import Store


HOLDERS = ("applications", "servicePrincipals")  # what has owners


def list_owners(store: Store, request: Request, key: Key, holder: str = "applications",
                relation: str = "owners") -> Reply:
    """A page of the owners (or a group's `members`): `$top` (1 to 999, default 100) as Graph's directory lists
    take it -- idamconf reads the owners of an application or service principal with more than `$expand` shows by
    `$top=999` -- and `$skiptoken` from the page before."""
    owned = resolve(store, holder, key)
    refuse_other_options(request, {"$select", "$top", "$skiptoken"})
    select = parse_select(request.query.get("$select"), ENTITY_SETS["users"].properties | {"appId"},
                          "microsoft.graph.directoryObject")
    top = parse_top(request.query.get("$top"))
    start = decode_skiptoken(request.query["$skiptoken"], request.list_scope) if "$skiptoken" in request.query else 0
    targets = store.targets(relation, owned["id"])
    head = {"@odata.context": request.base + "/$metadata#directoryObjects"}
    if start + top < len(targets):
        head["@odata.nextLink"] = request.next_link(start + top)
    return Reply(200, {**head, "value": [_directory_object(store, target, select)
                                         for target in targets[start:start + top]]})


def _directory_object(store: Store, object_id: str, select: tuple[str, ...]) -> dict:
    for set_name, odata_type in (("users", "#microsoft.graph.user"),
                                 ("servicePrincipals", "#microsoft.graph.servicePrincipal")):
        doc = store.get(set_name, object_id)
        if doc is not None:
            return {"@odata.type": odata_type, **project(doc, tuple(n for n in select if n in doc) or ())}
    return {"@odata.type": "#microsoft.graph.directoryObject", "id": object_id}


def add_owner(store: Store, request: Request, key: Key, holder: str = "applications") -> Reply:
    owned = resolve(store, holder, key)
    reference = json_body(request).get("@odata.id")
    if not isinstance(reference, str) or "/" not in reference:
        raise bad_request("Invalid request body: '@odata.id' must reference a directory object.")
    target = reference.rstrip("/").rsplit("/", 1)[-1]
    if not GUID.match(target) or not (store.get("users", target) or store.get("servicePrincipals", target)):
        raise not_found(target)
    if len(store.targets("owners", owned["id"], primary=True)) >= limits.OWNERS and \
            target not in store.targets("owners", owned["id"], primary=True):
        # [limits] at most 100 users and service principals own an application; Graph's wording is undocumented
        raise bad_request(f"An object can have at most {limits.OWNERS} owners (inferred wording).")
    if not store.link("owners", owned["id"], target):
        raise bad_request(
            "One or more added object references already exist for the following modified properties: 'owners'."
        )
    return Reply(204)


def remove_owner(store: Store, key: Key, owner_id: str, holder: str = "applications") -> Reply:
    owned = resolve(store, holder, key)
    if not store.unlink("owners", owned["id"], owner_id):
        raise not_found(owner_id)
    return Reply(204)


def handlers(holder: str) -> dict:
    """The routes of `{holder}/{id}/owners`."""
    return {("GET", holder, ("{key}", "owners")): lambda s, r, k: list_owners(s, r, k, holder),
            ("POST", holder, ("{key}", "owners", "$ref")): lambda s, r, k: add_owner(s, r, k, holder),
            ("DELETE", holder, ("{key}", "owners", "{id}", "$ref")):
                lambda s, r, k, owner: remove_owner(s, k, owner, holder)}


GROUP_HANDLERS = {  # read only: see the module's docstring
    ("GET", "groups", ("{key}", "members")): lambda s, r, k: list_owners(s, r, k, "groups", "members"),
    ("GET", "groups", ("{key}", "owners")): lambda s, r, k: list_owners(s, r, k, "groups", "owners"),
}
HANDLERS = {**{route: handler for holder in HOLDERS for route, handler in handlers(holder).items()},
            **GROUP_HANDLERS}
