"""Applying the service principal's relationships: its owners, and the app roles it grants to groups and users.

Order, and why:
- Assignments the plan removes go first, with the application's other releases (`release`), before any of its roles
  is disabled or removed: a role that goes loses its assignments first, so none is left naming a role that no longer
  exists (Graph would refuse neither order; such an assignment would then still grant nothing visible, and
  show in no plan by its role's name).
- Assignments are added once the service principal exists and the roles are written (`build`, beside the other
  steps waiting for the service principal): Graph assigns only a role the service principal shows, enabled.
- The service principal's owners are added and removed as the application's are (apply._ApplicationChain).

Neither has an upsert. A repeated assignment is refused (400, "Permission being assigned already exists on the
object."), as is a repeated owner: both are decided by reading the tenant (apply_recovery.write_checked), never by
the refusal's text; an assignment refused because the role is not visible on a service principal just created or
changed is sent again once replication shows it.
"""

from __future__ import annotations

from .apply_recovery import write_checked
from .graph.client import query
from .plan.assignments import KIND as ASSIGNMENT
from .plan.model import Action
from .plan.principal_owners import KIND as OWNER


async def release(chain) -> None:
    """The assignments the plan removes: taking a role away from a group or a user."""
    for change in (c for c in chain.of(ASSIGNMENT) if c.action is Action.DELETE):
        path = f"servicePrincipals/{change.ids['servicePrincipalId']}/appRoleAssignedTo/{change.ids['assignmentId']}"
        await chain.send("DELETE", path, ok_if=lambda response: response.status == 404, settle=False)
        chain.finish([change], "removed")


async def build(chain, principal) -> None:
    """Once the service principal exists (`principal` completes): its owners, then the assignments to add."""
    owners = [c for c in chain.of(OWNER) if c.action is not Action.NOOP]
    granted = [c for c in chain.of(ASSIGNMENT) if c.action is Action.CREATE]
    if not owners and not granted:
        return
    await principal
    sp = await chain.service_principal_id()
    await chain.change_owners(owners, f"servicePrincipals/{sp}")
    for change in granted:
        body = {"principalId": change.after["principalId"], "resourceId": sp, "appRoleId": change.after["appRoleId"]}
        await write_checked(chain, "POST", f"servicePrincipals/{sp}/appRoleAssignedTo", body, repeatable=True,
                            done=_assigned(chain, sp, body, change.after["principalType"]))
        chain.finish([change], "added")


HOLDERS = {"User": "users", "Group": "groups", "ServicePrincipal": "servicePrincipals"}


def _assigned(chain, sp: str, body: dict, principal_type: str):
    """A read: whether the service principal already grants this role to this principal -- asked from the
    principal's side (its appRoleAssignments, by resourceId: a Guid, written bare), as Graph filters an assignment
    by resourceId and not by principalId (approleassignment.md)."""
    async def check() -> bool:
        holder = f"{HOLDERS[principal_type]}/{body['principalId']}/appRoleAssignments"
        found = await chain.send("GET", query(holder, select="id,appRoleId", filter=f"resourceId eq {sp}"),
                                 ok_if=lambda answer: True, settle=False)
        listed = (found.body or {}).get("value") or [] if found.ok else []
        return any(str(item.get("appRoleId")).lower() == body["appRoleId"] for item in listed)
    return check

