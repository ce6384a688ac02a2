"""Apply's steps for a SAML application, in Graph's order (concepts/application-saml-sso-configure-api.md), each
with a look-up first so that an interrupted apply is finished by the next:

1. `instantiate` (before the application's upsert, apply.py): an application to create is instantiated from the
   non-gallery template under a display name of the project's and the file's (names.unclaimed_name) -- unless a look-up
   finds one this project instantiated and did not finish (that display name, the template's id, no uniqueName
   yet) -- then its service principal set to `saml` mode (and given the file's display name), the template's roles
   disabled and replaced by the file's, and last the application claimed (uniqueName, the project's tag and the
   file's display name, together): until then nothing of it looks like the project's, and once claimed it has
   nothing the project did not ask for (session 47: a look-up by the file's display name took over another team's
   application of the template; a claim before the roles left the template's roles to be deleted, which needs
   --allow-delete). The usual upsert then finds it (204) and
   writes the rest: identifier URIs (the entity id, spared by the tenant's identifier-URI policy only once the
   service principal is in SAML mode: hence the order), reply URLs, logout URL. An application that exists already
   and becomes a SAML one has its service principal put in SAML mode first for the same reason (`_mode_first`).
2. `write` (once the service principal exists): the relay state and ACS indexes; the claims-mapping policy, found
   by its name or created, then assigned (any other policy assigned is unassigned first: Graph allows one); the
   token-signing certificate, added and made the preferred one (an unpreferred one of ours, left by an apply cut
   short after adding it, is made preferred rather than adding another).
What the service provider's team needs is kept in `chain.outcome.saml` for the command to print.
"""

from __future__ import annotations

import base64

from .. import clock
from ..graph.client import Response, query
from ..plan.model import Action
from . import claims, idp_metadata
from .names import certificate_name, unclaimed_name
from .resources import preferred, years

NON_GALLERY = "8adf8e6e-67b2-4cf2-a259-e3dc5476c621"


def _change(chain, kind: str):
    found = [change for change in chain.of(kind) if change.action in (Action.CREATE, Action.UPDATE)]
    return found[0] if found else None


# ------------------------------------------------------------------------------------------------ 1. instantiate
async def instantiate(chain) -> None:
    application = [c for c in chain.of("application") if c.action is Action.CREATE]
    if not application:
        await _mode_first(chain)
        return
    if not chain.of("saml"):
        return
    after, marked = application[0].after, unclaimed_name(chain.project, chain.name)
    ids = await _unfinished(chain, marked) or await _instantiated(chain, marked)
    chain.ids.update(ids)
    await chain.send("PATCH", f"servicePrincipals(appId='{ids['appId']}')",
                     {"preferredSingleSignOnMode": "saml", "displayName": after["displayName"]})
    await _disable_template_roles(chain, ids["id"])
    await chain.send("PATCH", f"applications/{ids['id']}", {"appRoles": [  # the file's: no template role is left
        change.after for change in chain.of("role") if change.action is Action.CREATE]})  # to look like the project's
    await chain.send("PATCH", f"applications/{ids['id']}", {"uniqueName": chain.name, "tags": after["tags"],
                                                           "displayName": after["displayName"]})


async def _mode_first(chain) -> None:
    """An existing application becoming a SAML one: its service principal (made now if it has none) is put in
    `saml` mode before the application's own write, which may add the entity id as an identifier URI -- one the
    tenant's identifier-URI policy spares only for an application whose service principal is already in SAML mode
    (emulator/app_rules.py `_exempt`). The service principal's other settings follow in its usual upsert."""
    for change in chain.of("service_principal"):
        before = change.before or {}
        if change.action in (Action.CREATE, Action.UPDATE) and change.after.get("preferredSingleSignOnMode") == \
                "saml" and before.get("preferredSingleSignOnMode") != "saml":
            response = await chain.send("PATCH", f"servicePrincipals(appId='{chain.ids['appId']}')",
                                        {"preferredSingleSignOnMode": "saml"}, {"Prefer": "create-if-missing"})
            if response.status == 201:
                chain.ids["servicePrincipalId"] = response.body["id"]


