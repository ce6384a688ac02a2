"""Access packages of their own (`accessPackages:` in an application file): each grants any mix of the project's
app roles and groups' membership, with the policies a package on a role has (config/policy.py).

Why in an application file, beside `appRoles`: service teams ask for access by a pull request that changes their
application's file, and a package that grants this application's roles (with, say, a team's group) belongs to it:
it is planned with the file (`plan --changed-since`), its address names the application, and the file's owners
review it. A role of another application of the project is named with `application:`; a group by display name
(resolved at every plan to exactly one group, as approvers' groups are) or by `{id: …}`.
"""

from __future__ import annotations

from ..diagnostics import Diagnostic
from . import policy
from .model import AccessPackage, Application, Configuration, Grant, Location
from .yamlfile import render_path


def packages_of(raw: dict, location: Location, default_duration) -> tuple[AccessPackage, ...]:
    """The file's own packages, in the order written."""
    return tuple(_package(item, location.at("accessPackages", index), default_duration)
                 for index, item in enumerate(raw.get("accessPackages") or ()))


def _package(raw: dict, location: Location, default_duration) -> AccessPackage:
    grants = tuple(_grant(item, ("grants", index)) for index, item in enumerate(raw["grants"]))
    return AccessPackage(
        name=raw["name"], description=raw.get("description") or f"Grants {', '.join(map(label, grants))}.",
        catalog=raw.get("catalog"), policies=policy.policies(_without_package_keys(raw), location, default_duration),
        hidden=raw.get("hidden", False), location=location, grants=grants, renamed_from=raw.get("renamedFrom"))


def _without_package_keys(raw: dict) -> dict:
    """The keys its one policy is written with (beside the package's), without the package's own `renamedFrom`."""
    return {key: value for key, value in raw.items() if key not in ("renamedFrom", "grants")}


def _grant(raw: dict, path: tuple) -> Grant:
    if "group" in raw:
        group = raw["group"]
        return Grant(group="group:" + (group["id"].lower() if isinstance(group, dict) else group), path=path)
    return Grant(role=raw["role"], application=raw.get("application"), path=path)


def label(grant: Grant) -> str:
    """How plans and descriptions name what is granted: `group <name>`, `<role>` or `<application>/<role>`."""
    if grant.group:
        return f"group {grant.group[6:]}"
    return f"{grant.application}/{grant.role}" if grant.application else grant.role


def granted_role(app: Application, written: str):
    """The role of `app` a grant names: by value, else by display name (a role without a value)."""
    return next((role for role in app.app_roles if role.value == written), None) or \
        next((role for role in app.app_roles if role.value is None and role.display_name == written), None)


# ---------------------------------------------------------------------------------------------------------- checks
def check(document, app: Application) -> list[Diagnostic]:
    """Each package's policies (as a package on a role), and its grants of the file's own roles: the role exists and
    admits people."""
    problems = []
    for index, package in enumerate(app.access_packages):
        base = ("accessPackages", index)
        problems += policy.check(document, _without_package_keys(document.value["accessPackages"][index]), package,
                                 base)
        for grant in package.grants:
            problem = _role_problem(app, grant) if grant.role and grant.application in (None, app.name) else None
            if problem:
                problems.append(document.diagnostic(base + grant.path + ("role",), *problem))
    return problems


def _role_problem(app: Application, grant: Grant) -> tuple[str, str] | None:
    """(summary, fix) when `app` has no role the grant names, or the role cannot be granted to people."""
    role = granted_role(app, grant.role)
    if role is None:
        known = ", ".join(r.label for r in app.app_roles) or "none"
        return f"application {app.name} has no role '{grant.role}'", f"name one of its roles by value (roles: {known})"
    if "User" not in role.allowed_member_types:
        return (f"role '{role.label}' of {app.name} cannot be granted to people (allowedMemberTypes has no User)",
                "add User to the role's allowedMemberTypes, or grant another role")
    return None


