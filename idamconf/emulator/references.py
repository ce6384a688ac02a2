"""Objects that refer to directory objects by id, and what becomes of them when those go.

App role assignments (`appRoleAssignments`, emulator/assignments.py) name a principal and a resource service
principal; delegated permission grants (`oauth2PermissionGrants`, emulator/grants.py) a client and a resource
service principal, and for one user's consent that user. When a service principal is deleted (or its application,
which takes it along), the emulator deletes them too, in both directions, so no list ever shows an assignment or a
grant naming nothing. Graph soft-deletes a service principal and hides what named it (inferred: Graph documents
no read of an assignment to a deleted principal); restoring deleted objects is not modelled.
"""

from __future__ import annotations

ASSIGNMENTS = "appRoleAssignments"
ASSIGNMENT_PROPERTIES = ("id", "deletedDateTime", "appRoleId", "createdDateTime", "principalDisplayName",
                         "principalId", "principalType", "resourceDisplayName", "resourceId")  # appRoleAssignment's
GRANTS = "oauth2PermissionGrants"
REFERENCES = {ASSIGNMENTS: ("principalId", "resourceId"), GRANTS: ("clientId", "resourceId", "principalId")}


def forget(store, object_id: str) -> None:
    """Delete every assignment and grant that names `object_id` (read on the write primary)."""
    for kind, names in REFERENCES.items():
        for name in names:
            for doc in store.select(kind, {name: object_id}, primary=True):
                store.delete(kind, doc["id"])