async def _disable_template_roles(chain, application_id: str) -> None:
    """Entra gives a new non-gallery application two enabled roles (User, msiam_access), and Graph changes or
    removes an enabled role only once it is disabled: those the file does not want exactly as they are are disabled
    first, in a write of their own (as plan/model.DISABLE_FIRST does for roles the plan reads), so the upsert that
    follows can write the file's roles."""
    found = await chain.send("GET", query(f"applications/{application_id}", select="id,appRoles"))
    held = [{name: value for name, value in role.items() if name != "origin"} for role in found.body["appRoles"]]
    wanted = {c.after["id"]: _role(c.after) for c in chain.of("role") if c.after is not None}
    changing = {role["id"] for role in held if role.get("isEnabled") and wanted.get(role["id"].lower()) != _role(role)}
    if changing:
        await chain.send("PATCH", f"applications/{application_id}", {"appRoles": [
            {**role, "isEnabled": False} if role["id"] in changing else role for role in held]})


def _role(role: dict) -> dict:
    return {"id": role["id"].lower(), "value": role.get("value"), "displayName": role.get("displayName"),
            "description": role.get("description"), "isEnabled": bool(role.get("isEnabled")),
            "allowedMemberTypes": sorted(role.get("allowedMemberTypes") or [])}


async def _unfinished(chain, display_name: str) -> dict | None:
    """An application this project instantiated and did not claim: the template's, the display name, no uniqueName.
    Learnt as the project's: the name is the configuration's and nobody else's claimed it."""
    escaped = display_name.replace("'", "''")
    found = await chain.send("GET", query("applications", filter=f"applicationTemplateId eq '{NON_GALLERY}' and "
                                          f"displayName eq '{escaped}'", select="id,appId,uniqueName,tags"))
    unclaimed = [app for app in found.body.get("value") or [] if not app.get("uniqueName") and not app.get("tags")]
    if not unclaimed:
        return None
    principal = await chain.send("GET", query(f"servicePrincipals(appId='{unclaimed[0]['appId']}')", select="id"))
    ids = {"id": unclaimed[0]["id"], "appId": unclaimed[0]["appId"], "servicePrincipalId": principal.body["id"]}
    if chain.client.ownership is not None:
        chain.client.ownership.learn(ids)
    return ids


async def _instantiated(chain, display_name: str) -> dict:
    made = await chain.send("POST", f"applicationTemplates/{NON_GALLERY}/instantiate", {"displayName": display_name},
                            find=lambda: _found(_unfinished(chain, display_name)))
    if "application" not in made.body:  # a lost answer, found again by the look-up
        return made.body
    return {"id": made.body["application"]["id"], "appId": made.body["application"]["appId"],
            "servicePrincipalId": made.body["servicePrincipal"]["id"]}


# ------------------------------------------------------------------------------------------------------ 2. write
async def write(chain, principal) -> None:
    if not any(chain.of(kind) for kind in ("saml", "claims_policy", "signing_certificate")):
        return
    await principal
    if chain.failed:
        return
    await _settings(chain)
    await _claims_policy(chain)
    await _signing_certificate(chain)
    await _describe(chain)


async def _settings(chain) -> None:
    change = _change(chain, "saml")
    if change is None:
        return
    after = change.after
    await chain.send("PATCH", f"servicePrincipals(appId='{chain.ids['appId']}')",
                     {"samlSingleSignOnSettings": {"relayState": after["relayState"]}})
    indexes = {setting["uri"]: setting["index"] for setting in after["redirectUriSettings"]}
    application = [c for c in chain.of("application") if c.after is not None]
    uris = application[0].after["web"]["redirectUris"] if application else sorted(indexes)
    await chain.send("PATCH", f"applications/{chain.ids['id']}", {
        "defaultRedirectUri": after["defaultRedirectUri"],
        "web": {"redirectUriSettings": [{"uri": uri, "index": indexes.get(uri)} for uri in uris]}})
    chain.finish([change], "created" if change.action is Action.CREATE else "updated")


async def _claims_policy(chain) -> None:
    change = _change(chain, "claims_policy")
    if change is None:
        return
    body = claims.body(chain.name, change.after["definition"])
    name = body["displayName"].replace("'", "''")
    found = await chain.send("GET", query("policies/claimsMappingPolicies", filter=f"displayName eq '{name}'"))
    existing = found.body.get("value") or []
    if existing:
        policy_id = existing[0]["id"]
        if claims.parsed(existing[0]) != change.after["definition"]:
            await chain.send("PATCH", f"policies/claimsMappingPolicies/{policy_id}", {"definition": body["definition"]})
    else:
        made = await chain.send("POST", "policies/claimsMappingPolicies", body,
                                find=lambda: _found(_policy_named(chain, name)))
        policy_id = made.body["id"]
    await _assign(chain, policy_id)
    chain.finish([change], "created" if change.action is Action.CREATE else "updated")


