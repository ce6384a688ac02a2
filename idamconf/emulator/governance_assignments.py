"""Access package assignments: `POST …/entitlementManagement/assignmentRequests` (an administrator's `adminAdd` and
`adminRemove`), `GET …/assignments` and `GET …/assignments/{id}`.

As Entra does, an assignment delivered grants the user each role the access package's role scopes name: an
application's app role as an app role assignment of the user on its service principal (what a token's `roles` are
made from, emulator/identity/roles.py), a group's `Member_<id>` or `Owner_<id>` as membership or ownership of the
group (through which the user holds the app roles assigned to the group). Its removal takes away what it gave, unless
another of the user's assignments still grants it (for a group, entitlement management guides describe leaving the
user in it while another assignment still includes it; assumed alike for app roles). What the user held before any
assignment granted it (a direct assignment, a membership of its own) is left alone (inferred). Graph answers a
request 201 with `state: submitted`, `status: Accepted` and delivers it moments later
(accesspackageassignmentrequest-post.md); the emulator delivers it at once (inferred: no policy approval is modelled
for administrators' requests, which need none). Refusals (inferred wording): a policy that is not the package's, a
user who does not exist, an assignment the user already has, removing one that does not exist.
"""

from __future__ import annotations

import re

from . import assignments
from .entities import new_id, now
from .errors import bad_request, not_found
from .governance_entities import GROUP_SYSTEM, RESOURCES
from .governance_query import BASE, body_of, created, resolve
from .protocol import Key, Reply, Request
from .references import ASSIGNMENTS
from .store import Store

KIND = "accessPackageAssignments"
GRANTED = "assignmentGrants"  # link: package assignment -> what its delivery gave (see `_take_back`)
GROUP_RELATIONS = {"Member": "members", "Owner": "owners"}  # a group resource's roles -> the store's links


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
        if resource["originSystem"] == GROUP_SYSTEM:
            _join(store, assignment, user, role_id)
        else:
            principal = store.get("servicePrincipals", resource["originId"], primary=True)
            if principal:
                _grant(store, request, assignment, user, principal, role_id)
    return assignment


def _roles(store: Store, package_id: str) -> list[tuple[dict, str]]:
    """(the catalog resource, the role's originId) of each role scope of the package."""
    found = []
    for role_scope in store.targets("roleScopes", package_id, primary=True):
        for resource_id in store.sources("resourceRoleScopes", role_scope, primary=True):
            resource = store.get(RESOURCES, resource_id, primary=True)
            for role_id in store.targets("roleScopeRole", role_scope, primary=True):
                if resource:
                    found.append((resource, role_id))
    return found


def _grant(store: Store, request: Request, assignment: dict, user: dict, resource: dict, role_id: str) -> None:
    """The app role assignment Entra makes on delivery, or one another package's delivery made."""
    body = {"principalId": user["id"], "resourceId": resource["id"], "appRoleId": role_id}
    held = store.select(ASSIGNMENTS, body, primary=True)
    if held and not store.sources(GRANTED, held[0]["id"], primary=True):
        return  # held directly
    made = held[0] if held else assignments.create_for(store, request, "users", user, resource, body)
    store.link(GRANTED, assignment["id"], made["id"])


def _join(store: Store, assignment: dict, user: dict, role_id: str) -> None:
    """A group's `Member_<id>` or `Owner_<id>`: the user made a member or an owner of the group."""
    name, _, group_id = role_id.partition("_")
    relation = GROUP_RELATIONS[name]
    grant = f"{relation} {group_id} {user['id']}"
    if user["id"] in store.targets(relation, group_id, primary=True) and \
            not store.sources(GRANTED, grant, primary=True):
        return  # a member (or owner) of its own
    store.link(relation, group_id, user["id"])
    store.link(GRANTED, assignment["id"], grant)


def _remove(store: Store, wanted: dict) -> dict:
    assignment = store.get(KIND, str(wanted.get("id")), primary=True)
    if assignment is None:
        raise not_found(str(wanted.get("id")))
    for granted in store.targets(GRANTED, assignment["id"], primary=True):
        store.unlink(GRANTED, assignment["id"], granted)
        if not store.sources(GRANTED, granted, primary=True):  # no other assignment grants it
            _take_back(store, granted)
    store.delete(KIND, assignment["id"])
    return assignment


def _take_back(store: Store, granted: str) -> None:
    """`granted` is an app role assignment's id, or `<members|owners> <group id> <user id>`."""
    relation, _, rest = granted.partition(" ")
    if rest:
        group_id, _, user_id = rest.partition(" ")
        store.unlink(relation, group_id, user_id)
    else:
        store.delete(ASSIGNMENTS, granted)


_OF_PACKAGE = re.compile(r"^\s*accessPackage/id\s+eq\s+'([^']*)'\s*$")


def list_assignments(store: Store, request: Request) -> Reply:
    """Every assignment, or those of one access package: `$filter=accessPackage/id eq '…'`, the filter Graph's
    reference gives for it (entitlementmanagement-list-assignments.md); no other query option."""
    options = dict(request.query)
    wanted = _OF_PACKAGE.match(options.pop("$filter", "")) if "$filter" in options else None
    if options or ("$filter" in request.query and wanted is None):
        raise bad_request("The emulator lists access package assignments with no query option but "
                          "$filter=accessPackage/id eq '<id>'.", code="Request_UnsupportedQuery")
    value = store.select(KIND, {} if wanted is None else {"accessPackage.id": wanted.group(1)})
    return Reply(200, {"@odata.context": request.context(f"{BASE}/assignments"), "value": value})


def assigned(store: Store, package_id: str) -> bool:
    """Whether anyone holds an assignment to the package (a removed one is gone here: Graph keeps it, expired)."""
    return bool(store.select(KIND, {"accessPackage.id": package_id}, primary=True))


def get_assignment(store: Store, request: Request, key: Key) -> Reply:
    assignment = resolve(store, KIND, key)
    return Reply(200, {"@odata.context": request.context(f"{BASE}/assignments") + "/$entity", **assignment})


HANDLERS = {
    ("POST", "assignmentRequests", ()): create_request,
    ("GET", "assignments", ()): list_assignments,
    ("GET", "assignments", ("{key}",)): get_assignment,
}
