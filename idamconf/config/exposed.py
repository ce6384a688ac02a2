"""The API an application exposes: its delegated permissions (`api.oauth2PermissionScopes`) and the clients
pre-authorised for them (`api.preAuthorizedApplications`), as the file writes them, checked as Graph checks them.

    api:
      oauth2PermissionScopes:
        - value: Orders.Read
          adminConsentDisplayName: Read orders
          adminConsentDescription: Lets the application read orders as the signed-in user.
      preAuthorizedApplications:
        - name: orders-portal          # an application of this configuration (or appId: any application's)
          scopes: [Orders.Read]

A scope's id is derived from the application's name and the scope's value (config/model.scope_id), as a role's is,
in a namespace of its own; `id` adopts an existing scope. Graph keeps a scope's value unique among the application's
scopes and its roles' values, and its id among their ids, so `validate` refuses a repeat. A pre-authorised client is
named once, by `name` or `appId`, for values of the application's own scopes; a client named by `name` must be an
application of this configuration in every environment the API is in (its app id is read from the tenant, or known
once apply has created it).
"""

from __future__ import annotations

from ..diagnostics import Diagnostic
from ..graph.limits import PERMISSION_DEFINITIONS, SCOPES_PERSONAL, scope_value_limit
from ..graph.uri_rules import personal
from .model import Application, Configuration, Location, PreAuthorized, Scope, scope_id
from .yamlfile import Document, render_path

SCOPES = ("api", "oauth2PermissionScopes")
PRE_AUTHORIZED = ("api", "preAuthorizedApplications")


def scopes_of(raw: dict, location: Location) -> tuple[Scope, ...]:
    """The scopes an application document declares (`location`: the file's, for each scope's place in it). Their
    ids derive from the name the application was created under (config/model.Application.key), as its roles' do."""
    key = raw.get("renamedFrom") or raw["name"]
    return tuple(
        Scope(id=scope.get("id", scope_id(key, scope["value"])).lower(), value=scope["value"],
              admin_consent_display_name=scope["adminConsentDisplayName"],
              admin_consent_description=scope["adminConsentDescription"],
              user_consent_display_name=scope.get("userConsentDisplayName"),
              user_consent_description=scope.get("userConsentDescription"), type=scope.get("type", "Admin"),
              enabled=scope.get("enabled", True), location=location.at(*SCOPES, index))
        for index, scope in enumerate(_listed(raw, SCOPES)))


def pre_authorized_of(raw: dict, location: Location) -> tuple[PreAuthorized, ...]:
    return tuple(
        PreAuthorized(client=entry.get("name") or entry.get("appId", "").lower(), by_name="name" in entry,
                      scopes=tuple(entry["scopes"]), location=location.at(*PRE_AUTHORIZED, index))
        for index, entry in enumerate(_listed(raw, PRE_AUTHORIZED)))


def _listed(raw: dict, path: tuple) -> list:
    return (raw.get(path[0]) or {}).get(path[1]) or []


# ------------------------------------------------------------------------------------------------------- checks
def check(document: Document, app: Application) -> list[Diagnostic]:
    """One application's scopes and pre-authorised clients, on their own."""
    return _unique(document, app) + _personal_limits(document, app) + _clients(document, app) + \
        _definitions(document, app)


def _definitions(document: Document, app: Application) -> list[Diagnostic]:
    """At most 700 roles and scopes together, disabled ones too (graph/limits.py [definitions]; each has its own id,
    which _unique checks). Graph keeps a count already above 700 through writes that keep or reduce it, and only the
    tenant knows an existing application's count: a file naming an `appId` (an application that exists, to adopt or
    adopted) over 700 is a warning here, and the plan refuses it only if it adds to the count the tenant holds
    (plan/definitions.py) -- a file export wrote of such an application, as it is, is adoptable (session 53). Any
    other file is a new application's, or one the project made under the limit: an error. The file's own values
    when every environment it is in overrides them (config/application.file_checks: a model in environment "", as
    when each names its own `appId` under `overrides`) make no application anywhere: each environment's model is
    checked instead (session 53's review: such a file was refused as a new application)."""
    if definitions(app) <= PERMISSION_DEFINITIONS or not _somewhere(app):
        return []
    existing = app.app_id is not None
    said = f"{definitions_said(app)}, disabled ones included" + (
        ": it keeps an existing application's count above that, and refuses a write that adds to it (the plan "
        "compares with the tenant's count)" if existing else "")
    return [document.diagnostic(definitions_path(app), said, "remove roles or scopes no longer used (disable each "
                                "first), or use fewer, broader roles", severity="warning" if existing else "error")]


def _somewhere(app: Application) -> bool:
    """Whether some environment takes this model (`environments` None: every one)."""
    return app.environments is None or any(app.environments)


def definitions(app: Application) -> int:
    """The application's app roles and scopes, as Graph counts them against its 700 (ids are unique: _unique)."""
    return len(app.app_roles) + len(app.scopes)


