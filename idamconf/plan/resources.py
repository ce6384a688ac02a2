"""Desired and live state as comparable resources, keyed by identity.

Both sides are put in one normal form (Graph's field names, order-insensitive lists sorted), so that "no change" is
a plain `==` and the plan is stable: a second plan after an apply is empty.
"""

from __future__ import annotations

from .. import surface
from ..config.model import Application, Configuration
from ..diagnostics import Diagnostic
from ..credentials import certificates, federated, rotation
from ..saml import resources as saml
from . import exposed, logo
from .model import NO_IDS, Resource
from .placeholders import resolve_tenant_id
from .roles import role_parts

KIND_ORDER = {"catalog": -1, "application": 0, "role": 1, "service_principal": 2, "owner": 3, "catalog_resource": 4,
              "access_package": 5, "role_scope": 6, "policy": 7,
              "logo": 0, "scope": 1, "pre_authorized": 2}  # (sorted by kind's name within an order)
KIND_ORDER |= {"permission": 8, "consent": 9, "delegated_consent": 9}  # plan/permissions.py
KIND_ORDER.update({"service_principal_owner": 10, "assignment": 11})  # plan/principal_owners.py, plan/assignments.py
KIND_ORDER.update({"federated_credential": 12, "certificate": 12, "secret": 12})  # credentials/
KIND_ORDER.update({"group_resource": 4, "grant": 6})  # plan/packages.py: a package of its own's resources
KIND_ORDER.update(saml.KINDS)  # saml/resources.py


def application_attributes(app: Application, tag: str, tenant_id: str | None = None) -> dict:
    """`tenant_id`: the environment's, for `{tenantId}` in identifier URIs (`{appId}`: see plan/placeholders.py).
    The settings of surface/attributes.py's table join these, in the same objects (`web`, `api`)."""
    return surface.merged(_core_attributes(app, tag, tenant_id), surface.desired(app.settings, surface.APPLICATION))


def service_principal_attributes(app: Application, application_tags: list[str]) -> dict:
    return {"tags": surface.service_principal_tags(app.settings, application_tags),
            **surface.desired(app.settings, surface.SERVICE_PRINCIPAL)}


def _core_attributes(app: Application, tag: str, tenant_id: str | None) -> dict:
    return {
        "displayName": app.display_name,
        "description": app.description,
        "signInAudience": app.sign_in_audience,
        "identifierUris": sorted(resolve_tenant_id(uri, tenant_id) for uri in app.identifier_uris),
        "tags": sorted({*app.tags, tag}),
        "web": {"redirectUris": sorted(app.web_redirect_uris)},
        "spa": {"redirectUris": sorted(app.spa_redirect_uris)},
        "api": {"requestedAccessTokenVersion": app.access_token_version},
    }


def desired_resources(configuration: Configuration, environment: str, users: dict[str, str]):
    """Resources the configuration wants in `environment`; `users` maps lower-cased UPN -> object id.

    Returns the resources and a diagnostic for every owner who is not in the directory.
    """
    resources: dict[tuple, Resource] = {}
    problems: list[Diagnostic] = []
    tag = configuration.tag
    tenant_id = configuration.environments[environment].tenant_id
    for app in configuration.applications:
        if not app.in_environment(environment):
            continue
        name, address = app.key, f"app.{app.name}"  # the tenant knows it by its key; the plan, by its name
        attributes = application_attributes(app, tag, tenant_id)
        _add(resources, "application", address, name, attributes, name)
        parts = role_parts((role.id, role.value, role.display_name) for role in app.app_roles)
        for role, part in zip(app.app_roles, parts):
            _add(resources, "role", f"{address}.role{part}", name, {
                "id": role.id, "value": role.value, "displayName": role.display_name,
                "description": role.description, "allowedMemberTypes": sorted(role.allowed_member_types),
                "isEnabled": role.enabled,
            }, role.id)
        pictured, unreadable = logo.desired(configuration.root, app, address)
        problems += unreadable
        pinned, refused = certificates.desired(configuration.root, name, app.certificates, address)
        problems += refused
        credentials = federated.desired(app.federated_credentials, address) + pinned
        principal = service_principal_attributes(app, attributes["tags"])
        single_sign_on, unread = saml.desired(configuration.root, name, app.saml, address, attributes, principal)
        problems += unread
        for kind, at, wanted, identity, ids in exposed.desired(app, address) + pictured + credentials + single_sign_on:
            _add(resources, kind, at, name, wanted, identity, ids)
        _add(resources, "service_principal", f"{address}.service_principal", name, principal, "")
        desired_owners(resources, "owner", address, name, app.owners, users, lambda: app.owner_locations, problems)
    return resources, problems


