"""Access package assignments: `POST …/entitlementManagement/assignmentRequests` (an administrator's `adminAdd` and
`adminRemove`), `GET …/assignments` and `GET …/assignments/{id}`.

As Entra does, an assignment delivered grants the user each app role the access package's role scopes name: as
app role assignments of the user on the applications' service principals (what a token's `roles` are made from,
emulator/identity/roles.py), which its removal takes away again. Graph answers a request 201 with `state:
submitted`, `status: Accepted` and delivers it moments later (accesspackageassignmentrequest-post.md); the
emulator delivers it at once (inferred: no policy approval is modelled for administrators' requests, which need
none). Refusals (inferred wording): a policy that is not the package's, a user who does not exist, an assignment
the user already has, removing one that does not exist.
"""

from __future__ import annotations

from . import assignments
from .entities import new_id, now
from .errors import bad_request, not_found
from .governance_entities import RESOURCES
from .governance_query import BASE, body_of, created, resolve
from .protocol import Key, Reply, Request
from .references import ASSIGNMENTS
from .store import Store

KIND = "accessPackageAssignments"
GRANTED = "assignmentGrants"  # link: package assignment -> the app role assignments its delivery made


def create_request(store: Store, request: Request) -> Reply:
    body = body_of(request)
    wanted = body.get("assignment") if isinstance(body.get("assignment"), dict) else {}
    kind = body.get("requestType")
    if kind == "adminAdd":
        assignment = _add(store, request, wanted)
    elif kind == "adminRemove":
        assignment = _remove(store, wanted)
    else:
        raise bad_request("requestType must be adminAdd or adminRemove (the emulator's administrator requests).")
    answer = {"id": new_id(), "requestType": kind, "state": "submitted", "status": "Accepted",
              "createdDateTime": now(), "completedDateTime": None, "schedule": body.get("schedule"),
              "assignment": {"id": assignment["id"]}}
    return created(request, "assignmentRequests", answer)


def _add(store: Store, request: Request, wanted: dict) -> dict:
    package = resolve(store, "accessPackages", Key("id", str(wanted.get("accessPackageId"))))
    policy_id = str(wanted.get("assignmentPolicyId"))
    if policy_id not in store.targets("packagePolicies", package["id"], primary=True):
        raise bad_request("assignment.assignmentPolicyId must be a policy of the access package.")
    user = store.get("users", str(wanted.get("targetId")))
    if user is None:
        raise not_found(str(wanted.get("targetId")))
    if any(a["targetId"] == user["id"] and a["accessPackage"]["id"] == package["id"] for a in store.select(KIND, {})):
        raise bad_request("The user already has an assignment to this access package.")
    assignment = {"id": new_id(), "state": "delivered", "status": "Delivered", "targetId": user["id"],
                  "assignedDateTime": now(), "expiredDateTime": None, "schedule": None,
                  "accessPackage": {"id": package["id"]}, "assignmentPolicy": {"id": policy_id}}
    store.put(KIND, assignment)
    for resource, role_id in _roles(store, package["id"]):
        _grant(store, request, assignment, user, resource, role_id)
    return assignment


def _roles(store: Store, package_id: str) -> list[tuple[dict, str]]:
    """(the resource service principal, app role id) of each role scope of the package."""
    found = []
    for role_scope in store.targets("roleScopes", package_id, primary=True):
        for resource_id in store.sources("resourceRoleScopes", role_scope, primary=True):
            resource = store.get(RESOURCES, resource_id, primary=True)
            principal = resource and store.get("servicePrincipals", resource["originId"], primary=True)
            for role_id in store.targets("roleScopeRole", role_scope, primary=True):
                if principal:
                    found.append((principal, role_id))
    return found


def _grant(store: Store, request: Request, assignment: dict, user: dict, resource: dict, role_id: str) -> None:
    """The app role assignment Entra makes on delivery; one the user already holds directly is left alone."""
    body = {"principalId": user["id"], "resourceId": resource["id"], "appRoleId": role_id}
    if store.select(ASSIGNMENTS, body, primary=True):
        return
    made = assignments.create_for(store, request, "users", user, resource, body)
    store.link(GRANTED, assignment["id"], made["id"])


def _remove(store: Store, wanted: dict) -> dict:
    assignment = store.get(KIND, str(wanted.get("id")), primary=True)
    if assignment is None:
        raise not_found(str(wanted.get("id")))
    for granted in store.targets(GRANTED, assignment["id"], primary=True):
        store.delete(ASSIGNMENTS, granted)
    store.delete(KIND, assignment["id"])
    return assignment


def list_assignments(store: Store, request: Request) -> Reply:
    if request.query:
        raise bad_request("The emulator lists access package assignments without query options.",
                          code="Request_UnsupportedQuery")
    value = store.select(KIND, {})
    return Reply(200, {"@odata.context": request.context(f"{BASE}/assignments"), "value": value})


def get_assignment(store: Store, request: Request, key: Key) -> Reply:
    assignment = resolve(store, KIND, key)
    return Reply(200, {"@odata.context": request.context(f"{BASE}/assignments") + "/$entity", **assignment})


HANDLERS = {
    ("POST", "assignmentRequests", ()): create_request,
    ("GET", "assignments", ()): list_assignments,
    ("GET", "assignments", ("{key}",)): get_assignment,
}
