"""Applying API permissions and consents (plan/permissions.py), in the order Graph and safety need.

In each application's chain:
- `withdraw`, before anything else is written: consents taken away (an app role assignment deleted, a grant deleted).
  First, so that an apply cut short never leaves a consent to an API the application no longer requests: the next
  plan reads the consents of the APIs requested, and would not see that one.
- the requested permissions, Graph's `requiredResourceAccess` written whole (as `appRoles` is) from every permission
  of the plan, with the application's create (`on_create`) or in a PATCH of its own (`request`).
After every chain (`grant`, in apply.apply_plan): consents added or changed, and the permissions of APIs created in
this same apply. A consent names both service principals, the client's and the API's; when the API is an application
of this configuration created by this apply, its ids exist only once its own chain has made them. Waiting for all
chains first is the one order that holds whatever names whatever (two applications consenting to each other
included), and it costs no round trips: the grants of every application go together, in `$batch`es.

Every write is safe to repeat: an assignment already there is recognised by reading the client's assignments, a
grant by reading the client's grants for that API (Graph holds one per client and API); a removal of what is gone is
done (404).
"""

from __future__ import annotations

import asyncio

from .apply_access import StepFailed
from .apply_recovery import write_checked
from .graph.client import GraphUnavailable, Response, query
from .plan.model import Action, Change
from .plan.permissions import ALL_PRINCIPALS, placeholder

PERMISSION, CONSENT, DELEGATED_CONSENT = "permission", "consent", "delegated_consent"
CONSENTS = (CONSENT, DELEGATED_CONSENT)


# ------------------------------------------------------------------------------------------ requiredResourceAccess
def collection(chain, known: dict | None = None) -> list[dict] | None:
    """`requiredResourceAccess` as Graph takes it, from every permission the plan keeps for the application; None
    while an API among them has no application id yet (`known`: application name -> ids, of those created)."""
    by_api: dict[str, list[dict]] = {}
    for change in chain.of(PERMISSION):
        if change.after is None:
            continue
        app_id = _app_id(change, known or {})
        if app_id is None:
            return None
        by_api.setdefault(app_id, []).append({"id": change.after["id"], "type": change.after["type"]})
    return [{"resourceAppId": app_id, "resourceAccess": sorted(access, key=lambda a: (a["type"], a["id"]))}
            for app_id, access in sorted(by_api.items())]


def _app_id(change: Change, known: dict) -> str | None:
    api = change.ids.get("api")
    if api is not None and change.after["resourceAppId"] == placeholder(api):
        return known.get(api, {}).get("appId")
    return change.after["resourceAppId"]


def _pending(chain) -> list[Change]:
    return [c for c in chain.of(PERMISSION) if c.action is not Action.NOOP]


def on_create(chain) -> dict:
    """What a new application's create carries of its permissions (nothing while one waits for an API to exist)."""
    required = collection(chain) if _pending(chain) else None
    return {} if required is None else {"requiredResourceAccess": required}


async def request(chain) -> None:
    """The permissions, changed: one PATCH of the whole collection -- or none for a new application, whose create
    carried them (`on_create`), or while an API has no application id yet (then `grant` writes them)."""
    pending = [c for c in _pending(chain) if not _done(chain, c)]
    required = collection(chain) if pending else None
    if required is None:
        return
    if not any(c.kind == "application" and c.action is Action.CREATE for c in chain.changes):
        await chain.send("PATCH", f"applications/{chain.ids['id']}", {"requiredResourceAccess": required})
    _finish(chain, pending)


def _done(chain, change: Change) -> bool:
    return any(done is change for done in chain.outcome.done)


def _finish(chain, changes: list[Change]) -> None:
    chain.finish([c for c in changes if c.action is not Action.DELETE], "added")
    chain.finish([c for c in changes if c.action is Action.DELETE], "removed")


# -------------------------------------------------------------------------------------------------------- consents
async def withdraw(chain) -> None:
    """Consents taken away: before the permissions are written (see the module's notes)."""
    for change in (c for c in chain.changes if c.kind in CONSENTS and c.action is Action.DELETE):
        client = change.ids["servicePrincipalId"]
        path = f"servicePrincipals/{client}/appRoleAssignments/{change.ids['assignmentId']}" \
            if change.kind == CONSENT else f"oauth2PermissionGrants/{change.ids['grantId']}"
        await chain.send("DELETE", path, ok_if=lambda response: response.status == 404, settle=False)
        chain.finish([change], "removed")


async def grant(chains: dict, known: dict) -> None:
    """After every chain: each application's consents added or changed, and permissions that waited for an API.
    `known`: application name -> ids (id, appId, servicePrincipalId) of every application the plan or the chains
    know."""
    for chain in chains.values():
        known.setdefault(chain.name, {}).update(chain.ids)
    await asyncio.gather(*(_grant(chain, known) for chain in chains.values() if not chain.failed))


