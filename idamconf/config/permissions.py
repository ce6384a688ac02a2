"""API permissions by name (`apiPermissions` in an application file): the model, naming rules, and the checks that
need no tenant.

    apiPermissions:
      - api: Microsoft Graph          # an API by its display name, its appId, or another application here by `name`
        delegated: [User.Read, openid, profile, email, offline_access]
        application: [User.Read.All]
        consent: true                  # idamconf grants an administrator's consent (default false)

Which API an entry names: another application of this configuration when `api` is one's `name` (names are lowercase
letters, digits and hyphens, which no display name of a Microsoft API is); else an application (client) id when it
is a GUID; else the display name of a service principal in the tenant, resolved at plan time (plan/permissions.py).
An application of this configuration is resolved here, from the file, with no request: its roles (and exposed
scopes) are what the tenant will hold once applied, whatever it holds now.

Names are matched exactly, as Graph's token service compares them; an unknown one is refused with the nearest names
the API has (`unknown`), at its file:line:column.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from ..diagnostics import Diagnostic
from ..graph.limits import GRANT_SCOPE, permissions_problem
from .model import Application, Configuration, Location
from .yamlfile import Document, render_path

DELEGATED, APPLICATION = "delegated", "application"
GRAPH_TYPE = {DELEGATED: "Scope", APPLICATION: "Role"}  # resourceAccess `type`, as Graph names each
KINDS = (DELEGATED, APPLICATION)
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


@dataclass(frozen=True)
class ApiPermissions:
    """One `apiPermissions` entry: the permissions requested of one API, and whether idamconf consents to them."""

    api: str
    delegated: tuple[str, ...] = ()
    application: tuple[str, ...] = ()
    consent: bool = False
    location: Location | None = field(default=None, compare=False)  # of the entry

    def names(self, kind: str) -> tuple[str, ...]:
        return self.delegated if kind == DELEGATED else self.application

    def where(self, kind: str, index: int) -> Location:
        """Where the `index`th permission of `kind` is written."""
        location = self.location or Location("")
        return location.at(*location.path, kind, index)


def api_permissions(raw: dict, file: str, positions) -> tuple[ApiPermissions, ...]:
    """The `apiPermissions` of a valid application document."""
    return tuple(ApiPermissions(entry["api"], tuple(entry.get(DELEGATED, ())), tuple(entry.get(APPLICATION, ())),
                                entry.get("consent", False), Location(file, ("apiPermissions", index), positions))
                 for index, entry in enumerate(raw.get("apiPermissions", [])))


def in_configuration(reference: str, names) -> bool:
    """Whether `api: reference` names an application of this configuration (`names`: theirs)."""
    return reference in names


@dataclass(frozen=True)
class Offer:
    """What an API offers, by kind (delegated, application): value -> permission id; and, for a value it has but
    cannot grant as that kind (a disabled one, a role only people can hold), why not."""

    permissions: dict  # kind -> {value: id}
    refused: dict = field(default_factory=dict)  # (kind, value) -> (why it cannot be granted, what to do)
    values: dict = field(default_factory=dict)  # (kind, id) -> value, of every permission it has

    def value_of(self, kind: str, permission_id: str) -> str | None:
        return self.values.get((kind, permission_id.lower()))


def offer_of_application(app: Application) -> Offer:
    """What an application of this configuration will offer once applied: its enabled roles that applications can
    hold, and its enabled exposed scopes (api.oauth2PermissionScopes) as delegated permissions."""
    return offer_of_roles([(role.id, role.value, role.allowed_member_types, role.enabled) for role in app.app_roles],
                          [(scope.id, scope.value, scope.enabled) for scope in app.scopes])


def offer_of_roles(roles, scopes) -> Offer:
    """The offer of an API with these roles (id, value, allowed member types, enabled) and delegated permissions
    (id, value, enabled)."""
    offer = Offer({DELEGATED: {}, APPLICATION: {}})
    delegated = [(scope_id, value, ("Application",), enabled) for scope_id, value, enabled in scopes]  # any client
    for kind, listed in ((APPLICATION, roles), (DELEGATED, delegated)):
        for permission_id, value, members, enabled in listed:
            if not value:
                continue
            offer.values[(kind, permission_id.lower())] = value
            if "Application" in members and enabled:
                offer.permissions[kind][value] = permission_id.lower()
            elif not enabled:
                offer.refused[(kind, value)] = ("is disabled", "request another one, or enable it in the API")
            else:
                offer.refused[(kind, value)] = ("is a role for people only (allowedMemberTypes: [User])",
                                                "add Application to the role's allowedMemberTypes, or request another "
                                                "role")
    return offer


def unknown(entry: ApiPermissions, label: str, offer: Offer) -> list[Diagnostic]:
    """A diagnostic for each permission of `entry` the API (`label`, offering `offer`) does not grant by that name."""
    problems = []
    for kind in KINDS:
        for index, value in enumerate(entry.names(kind)):
            if value in offer.permissions[kind]:
                continue
            location = entry.where(kind, index)
            summary, fix = _not_offered(kind, value, label, offer)
            problems.append(Diagnostic(summary, fix, location.file, location.line, location.column,
                                       render_path(location.path)))
    return problems


def _not_offered(kind: str, value: str, label: str, offer: Offer) -> tuple[str, str]:
    other = APPLICATION if kind == DELEGATED else DELEGATED
    if (kind, value) in offer.refused:
        why, fix = offer.refused[(kind, value)]
        return f"{kind} permission '{value}' of {label} {why}", fix
    if value in offer.permissions[other]:
        return f"'{value}' is {_article(other)} {other} permission of {label}, not {_article(kind)} {kind} one", \
            f"move it to {other}" + _nearest(value, offer.permissions[kind], f", or request {_article(kind)} {kind} "
                                             "permission such as ")
    return f"{label} has no {kind} permission '{value}'", _nearest(value, offer.permissions[kind], "did you mean ",
                                                                    " (names are case-sensitive)?") or \
        f"use the name of one of {label}'s {kind} permissions, as its API documents them"


def _nearest(value: str, known, before: str, after: str = "") -> str:
    """`before` + the closest known names + `after`; "" if none is close."""
    folded = {name.casefold(): name for name in known}
    close = [folded[value.casefold()]] if value.casefold() in folded else \
        difflib.get_close_matches(value, list(known), n=3, cutoff=0.6)
    return f"{before}{' or '.join(close)}{after}" if close else ""


def _article(kind: str) -> str:
    return "an" if kind == APPLICATION else "a"


# ------------------------------------------------------------------------------------------------------ checks
def check_file(document: Document, app: Application) -> list[Diagnostic]:
    """One file's entries on their own: an API named twice, an entry requesting nothing, Graph's counts."""
    problems, seen = [], {}
    for index, entry in enumerate(app.api_permissions):
        path = ("apiPermissions", index)
        first = seen.setdefault(entry.api.casefold(), index)
        if first != index:
            problems.append(document.diagnostic(path + ("api",), f"API '{entry.api}' is also listed at "
                                                f"apiPermissions[{first}]", "list each API once, with all the "
                                                "permissions requested of it"))
        if not entry.delegated and not entry.application:
            problems.append(document.diagnostic(path, f"the entry for API '{entry.api}' requests no permission",
                                                "add delegated or application permissions, or remove the entry"))
        granted = len(" ".join(entry.delegated))  # the consent's scope, as apply_permissions sends it
        if entry.consent and granted > GRANT_SCOPE:
            problems.append(document.diagnostic(path + ("delegated",), f"consent to these delegated permissions "
                                                f"is a scope of {granted:,} characters: Graph takes at most "
                                                f"{GRANT_SCOPE:,} (graph/limits.py [grants])",
                                                "request fewer delegated permissions of this API, or consent to "
                                                "them outside idamconf (consent: false)"))
    required = [{"resourceAccess": [*entry.delegated, *entry.application]} for entry in app.api_permissions]
    problem = permissions_problem(app.sign_in_audience, required)
    if problem:
        problems.append(document.diagnostic(("apiPermissions",), f"the application {problem}: Graph refuses it",
                                            "request fewer permissions (at most 50 APIs and 400 permissions; 200, "
                                            "and 30 of one API, for personal-account audiences)"))
    return problems


def check_across(configuration: Configuration) -> list[Diagnostic]:
    """Entries naming another application of this configuration, in each environment: it is deployed there, and
    offers the permissions named."""
    problems: list[Diagnostic] = []
    names = {app.name for app in configuration.applications}
    for environment in configuration.environments:
        apps = {app.name: app.for_environment(environment) for app in configuration.applications}
        for client in apps.values():
            if not client.in_environment(environment):
                continue
            for entry in client.api_permissions:
                if in_configuration(entry.api, names):
                    problems += _against(entry, apps[entry.api], environment)
    return list(dict.fromkeys(problems))


def _against(entry: ApiPermissions, api: Application, environment: str) -> list[Diagnostic]:
    if not api.in_environment(environment):
        location = entry.location.at(*entry.location.path, "api")
        return [Diagnostic(f"API {api.name} is not deployed to environment '{environment}' (see its environments)",
                           f"add {environment} to {api.name}'s environments, or request its permissions only where "
                           "it is", location.file, location.line, location.column, render_path(location.path))]
    return unknown(entry, api.name, offer_of_application(api))
