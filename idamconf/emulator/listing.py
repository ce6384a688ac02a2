"""One page of a directory list, optionally within a parent's scope, as Graph answers it.

A page is spliced from the stored JSON texts (never parsed and re-encoded) and carries `@odata.nextLink` while there
is more; `$filter`, `$select` and `$top` are the entity's (odata.py). `within` narrows the list to the objects whose
property equals a value, e.g. the app role assignments of one resource service principal
(`servicePrincipals/{id}/appRoleAssignedTo`): the SQL is `json_extract(doc, '$.resourceId') = ?`, on an index.
"""

from __future__ import annotations

import dataclasses
import json

from .odata import parse_query
from .protocol import RawJson, Reply, Request
from .store import Store


def page(store: Store, request: Request, kind: str, entity, context: str, within: dict | None = None) -> Reply:
    """`context` names the list in `@odata.context` (`users`, `servicePrincipals('…')/appRoleAssignedTo`)."""
    query = parse_query(request.query, entity, request.list_scope)
    clauses = [f"json_extract(doc, '$.{name}') = ?" for name in within or {}]
    if query.where:
        clauses.append(f"({query.where})")
    query = dataclasses.replace(query, where=" AND ".join(clauses),
                                params=(*(within or {}).values(), *query.params))
    texts, last = store.page(kind, query)
    head = {"@odata.context": request.context(context, query.select)}
    if last is not None:
        head["@odata.nextLink"] = request.next_link(last)
    return Reply(200, RawJson(json.dumps(head)[:-1] + ',"value":[' + ",".join(texts) + "]}"))
