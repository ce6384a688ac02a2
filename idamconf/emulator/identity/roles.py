"""What a token says its holder may do, read from the emulated tenant as Entra reads it when it issues one.

- An application's `roles` for a resource are the app roles its service principal was granted on the resource's
  service principal (app role assignments; for Microsoft Graph, the application permissions consented to).
- A user's `roles` for an application are the app roles assigned to the user on its service principal: directly,
  or through an access package (whose delivered assignment is an app role assignment, as Entra makes it), or
  assigned to a group the user is a direct member of (a seed's `members:`; nested groups are not modelled).
Only enabled roles with a value become claims: a role without one (SAML's `msiam_access`) never does, in Entra too.
A resource whose service principal requires assignment (`appRoleAssignmentRequired`) gets tokens only for callers
assigned some role on it (`assigned`; service.py, user_tokens.py refuse the others).
"""

from __future__ import annotations

from ..graph_permissions import GRAPH_APP_ID
from ..references import ASSIGNMENTS
from ..store import Store


def held_roles(store: Store, principal_id: str, resource: dict) -> list[str]:
    """The values of the enabled app roles of `resource` (a service principal) held by `principal_id`."""
    holders = [principal_id, *store.sources("members", principal_id)]  # the user, and the groups it is in
    held = {assignment["appRoleId"] for holder in holders for assignment in
            store.select(ASSIGNMENTS, {"principalId": holder, "resourceId": resource["id"]})}
    return sorted(role["value"] for role in resource.get("appRoles") or []
                  if role["id"] in held and role.get("isEnabled", True) and role.get("value"))


def assigned(store: Store, principal_id: str, resource: dict) -> bool:
    """Whether `principal_id` (or a group it is a direct member of) holds any app role assignment on `resource`:
    what a service principal's appRoleAssignmentRequired asks of whoever wants a token for it."""
    holders = [principal_id, *store.sources("members", principal_id)]  # a group's assignment counts for its members
    return any(store.select(ASSIGNMENTS, {"principalId": holder, "resourceId": resource["id"]}) for holder in holders)


def resource_principal(store: Store, identifier: str) -> dict | None:
    """The service principal a scope's resource names: an application id, or a name in its
    `servicePrincipalNames` (an identifier URI, `https://graph.microsoft.com`)."""
    found = store.find("servicePrincipals", "appId", identifier)
    if found:
        return found
    for application_id in store.holders("applications", "identifierUris", identifier):
        application = store.get("applications", application_id)
        if application:
            return store.find("servicePrincipals", "appId", application["appId"])
    graph = store.find("servicePrincipals", "appId", GRAPH_APP_ID)
    return graph if identifier.rstrip("/") in graph.get("servicePrincipalNames", []) else None
