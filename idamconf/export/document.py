"""An application as Graph holds it, written as a person writes its file -- and what the file cannot say.

Pure: Graph's objects in (the application, its service principal, its owners' user principal names, the access
packages granting its roles with their policies, people by id), a document out (a dict in the documented key order,
only what differs from the defaults) and notes, each naming the object and the attribute the file cannot express, so
nothing is dropped silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .. import surface
from ..config.model import APP_ID, TENANT_ID
from ..graph.uri_rules import PERSONAL
from ..surface.attributes import HIDE_APP, INTEGRATED_APP, SP_PREFIX, rows
from ..surface.values import at, put
from .own_packages import is_own, own_packages
from .packages import package_block
from .permissions import api_permissions
from .relations import assignments, principal_owners

ORDER = ("name", "appId", "displayName", "description", "notes", "serviceManagementReference", "owners",
         "signInAudience", "web", "spa", "publicClient", "api", "identifierUris", "tags", "environments", "info",
         "isFallbackPublicClient", "groupMembershipClaims", "optionalClaims", "servicePrincipal", "apiPermissions",
         "appRoles", "accessPackages", "assignments")


@dataclass
class Exported:
    name: str
    document: dict
    notes: list[str] = field(default_factory=list)  # what the file cannot express, by object and attribute


@dataclass
class Tenant:
    """What export read of the tenant, for `document` to use."""

    tenant_id: str | None
    principals: dict = field(default_factory=dict)  # appId -> service principal
    owners: dict = field(default_factory=dict)  # application id -> owners (with userPrincipalName)
    packages: dict = field(default_factory=dict)  # service principal id -> packages granting its roles
    policies: dict = field(default_factory=dict)  # package id -> policies
    people: dict = field(default_factory=dict)  # user id -> user principal name
    apis: object = None  # export/permissions.Apis
    granted: dict = field(default_factory=dict)  # service principal id -> the app role assignments it grants
    principal_owners: dict = field(default_factory=dict)  # service principal id -> its owners
    names: dict = field(default_factory=dict)  # appId -> name, of the applications exported or configured
    roles: dict = field(default_factory=dict)  # service principal id -> (name, role id -> value): own_packages


def document(app: dict, name: str, environment: str, tenant: Tenant) -> Exported:
    """The file of `app` (as Graph returned it), named `name`, in `environment`."""
    out = Exported(name, {})
    doc = out.document
    doc["name"] = name
    doc["appId"] = app["appId"]
    doc["displayName"] = app.get("displayName")
    _put_if(doc, "description", app.get("description"))
    doc["owners"] = _owners(app, tenant, out)
    audience = app.get("signInAudience") or "AzureADMyOrg"
    if audience != "AzureADMyOrg":
        doc["signInAudience"] = audience
    _platforms(app, doc, audience)
    uris = [_placeholders(uri, app["appId"], tenant.tenant_id) for uri in app.get("identifierUris") or []]
    _put_if(doc, "identifierUris", sorted(uris))
    _put_if(doc, "tags", sorted(t for t in app.get("tags") or [] if not t.lower().startswith("idamconf:")))
    doc["environments"] = [environment]
    _settings(app, tenant.principals.get(app["appId"]), doc)
    _exposed(app, tenant, doc, out)
    _roles(app, tenant, doc, out)
    _relations(app, tenant, doc, out)
    if tenant.apis is not None:
        entries, notes = api_permissions(app, tenant.principals.get(app["appId"]), tenant.apis, tenant.names)
        _put_if(doc, "apiPermissions", entries)
        out.notes += notes
    out.notes += _unexpressed(app, tenant.principals.get(app["appId"]))
    out.document = {key: doc[key] for key in ORDER if key in doc}
    return out


def _put_if(doc: dict, key: str, value) -> None:
    if value not in (None, "", [], {}):
        doc[key] = value


def _owners(app: dict, tenant: Tenant, out: Exported) -> list[str]:
    owners = tenant.owners.get(app["id"], [])
    users = sorted(o["userPrincipalName"] for o in owners if o.get("@odata.type") == "#microsoft.graph.user"
                   and o.get("userPrincipalName"))
    others = [o for o in owners if o.get("@odata.type") != "#microsoft.graph.user"]
    if others:
        out.notes.append(f"owners: {len(others)} owner(s) that are not users (e.g. a pipeline's service principal) "
                         "are left as they are by idamconf, and not written")
    if not users:
        out.notes.append("owners: the application has no user owner; idamconf needs at least one -- add one")
    return users


def _platforms(app: dict, doc: dict, audience: str) -> None:
    for platform in ("web", "spa"):
        uris = sorted(((app.get(platform) or {}).get("redirectUris")) or [])
        if uris:
            doc.setdefault(platform, {})["redirectUris"] = uris
    version = (app.get("api") or {}).get("requestedAccessTokenVersion") or 1
    if version != (2 if audience in PERSONAL else 1):
        doc.setdefault("api", {})["requestedAccessTokenVersion"] = version


def _placeholders(uri: str, app_id: str, tenant_id: str | None) -> str:
    """A URI naming the application's own id, or the tenant's, says so: the file then holds in every tenant."""
    uri = re.sub(re.escape(app_id), APP_ID, uri, flags=re.I)
    return re.sub(re.escape(tenant_id), TENANT_ID, uri, flags=re.I) if tenant_id else uri


def _settings(app: dict, principal: dict | None, doc: dict) -> None:
    """The table's settings that differ from their defaults, where the file writes them (surface/attributes.py)."""
    for attribute in rows(surface.APPLICATION) + (rows(surface.SERVICE_PRINCIPAL) if principal else ()):
        found = app if attribute.on == surface.APPLICATION else principal
        value = attribute.normalised(at(found, attribute.graph.split(".")))
        if value != attribute.normalised(None):
            put(doc, attribute.written, _written(attribute.key, value))
    if principal is not None:
        _principal_tags(principal, app, doc)


