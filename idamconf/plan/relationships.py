"""The relationships of an application's service principal, apart from its place in catalogs: its owners
(plan/principal_owners.py) and the app roles it grants to groups and users (plan/assignments.py) -- desired and live,
for workflow._resources."""

from __future__ import annotations

from ..config.model import Configuration
from ..config.packages import packaged_roles
from .assignments import desired_assignments, live_assignments
from .principal_owners import desired_principal_owners, live_principal_owners


def desired_relationships(configuration: Configuration, environment: str, users: dict[str, str], groups):
    """Their resources in `environment`, and the diagnostics of people and groups that cannot be resolved."""
    owners, problems = desired_principal_owners(configuration, environment, users)
    assignments, unresolved = desired_assignments(configuration, environment, users, groups)
    return owners | assignments, problems + unresolved


def live_relationships(configuration: Configuration, apps_by_sp: dict[str, tuple], found, users: dict[str, str],
                       desired: dict, applications: tuple | None = None):
    """What the project's service principals hold (`found`: graph/read_assignments.Relationships). `users`: the
    people the configuration names (UPN -> id), to address assignments by UPN. `applications`: every application
    whose packages may grant roles of those planned (default: the configuration's) -- a plan of some files leaves
    people's assignments of a role another file's package grants to entitlement management, as the full plan does."""
    packaged = packaged_roles(configuration.applications if applications is None else applications)
    people = {user_id.lower(): upn for upn, user_id in users.items() if not upn.startswith("group:")}
    return live_principal_owners(apps_by_sp, found.owners, desired) | \
        live_assignments(apps_by_sp, found.assignments, people, packaged, desired)
