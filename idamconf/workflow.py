"""The core loop, I/O at the edges: configuration + live tenant -> plan; plan -> apply.

Commands call these; they hold no presentation. Everything a plan needs from Graph is read in `read_live`.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from .config.model import Configuration
from .diagnostics import Diagnostic, DiagnosticError
from .graph.connect import Target
from .graph.read import foreign_packages, governance_lists, read_governance, read_live
from .plan.diff import make_plan
from .plan.governance import catalog_description, desired_governance, live_governance
from .plan.model import Resource
from .plan.resources import KIND_ORDER, desired_resources, live_resources

STATE_DIR = ".idamconf"
EMULATED_TENANT = "embedded-emulator"


def target_for(configuration: Configuration, name: str | None) -> Target:
    name = name or configuration.default_environment
    environment = configuration.environments.get(name)
    if environment is None:
        known = ", ".join(configuration.environments)
        raise DiagnosticError([Diagnostic(f"unknown environment '{name}'", f"use one of: {known}",
                                          str(Path(configuration.root) / "idamconf.yaml"))])
    root = Path(configuration.root)
    if environment.emulator:
        seed = root / environment.seed if environment.seed else None
        return Target(name, "http://emulator.localhost/v1.0", emulator_state=state_file(configuration, name),
                      emulator_seed=seed, tenant_size=environment.tenant_size)
    return Target(name, environment.graph_url.rstrip("/"), environment.credential, environment.tenant_id,
                  environment.client_id, environment.client_secret_env, environment.certificate_path,
                  tenant_size=environment.tenant_size)


def state_file(configuration: Configuration, environment: str) -> Path:
    return Path(configuration.root) / STATE_DIR / f"{environment}.db"


async def survey(client, configuration: Configuration, target: Target, only: set[str] | None = None):
    """The plan, and the live resources it was computed from (for a saved plan's fingerprints).

    `only`: plan just these applications (by name), e.g. the ones whose files changed since a git ref.
    """
    environment = target.environment
    if only is not None:
        configuration = replace(configuration, applications=tuple(a for a in configuration.applications
                                                                  if a.name in only))
    wanted = [app for app in configuration.applications if app.in_environment(environment)]
    live, lists = await asyncio.gather(
        read_live(client, configuration.tag, [app.name for app in wanted], people(wanted), only),
        governance_lists(client))
    desired, problems = desired_resources(configuration, environment, live.users)
    governance, unknown = desired_governance(configuration, environment, live.users)
    problems += _unmanaged_conflicts(configuration, live.unmanaged) + _unique(unknown)
    if problems:
        raise DiagnosticError(problems)
    current = live_resources(live.applications, live.service_principals, live.owners)
    catalogs = sorted({resource.attributes["catalog"] for resource in governance.values()
                       if resource.kind == "catalog_resource"})
    apps_by_sp = _applications_by_service_principal(current)
    live_gov = await read_governance(client, catalogs, set(apps_by_sp), catalog_description(configuration.project),
                                     lists)
    names = {user_id: upn for upn, user_id in live.users.items()}
    current |= live_governance(apps_by_sp, live_gov.catalogs, live_gov.resources, live_gov.packages,
                               live_gov.policies, names)
    problems = await _foreign_package_names(client, configuration, governance, current, live_gov)
    if problems:
        raise DiagnosticError(problems)
    desired |= governance | _catalogs(catalogs)
    current |= {key: _catalog(name, live_gov.catalogs[name]) for key, name in
                ((key, key[3]) for key in _catalogs(catalogs)) if name in live_gov.catalogs}
    return make_plan(desired, current, configuration.project, environment, tenant_of(target)), current


def tenant_of(target: Target) -> str:
    return target.tenant_id or (EMULATED_TENANT if target.embedded else target.graph_url)


async def _foreign_package_names(client, configuration, governance: dict, current: dict, live_gov) -> list:
    """A package to create whose name another team's package already holds in that catalog: never taken over."""
    wanted = [r for key, r in governance.items() if r.kind == "access_package" and key not in current]
    candidates = [p for p in live_gov.others if any(p["displayName"] == r.attributes["displayName"] and
                                                    (p.get("catalog") or {}).get("displayName") == r.attributes["catalog"]
                                                    for r in wanted)]
    foreign = await foreign_packages(client, candidates) if candidates else set()
    taken = {(p["displayName"], p["catalog"]["displayName"]) for p in candidates if p["id"] in foreign}
    problems = []
    for resource in wanted:
        if (resource.attributes["displayName"], resource.attributes["catalog"]) in taken:
            role = _role_of(configuration, resource)
            location = role.access_package.location
            problems.append(Diagnostic(
                f"access package '{resource.attributes['displayName']}' already exists in catalog "
                f"'{resource.attributes['catalog']}' and is not managed by project '{configuration.project}'",
                "give this role's package another name (accessPackage.name); idamconf never takes over another "
                "team's package", location.file, location.line, location.column))
    return problems


def _role_of(configuration, resource: Resource):
    app = next(a for a in configuration.applications if a.name == resource.application)
    return next(r for r in app.app_roles if r.id == resource.ids["roleId"])


def people(applications) -> list[str]:
    """Everyone the configuration names: owners, approvers, reviewers, requestors."""
    upns = [upn for app in applications for upn in app.owners]
    for role in (role for app in applications for role in app.app_roles if role.access_package):
        package = role.access_package
        upns += [*package.approvers, *(package.requestors or ()), *(package.review.reviewers if package.review else ())]
    return upns


def _unique(problems: list[Diagnostic]) -> list[Diagnostic]:
    return list(dict.fromkeys(problems))


def _applications_by_service_principal(current: dict) -> dict[str, tuple]:
    roles: dict[str, dict] = {}
    for resource in current.values():
        if resource.kind == "role":
            roles.setdefault(resource.application, {})[resource.attributes["id"]] = resource.attributes["value"]
    return {resource.ids["servicePrincipalId"]: (resource.application, roles.get(resource.application, {}))
            for resource in current.values() if resource.kind == "service_principal"}


def _catalogs(names: list[str]) -> dict:
    """Catalogs are created when missing and never deleted: they may hold other teams' packages."""
    return {("", KIND_ORDER["catalog"], "catalog", name): Resource("catalog", f"catalog[{name}]", "",
                                                                   {"displayName": name}) for name in names}


def _catalog(name: str, catalog: dict) -> Resource:
    return Resource("catalog", f"catalog[{name}]", "", {"displayName": name}, {"catalogId": catalog["id"]})


def _unmanaged_conflicts(configuration: Configuration, unmanaged: dict) -> list[Diagnostic]:
    problems = []
    for app in configuration.applications:
        if app.name in unmanaged:
            other = unmanaged[app.name]
            location = app.location
            problems.append(Diagnostic(
                f"an application named '{app.name}' already exists in the tenant (\"{other.get('displayName')}\", "
                f"id {other.get('id')}) but is not managed by project '{configuration.project}'",
                f"choose another name, or adopt it deliberately by adding the tag {configuration.tag} to it in the "
                "tenant", location.file, location.line, location.column))
    return problems