def desired_owners(resources: dict, kind: str, address: str, application: str, upns, users: dict[str, str],
                   locations, problems: list) -> None:
    """Owners (of `kind`: an application's, a service principal's) by exact UPN, as user ids. One not in the tenant
    is a diagnostic at its place in the file (`locations()`, asked only then), or left out if `locations` is None
    (reported elsewhere)."""
    for index, upn in enumerate(upns):
        lowered = upn.lower()
        user_id = users.get(lowered)
        if user_id is None:
            if locations is not None:
                location = locations()[index]
                problems.append(Diagnostic(f"owner {upn} is not a user in the tenant", "check the spelling of the "
                                           "user principal name; people are matched by exact UPN, never by e-mail",
                                           location.file, location.line, location.column))
            continue
        _add(resources, kind, f"{address}.owner.{upn}", application, {"userPrincipalName": lowered}, user_id,
             {"userId": user_id})


def live_application(app: dict, desired: dict | None = None) -> dict:
    """What a plan keeps of one application as its page arrives: its ids, name and owners as Graph sent them, and the
    resources of the application and its roles, made at once (`desired`: the configuration's resources, if they are
    made yet; see `add_live`). The rest of what Graph sent is let go with the page."""
    name = app.get("uniqueName")
    ids = {"id": app["id"], "appId": app["appId"]}  # shared by the application's resources: read, never changed
    made: dict[tuple, Resource] = {}
    kept = {"id": app["id"], "uniqueName": name, "ids": ids, "resources": made}
    if "owners" in app:
        kept["owners"] = app["owners"]
    if app.get("requiredResourceAccess"):  # made into resources once the APIs are read (plan/permissions.py)
        kept["requiredResourceAccess"] = app["requiredResourceAccess"]
    if not name:
        return kept  # tagged but not created by idamconf (no key to manage it by): left alone
    address = f"app.{name}"
    _add(made, "application", address, name, _live_attributes(app), name, ids, desired)
    roles = app.get("appRoles") or []
    parts = role_parts((role["id"].lower(), role.get("value"), role.get("displayName")) for role in roles)
    for role, part in zip(roles, parts):
        role_id = role["id"].lower()
        _add(made, "role", f"{address}.role{part}", name, {
            "id": role_id, "value": role.get("value"), "displayName": role.get("displayName"),
            "description": role.get("description"), "allowedMemberTypes": sorted(role.get("allowedMemberTypes") or []),
            "isEnabled": bool(role.get("isEnabled")),
        }, role_id, ids, desired)
    found_here = exposed.live(app, address, ids) + logo.live(app, address, ids) + certificates.live(app, address, ids) \
        + rotation.live(app, address, ids)
    for kind, at, found, identity, more in found_here:
        _add(made, kind, at, name, found, identity, more, desired)
    return kept


