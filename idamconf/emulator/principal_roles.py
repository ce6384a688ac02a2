"""A service principal's app roles: its application's, mirrored with `origin: Application`, then its own, written on
the service principal and kept with `origin: ServicePrincipal`.

What Microsoft documents:
- approle.md: `origin` "Specifies if the app role is defined on the application object or on the servicePrincipal
  entity ... Read-only"; allowedMemberTypes: "The "Application" value is only supported for app roles defined on
  application entities" (and "not supported (and never has been)", microsoft-graph-docs-contrib issue 4948, by the
  page's author).
- Entra's "Configure the role claim" (entra-docs enterprise-app-role-management.md) PATCHes a service principal's
  `appRoles` with the default `msiam_access` sent back as read, `"origin": "Application"`, and the new role
  `"origin": "ServicePrincipal"`; Graph's SAML tutorial (application-saml-sso-configure-api.md) sends the two default
  roles back with `"origin": "Application"` and new ones without, answered 204 -- so on a service principal a role's
  own origin may be sent back. A different one is refused as the application refuses any (entities._check_role).

What users report, and the emulator does too: a PATCH whose application roles differ from the application's is
refused, "Property appRoles on the service principal does not match the application object" (microsoft-graph-
docs-contrib issue 8801, the tutorial's roles sent with another tenant's ids), and so is a role of the service
principal's own admitting applications, "One or more properties on the service principal does not match the
application object" (MicrosoftDocs/azure-docs issue 78297); both 400, the code inferred. The emulator's own choice,
for want of a source: an application role left out of the PATCH is refused the same way (the tutorial: "don't modify
the default app roles"), rather than removed from the service principal alone.
"""

from __future__ import annotations

import copy

from .entities import check_app_roles
from .errors import bad_request

APPLICATION, SERVICE_PRINCIPAL = "Application", "ServicePrincipal"
MISMATCH = "Property appRoles on the service principal does not match the application object."
NOT_FOR_APPLICATIONS = "One or more properties on the service principal does not match the application object."
READ_ONLY = "The property 'origin' does not exist on type 'microsoft.graph.appRole' or is read-only."
UNSENT = object()  # a role sent without `origin`


def mirrored(service_principal: dict, application: dict) -> list[dict]:
    """The service principal's roles once its application's are `application["appRoles"]`: those, then its own."""
    own = [role for role in service_principal.get("appRoles") or [] if role.get("origin") == SERVICE_PRINCIPAL]
    return copy.deepcopy(application["appRoles"]) + own


def written(sent, current: list[dict]) -> list[dict]:
    """The roles a write of the service principal's `appRoles` leaves it with. `current`: its roles now (for a new
    service principal, its application's). Each is checked by an application's rules, then given its origin; one
    sent with an origin must be sent with that one."""
    sent, origins = _without_origins(sent)
    theirs = {role["id"]: role for role in current if role.get("origin") == APPLICATION}
    stored = check_app_roles(sent, [role for role in current if role.get("origin") == SERVICE_PRINCIPAL])
    for role, origin in zip(stored, origins):
        role["origin"] = _origin(role, theirs.get(role["id"]))
        if origin is not UNSENT and origin != role["origin"]:
            raise bad_request(READ_ONLY)
    if not set(theirs) <= {role["id"] for role in stored}:
        raise bad_request(MISMATCH)
    return stored


def _without_origins(sent) -> tuple[object, list]:
    """The roles as an application's rules read them (which refuse any `origin`), and the origin each was sent
    with, or UNSENT. Anything but a list of objects is left for those rules to refuse."""
    if not isinstance(sent, list):
        return sent, []
    origins = [role.get("origin", UNSENT) if isinstance(role, dict) else UNSENT for role in sent]
    return [{k: v for k, v in role.items() if k != "origin"} if isinstance(role, dict) else role
            for role in sent], origins


def _origin(role: dict, application_role: dict | None) -> str:
    """A role the application has must be sent as it has it; any other is the service principal's own, for users."""
    if application_role is not None:
        if {**role, "origin": APPLICATION} != application_role:
            raise bad_request(MISMATCH)
        return APPLICATION
    if APPLICATION in role["allowedMemberTypes"]:
        raise bad_request(NOT_FOR_APPLICATIONS)
    return SERVICE_PRINCIPAL