def _written(key: str, value):
    """A value as a person writes it: optional claims without the fields left at their defaults."""
    if key != "optionalClaims" or not isinstance(value, dict):
        return value
    return {token: [{k: v for k, v in claim.items() if v not in (None, False, [])} for claim in claims]
            for token, claims in value.items() if claims}


def _principal_tags(principal: dict, app: dict, doc: dict) -> None:
    own = {t for t in principal.get("tags") or []} - {t for t in app.get("tags") or []}
    own = {t for t in own if not t.lower().startswith("idamconf:")}
    settings = doc.setdefault(SP_PREFIX[:-1], {})
    if HIDE_APP in own:
        settings["hideFromUsers"] = True
        own.discard(HIDE_APP)
    if own != {INTEGRATED_APP}:
        settings["tags"] = sorted(own)
    if not settings:
        del doc[SP_PREFIX[:-1]]


def _roles(app: dict, tenant: Tenant, doc: dict, out: Exported) -> None:
    principal = tenant.principals.get(app["appId"])
    packages = tenant.packages.get(principal["id"], []) if principal else []
    roles = []
    for role in sorted(app.get("appRoles") or [], key=lambda r: (r.get("value") or "", r["id"])):
        written = {"displayName": role.get("displayName")}
        _put_if(written, "value", role.get("value"))  # a role without a value (a SAML app's User) is named by its id
        _put_if(written, "description", role.get("description"))
        members = sorted(role.get("allowedMemberTypes") or [])
        if members != ["User"]:
            written["allowedMemberTypes"] = members
        if role.get("isEnabled") is False:
            written["enabled"] = False
        written["id"] = role["id"].lower()
        granting = [p for p in packages if _grants(p, role["id"]) and not is_own(p)]
        if granting:
            block, notes = package_block(granting, tenant.policies, tenant.people, role)
            written["accessPackage"] = block
            out.notes += notes
        roles.append(written)
    _put_if(doc, "appRoles", roles)
    blocks, notes = own_packages(principal["id"], tenant) if principal else ([], [])
    _put_if(doc, "accessPackages", blocks)
    out.notes += notes


def _exposed(app: dict, tenant: Tenant, doc: dict, out: Exported) -> None:
    """The scopes the application exposes, with their ids (so they stay the ones clients were granted), and the
    clients pre-authorised for them: by name when the client is exported or configured too, else by app id."""
    api = app.get("api") or {}
    scopes, values = [], {}
    for scope in sorted(api.get("oauth2PermissionScopes") or [], key=lambda s: (s.get("value") or "", s["id"])):
        values[scope["id"].lower()] = scope.get("value")
        written = {"value": scope.get("value")}
        for key in ("adminConsentDisplayName", "adminConsentDescription", "userConsentDisplayName",
                    "userConsentDescription"):
            _put_if(written, key, scope.get(key))
        if (scope.get("type") or "Admin") != "Admin":
            written["type"] = scope["type"]
        if scope.get("isEnabled") is False:
            written["enabled"] = False
        written["id"] = scope["id"].lower()
        scopes.append(written)
    clients = []
    for entry in api.get("preAuthorizedApplications") or []:
        client = (entry.get("appId") or "").lower()
        named = next((name for app_id, name in tenant.names.items() if app_id.lower() == client), None)
        wanted = [values.get(str(i).lower()) for i in entry.get("delegatedPermissionIds") or []]
        if None in wanted:
            out.notes.append(f"api.preAuthorizedApplications: client {client} is pre-authorised for a permission "
                             "that is not one of the application's scopes: not written")
            continue
        clients.append({"name": named} if named else {"appId": client})
        clients[-1]["scopes"] = sorted(wanted)
    if scopes:
        doc.setdefault("api", {})["oauth2PermissionScopes"] = scopes
    if clients:
        doc.setdefault("api", {})["preAuthorizedApplications"] = sorted(clients, key=lambda c: str(c))


def _grants(package: dict, role_id: str) -> bool:
    return any(((scope.get("role") or {}).get("originId") or "").lower() == role_id.lower()
               for scope in package.get("resourceRoleScopes") or [])


def _relations(app: dict, tenant: Tenant, doc: dict, out: Exported) -> None:
    principal = tenant.principals.get(app["appId"])
    if principal is None:
        return
    _put_if(doc, "assignments", assignments(app, tenant.granted.get(principal["id"], []), tenant.people, out.notes))
    owners = principal_owners(tenant.principal_owners.get(principal["id"], []), doc.get("owners") or [])
    if owners is not None:
        doc.setdefault(SP_PREFIX[:-1], {})["owners"] = owners


def _unexpressed(app: dict, principal: dict | None) -> list[str]:
    """What Graph holds that the file has no key for (yet): said, never dropped silently."""
    notes = []
    for attribute, what in (("passwordCredentials", "client secret(s)"), ("keyCredentials", "certificate(s)")):
        if app.get(attribute):
            notes.append(f"{attribute}: {len(app[attribute])} {what}, not managed by idamconf's files (credentials "
                         "live in a vault); left as they are")
    if (app.get("info") or {}).get("logoUrl"):
        notes.append("logo: the application has a logo; export does not download images, and a file without "
                     "`logo:` leaves it as it is (to manage it, save the image beside the file and add `logo:`)")
    if principal is None:
        notes.append("servicePrincipal: the application has no service principal (enterprise application); "
                     "adopting it creates one")
    return notes
