"""Reading what assignments and service-principal owners need: the groups the configuration names, and the project's
service principals with their owners and the app role assignments they grant.

Requests, for a plan of N applications naming G groups by display name and H by object id:
- two lists of the project's service principals, tag-filtered, read side by side with everything else, one
  expanding `owners`, the other `appRoleAssignedTo` (each `$select`-ed to what the plan compares): Graph expands
  directory objects' relationships 100 objects a page, so ceil(N/100) pages each (Graph documents no `$expand` of
  two relationships of a directory object in one request, so they are asked for apart). A service principal showing
  20 of either (Graph's most in an expansion, without a nextLink) has that relationship read on its own;
- the groups, with their first 20 direct members' ids (`$expand=members($select=id)`, one more resource unit a
  request, no request more): `$filter=displayName in (...)` and `id in (...)`, 15 values a request (Graph's known issues limit `in`
  to 15 expressions by default), sent in `$batch`es: ceil(G/15) + ceil(H/15) requests, in ceil(that/20) round trips.
The users named (assignments' users, service-principal owners) are resolved with everyone else (graph/read.py).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from .client import BatchRequest, GraphClient, GraphRequestFailed, query
from .read import EXPANDED, OWNER_FIELDS, PAGE, tagged
from .streams import EXPANDED_PAGE, Streams, joined, read_streams

ASSIGNMENT_FIELDS = "id,appRoleId,principalId,principalType,principalDisplayName"
GROUP_FIELDS = "id,displayName,securityEnabled"
# Each group's direct members, by id and type, in the same requests: at most 20 of them (Graph's most in an
# expansion of a directory object), enough to tell a group of fewer than two people (plan/two_people.py).
GROUP_MEMBERS = "members($select=id)"
IN_LIMIT = 15  # values in one `in (...)` of a $filter


@dataclass
class Relationships:
    """The project's service principals' owners and the app role assignments they grant, by service principal id."""

    owners: dict[str, list[dict]] = field(default_factory=dict)
    assignments: dict[str, list[dict]] = field(default_factory=dict)


@dataclass
class Groups:
    """Groups as the configuration names them: by display name (folded, as Graph compares names) and by id."""

    by_name: dict[str, list[dict]] = field(default_factory=dict)
    by_id: dict[str, dict] = field(default_factory=dict)


async def read_relationships(client: GraphClient, tag: str | None, streams: Streams = Streams()) -> Relationships:
    """The owners and granted assignments of every service principal carrying the project's tag (None: of every
    service principal of the tenant, as `export` reads a large selection). `streams`: how to split the lists."""
    owners, assignments = await asyncio.gather(_expanded(client, tag, "owners", OWNER_FIELDS, streams),
                                               _expanded(client, tag, "appRoleAssignedTo", ASSIGNMENT_FIELDS, streams))
    return Relationships(owners, assignments)


async def _expanded(client: GraphClient, tag: str | None, relation: str, fields: str,
                    streams: Streams) -> dict[str, list[dict]]:
    """Service principal id -> its `relation`, read in full where the expansion may have left some out."""
    listed = await read_streams(client, [
        query("servicePrincipals", filter=joined(tagged(tag) if tag else None, clause), select="id",
              expand=f"{relation}($select={fields})", top=PAGE) for clause in streams.ranges(EXPANDED_PAGE)])
    found = {sp["id"]: sp.get(relation) or [] for sp in listed}
    more = [sp_id for sp_id, items in found.items() if len(items) >= EXPANDED]
    paths = [query(f"servicePrincipals/{sp_id}/{relation}", select=fields, top=PAGE) for sp_id in more]
    return found | dict(zip(more, await batched_lists(client, paths)))


async def find_groups(client: GraphClient, names: list[str], ids: list[str]) -> Groups:
    """The groups of these display names (every group Graph finds by each, security or not) and these ids."""
    names, ids = sorted(set(names)), sorted({group_id.lower() for group_id in ids})
    paths = [_in_query("displayName", names[start:start + IN_LIMIT]) for start in range(0, len(names), IN_LIMIT)]
    paths += [_in_query("id", ids[start:start + IN_LIMIT]) for start in range(0, len(ids), IN_LIMIT)]
    groups = Groups()
    for group in (group for found in await batched_lists(client, paths) for group in found):
        if group["id"].lower() in groups.by_id:  # found by its name and by its id: one group, not two of a name
            continue
        groups.by_name.setdefault((group.get("displayName") or "").casefold(), []).append(group)
        groups.by_id[group["id"].lower()] = group
    return groups


def _in_query(name: str, values: list[str]) -> str:
    quoted = ",".join("'" + value.replace("'", "''") + "'" for value in values)
    return query("groups", filter=f"{name} in ({quoted})", select=GROUP_FIELDS, expand=GROUP_MEMBERS, top=PAGE)


async def batched_lists(client: GraphClient, paths: list[str]) -> list[list[dict]]:
    """Each list's objects: the first pages in `$batch`es, any further pages after them."""
    responses = await client.batch([BatchRequest("GET", path) for path in paths])
    lists = []
    for path, response in zip(paths, responses):
        if not response.ok:
            raise GraphRequestFailed(f"GET {path.split('?')[0]}", response.error)
        objects = response.body.get("value", [])
        following = response.body.get("@odata.nextLink")
        lists.append(objects + (await client.get_all(following) if following else []))
    return lists
