"""Adopting an existing application: one made in the portal, by a script or by Terraform, named in its file by its
`appId`.

Plan reads each such application (and its service principal, their owners and the app role assignments the service
principal grants) by app id, in batches, when the project
does not manage it yet, and checks it may be adopted: it exists, no other project's tag is on it, and its
`uniqueName` -- set once, never changed by Graph -- is unset or already the file's `name`. Its roles keep their ids:
a role of the file whose value an existing role has under another id is reported (give that `id`), never replaced.
Then it is planned as if it were the project's -- its service principal, owners and the access packages granting its
roles included -- and its application change becomes `↻ adopt`: apply sets its `uniqueName` and the project's tag in
the same request as the other attribute changes, and from then on it is the project's like any other.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace

from ..diagnostics import Diagnostic
from ..graph.client import BatchRequest, GraphClient, GraphRequestFailed, query
from ..graph.read import APP_FIELDS, OWNER_FIELDS, PAGE, SP_FIELDS
from ..graph.read_assignments import ASSIGNMENT_FIELDS, Relationships, batched_lists
from .model import Action, AttributeChange, Change, Plan

TAG_PREFIX = "idamconf:"


@dataclass
class Found:
    """The applications to adopt as Graph holds them, ready to be read as the project's."""

    applications: list[dict] = field(default_factory=list)  # with uniqueName set to the file's name
    service_principals: list[dict] = field(default_factory=list)
    owners: dict[str, list[dict]] = field(default_factory=dict)  # application object id -> owners
    names: set[str] = field(default_factory=set)  # the files' names of the applications adopted
    problems: list[Diagnostic] = field(default_factory=list)
    # their service principals' owners and the app role assignments they grant: what the project's tag finds of its
    # own (graph/read_assignments.read_relationships), which an application to adopt does not carry yet
    relationships: Relationships = field(default_factory=Relationships)


async def read_adopted(client: GraphClient, wanted: list, known: set[str], tag: str) -> Found:
    """The applications of `wanted` that name an app id and are not among the project's (`known`: the names read as
    the project's), with their service principals and owners; a problem for each that cannot be adopted."""
    adopting = [app for app in wanted if app.app_id and app.key not in known]
    found = Found()
    if not adopting:
        return found
    apps = await client.batch([BatchRequest("GET", query(f"applications(appId='{app.app_id}')", select=APP_FIELDS))
                               for app in adopting])
    principals = await client.batch([BatchRequest("GET", query(f"servicePrincipals(appId='{app.app_id}')",
                                                               select=SP_FIELDS)) for app in adopting])
    for app, response, principal in zip(adopting, apps, principals):
        problem = _refusal(app, response, tag)
        if problem is not None:
            found.problems.append(problem)
            continue
        found.applications.append({**response.body, "uniqueName": app.key})
        found.names.add(app.key)
        if principal.ok:
            found.service_principals.append(principal.body)
        elif principal.status != 404:
            raise GraphRequestFailed(f"GET servicePrincipals(appId='{app.app_id}')", principal.error)
    # an application has at most 100 owners (Graph's limit): one page of its owners holds them all
    owners = await client.batch([BatchRequest("GET", query(f"applications/{body['id']}/owners", select=OWNER_FIELDS))
                                 for body in found.applications])
    for body, response in zip(found.applications, owners):
        if not response.ok:
            raise GraphRequestFailed(f"GET the owners of application {body['appId']}", response.error)
        found.owners[body["id"]] = response.body.get("value", [])
    ids = [principal["id"] for principal in found.service_principals]
    owners, assignments = await asyncio.gather(*(batched_lists(client, [
        query(f"servicePrincipals/{sp_id}/{relation}", select=fields, top=PAGE) for sp_id in ids])
        for relation, fields in (("owners", OWNER_FIELDS), ("appRoleAssignedTo", ASSIGNMENT_FIELDS))))
    found.relationships = Relationships(dict(zip(ids, owners)), dict(zip(ids, assignments)))
    return found


def _refusal(app, response, tag: str) -> Diagnostic | None:
    location = app.location.at("appId") if app.location else None
    where = (location.file, location.line, location.column) if location else ("", 0, 0)
    if response.status == 404:
        return Diagnostic(f"no application with appId {app.app_id} is in the tenant", "check the application "
                          "(client) id in the Entra admin centre, App registrations; app ids differ per tenant: give "
                          "each environment its own under overrides", *where)
    if not response.ok:
        raise GraphRequestFailed(f"GET applications(appId='{app.app_id}')", response.error)
    body = response.body
    others = sorted({t for t in body.get("tags") or [] if isinstance(t, str) and t.lower().startswith(TAG_PREFIX)
                     and t.lower() != tag.lower()})
    if others:
        return Diagnostic(f"application {app.app_id} (\"{body.get('displayName')}\") is managed by project "
                          f"'{others[0][len(TAG_PREFIX):]}', not this one", "leave it to that project, or have it "
                          "released there first (remove it from that project's configuration and tag)", *where)
    if body.get("uniqueName") not in (None, app.key):
        return Diagnostic(f"application {app.app_id} already has the uniqueName '{body['uniqueName']}', which Graph "
                          "never changes", f"name the application '{body['uniqueName']}' in this file, or keep "
                          f"this name and write renamedFrom: {body['uniqueName']}", *where)
    return None


def pinned(wanted: list, live: list[dict]) -> list[Diagnostic]:
    """An application of the project whose file names another app id than it has (a file copied from another
    application, or another environment's id without an override)."""
    app_ids = {app.get("uniqueName"): app.get("ids", app).get("appId") for app in live}
    problems = []
    for app in wanted:
        held = app_ids.get(app.key)
        if app.app_id and held and held.lower() != app.app_id:
            location = app.location.at("appId") if app.location else None
            problems.append(Diagnostic(f"application {app.name} has appId {held} in this tenant, not {app.app_id}",
                                       "give this environment's app id (under overrides, if it differs per "
                                       "environment), or remove appId", *((location.file, location.line,
                                                                            location.column) if location else ())))
    return problems


def role_conflicts(configuration, found: Found) -> list[Diagnostic]:
    """A role of the file whose value an adopted application has under another id: reported, never replaced."""
    problems = []
    by_key = {app.key: app for app in configuration.applications}
    for body in found.applications:
        app = by_key[body["uniqueName"]]
        existing = {role.get("value"): role["id"].lower() for role in body.get("appRoles") or [] if role.get("value")}
        for index, role in enumerate(app.app_roles):
            held = existing.get(role.value)
            if held is not None and held != role.id:
                location = app.location.at("appRoles", index) if app.location else None
                problems.append(Diagnostic(
                    f"role {role.value} exists in the application to adopt with id {held}, not {role.id}",
                    f"add `id: {held}` to this role to keep it (and everyone's assignments to it)",
                    *((location.file, location.line, location.column) if location else ())))
    return problems


def as_adoptions(plan: Plan, adopted: set[str]) -> Plan:
    """The plan with each adopted application's change as `adopt`, setting its uniqueName."""
    if not adopted:
        return plan
    changes = tuple(_adoption(change) if change.kind == "application" and change.application in adopted
                    and change.action in (Action.UPDATE, Action.NOOP) else change for change in plan.changes)
    return replace(plan, changes=changes)


def _adoption(change: Change) -> Change:
    attributes = (AttributeChange("uniqueName", None, change.application), *change.attributes)
    return replace(change, action=Action.ADOPT, attributes=attributes)
