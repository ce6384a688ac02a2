"""API permissions and consents as resources of the plan: pure, from what the configuration names and what was read.

Three kinds, each keyed by ids, never by names, and addressed by names:
- `permission`: one requested permission, an entry of the application's `requiredResourceAccess`
  (`app.web.permission[Microsoft Graph/delegated/User.Read]`); apply writes the collection whole, as Graph takes it;
- `consent`: an application permission granted, an app role assignment to the client's service principal
  (`app.daemon.consent[Microsoft Graph/User.Read.All]`);
- `delegated_consent`: the delegated permissions granted for all users, one oAuth2PermissionGrant per client and API
  (`app.web.consent[Microsoft Graph/delegated]`), its `scope` the values, sorted (Graph's is one space-separated
  string: apply joins them).

An API is named in addresses by its service principal's display name (the name the portal shows), or by the
application's `name` for one of this configuration. One of this configuration not created yet has no application id:
`{appId of <name>}` stands for it, and apply writes the permission once that application exists (apply_permissions).

Consent, for every API read: with `consent: true` an application holds consent to exactly the permissions its entry
lists, granted by idamconf. With `consent: false` (the default) idamconf grants none, and a consent given by other
means (in the portal, as the organisation does today) to a permission the entry lists is left as it is
(`tolerated`). Either way, a consent to a permission the file does not request -- of an API it lists, or of one it
stopped listing -- is removed: an application never keeps access its file does not show. Removing takes access
away, so it needs --allow-delete (plan/removals.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..config.model import Application, Location
from ..config.permissions import APPLICATION, DELEGATED, GRAPH_TYPE, GUID, KINDS, Offer, in_configuration, \
    offer_of_application, offer_of_roles, unknown
from ..diagnostics import Diagnostic
from ..config.yamlfile import render_path
from .model import NO_IDS, Resource
from .resources import KIND_ORDER, add_live

KIND_OF_TYPE = {graph: kind for kind, graph in GRAPH_TYPE.items()}
ALL_PRINCIPALS = "AllPrincipals"


def placeholder(application: str) -> str:
    return f"{{appId of {application}}}"


@dataclass(frozen=True)
class Api:
    """An API as the plan knows it."""

    label: str  # how addresses name it
    app_id: str  # its application id (a placeholder for an application of this configuration not created yet)
    service_principal: str | None  # its service principal's object id, if it exists
    offer: Offer
    application: str | None = None  # the application of this configuration it is, if one

    @property
    def ids(self) -> dict:
        """What apply needs to find the API's ids once it exists (see apply_permissions)."""
        ids = {"resourceId": self.service_principal} if self.service_principal else {}
        return {**ids, "api": self.application} if self.application else ids


def offer_of_service_principal(sp: dict) -> Offer:
    roles = [(r["id"], r.get("value"), r.get("allowedMemberTypes") or (), r.get("isEnabled", True))
             for r in sp.get("appRoles") or []]
    scopes = [(s["id"], s.get("value"), s.get("isEnabled", True)) for s in sp.get("oauth2PermissionScopes") or []]
    return offer_of_roles(roles, scopes)


def external_references(applications, names) -> dict[str, bool]:
    """The APIs named by display name or application id (reference -> whether it is an id), to look up. `names`:
    the configuration's applications' (all of them, planned or not)."""
    return {entry.api: bool(GUID.match(entry.api)) for app in applications for entry in app.api_permissions
            if not in_configuration(entry.api, names)}


# ------------------------------------------------------------------------------------------------------ the APIs
def configured_apis(applications: dict[str, Application], project: dict[str, tuple]) -> dict[str, Api]:
    """The applications of this configuration as APIs, by name. `project`: name -> (appId, service principal id or
    None) of those that exist."""
    apis = {}
    for name, app in applications.items():
        # apply finds an application it creates by its key (Graph's uniqueName; config/model.Application.key)
        app_id, sp_id = project.get(name, (placeholder(app.key), None))
        apis[name] = Api(name, app_id, sp_id, offer_of_application(app), app.key)
    return apis