async def _grant(chain, known: dict) -> None:
    try:
        waiting = [c for c in _pending(chain) if not _done(chain, c)]
        if waiting:
            required = collection(chain, known)
            if required is None:
                raise StepFailed("an API it requests permissions of was not created (see its own errors)")
            await chain.send("PATCH", f"applications/{chain.ids['id']}", {"requiredResourceAccess": required})
            _finish(chain, waiting)
        for change in (c for c in chain.changes if c.kind in CONSENTS and c.action in (Action.CREATE, Action.UPDATE)):
            await _Consent(chain, change, known).apply()
    except (StepFailed, GraphUnavailable) as error:
        chain.failed = True
        chain.fail(error)


class _Consent:
    """One consent to add or change, with the ids of both service principals found."""

    def __init__(self, chain, change: Change, known: dict):
        self.chain, self.change, self.known = chain, change, known

    async def apply(self) -> None:
        client, api = await self._client(), await self._api()
        if self.change.kind == CONSENT:
            await self._assign(client, api)
        elif self.change.action is Action.UPDATE:
            await self.chain.send("PATCH", f"oauth2PermissionGrants/{self.change.ids['grantId']}",
                                  {"scope": " ".join(self.change.after["scope"])})
        else:
            await self._delegate(client, api)
        self.chain.finish([self.change], "added" if self.change.action is Action.CREATE else "updated")

    async def _client(self) -> str:
        ids = self.chain.ids
        if "servicePrincipalId" not in ids:
            ids["servicePrincipalId"] = await _service_principal(self.chain, ids["appId"])
        return ids["servicePrincipalId"]

    async def _api(self) -> str:
        ids, name = self.change.ids, self.change.ids.get("api")
        if ids.get("resourceId"):
            return ids["resourceId"]
        known = self.known.get(name, {}) if name else {}
        if known.get("servicePrincipalId"):
            return known["servicePrincipalId"]
        app_id = known.get("appId") if name else self.change.after["resourceAppId"]
        if app_id is None:
            raise StepFailed(f"API {name} was not created (see its own errors)")
        return await _service_principal(self.chain, app_id)

    async def _assign(self, client: str, api: str) -> None:
        role = self.change.after["appRoleId"]
        await write_checked(self.chain, "POST", f"servicePrincipals/{client}/appRoleAssignments",
                            {"principalId": client, "resourceId": api, "appRoleId": role}, repeatable=True,
                            done=_assigned(self.chain, client, api, role))

    async def _delegate(self, client: str, api: str) -> None:
        scope = " ".join(self.change.after["scope"])  # Graph's form: values separated by spaces
        find = _granted(self.chain, client, api)
        created = await write_checked(self.chain, "POST", "oauth2PermissionGrants",
                                      {"clientId": client, "consentType": ALL_PRINCIPALS, "resourceId": api,
                                       "scope": scope}, find=find, done=lambda: _exists(find))
        if not created.ok:  # already there (made by a run whose answer was lost, or hidden from the plan's read)
            found = await find()
            if sorted((found.body.get("scope") or "").split()) != scope.split():
                await self.chain.send("PATCH", f"oauth2PermissionGrants/{found.body['id']}", {"scope": scope})


async def _service_principal(chain, app_id: str) -> str:
    """The id of the service principal of `app_id`, waiting out replication (one created moments ago)."""
    found = await chain.send("GET", query(f"servicePrincipals(appId='{app_id}')", select="id"), settle=True)
    return found.body["id"]


def _assigned(chain, client: str, api: str, role: str):
    """A read: whether the client already holds this app role of the API."""
    async def check() -> bool:
        found = await chain.send("GET", query(f"servicePrincipals/{client}/appRoleAssignments",
                                              filter=f"resourceId eq {api}", select="appRoleId"),  # a Guid: bare
                                 ok_if=lambda answer: True, settle=False)
        held = (found.body or {}).get("value") or [] if found.ok else []
        return any(str(a.get("appRoleId")).lower() == role.lower() for a in held)
    return check




def _granted(chain, client: str, api: str):
    """A look-up: the client's grant for all principals to the API (Graph holds at most one), or None."""
    async def find() -> Response | None:
        found = await chain.send("GET", query("oauth2PermissionGrants", select="id,clientId,resourceId,scope",
                                              filter=f"clientId eq '{client}' and resourceId eq '{api}' and "
                                                     f"consentType eq '{ALL_PRINCIPALS}'"),
                                 ok_if=lambda answer: True, settle=False)
        grants = (found.body or {}).get("value") or [] if found.ok else []
        return Response(200, grants[0]) if grants else None
    return find


async def _exists(find) -> bool:
    return await find() is not None
