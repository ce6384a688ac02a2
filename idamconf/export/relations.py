"""An application's service principal's relationships, written as its file says them: `assignments` (app roles held
by groups, by display name, and users, by user principal name) and `servicePrincipal.owners` (only where they differ
from the application's owners, the default)."""

from __future__ import annotations

import asyncio

from ..graph.client import BatchRequest, GraphClient, GraphRequestFailed, query
from ..graph.read import OWNER_FIELDS
from ..graph.read_assignments import ASSIGNMENT_FIELDS

DEFAULT_ACCESS = "00000000-0000-0000-0000-000000000000"


async def read_relations(client: GraphClient, principals: list[dict]) -> tuple[dict, dict]:
    """Service principal id -> the assignments it grants, and -> its owners (one page each: owners are at most 100,
    and an application's assignments are read whole by the plan the same way)."""
    def each(relation: str, fields: str):
        return client.batch([BatchRequest("GET", query(f"servicePrincipals/{sp['id']}/{relation}", select=fields))
                             for sp in principals])

    assigned, owned = await asyncio.gather(each("appRoleAssignedTo", ASSIGNMENT_FIELDS), each("owners", OWNER_FIELDS))
    out = ({}, {})
    for sp, granted, owners in zip(principals, assigned, owned):
        for found, response, into in ((granted, "assignments", out[0]), (owners, "owners", out[1])):
            if not found.ok:
                raise GraphRequestFailed(f"GET the {response} of service principal {sp['id']}", found.error)
            into[sp["id"]] = found.body.get("value", [])
    return out


def assignments(app: dict, granted: list[dict], people: dict, notes: list[str]) -> list[dict]:
    """Groups' and users' roles (service principals' are consents, written as apiPermissions), by role value."""
    values = {role["id"].lower(): role.get("value") for role in app.get("appRoles") or []}
    by_role: dict[str, dict] = {}
    for assignment in granted:
        kind = assignment.get("principalType")
        if kind not in ("Group", "User"):
            continue
        role_id = str(assignment.get("appRoleId")).lower()
        role = "default" if role_id == DEFAULT_ACCESS else values.get(role_id)
        if role is None:
            notes.append(f"assignments: an assignment to role {role_id}, which the application does not have or "
                         "which has no value: not written")
            continue
        entry = by_role.setdefault(role, {"role": role, "groups": [], "users": []})
        if kind == "Group":
            entry["groups"].append(assignment.get("principalDisplayName") or {"id": assignment["principalId"]})
        elif people.get(assignment["principalId"]):
            entry["users"].append(people[assignment["principalId"]])
        else:
            notes.append(f"assignments: user {assignment['principalId']} holding {role} was not found: not written")
    written = []
    for role in sorted(by_role):
        entry = {key: sorted(value, key=str) if isinstance(value, list) else value
                 for key, value in by_role[role].items() if value}
        if len(entry) > 1:
            written.append(entry)
    return written


def principal_owners(owners: list[dict], application_owners: list[str]) -> list[str] | None:
    """The service principal's user owners, when they are not the application's (the default)."""
    users = sorted(o["userPrincipalName"] for o in owners if o.get("@odata.type") == "#microsoft.graph.user"
                   and o.get("userPrincipalName"))
    return None if sorted(u.lower() for u in users) == sorted(u.lower() for u in application_owners) else users
