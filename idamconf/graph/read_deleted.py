"""The owners of the project's deleted applications past the 20 Graph expands (graph/limits.EXPANDED).

A deleted application is read from deleted items with `$expand=owners` (graph/read.find_deleted), which gives at
most 20 of them, and Graph documents no list of a deleted item's owners to read the rest from. It does document the
other side: the deleted applications a user owns (`POST directory/deletedItems/getUserOwnedObjects {userId, type:
"Application"}`, at most 1,000, directory-deleteditems-getuserownedobjects.md). So for a deleted application that
showed 20, each owner the file names and those 20 lack is asked about: the plan then shows as added only the owners
the restore does not bring back. An owner the file does not name, past the 20, stays unseen until the restore (the
plan after it shows it to remove). Refused (the permission it needs is Group.Read.All), the owners are those read.
"""

from __future__ import annotations

import asyncio

from .client import GraphClient, GraphRequestFailed
from .limits import EXPANDED

OWNED = "directory/deletedItems/getUserOwnedObjects"
USER = "#microsoft.graph.user"


async def read_deleted_owners(client: GraphClient, deleted: list[dict], owners: dict[str, list[dict]],
                              named: dict[str, dict[str, str]]) -> dict[str, list[dict]]:
    """`owners` (object id -> owners, as read) of the `deleted` applications with the owners `named` (by
    uniqueName: user id -> user principal name, the file's) that they hold past those read."""
    unseen = {app["id"]: _unseen(owners.get(app["id"]) or [], named.get(app.get("uniqueName")) or {})
              for app in deleted if len(owners.get(app["id"]) or []) >= EXPANDED}
    users = sorted({user for found in unseen.values() for user in found})
    answers = await asyncio.gather(*(client.call("POST", OWNED, {"userId": user, "type": "Application"},
                                                 repeatable=True, settle=False) for user in users))
    for user, answer in zip(users, answers):
        if not answer.ok and answer.status != 403:  # refused: the owners past the 20 stay unseen, as before
            raise GraphRequestFailed(f"POST {OWNED} (user {user})", answer.error)
    owned = {user: {item.get("id") for item in answer.body.get("value") or []}
             for user, answer in zip(users, answers) if answer.ok}
    return {app_id: owners[app_id] + [{"@odata.type": USER, "id": user, "userPrincipalName": upn}
                                      for user, upn in found.items() if app_id in owned.get(user, ())]
            for app_id, found in unseen.items()}


def _unseen(read: list[dict], named: dict[str, str]) -> dict[str, str]:
    seen = {owner.get("id") for owner in read}
    return {user: upn for user, upn in named.items() if user not in seen}
