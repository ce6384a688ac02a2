"""An application's API permissions (`requiredResourceAccess`) and the consents to them, written as its
`apiPermissions`: names, never GUIDs; `consent: true` where every permission listed is consented."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..graph.client import GraphClient
from ..graph.read_permissions import find_apis, read_consents

MICROSOFT_GRAPH = "00000003-0000-0000-c000-000000000000"


@dataclass
class Apis:
    """The APIs the exported applications name, and the consents their service principals hold."""

    by_app_id: dict = field(default_factory=dict)  # resource appId -> its service principal (roles, scopes)
    assignments: list = field(default_factory=list)  # application permissions granted (appRoleAssignedTo)
    grants: list = field(default_factory=list)  # delegated permissions granted for all principals


async def read_apis(client: GraphClient, apps: list[dict]) -> Apis:
    """Each API the applications' requiredResourceAccess names, once, and the consents to them."""
    app_ids = sorted({entry["resourceAppId"] for app in apps for entry in app.get("requiredResourceAccess") or []
                      if entry.get("resourceAppId")})
    if not app_ids:
        return Apis()
    found = await find_apis(client, {app_id: True for app_id in app_ids})
    apis = Apis({app_id: principals[0] for app_id, principals in found.items() if principals})
    consents = await read_consents(client, [api["id"] for api in apis.by_app_id.values()])
    apis.assignments, apis.grants = consents.assignments, consents.grants
    return apis


def api_permissions(app: dict, principal: dict | None, apis: Apis, names: dict[str, str]) -> tuple[list, list]:
    """The `apiPermissions` entries of `app` and notes; `names`: appId -> the name of an application of this
    configuration (written as the API's name, as a person does)."""
    entries, notes = [], []
    for entry in app.get("requiredResourceAccess") or []:
        resource = entry.get("resourceAppId")
        api = apis.by_app_id.get(resource)
        if api is None:
            notes.append(f"apiPermissions: API {resource} has no service principal in this tenant: its "
                         f"{len(entry.get('resourceAccess') or [])} permission(s) are not written")
            continue
        written, consented = _entry(entry, api, principal, apis, notes)
        written = {"api": names.get(resource) or ("Microsoft Graph" if resource == MICROSOFT_GRAPH else resource),
                   **written}
        if consented:
            written["consent"] = True
        entries.append(written)
    return entries, notes


def _entry(entry: dict, api: dict, principal: dict | None, apis: Apis, notes: list) -> tuple[dict, bool]:
    roles = {role["id"].lower(): role.get("value") for role in api.get("appRoles") or []}
    scopes = {scope["id"].lower(): scope.get("value") for scope in api.get("oauth2PermissionScopes") or []}
    written, wanted = {"delegated": [], "application": []}, []
    for access in entry.get("resourceAccess") or []:
        kind, known = ("application", roles) if access.get("type") == "Role" else ("delegated", scopes)
        value = known.get(str(access.get("id")).lower())
        if value is None:
            notes.append(f"apiPermissions: permission {access.get('id')} is not one of {api.get('displayName')}'s: "
                         "not written")
            continue
        written[kind].append(value)
        wanted.append((kind, str(access["id"]).lower(), value))
    written = {kind: sorted(values) for kind, values in written.items() if values}
    return written, principal is not None and bool(wanted) and _consented(wanted, api, principal, apis)


def _consented(wanted: list, api: dict, principal: dict, apis: Apis) -> bool:
    """Whether every permission listed is consented for the application: its roles assigned to its service
    principal, its delegated scopes in a grant for all principals."""
    assigned = {a["appRoleId"].lower() for a in apis.assignments
                if a.get("principalId") == principal["id"] and a.get("resourceId") == api["id"]}
    granted = {scope for g in apis.grants if g.get("clientId") == principal["id"] and g.get("resourceId") == api["id"]
               for scope in (g.get("scope") or "").split()}
    return all(role_id in assigned if kind == "application" else value in granted for kind, role_id, value in wanted)