def found_apis(found: dict[str, list[dict]]) -> tuple[dict[str, Api], dict[str, tuple[str, str]]]:
    """reference -> its API, for those naming exactly one service principal; and reference -> (what is wrong, how
    to fix it) for the others."""
    apis, problems = {}, {}
    for reference, principals in found.items():
        if len(principals) == 1:
            sp = principals[0]
            apis[reference] = Api(sp.get("displayName") or sp["appId"], sp["appId"].lower(), sp["id"],
                                  offer_of_service_principal(sp))
        elif not principals:
            problems[reference] = (f"no API named '{reference}' in the tenant (no service principal has this "
                                   f"{'application id' if GUID.match(reference) else 'display name'})",
                                   "write the API's display name as Enterprise applications shows it, its "
                                   "application id, or the name of an application of this configuration")
        else:
            ids = ", ".join(sorted(sp["appId"] for sp in principals))
            problems[reference] = (f"{len(principals)} service principals are named '{reference}' (application "
                                   f"ids {ids})", "name the API by its application id")
    return apis, problems


# ------------------------------------------------------------------------------------------------------ desired
@dataclass
class Desired:
    resources: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    tolerated: dict = field(default_factory=dict)  # (application, API app id) -> {kind: ids or values} not consented


def desired_permissions(applications, apis: dict[str, Api], problems: dict[str, tuple]) -> Desired:
    """The permission and consent resources the configuration wants (each application as it is in the environment),
    a diagnostic for each API or permission that cannot be resolved, and the consents left as they are."""
    desired = Desired()
    for app in applications:
        for entry in app.api_permissions:
            if entry.api in problems:
                desired.problems.append(_at(entry.location.at(*entry.location.path, "api"), *problems[entry.api]))
                continue
            api = apis[entry.api]
            wrong = unknown(entry, api.label, api.offer)
            desired.problems += wrong
            if not wrong:
                _wanted(desired, app, entry, api)
    desired.problems = list(dict.fromkeys(desired.problems))
    return desired


def _wanted(desired: Desired, app: Application, entry, api: Api) -> None:
    """The resources of one entry: the application's by its key (config/model.Application.key), as the tenant's
    are; addressed by its name."""
    resources, offered, name, shown = desired.resources, api.offer.permissions, app.key, app.name
    for kind in KINDS:
        for value in entry.names(kind):
            _permission(resources, name, api, kind, offered[kind][value], value, api.ids, shown=shown)
    if not entry.consent:
        desired.tolerated[(name, api.app_id)] = {APPLICATION: {offered[APPLICATION][v] for v in entry.application},
                                                 DELEGATED: set(entry.delegated)}
        return
    for value in entry.application:
        _consent(resources, name, api, api.offer.permissions[APPLICATION][value], value, api.ids, shown=shown)
    if entry.delegated:
        _delegated_consent(resources, name, api, sorted(entry.delegated), api.ids, shown=shown)


def _permission(resources: dict, name: str, api: Api, kind: str, permission_id: str, value: str | None, ids: dict,
                desired: dict | None = None, shown: str | None = None) -> None:
    """`name`: the application's key; `shown`: its name in the address, if another (renamedFrom)."""
    graph_type = GRAPH_TYPE[kind]
    attributes = {"resourceAppId": api.app_id, "type": graph_type, "id": permission_id, "value": value}
    _add(resources, "permission", f"app.{shown or name}.permission[{api.label}/{kind}/{value or permission_id}]", name,
         attributes, f"{api.app_id}/{graph_type}/{permission_id}", ids, desired)


def _consent(resources: dict, name: str, api: Api, role_id: str, value: str | None, ids: dict,
             desired: dict | None = None, shown: str | None = None) -> None:
    attributes = {"resourceAppId": api.app_id, "appRoleId": role_id, "value": value}
    _add(resources, "consent", f"app.{shown or name}.consent[{api.label}/{value or role_id}]", name, attributes,
         f"{api.app_id}/{role_id}", ids, desired)


def _delegated_consent(resources: dict, name: str, api: Api, scope: list[str], ids: dict,
                       desired: dict | None = None, shown: str | None = None) -> None:
    attributes = {"resourceAppId": api.app_id, "consentType": ALL_PRINCIPALS, "scope": scope}
    _add(resources, "delegated_consent", f"app.{shown or name}.consent[{api.label}/delegated]", name, attributes,
         api.app_id, ids, desired)


def _add(resources: dict, kind: str, address: str, application: str, attributes: dict, identity: str, ids: dict,
         desired: dict | None) -> None:
    add_live(resources, (application, KIND_ORDER[kind], kind, identity), kind, address, application, attributes,
             ids or NO_IDS, desired)