def check_across(configuration: Configuration) -> list[Diagnostic]:
    """Grants of another application's role: the application is the project's, holds the role, and is in every
    environment the package is -- the file's packages, and those an environment's override writes (in that
    environment: config/overrides.py)."""
    by_name = {app.name: app for app in configuration.applications}
    problems = []
    for base in configuration.applications:
        for app, where_in in ((base, None), *(((variant, name) for name, variant in base.variants.items()
                                               if variant.access_packages != base.access_packages))):
            for package in app.access_packages:
                for grant in package.grants:
                    if grant.role is None or grant.application in (None, app.name):
                        continue
                    problem = _other_application(configuration, app, grant, by_name.get(grant.application), where_in)
                    if problem:
                        where = package.at(grant.path + (problem[0],))
                        problems.append(Diagnostic(problem[1], problem[2], where.file, where.line, where.column,
                                                   render_path(where.path)))
    for applications in (configuration.applications, *_in_each_environment(configuration)):
        problems += _assigned_to_people(applications)
    return list(dict.fromkeys(problems))


def _in_each_environment(configuration: Configuration):
    """The applications as they are in each environment whose override of some file changes its packages or its
    assignments (config/overrides.py): what entitlement management grants there."""
    for environment in configuration.environments:
        variants = [app.variants.get(environment) for app in configuration.applications]
        if any(variant is not None and (variant.access_packages, variant.assignments) !=
               (app.access_packages, app.assignments) for app, variant in zip(configuration.applications, variants)):
            yield [variant or app for app, variant in zip(configuration.applications, variants)]


def _assigned_to_people(applications) -> list[Diagnostic]:
    """People assigned in `assignments` a role a package of its own grants: entitlement management grants and
    removes people's assignments of such a role, so the file cannot hold them too (as for a package on the role)."""
    packaged, problems = packaged_roles(applications), []
    for app in applications:
        ids = {role.value: role.id for role in app.app_roles if role.access_package is None}
        for assignment in (a for a in app.assignments if a.users and ids.get(a.role) in packaged.get(app.key, ())):
            where = assignment.user_location(0)
            problems.append(Diagnostic(f"people get role '{assignment.role}' through an access package "
                                       "(accessPackages: grants it), which grants and removes it", "assign groups "
                                       "here, or request the role through the access package", where.file,
                                       where.line, where.column, render_path(where.path)))
    return problems


def _other_application(configuration: Configuration, app, grant: Grant, other,
                       environment: str | None = None) -> tuple | None:
    """(key the problem is at, summary, fix), or None. `environment`: the one whose override `app` is (its model
    there, which is in that environment only), whose roles of `other` are those `other` has there."""
    if other is None:
        return ("application", f"no application named '{grant.application}' in this configuration",
                "name an application of the project by its name (the name: key of its file)")
    missing = [name for name in configuration.environments if app.in_environment(name)
               and not other.in_environment(name)]
    if missing:
        return ("application", f"application {other.name} is not in environment {', '.join(missing)}, where this "
                "package is", f"add {', '.join(missing)} to {other.name}'s environments, or limit this file's")
    problem = _role_problem(other.for_environment(environment) if environment else other, grant)
    return ("role", *problem) if problem else None


def packaged_roles(applications) -> dict[str, set[str]]:
    """Application key -> the ids of its roles an access package grants (on the role, or a package of its own of any
    file): people's assignments to them are entitlement management's, never the file's `assignments`."""
    by_name = {app.name: app for app in applications}
    packaged = {app.key: {role.id for role in app.app_roles if role.access_package is not None}
                for app in applications}
    for app in applications:
        for grant in (g for package in app.access_packages for g in package.grants if g.role):
            holder = by_name.get(grant.application) if grant.application else app
            role = granted_role(holder, grant.role) if holder is not None else None
            if role is not None:
                packaged.setdefault(holder.key, set()).add(role.id)
    return packaged