def live_resources(applications: list[dict], service_principals: list[dict], owners: dict[str, list[dict]],
                   desired: dict | None = None):
    """Resources found in the tenant: the project's tagged applications, their service principals and owners.
    `applications`: as Graph sent them, or as `live_application` kept them; `desired`: the configuration's
    resources, whose attributes a live resource like the one wanted shares (`add_live`)."""
    resources: dict[tuple, Resource] = {}
    by_app_id = {sp["appId"]: sp for sp in service_principals}
    for app in applications:
        if "resources" not in app:
            app = live_application(app, desired)
        name = app["uniqueName"]
        if not name:
            continue
        for key, resource in app["resources"].items():
            keep(resources, key, resource, desired)  # made before the desired ones were, some may not share yet
        address, ids = f"app.{name}", app["ids"]
        sp = by_app_id.get(ids["appId"])
        if sp is not None:
            _add(resources, "service_principal", f"{address}.service_principal", name,
                 # the logo's marker is the application's: Graph shows it on the service principal too, its tags
                 # being its own and its application's (serviceprincipal.md)
                 {"tags": logo.without_marker(sp.get("tags") or []), **surface.live(sp, surface.SERVICE_PRINCIPAL)},
                 "",
                 {**ids, "servicePrincipalId": sp["id"]}, desired)
        live_owners(resources, "owner", address, name, owners.get(app["id"], []), ids, desired)
    return resources


def live_owners(resources: dict, kind: str, address: str, application: str, owners: list[dict], ids: dict,
                desired: dict | None) -> None:
    """The user owners Graph lists (of `kind`), with `ids` (the owned object's) and each owner's user id."""
    for owner in owners:
        if owner.get("@odata.type") != "#microsoft.graph.user":
            continue  # service principals that own it (e.g. the pipeline's own identity) are not managed
        upn = owner.get("userPrincipalName") or owner["id"]
        _add(resources, kind, f"{address}.owner.{upn}", application, {"userPrincipalName": upn.lower()}, owner["id"],
             {**ids, "userId": owner["id"]}, desired)


def _live_attributes(app: dict) -> dict:
    return surface.merged(_live_core(app), surface.live(app, surface.APPLICATION))


def _live_core(app: dict) -> dict:
    return {
        "displayName": app.get("displayName"),
        "description": app.get("description"),
        "signInAudience": app.get("signInAudience"),
        "identifierUris": sorted(app.get("identifierUris") or []),
        "tags": logo.without_marker(app.get("tags") or []),  # the logo's marker is idamconf's (plan/logo.py)
        "web": {"redirectUris": sorted((app.get("web") or {}).get("redirectUris") or [])},
        "spa": {"redirectUris": sorted((app.get("spa") or {}).get("redirectUris") or [])},
        # null is Graph's default, version 1 (apiApplication); an application read without `api` is one too
        "api": {"requestedAccessTokenVersion": (app.get("api") or {}).get("requestedAccessTokenVersion") or 1},
    }


def _add(resources: dict, kind: str, address: str, application: str, attributes: dict, identity: str,
         ids: dict = NO_IDS, desired: dict | None = None) -> None:
    add_live(resources, (application, KIND_ORDER[kind], kind, identity), kind, address, application, attributes,
             ids, desired)


def add_live(resources: dict, key: tuple, kind: str, address: str, application: str, attributes: dict, ids: dict,
             desired: dict | None) -> None:
    """resources[key] = the live resource of these parts; one like the desired one of the same key (in `desired`)
    shares its attributes and address rather than holding equal copies: at 10,000 applications each side holds
    130,000 of them, and in a plan with no changes every live one is like the one wanted."""
    want = desired.get(key) if desired else None
    if want is not None and want.attributes == attributes:
        attributes = want.attributes
        address = want.address if want.address == address else address
    resources[key] = Resource(kind, address, application, attributes, ids)


def keep(resources: dict, key: tuple, resource: Resource, desired: dict | None) -> None:
    """resources[key] = a live resource made before, sharing as `add_live` does what it did not share yet."""
    want = desired.get(key) if desired else None
    if want is None or want.attributes is resource.attributes:
        resources[key] = resource
    else:
        add_live(resources, key, resource.kind, resource.address, resource.application, resource.attributes,
                 resource.ids, desired)
