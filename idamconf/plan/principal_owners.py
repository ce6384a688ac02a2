"""The service principal's owners as plan resources: `servicePrincipal.owners` (user principal names), by default the
application's owners -- as the organisation's Terraform module does.

They are managed as the application's are (plan/resources.py): matched by immutable user id, resolved from the exact
UPN; only users -- a service principal that owns it (the pipeline's identity) is left alone. Addresses read
`app.<name>.service_principal.owner.<upn>`.
"""

from __future__ import annotations

from ..config.model import Configuration
from .resources import desired_owners, live_owners

KIND = "service_principal_owner"


def desired_principal_owners(configuration: Configuration, environment: str, users: dict[str, str]):
    """The owners each service principal should have in `environment`, and a diagnostic for each named in
    `servicePrincipal.owners` who is not in the tenant (the application's owners are reported as such)."""
    resources: dict[tuple, object] = {}
    problems: list = []
    for app in configuration.applications:
        if not app.in_environment(environment):
            continue
        named = app.service_principal_owners
        upns, locations = (app.owners, None) if named is None else \
            (named, lambda app=app: app.service_principal_owner_locations)
        desired_owners(resources, KIND, f"app.{app.name}.service_principal", app.name, upns, users, locations,
                       problems)
    return resources, problems


def live_principal_owners(apps_by_sp: dict[str, tuple], owners: dict[str, list[dict]], desired: dict | None):
    """The user owners of the project's service principals. `apps_by_sp`: service principal id -> (application name,
    ...); `owners`: service principal id -> its owners, as Graph lists them."""
    resources: dict[tuple, object] = {}
    for sp_id, (application, *_) in apps_by_sp.items():
        live_owners(resources, KIND, f"app.{application}.service_principal", application, owners.get(sp_id, []),
                    {"servicePrincipalId": sp_id}, desired)
    return resources
