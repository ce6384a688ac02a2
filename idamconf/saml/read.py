"""What a plan reads of SAML applications beyond the lists it reads anyway, for the applications whose file has
`sso.saml` and that exist: the application's `defaultRedirectUri` and `web` (the ACS indexes), the service
principal with its keys and SAML settings, and the claims-mapping policy assigned to it -- three requests each,
side by side (`GraphClient.call` puts them in `$batch`es of 20). A file without `sso.saml` costs nothing: the
organisation has ten SAML applications in 192."""

from __future__ import annotations

import asyncio

from ..graph.client import GraphClient, GraphRequestFailed, query
from ..plan.resources import KIND_ORDER, add_live
from . import resources

PRINCIPAL_FIELDS = "id,appId,samlSingleSignOnSettings,preferredTokenSigningKeyThumbprint,keyCredentials"


async def read_saml(client: GraphClient, wanted: list, current: dict, desired: dict,
                    restoring: dict | None = None) -> dict:
    """`restoring`: each application to restore (plan/restore.py) as deleted, with its deleted service principal
    (or None), by name: neither can be read by its own path, so what the plan compares is taken from them -- the
    claims-mapping policy as none assigned (a deleted service principal keeps none here: docs/emulator.md)."""
    held = {key[0]: resource for key, resource in current.items() if resource.kind == "application"}
    asked = [held[app.key] for app in wanted if app.saml is not None and app.key in held]
    restoring = restoring or {}
    found_all = await asyncio.gather(*(_deleted(client, application.ids, *restoring[application.application])
                                       if application.application in restoring else read_one(client, application.ids)
                                       for application in asked))
    found: dict = {}
    for application, one in zip(asked, found_all):
        if one is None:
            continue  # no service principal yet: every SAML step is still to be taken
        for kind, at, attributes, identity, ids in resources.live(one, application.address, application.ids):
            add_live(found, (application.application, KIND_ORDER[kind], kind, identity), kind, at,
                     application.application, attributes, ids, desired)
    return found


async def _deleted(client: GraphClient, ids: dict, application: dict | None, principal: dict | None) -> dict | None:
    """What is restored; `application` None when it is live (only its service principal is in deleted items)."""
    if principal is None:
        return None
    if application is None:
        live = await client.call("GET", query(f"applications/{ids['id']}", select="id,defaultRedirectUri,web"))
        if not live.ok:
            raise GraphRequestFailed(f"the SAML application of application {ids['id']}", live.error)
        application = live.body
    return {"application": application, "servicePrincipal": principal, "policies": []}


async def read_one(client: GraphClient, ids: dict) -> dict | None:
    principal_path = f"servicePrincipals(appId='{ids['appId']}')"
    application, principal, policies = await asyncio.gather(
        client.call("GET", query(f"applications/{ids['id']}", select="id,defaultRedirectUri,web")),
        client.call("GET", query(principal_path, select=PRINCIPAL_FIELDS)),
        client.call("GET", f"{principal_path}/claimsMappingPolicies"))
    if principal.status == 404:
        return None
    for response, what in ((application, "application"), (principal, "service principal"),
                           (policies, "claims-mapping policies")):
        if not response.ok:
            raise GraphRequestFailed(f"the SAML {what} of application {ids['id']}", response.error)
    return {"application": application.body, "servicePrincipal": principal.body,
            "policies": policies.body.get("value") or []}
