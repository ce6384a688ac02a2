"""The API an application exposes, as resources: each scope (`app.orders-api.scope.Orders.Read`, keyed by its id)
and each pre-authorised client (`app.orders-api.pre_authorized[orders-portal]`, keyed by the client's app id).

Both are read from the application Graph returns (`api`, which plan reads anyway): no request of their own. A
client is shown by name when it is an application of this project, else by its app id, on both sides, and its scopes
by their values, so the plan reads as the file does; apply writes Graph's ids (apply_exposed.py). A client named by
`name` whose application apply has yet to create has no app id yet: its entry is keyed by that name and written once
the client exists (apply_exposed.late_clients).
"""

from __future__ import annotations

from dataclasses import replace

from ..config.model import Application
from .model import NO_IDS, Resource

SCOPE_FIELDS = ("adminConsentDescription", "adminConsentDisplayName", "id", "isEnabled", "type",
                "userConsentDescription", "userConsentDisplayName", "value")
CLIENT_BY_NAME = "name:"  # the identity of a client whose app id is not known yet


def desired(app: Application, address: str) -> list[tuple]:
    """(kind, address, attributes, identity, ids) of the scopes and pre-authorised clients `app` declares."""
    return list(_desired(app, address)) if app.scopes or app.pre_authorized else []  # most expose none


def _desired(app: Application, address: str):
    for scope in app.scopes:
        yield "scope", f"{address}.scope.{scope.value}", {
            "adminConsentDescription": scope.admin_consent_description,
            "adminConsentDisplayName": scope.admin_consent_display_name, "id": scope.id, "isEnabled": scope.enabled,
            "type": scope.type, "userConsentDescription": scope.user_consent_description,
            "userConsentDisplayName": scope.user_consent_display_name, "value": scope.value}, scope.id, NO_IDS
    for entry in app.pre_authorized:
        identity = CLIENT_BY_NAME + entry.client if entry.by_name else entry.client
        ids = NO_IDS if entry.by_name else {"clientAppId": entry.client}
        yield "pre_authorized", f"{address}.pre_authorized[{entry.client}]", _client(entry.client, entry.scopes), \
            identity, ids


def live(app: dict, address: str, ids: dict) -> list[tuple]:
    """The same, of an application as Graph returned it (`ids`: the application's)."""
    api = app.get("api") or {}
    if not api.get("oauth2PermissionScopes") and not api.get("preAuthorizedApplications"):
        return []
    return list(_live(api, address, ids))


def _live(api: dict, address: str, ids: dict):
    scopes = api.get("oauth2PermissionScopes") or []
    values = {str(scope.get("id")).lower(): scope.get("value") for scope in scopes}
    for scope in scopes:
        attributes = {name: scope.get(name) for name in SCOPE_FIELDS}
        attributes["id"] = scope_id = str(scope.get("id")).lower()
        attributes["isEnabled"] = scope.get("isEnabled") is not False
        yield "scope", f"{address}.scope.{scope.get('value') or scope_id}", attributes, scope_id, ids
    for entry in api.get("preAuthorizedApplications") or []:
        client = str(entry.get("appId")).lower()
        granted = [str(value).lower() for value in entry.get("delegatedPermissionIds") or []]
        yield "pre_authorized", f"{address}.pre_authorized[{client}]", \
            _client(client, [values.get(scope_id) or scope_id for scope_id in granted]), client, \
            {**ids, "clientAppId": client, "delegatedPermissionIds": granted}


def _client(client: str, scopes) -> dict:
    return {"client": client, "scopes": sorted(scopes)}


def resolve_clients(desired: dict, live: dict, app_ids: dict[str, str], add_live) -> tuple[dict, dict]:
    """Once the tenant is read: clients named by `name` keyed by their app id where it exists, and every client that
    is one of the project's applications shown by its name, on both sides. `app_ids`: the project's applications'
    (uniqueName -> appId, all of them: a plan of some applications names clients among the others);
    `add_live`: resources.add_live."""
    keys = [key for key, resource in desired.items() if resource.kind == "pre_authorized"]
    found = [key for key, resource in live.items() if resource.kind == "pre_authorized"]
    if not keys and not found:
        return desired, live
    app_ids = {name: app_id.lower() for name, app_id in app_ids.items()}
    names = {app_id: name for name, app_id in app_ids.items()}
    desired = dict(desired)
    for key in keys:
        resource = desired.pop(key)
        client = resource.attributes["client"]
        app_id = app_ids.get(client) if key[3].startswith(CLIENT_BY_NAME) else client
        label = names.get(app_id, client) if app_id else client
        ids = {"clientAppId": app_id} if app_id else NO_IDS
        desired[(*key[:3], app_id or key[3])] = replace(resource, address=_address(resource.address, label),
                                                        attributes=_client(label, resource.attributes["scopes"]),
                                                        ids=ids)
    live = dict(live)
    for key in found:
        have = live.pop(key)
        label = names.get(key[3], key[3])
        add_live(live, key, have.kind, _address(have.address, label), have.application,
                 _client(label, have.attributes["scopes"]), have.ids, desired)
    return desired, live


def _address(address: str, client: str) -> str:
    return f"{address.rsplit('.pre_authorized[', 1)[0]}.pre_authorized[{client}]"