def definitions_said(app: Application) -> str:
    return (f"{len(app.app_roles)} app roles and {len(app.scopes)} scopes: Graph holds at most "
            f"{PERMISSION_DEFINITIONS} together")


def definitions_path(app: Application) -> tuple:
    return ("appRoles",) if app.app_roles else SCOPES


def _unique(document: Document, app: Application) -> list[Diagnostic]:
    """A scope's value and id, unique among the scopes and the roles (Graph: DuplicateValue)."""
    problems = []
    values = {role.value: f"appRoles[{index}]" for index, role in enumerate(app.app_roles) if role.value}
    ids = {role.id: f"appRoles[{index}]" for index, role in enumerate(app.app_roles) if role.id}
    for index, scope in enumerate(app.scopes):
        here = render_path((*SCOPES, index))
        for seen, key, what in ((values, scope.value, "value"), (ids, scope.id, "id")):
            if key in seen:
                problems.append(document.diagnostic((*SCOPES, index, what), f"scope {what} '{key}' is also used by "
                                                    f"{seen[key]}: Graph refuses a repeated {what} among an "
                                                    "application's scopes and roles",
                                                    f"give each scope and role its own {what}"))
                break  # a value used twice derives one id twice: said once
            seen.setdefault(key, here)
    return problems


def _personal_limits(document: Document, app: Application) -> list[Diagnostic]:
    """What Graph refuses of the scopes of an application personal Microsoft accounts sign in to [accounts]."""
    limit, audience = scope_value_limit(app.sign_in_audience), app.sign_in_audience
    problems = [document.diagnostic((*SCOPES, index, "value"), f"'{scope.value}' is longer than {limit} "
                                    f"characters, Graph's limit for a scope of signInAudience {audience}",
                                    f"shorten the value to at most {limit} characters")
                for index, scope in enumerate(app.scopes) if len(scope.value) > limit]
    if personal(audience) and len(app.scopes) > SCOPES_PERSONAL:
        problems.append(document.diagnostic(SCOPES, f"{len(app.scopes)} scopes: Graph allows {SCOPES_PERSONAL} for "
                                            f"signInAudience {audience}", f"expose at most {SCOPES_PERSONAL}"))
    return problems


def _clients(document: Document, app: Application) -> list[Diagnostic]:
    """Each client named once, by name or by app id, for scopes the application exposes."""
    problems, seen = [], {}
    exposed = {scope.value for scope in app.scopes}
    for index, entry in enumerate(app.pre_authorized):
        path = (*PRE_AUTHORIZED, index)
        named = _named(document, path)
        if named != 1:
            problems.append(document.diagnostic(path, "name the client once: by name (an application of this "
                                                "configuration) or by appId" + (", not both" if named else ""),
                                                "keep one of name: and appId:"))
            continue
        first = seen.setdefault(entry.client, index)
        if first != index:
            problems.append(document.diagnostic(path, f"client '{entry.client}' is pre-authorised twice (also "
                                                f"{render_path((*PRE_AUTHORIZED, first))}): Graph keeps one entry "
                                                "per client", "list all of its scopes in one entry"))
        problems += [document.diagnostic((*path, "scopes", number), f"'{value}' is not a scope of this application",
                                         _scope_fix(exposed)) for number, value in enumerate(entry.scopes)
                     if value not in exposed]
    return problems


def _named(document: Document, path: tuple) -> int:
    entry = document.value
    for part in path:
        entry = entry[part]
    return ("name" in entry) + ("appId" in entry)


def _scope_fix(exposed: set[str]) -> str:
    if not exposed:
        return "declare the scope under api.oauth2PermissionScopes first"
    return f"use one of the values under api.oauth2PermissionScopes: {', '.join(sorted(exposed))}"


def check_across(configuration: Configuration) -> list[Diagnostic]:
    """Clients named by `name`: applications of this configuration, in each environment the API is in."""
    problems = []
    known = {app.name: app for app in configuration.applications}
    for base in configuration.applications:
        for environment in configuration.environments:
            app = base.for_environment(environment)
            if not app.in_environment(environment):
                continue
            for entry in (entry for entry in app.pre_authorized if entry.by_name):
                client = known.get(entry.client)
                if client is None:
                    problems.append(_at(entry.location, f"no application named '{entry.client}' in this "
                                        "configuration", "name the client by its name: in its file, or by appId: "
                                        "for an application managed elsewhere"))
                elif not client.for_environment(environment).in_environment(environment):
                    problems.append(_at(entry.location, f"client '{entry.client}' is not in environment "
                                        f"'{environment}', which this application is in",
                                        f"add {environment} to {entry.client}'s environments, or leave the client "
                                        f"out in {environment} (overrides.{environment}.api)"))
    return list(dict.fromkeys(problems))


def _at(location: Location, summary: str, fix: str) -> Diagnostic:
    return Diagnostic(summary, fix, location.file, location.line, location.column, render_path(location.path))
