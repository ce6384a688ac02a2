"""App role assignments: a user, a security group or a service principal granted an app role of a resource
service principal (Graph's appRoleAssignment).

Served where Graph serves them: `servicePrincipals/{id}/appRoleAssignedTo` (the resource's side: POST, GET list,
GET and DELETE by id) and `{users|groups|servicePrincipals}/{id}/appRoleAssignments` (the principal's side: the
same). The list answers page like the directory's and take `$filter` on what Graph documents as filterable
(appRoleAssignment: `principalId` and `resourceId` eq, `principalDisplayName` eq and startswith), `$select` and
`$top`. An assignment's id is Graph's form: the principal's object id as bytes (GUID byte order) and 16 more, in
unpadded URL-safe base64, 43 characters (as in Graph's examples, e.g. `41W1zT6z1U-kJxf62svfp…` for principal
`cdb555e3-b33e-…`).

Refusals, as Graph gives them:
- the same principal, resource and role again: 400 `Request_BadRequest` "Permission being assigned already exists
  on the object." (Graph's text, widely quoted by clients that recognise it);
- a role the resource does not have, a disabled one, or one whose allowedMemberTypes do not admit the principal
  (`User` for users and groups, `Application` for service principals): 400 "Permission being assigned was not found
  on application '<resource appId>'." (Graph's text for an unknown role; for a member type it does not admit, as
  users report it);
- the default access role `00000000-0000-0000-0000-000000000000` only for a resource that declares no app roles
  (appRoleAssignment: "If the resource application has not declared any app roles, a default app role ID ... can
  be specified");
- an unknown principal or resource: 404 `Request_ResourceNotFound` (Graph's answer for a missing object);
- (inferred wording) a group that is not security-enabled, a body's principalId or resourceId that is not the
  object the URL names, properties an appRoleAssignment does not have or that are read-only.
`principalDisplayName` and `resourceDisplayName` are recorded when the assignment is made.
"""

from __future__ import annotations

import base64
import json
import secrets
import uuid

from . import listing
from .directory import json_body, referenced, resolve, user_key
from .entities import GUID, EntitySet, precise_time
from .errors import bad_request, invalid, not_found
from .protocol import Key, Reply, Request
from .references import ASSIGNMENT_PROPERTIES, ASSIGNMENTS
from .store import Store

DEFAULT_ACCESS = "00000000-0000-0000-0000-000000000000"
PROPERTIES = ASSIGNMENT_PROPERTIES
# $filter: resourceId (`eq` only) and principalDisplayName, as approleassignment.md's properties say -- not
# principalId, which Graph refuses ("Links to EntitlementGrant are not supported", users report); the GUIDs bare.
ENTITY = EntitySet(ASSIGNMENTS, "microsoft.graph.appRoleAssignment", frozenset(PROPERTIES),
                   frozenset({"appRoleId", "principalId", "resourceId"}),
                   {"resourceId": {"eq"}, "principalDisplayName": {"eq", "startswith"}},
                   frozenset({"appRoleId", "principalId", "resourceId"}))
PRINCIPAL_TYPES = {"users": "User", "groups": "Group", "servicePrincipals": "ServicePrincipal"}
MEMBER_TYPES = {"users": "User", "groups": "User", "servicePrincipals": "Application"}


# ------------------------------------------------------------------------------- the resource's side: appRoleAssignedTo
def assign_to(store: Store, request: Request, key: Key) -> Reply:
    resource = resolve(store, "servicePrincipals", key)
    body = json_body(request, ENTITY)
    _same(body, "resourceId", resource["id"])
    kind, principal = _principal(store, body.get("principalId"))
    return _create(store, request, kind, principal, resource, body, _context("servicePrincipals", resource,
                                                                             "appRoleAssignedTo"))


def list_assigned_to(store: Store, request: Request, key: Key) -> Reply:
    resource = resolve(store, "servicePrincipals", key)
    return listing.page(store, request, ASSIGNMENTS, ENTITY, _context("servicePrincipals", resource,
                                                                      "appRoleAssignedTo"),
                        within={"resourceId": resource["id"]})


def get_assigned_to(store: Store, request: Request, key: Key, assignment_id: str) -> Reply:
    resource = resolve(store, "servicePrincipals", key)
    return _one(store, request, assignment_id, "resourceId", resource,
                _context("servicePrincipals", resource, "appRoleAssignedTo"))


def delete_assigned_to(store: Store, request: Request, key: Key, assignment_id: str) -> Reply:
    resource = resolve(store, "servicePrincipals", key)
    return _delete(store, assignment_id, "resourceId", resource)


# --------------------------------------------------------------------------- the principal's side: appRoleAssignments
def principal_handlers(kind: str) -> dict:
    """POST, GET list, GET and DELETE by id of `{kind}/{id}/appRoleAssignments` (users, groups, servicePrincipals)."""
    def principal(store: Store, key: Key) -> dict:
        return resolve(store, kind, user_key(key) if kind == "users" else key)

    def create(store: Store, request: Request, key: Key) -> Reply:
        holder, body = principal(store, key), json_body(request, ENTITY)
        _same(body, "principalId", holder["id"])
        resource = referenced(store, "servicePrincipals", body.get("resourceId"), "resourceId", "AppRoleAssignment")
        return _create(store, request, kind, holder, resource, body, _context(kind, holder, "appRoleAssignments"))

    def list_all(store: Store, request: Request, key: Key) -> Reply:
        holder = principal(store, key)
        return listing.page(store, request, ASSIGNMENTS, ENTITY, _context(kind, holder, "appRoleAssignments"),
                            within={"principalId": holder["id"]})

    def get(store: Store, request: Request, key: Key, assignment_id: str) -> Reply:
        holder = principal(store, key)
        return _one(store, request, assignment_id, "principalId", holder,
                    _context(kind, holder, "appRoleAssignments"))

    def delete(store: Store, request: Request, key: Key, assignment_id: str) -> Reply:
        return _delete(store, assignment_id, "principalId", principal(store, key))

    path = ("{key}", "appRoleAssignments")
    return {("POST", kind, path): create, ("GET", kind, path): list_all,
            ("GET", kind, (*path, "{id}")): get, ("DELETE", kind, (*path, "{id}")): delete}


