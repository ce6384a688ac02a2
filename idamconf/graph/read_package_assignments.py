"""Who holds the access packages a plan destroys: Graph deletes no access package anyone is assigned
(accesspackage-delete.md), so apply removes each assignment first (apply_access.delete_packages), and the plan says
so -- with how many -- before anyone approves it. Read only for the packages a plan destroys (rarely any): one list
of each package's assignments, `$filter=accessPackage/id eq '…'` (entitlementmanagement-list-assignments.md)."""

from __future__ import annotations

import asyncio

from .client import query
from .read import GOVERNANCE as GOV


async def current(client, package_id: str) -> list[dict]:
    """The package's assignments that are not over (Graph keeps removed and ended ones listed, `expired`)."""
    listed = await client.get_all(query(f"{GOV}/assignments", filter=f"accessPackage/id eq '{package_id}'"))
    return [assignment for assignment in listed if str(assignment.get("state", "")).lower() != "expired"]


async def removal_warnings(client, plan) -> tuple[str, ...]:
    """A warning for each access package the plan destroys (or moves to another catalog) that anyone holds."""
    destroyed = [change for change in plan.deletions if change.kind == "access_package" and change.ids.get("packageId")]
    held = await asyncio.gather(*(current(client, change.ids["packageId"]) for change in destroyed))
    return tuple(f"destroying {change.address} first removes the {len(found)} assignment(s) people hold to it (Graph "
                 "deletes no access package anyone is assigned): they lose the role it gives them"
                 for change, found in zip(destroyed, held) if found)
