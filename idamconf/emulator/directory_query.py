"""Reading the directory at tenant scale: lists with `$expand=owners` (groups': `members`), and
`directoryObjects/getByIds`.

Each request costs a fixed number of SQL queries whatever its size (a page of applications and all their owners is
two), and pages are spliced from the stored JSON texts, never parsed and re-encoded.

Graph's limits, kept here as Graph applies them (known issues of `$expand` on directory objects): with `$expand` a
page holds at most 100 objects even when `$top` asks for more (no error), and each object's expanded relationship
holds at most 20 objects, with no nextLink for the rest. Only `$select` may be nested in such an `$expand`.
"""

from __future__ import annotations

import dataclasses
import json

from ..graph.limits import EXPANDED
from .entities import ENTITY_SETS, GUID
from .errors import GraphError, bad_request, method_not_allowed, not_found, unsupported_query
from .odata import parse_directory_expand, parse_query
from .protocol import Key, RawJson, Reply, Request
from .references import ASSIGNMENT_PROPERTIES, ASSIGNMENTS
from .store import Store

MAX_EXPANDED_PAGE = 100
MAX_EXPANDED_MEMBERS = EXPANDED  # (graph/limits.py)
MAX_IDS = 1000  # directoryobject-getbyids.md: "up to 1000 IDs"
ACTIONS = ("getByIds", "microsoft.graph.getByIds")  # the directoryObjects actions served (POST only)

ODATA_TYPES = {"users": "#microsoft.graph.user", "groups": "#microsoft.graph.group",
               "applications": "#microsoft.graph.application",
               "servicePrincipals": "#microsoft.graph.servicePrincipal"}
OWNER_KINDS = ("users", "servicePrincipals")
OWNER_PROPERTIES = ENTITY_SETS["users"].properties | ENTITY_SETS["servicePrincipals"].properties
# A group's direct members: users, groups, service principals (and devices and contacts, which the emulator holds
# none of) -- group-list-members.md, "not transitive".
MEMBER_KINDS = ("users", "groups", "servicePrincipals")
MEMBER_PROPERTIES = OWNER_PROPERTIES | ENTITY_SETS["groups"].properties
# entity set -> navigation property -> what its nested $select may name
EXPANSIONS = {"applications": {"owners": OWNER_PROPERTIES},
              "servicePrincipals": {"owners": OWNER_PROPERTIES, "appRoleAssignedTo": frozenset(ASSIGNMENT_PROPERTIES)},
              "groups": {"members": MEMBER_PROPERTIES}}
LINKED_KINDS = {"members": MEMBER_KINDS}  # navigation property -> the kinds it links to (default: OWNER_KINDS)
# Relationships held as objects that name their source (not as links): navigation property -> (kind, property)
REFERRING = {"appRoleAssignedTo": (ASSIGNMENTS, "resourceId")}

# getByIds `types`, compared case-insensitively: the kinds the emulator stores, and other directoryObject types
# Graph accepts, which match nothing here because the emulator holds none of them.
TYPE_KINDS = {"user": ("users",), "group": ("groups",), "application": ("applications",),
              "serviceprincipal": ("servicePrincipals",), "directoryobject": tuple(ODATA_TYPES)}
TYPES_HELD_NOWHERE = {"device", "orgcontact", "directoryrole", "administrativeunit", "contract",
                      "directoryobjectpartnerreference", "approleassignment", "directoryroletemplate"}


# --------------------------------------------------------------------------------------------- $expand on lists
def expands(set_name: str, request: Request) -> bool:
    """Whether this list request is one for `list_expanded`."""
    return set_name in EXPANSIONS and bool(request.query.get("$expand"))


def list_expanded(store: Store, request: Request, set_name: str, kind: str | None = None) -> Reply:
    """A page of `set_name` with each object's expanded relationships (`$expand=owners`, `owners($select=…)`),
    combinable with `$filter`, `$select` and `$top`. The expanded property is sent even if `$select` omits it.
    `kind`: where the objects are kept, if not in `set_name` (deleted items: emulator/deleted.py)."""
    entity = ENTITY_SETS[set_name]
    options = dict(request.query)
    expand = parse_directory_expand(options.pop("$expand"), EXPANSIONS[set_name], entity.odata_type)
    query = parse_query(options, entity, request.list_scope)
    rows, last = store.page_keyed(kind or set_name,
                                  dataclasses.replace(query, top=min(query.top, MAX_EXPANDED_PAGE)))
    texts = [text for _, text in rows]
    for relation, nested_select in expand.items():
        members = _linked(store, relation, [object_id for object_id, _ in rows], nested_select)
        texts = [_with_property(text, relation, members.get(object_id, []))
                 for (object_id, _), text in zip(rows, texts)]
    context_select = (*query.select, *(f"{name}({','.join(select)})" for name, select in expand.items()))
    head = {"@odata.context": request.context(set_name, context_select)}
    if last is not None:
        head["@odata.nextLink"] = request.next_link(last)
    return Reply(200, RawJson(json.dumps(head)[:-1] + ',"value":[' + ",".join(texts) + "]}"))


def _linked(store: Store, relation: str, sources: list[str], select: tuple[str, ...]) -> dict[str, list[str]]:
    """Each source's first 20 linked directory objects, as JSON texts with their `@odata.type` -- or, for a
    relationship of objects naming their source (`REFERRING`: app role assignments), those objects: one query."""
    members: dict[str, list[str]] = {}
    if relation in REFERRING:
        rows = ((source, None, text) for source, text in store.referring(*REFERRING[relation], sources))
    else:
        rows = store.linked_documents(relation, sources, LINKED_KINDS.get(relation, OWNER_KINDS))
    for source, kind, text in rows:
        linked = members.setdefault(source, [])
        if len(linked) < MAX_EXPANDED_MEMBERS:
            linked.append(_typed(kind, text, select) if kind else _projected(text, select))
    return members