def _at(location: Location, summary: str, fix: str) -> Diagnostic:
    return Diagnostic(summary, fix, location.file, location.line, location.column, render_path(location.path))


# --------------------------------------------------------------------------------------------------------- live
def requested_app_ids(required: dict[str, list]) -> set[str]:
    """The application ids of the APIs the project's applications request in the tenant (`required`: application
    name -> its requiredResourceAccess)."""
    return {entry["resourceAppId"].lower() for entries in required.values() for entry in entries or []
            if entry.get("resourceAppId")}


def live_permissions(required: dict[str, list], clients: dict[str, tuple], apis: dict[str, Api], consents,
                     desired: dict | None = None) -> dict:
    """The permission and consent resources found. `required`: application name -> requiredResourceAccess;
    `clients`: the project's service principal ids -> (application name, its ids); `apis`: by application id (an
    API not among them is named by its id); `consents`: graph/read_permissions.Consents."""
    resources: dict[tuple, Resource] = {}
    for name, entries in required.items():
        for entry in entries or []:
            api = _api(apis, entry.get("resourceAppId") or "")
            for access in entry.get("resourceAccess") or []:
                kind = KIND_OF_TYPE.get(access.get("type"))
                if kind is None:
                    continue
                permission_id = str(access.get("id")).lower()
                _permission(resources, name, api, kind, permission_id, api.offer.value_of(kind, permission_id),
                            NO_IDS, desired)
    by_sp = {api.service_principal: api for api in apis.values() if api.service_principal}
    for assignment in consents.assignments:
        client = clients.get(assignment["principalId"])
        api = by_sp.get(assignment["resourceId"])
        if client is not None and api is not None:
            role_id = assignment["appRoleId"].lower()
            _consent(resources, client[0], api, role_id, api.offer.value_of(APPLICATION, role_id),
                     {**client[1], "assignmentId": assignment["id"], "resourceId": api.service_principal}, desired)
    for grant in consents.grants:
        client = clients.get(grant["clientId"])
        api = by_sp.get(grant["resourceId"])
        if client is not None and api is not None:
            _delegated_consent(resources, client[0], api, sorted(set((grant.get("scope") or "").split())),
                               {**client[1], "grantId": grant["id"], "resourceId": api.service_principal}, desired)
    return resources


def left_alone(live: dict, apis: dict[str, Api]) -> dict:
    """Desired copies of the live permissions of APIs this tenant has no service principal of (not among `apis`):
    no file can name such an API (validate finds none), nothing can be consented to it, and its entry is left as it
    is -- export says so of the applications it writes (export/permissions.py), and adopting one must not take it
    away. A copy, not a gap: apply writes requiredResourceAccess whole, from every permission the plan keeps
    (apply_permissions.collection), so one the plan merely left out would go with the next write of the others."""
    return {key: have for key, have in live.items()
            if have.kind == "permission" and have.attributes["resourceAppId"].lower() not in apis}


def tolerated(live: dict, allowed: dict) -> dict:
    """Desired copies of the live consents `consent: false` leaves as they are (`allowed`: `Desired.tolerated`): an
    application permission the entry lists, and of a delegated grant the scopes it lists (the rest is removed)."""
    kept: dict[tuple, Resource] = {}
    for key, have in live.items():
        listed = allowed.get((have.application, have.attributes.get("resourceAppId")))
        if listed is None:
            continue
        if have.kind == "consent" and have.attributes["appRoleId"] in listed[APPLICATION]:
            kept[key] = have
        elif have.kind == "delegated_consent":
            scope = [value for value in have.attributes["scope"] if value in listed[DELEGATED]]
            if scope:
                kept[key] = Resource(have.kind, have.address, have.application, {**have.attributes, "scope": scope},
                                     NO_IDS)
    return kept


def narrowed(change) -> bool:
    """Whether a change takes consent away without deleting anything: a delegated grant losing scopes."""
    return change.kind == "delegated_consent" and change.before is not None and change.after is not None and \
        bool(set(change.before["scope"]) - set(change.after["scope"]))


def _api(apis: dict[str, Api], app_id: str) -> Api:
    return apis.get(app_id.lower()) or Api(app_id, app_id.lower(), None, Offer({DELEGATED: {}, APPLICATION: {}}))