# -------------------------------------------------------------------------------------------------------- shared
def _create(store: Store, request: Request, kind: str, principal: dict, resource: dict, body: dict,
            context: str) -> Reply:
    assignment = create_for(store, request, kind, principal, resource, body)
    return Reply(201, {"@odata.context": request.context(context) + "/$entity", **assignment})


def create_for(store: Store, request: Request, kind: str, principal: dict, resource: dict, body: dict) -> dict:
    """The app role assignment `body` asks for, made with Graph's checks (also an access package's delivery:
    governance_assignments.py)."""
    if kind == "groups" and not principal.get("securityEnabled"):
        raise bad_request(f"The group '{principal['id']}' is not security-enabled: app roles are assigned to "
                          "security groups (inferred wording).")
    role_id = _role_id(resource, body.get("appRoleId"), kind)
    wanted = {"principalId": principal["id"], "resourceId": resource["id"], "appRoleId": role_id}
    if store.select(ASSIGNMENTS, wanted, primary=True):
        raise bad_request("Permission being assigned already exists on the object.")
    assignment = {"id": _new_id(principal["id"]), "deletedDateTime": None, "appRoleId": role_id,
                  "createdDateTime": precise_time(), "principalDisplayName": principal.get("displayName"),
                  "principalId": principal["id"], "principalType": PRINCIPAL_TYPES[kind],
                  "resourceDisplayName": resource.get("displayName"), "resourceId": resource["id"]}
    store.put(ASSIGNMENTS, assignment)
    return assignment


def _role_id(resource: dict, role_id, kind: str) -> str:
    """The resource's role `role_id` names, if it is enabled and admits principals of `kind`."""
    if not isinstance(role_id, str) or not GUID.match(role_id):
        raise invalid("appRoleId", "AppRoleAssignment")
    roles = resource.get("appRoles") or []
    if role_id == DEFAULT_ACCESS and not roles:
        return DEFAULT_ACCESS
    for role in roles:
        if role["id"].lower() == role_id.lower() and role.get("isEnabled", True) and \
                MEMBER_TYPES[kind] in role.get("allowedMemberTypes", ()):
            return role["id"]
    raise bad_request(f"Permission being assigned was not found on application '{resource['appId']}'.")


def _principal(store: Store, principal_id) -> tuple[str, dict]:
    """The user, group or service principal `principal_id` names, with its kind."""
    if not isinstance(principal_id, str) or not GUID.match(principal_id):
        raise invalid("principalId", "AppRoleAssignment")
    found = store.documents(tuple(PRINCIPAL_TYPES), [principal_id.lower(), principal_id])
    if not found:
        raise not_found(principal_id)
    kind, _, text = found[0]
    return kind, json.loads(text)


def _same(body: dict, name: str, expected: str) -> None:
    """A body's principalId or resourceId, when the URL names that object too, is that object."""
    if name not in body:
        raise bad_request(f"Property '{name}' is required.")
    if not isinstance(body[name], str) or body[name].lower() != expected.lower():
        raise bad_request(f"Property '{name}' must be the id of the object the URL names, {expected} "
                          "(inferred wording).")


def _one(store: Store, request: Request, assignment_id: str, side: str, holder: dict, context: str) -> Reply:
    assignment = _held(store, assignment_id, side, holder)
    return Reply(200, {"@odata.context": request.context(context) + "/$entity", **assignment})


def _delete(store: Store, assignment_id: str, side: str, holder: dict) -> Reply:
    store.delete(ASSIGNMENTS, _held(store, assignment_id, side, holder)["id"])
    return Reply(204)


def _held(store: Store, assignment_id: str, side: str, holder: dict) -> dict:
    assignment = store.get(ASSIGNMENTS, assignment_id)
    if assignment is None or assignment[side] != holder["id"]:
        raise not_found(assignment_id)
    return assignment


def _context(kind: str, holder: dict, relation: str) -> str:
    return f"{kind}('{holder['id']}')/{relation}"


def _new_id(principal_id: str) -> str:
    raw = uuid.UUID(principal_id).bytes_le + secrets.token_bytes(16)
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


HANDLERS = {
    ("POST", "servicePrincipals", ("{key}", "appRoleAssignedTo")): assign_to,
    ("GET", "servicePrincipals", ("{key}", "appRoleAssignedTo")): list_assigned_to,
    ("GET", "servicePrincipals", ("{key}", "appRoleAssignedTo", "{id}")): get_assigned_to,
    ("DELETE", "servicePrincipals", ("{key}", "appRoleAssignedTo", "{id}")): delete_assigned_to,
    **principal_handlers("users"), **principal_handlers("groups"), **principal_handlers("servicePrincipals"),
}