async def _found(looking) -> Response | None:
    """A look-up's object as the Response a lost create's `find` gives (graph/client.py)."""
    found = await looking
    return Response(200, found) if found is not None else None


async def _policy_named(chain, name: str) -> dict | None:
    found = await chain.send("GET", query("policies/claimsMappingPolicies", filter=f"displayName eq '{name}'"))
    return (found.body.get("value") or [None])[0]


async def _assign(chain, policy_id: str) -> None:
    holder = f"servicePrincipals/{await chain.service_principal_id()}/claimsMappingPolicies"
    assigned = await chain.send("GET", holder)
    held = [policy["id"] for policy in assigned.body.get("value") or []]
    for other in held:
        if other != policy_id:
            await chain.send("DELETE", f"{holder}/{other}/$ref", ok_if=lambda r: r.status == 404, settle=False)
    if policy_id not in held:
        reference = {"@odata.id": f"{chain.client.base_url}/policies/claimsMappingPolicies/{policy_id}"}
        await chain.send("POST", f"{holder}/$ref", reference, repeatable=True,  # a repeat: 400 "already exist"
                         ok_if=lambda r: r.status == 400 and "already exist" in str(r.error))


async def _signing_certificate(chain) -> None:
    change = _change(chain, "signing_certificate")
    if change is None:
        return
    wanted = change.after["validityYears"]
    principal = await _principal(chain)
    key = _ours_unpreferred(principal, chain.name, wanted)
    if key is None:
        end = clock.years_later(clock.now().replace(microsecond=0), wanted)  # Graph: "up to three years"
        made = await chain.send("POST", f"servicePrincipals/{await chain.service_principal_id()}/"
                                "addTokenSigningCertificate", {"displayName": certificate_name(chain.name),
                                                               "endDateTime": end.strftime("%Y-%m-%dT%H:%M:%SZ")},
                                find=lambda: _found(_added(chain, wanted)))  # a lost answer: the key it made
        thumbprint = made.body["thumbprint"]
    else:
        thumbprint = _hex(key)
    await chain.send("PATCH", f"servicePrincipals(appId='{chain.ids['appId']}')",
                     {"preferredTokenSigningKeyThumbprint": thumbprint})
    chain.finish([change], "created" if change.action is Action.CREATE else "updated")


async def _added(chain, wanted: int) -> dict | None:
    key = _ours_unpreferred(await _principal(chain), chain.name, wanted)
    return {"thumbprint": _hex(key)} if key is not None else None


def _ours_unpreferred(principal: dict, application: str, wanted: int) -> dict | None:
    for key in principal.get("keyCredentials") or []:
        if key.get("usage") == "Verify" and key.get("displayName") == certificate_name(application) and \
                years(key) == wanted and _hex(key) != (principal.get("preferredTokenSigningKeyThumbprint") or "") \
                and preferred({**principal, "preferredTokenSigningKeyThumbprint": _hex(key)}) is not None:
            return key
    return None


def _hex(key: dict) -> str:
    return base64.b64decode(key.get("customKeyIdentifier") or "").hex().upper()


async def _principal(chain) -> dict:
    found = await chain.send("GET", query(f"servicePrincipals(appId='{chain.ids['appId']}')",
                                          select="id,preferredTokenSigningKeyThumbprint,keyCredentials"))
    return found.body


# -------------------------------------------------------------------------------------------- what SPs need
async def _describe(chain) -> None:
    """The IdP's facts for the service provider's team, as the tenant now holds them."""
    principal = await _principal(chain)
    key = preferred(principal)
    organisation = await chain.send("GET", "organization")
    tenant_id, authority = organisation.body["value"][0]["id"], idp_metadata.authority(chain.client.base_url)
    chain.outcome.saml[chain.name] = {
        "metadataUrl": idp_metadata.metadata_url(authority, tenant_id, chain.ids["appId"]),
        "entityId": idp_metadata.entity_id(tenant_id), "signOnUrl": idp_metadata.sign_on_url(authority, tenant_id),
        "thumbprint": (principal.get("preferredTokenSigningKeyThumbprint") or "").upper() or None,
        "expires": (key or {}).get("endDateTime")}
