"""What a plan reads of credentials beyond the application list: each federated credential list, for the
applications whose file manages them (credentials/federated.py), side by side (`GraphClient.call` puts them in
`$batch`es of 20). Certificates and secrets come with the application list (`keyCredentials`,
`passwordCredentials` are in its `$select`): no request of their own."""

from __future__ import annotations

import asyncio

from ..graph.client import GraphClient, GraphRequestFailed
from ..plan.model import RESTORE
from ..plan.resources import KIND_ORDER, add_live
from . import federated


async def read_federated(client: GraphClient, wanted: list, current: dict, desired: dict) -> dict:
    """The live federated credentials of the applications of `wanted` that manage theirs and exist, as resources
    (sharing the attributes of those like the ones wanted, as plan/resources.add_live does). An application to
    restore from deleted items has none to read (Graph documents no list of a deleted item's): its file's are
    created, by name, which is an update if the restore brought one back (apply_credentials.py)."""
    held = {key[0]: resource for key, resource in current.items()
            if resource.kind == "application" and not resource.ids.get(RESTORE)}
    asked = [held[app.key] for app in wanted if app.federated_credentials is not None and app.key in held]
    lists = await asyncio.gather(*(listed(client, application.ids["id"]) for application in asked))
    found: dict = {}
    for application, credentials in zip(asked, lists):
        address = application.address
        for kind, at, attributes, identity, ids in federated.live(credentials, address, application.ids):
            add_live(found, (application.application, KIND_ORDER[kind], kind, identity), kind, at,
                     application.application, attributes, ids, desired)
    return found


async def listed(client: GraphClient, application_id: str) -> list[dict]:
    path = f"applications/{application_id}/federatedIdentityCredentials"
    response = await client.call("GET", path)
    if not response.ok:
        raise GraphRequestFailed(f"the federated credentials of application {application_id}", response.error)
    return response.body.get("value") or []  # at most 20: one page
