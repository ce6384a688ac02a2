"""Identifier URI placeholders, resolved where their values are known.

`{tenantId}` is the environment's tenant id, known from the configuration: desired resources are made with it
resolved. `{appId}` is the application's own id, known once Graph has created it: after the tenant is read,
`resolve_app_ids` puts each existing application's app id in its place, so that the plan shows the real URI and
compares it with what Graph holds. An application still to be created keeps `{appId}` in its plan; apply creates
it without such URIs and sets them right after, when the app id is known (apply.py `upsert_application`), and the
next plan finds them set.
"""

from __future__ import annotations

from dataclasses import replace

from ..config.model import APP_ID, TENANT_ID


def resolve_tenant_id(uri: str, tenant_id: str | None) -> str:
    return uri.replace(TENANT_ID, tenant_id) if tenant_id else uri


def resolve_app_id(uri: str, app_id: str) -> str:
    return uri.replace(APP_ID, app_id)


def needs_app_id(uri: str) -> bool:
    return APP_ID in uri


def resolve_app_ids(desired: dict, live: dict) -> dict:
    """`desired` with `{appId}` resolved in the identifier URIs of every application `live` holds."""
    app_ids = {resource.application: resource.ids["appId"] for resource in live.values()
               if resource.kind == "application" and resource.ids.get("appId")}
    resolved = dict(desired)
    for key, resource in desired.items():
        if resource.kind != "application" or resource.application not in app_ids:
            continue
        uris = resource.attributes["identifierUris"]
        if any(needs_app_id(uri) for uri in uris):
            app_id = app_ids[resource.application]
            attributes = {**resource.attributes, "identifierUris": sorted(resolve_app_id(uri, app_id) for uri in uris)}
            resolved[key] = replace(resource, attributes=attributes)
    return resolved


def deferred_identifier_uris(attributes: dict) -> list[str]:
    """The identifier URIs a create cannot carry, set right after it: those naming `{appId}` (not known yet), and
    every URI of an application with v2 access tokens -- the tenant's app-management policy spares a v2 application
    only in writes after the one that made it v2 (emulator/app_rules.py `_check_policy`)."""
    uris = attributes["identifierUris"]
    if (attributes.get("api") or {}).get("requestedAccessTokenVersion") == 2:
        return list(uris)
    return [uri for uri in uris if needs_app_id(uri)]