def _projected(text: str, select: tuple[str, ...]) -> str:
    if not select:
        return text
    doc = json.loads(text)
    return json.dumps({name: doc[name] for name in select if name in doc}, separators=(",", ":"), ensure_ascii=False)


def _typed(kind: str, text: str, select: tuple[str, ...] = ()) -> str:
    """A stored object as a directoryObject: `@odata.type` first, projected to the `select` names its type has."""
    if not select:
        return '{"@odata.type":"' + ODATA_TYPES[kind] + '",' + text[1:]
    doc = json.loads(text)
    projected = {"@odata.type": ODATA_TYPES[kind], **{name: doc[name] for name in select if name in doc}}
    return json.dumps(projected, separators=(",", ":"), ensure_ascii=False)


def _with_property(text: str, name: str, members: list[str]) -> str:
    """`{…}` -> `{…,"name":[members]}`: the texts are JSON objects with at least one property."""
    return text[:-1] + f',"{name}":[' + ",".join(members) + "]}"


# ------------------------------------------------------------------------------------------- directoryObjects
def directory_object(store: Store, request: Request, key: Key) -> Reply:
    """`GET /directoryObjects/{id}`: the user, group, application or service principal with that id."""
    _refuse_query_options(request)
    if key.name != "id":
        raise bad_request(f"'{key.name}' is not a key of directoryObjects: address them by id.")
    if key.value in ACTIONS:
        raise method_not_allowed()
    rows = _documents(store, tuple(ODATA_TYPES), [_object_id(key.value)])
    if not rows:
        raise not_found(key.value)
    kind, text = rows[0]
    head = json.dumps({"@odata.context": request.base + "/$metadata#directoryObjects/$entity"})
    return Reply(200, RawJson(head[:-1] + "," + _typed(kind, text)[1:]))


def directory_object_action(store: Store, request: Request, key: Key) -> Reply:
    """`POST /directoryObjects/{action}`: the emulator serves `getByIds`."""
    if key.name == "id" and key.value in ACTIONS:
        return get_by_ids(store, request)
    raise GraphError(400, "BadRequest", f"Resource not found for the segment '{key.value}'.")


def get_by_ids(store: Store, request: Request) -> Reply:
    """`POST /directoryObjects/getByIds {"ids": [...], "types": [...]}`: the objects found, each with its
    `@odata.type`, in the order asked; unknown ids are simply absent. One query for up to 1,000 ids."""
    _refuse_query_options(request)  # directoryobject-getbyids.md: `$select` is not available for this operation
    ids, kinds = _get_by_ids_body(request.body)
    found = _documents(store, kinds, ids)
    texts = [_typed(kind, text) for kind, text in found]
    head = json.dumps({"@odata.context": request.base + "/$metadata#directoryObjects"})
    return Reply(200, RawJson(head[:-1] + ',"value":[' + ",".join(texts) + "]}"))


def _get_by_ids_body(body) -> tuple[list[str], tuple[str, ...]]:
    if not isinstance(body, dict):
        raise bad_request("Write requests must carry a JSON object body.")
    unknown = [name for name in body if name not in ("ids", "types") and not name.startswith("@odata.")]
    if unknown:
        raise bad_request(f"The property '{unknown[0]}' does not exist on type 'microsoft.graph.getByIds' parameters: "
                          "send 'ids' and optionally 'types'.")
    ids = body.get("ids")
    if not isinstance(ids, list) or not ids or not all(isinstance(value, str) for value in ids):
        raise bad_request("Parameter 'ids' is required: a non-empty collection of object ids (strings).")
    if len(ids) > MAX_IDS:  # (inferred) the documented limit; Graph's exact wording for it is not documented
        raise bad_request(f"Too many ids: {len(ids)} were given and getByIds takes at most {MAX_IDS}.")
    return [_object_id(value) for value in ids], _kinds(body.get("types"))


def _object_id(value: str) -> str:
    if not GUID.match(value):
        raise bad_request(f"Invalid object identifier '{value}'.")  # (inferred) Graph's wording for a malformed id
    return value


def _kinds(types) -> tuple[str, ...]:
    """The stored kinds `types` names (default: every directoryObject)."""
    if types is None:
        return tuple(ODATA_TYPES)
    if not isinstance(types, list) or not all(isinstance(name, str) for name in types):
        raise bad_request("Parameter 'types' must be a collection of strings.")
    kinds: list[str] = []
    for name in types:
        short = name.lower().removeprefix("#").removeprefix("microsoft.graph.")
        if short not in TYPE_KINDS and short not in TYPES_HELD_NOWHERE:
            raise bad_request(f"Invalid value '{name}' in 'types': not a type derived from directoryObject.")
        kinds += [kind for kind in TYPE_KINDS.get(short, ()) if kind not in kinds]
    return tuple(kinds)


def _documents(store: Store, kinds: tuple[str, ...], ids: list[str]) -> list[tuple[str, str]]:
    """(kind, JSON text) of the objects found among `ids`, in the order of `ids`, once each; GUIDs compare
    case-insensitively."""
    wanted = list(dict.fromkeys(object_id.lower() for object_id in ids))
    found = store.documents(kinds, list(dict.fromkeys([*wanted, *ids])))
    by_id = {object_id.lower(): (kind, text) for kind, object_id, text in found}
    return [by_id[object_id] for object_id in wanted if object_id in by_id]


def _refuse_query_options(request: Request) -> None:
    for name in request.query:
        if name.startswith("$"):
            raise unsupported_query(f"Unsupported query: '{name}' is not supported here.")
