"""Reading and writing entitlement management's objects the OData way: lists paged in SQL (optionally only the
objects linked from a parent), `$select`, `$expand`, `$filter` on a navigation property's id; bodies and references.

List pages are spliced from the stored JSON texts, never parsed and re-encoded: a page costs one SQL query, plus the
fixed few its expander makes for the whole page (governance_expand.py). A GET by id expands through the same code.
"""

from __future__ import annotations

import dataclasses
import re

from .errors import GraphError, bad_request, not_found
from .governance_entities import GOVERNANCE_SETS
from .governance_expand import encoded, with_expansions
from .odata import parse_expand, parse_query, parse_select
from .protocol import Key, RawJson, Reply, Request
from .store import Store

BASE = "identityGovernance/entitlementManagement"


def resolve(store: Store, kind: str, key: Key) -> dict:
    if key.name != "id":
        raise bad_request(f"'{key.name}' is not a key of {kind}: address objects by id.")
    doc = store.get(kind, key.value)
    if doc is None:
        raise not_found(key.value)
    return doc


def list_page(store: Store, request: Request, kind: str, expander=None, allowed=None, within=None, context=None):
    """One page of `kind`, optionally only the objects linked from a parent (`within`: relation, source id).
    `expander(store, ids, expand)` answers the expanded properties of a page's objects (governance_expand.py)."""
    entity = GOVERNANCE_SETS[kind]
    options = dict(request.query)
    expand = parse_expand(options.pop("$expand", None), allowed or {}, entity.odata_type)
    clauses = [linked_from(*within)] if within else []
    clauses += [clause for clause in [_navigation_filter(options, kind)] if clause]
    query = parse_query(options, entity, request.list_scope)
    if query.where:
        clauses.append((f"({query.where})", query.params))
    query = dataclasses.replace(query, where=" AND ".join(sql for sql, _ in clauses),
                               params=tuple(value for _, values in clauses for value in values))
    if expand:
        rows, last = store.page_keyed(kind, query)
        found = expander(store, [object_id for object_id, _ in rows], expand)
        texts = [with_expansions(text, _ordered(expansions, query.select, expand))
                 for (_, text), expansions in zip(rows, found)]
    else:
        texts, last = store.page(kind, query)
    head = {"@odata.context": request.context(context or f"{BASE}/{kind}", query.select)}
    if last is not None:
        head["@odata.nextLink"] = request.next_link(last)
    return Reply(200, RawJson(encoded(head)[:-1] + ',"value":[' + ",".join(texts) + "]}"))


def _ordered(expansions: dict, select: tuple[str, ...], expand: dict) -> dict:
    """With `$select`, the expanded properties follow the selected ones in `$expand`'s order; without, they follow
    the whole object in the expander's own order."""
    return {name: expansions[name] for name in expand} if select else expansions


def linked_from(relation: str, source: str, kind: str | None = None) -> tuple[str, tuple]:
    """Objects linked from `source`. With `kind`, for a source with few links (a package's policies), driven from
    the links and found by id: 0.02 ms among 13,000 policies, where SQLite would otherwise walk them all in page
    order. Without, checked row by row on the links' primary key, so that a `$filter` answered by an index
    (`originId`, `displayName`) never reads a large relation (a catalog's 10,000 resources)."""
    if kind is not None:
        return ("seq IN (SELECT linked.seq FROM links JOIN objects AS linked ON linked.kind = ? "
                "AND linked.id = links.target WHERE links.relation = ? AND links.source = ?)", (kind, relation, source))
    return ("EXISTS (SELECT 1 FROM links WHERE links.relation = ? AND links.source = ? AND links.target = objects.id)",
            (relation, source))


NAVIGATION_FILTERS = {"accessPackages": ("catalog", "catalogPackages"),  # a catalog: thousands of packages
                      "assignmentPolicies": ("accessPackage", "packagePolicies")}  # a package: a policy or two
FEW_LINKS = {"packagePolicies"}
_NAVIGATION = re.compile(r"^\s*(\w+)/id\s+eq\s+'([^']*)'\s*$")


def _navigation_filter(options: dict, kind: str) -> tuple[str, tuple] | None:
    """`$filter=catalog/id eq '...'` on access packages, `accessPackage/id eq '...'` on policies (alone)."""
    match = _NAVIGATION.match(options.get("$filter", ""))
    if not match or NAVIGATION_FILTERS.get(kind, ("",))[0] != match.group(1):
        return None
    del options["$filter"]
    relation = NAVIGATION_FILTERS[kind][1]
    return linked_from(relation, match.group(2), kind if relation in FEW_LINKS else None)


def get_one(store: Store, request: Request, kind: str, key: Key, expander=None, allowed=None) -> Reply:
    entity = GOVERNANCE_SETS[kind]
    for name in request.query:
        if name.startswith("$") and name not in ("$select", "$expand"):
            raise GraphError(400, "Request_UnsupportedQuery", f"Unsupported query: '{name}' is not supported here.")
    select = parse_select(request.query.get("$select"), entity.properties, entity.odata_type)
    expand = parse_expand(request.query.get("$expand"), allowed or {}, entity.odata_type)
    doc = resolve(store, kind, key)
    context = request.context(f"{BASE}/{kind}", select) + "/$entity"
    text = encoded({"@odata.context": context, **project(doc, select)})
    if expand:
        text = with_expansions(text, _ordered(expander(store, [doc["id"]], expand)[0], select, expand))
    return Reply(200, RawJson(text))


def project(doc: dict, select: tuple[str, ...]) -> dict:
    return {name: doc.get(name) for name in select} if select else doc


def created(request: Request, path: str, doc: dict) -> Reply:
    return Reply(201, {"@odata.context": f"{request.base}/$metadata#{BASE}/{path}/$entity", **doc})


def body_of(request: Request) -> dict:
    if not isinstance(request.body, dict):
        raise bad_request("Write requests must carry a JSON object body.")
    return request.body


def fields(body: dict, *excluded: str) -> dict:
    return {name: value for name, value in body.items() if not name.startswith("@odata.") and name not in excluded}


def referenced(store: Store, kind: str, reference, name: str) -> dict:
    """The object a body refers to as `{"id": ...}` (e.g. `"catalog": {"id": ...}`): 400 when absent or unknown."""
    object_id = reference.get("id") if isinstance(reference, dict) else None
    if not isinstance(object_id, str):
        raise bad_request(f"Property '{name}' with an 'id' is required.")
    doc = store.get(kind, object_id)
    if doc is None:
        raise bad_request(f"The {name} '{object_id}' does not exist.")
    return doc
