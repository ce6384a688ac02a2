"""App role assignments as plan resources: an application's roles granted to groups and users, desired (the file's
`assignments`, config/assignments.py) and live (what the application's service principal grants:
`appRoleAssignedTo`).

An assignment's identity is (role id, principal id): Graph has nothing to update on one, so it is created or removed,
never changed. Its address names the role by value and the principal as the file does:
`app.hr.assignment[Internal.User/group:HR line managers]`, `…[Internal.User/user:carol.hr@contoso.com]`; one only in
the tenant by the group's display name, or the user's UPN when the configuration names that user elsewhere (else
the user's display name).

Which live assignments the plan manages, and why: every one of the application's roles granted to a group or a user
-- the file is the whole truth, so one it does not name is removed (with --allow-delete: removing one takes access
away) -- except
- those granted to service principals: application permissions, consented to as API permissions, not here;
- people's assignments to a role that has an access package: entitlement management makes and removes those.

Groups named by display name must match exactly one security group, as Graph compares names (in any case); an
unknown, ambiguous or non-security group is a diagnostic at its place in the file, naming the groups found.
"""

from __future__ import annotations

from ..config.assignments import DEFAULT_ACCESS, DEFAULT_ROLE, GroupReference, role_id
from ..config.model import Configuration, Location
from ..diagnostics import Diagnostic
from .model import NO_IDS
from .resources import KIND_ORDER, add_live
from .roles import role_label

KIND = "assignment"
MANAGED_PRINCIPALS = ("Group", "User")


def desired_assignments(configuration: Configuration, environment: str, users: dict[str, str], groups):
    """The assignments the configuration wants in `environment`, and a diagnostic for every group or user it names
    that cannot be resolved. `users`: lower-cased UPN -> user id; `groups`: graph/read_assignments.Groups."""
    resources: dict[tuple, object] = {}
    problems: list[Diagnostic] = []
    for app in configuration.applications:
        if not app.in_environment(environment):
            continue
        for assignment in app.assignments:
            role = role_id(app, assignment.role)
            for index, group in enumerate(assignment.groups):
                found = _group(group, groups, lambda: assignment.group_location(index), problems)
                if found is not None:
                    _add(resources, app.name, assignment.role, f"group:{group.shown}", role, found, "Group")
            for index, upn in enumerate(assignment.users):
                user_id = users.get(upn.lower())
                if user_id is None:
                    problems.append(_at(assignment.user_location(index), f"{upn} is not a user in the tenant",
                                        "check the spelling of the user principal name; people are matched by "
                                        "exact UPN, never by e-mail"))
                else:
                    _add(resources, app.name, assignment.role, f"user:{upn}", role, user_id, "User")
    return resources, problems


def _group(group: GroupReference, groups, where, problems: list) -> str | None:
    """The object id of the one security group `group` names, or None (and the problem said)."""
    if group.id is not None:
        found = groups.by_id.get(group.id)
        if found is None:
            problems.append(_at(where(), f"group {group.id} is not in the tenant", "check the group's object id in "
                                "the Entra admin centre (Groups), or name the group by its display name"))
            return None
        candidates = [found]
    else:
        candidates = groups.by_name.get(group.name.casefold(), [])
    security = [candidate for candidate in candidates if candidate.get("securityEnabled")]
    if len(security) == 1:
        return security[0]["id"].lower()
    problems.append(_at(where(), *_unresolved(group, candidates, security)))
    return None


def _unresolved(group: GroupReference, candidates: list[dict], security: list[dict]) -> tuple[str, str]:
    """Why a group reference names no single security group, and how to fix it."""
    ids = ", ".join(sorted(candidate["id"] for candidate in security))
    if len(security) > 1:
        return (f"{len(security)} security groups are named '{group.name}' (ids {ids})",
                f"name the one you mean by its object id: {{id: <one of {ids}>}}")
    if candidates:
        others = ", ".join(sorted(candidate["id"] for candidate in candidates))
        return (f"group '{group.shown}' is not a security group (id {others}): app roles are assigned to security "
                "groups", "name a security group, or make this group security-enabled")
    return (f"no group named '{group.name}' in the tenant", "check the group's display name in the Entra admin "
            "centre (Groups; names are compared in any case, as Graph does), or name it by object id: {id: <id>}")


def live_assignments(apps_by_sp: dict[str, tuple], granted: dict[str, list[dict]], people: dict[str, str],
                     packaged: dict[str, set[str]], desired: dict | None):
    """The managed assignments the project's service principals grant (see the module's notes).

    `apps_by_sp`: service principal id -> (application name, its roles: id -> address part, plan/roles.py); `granted`: service principal
    id -> its appRoleAssignedTo; `people`: user id -> UPN of the people the configuration names (for addresses);
    `packaged`: application name -> the ids of its roles with an access package."""
    resources: dict[tuple, object] = {}
    for sp_id, (application, roles) in apps_by_sp.items():
        for assignment in granted.get(sp_id, []):
            kind, role = assignment.get("principalType"), str(assignment.get("appRoleId")).lower()
            if kind not in MANAGED_PRINCIPALS or kind == "User" and role in packaged.get(application, ()):
                continue
            principal = assignment["principalId"].lower()
            part = roles.get(role)
            value = role_label(part) if part else (DEFAULT_ROLE if role == DEFAULT_ACCESS else role)
            _add(resources, application, value, _principal(kind, principal, assignment, people), role, principal,
                 kind, {"servicePrincipalId": sp_id, "assignmentId": assignment["id"]}, desired)
    return resources


def _principal(kind: str, principal: str, assignment: dict, people: dict[str, str]) -> str:
    name = people.get(principal) if kind == "User" else None
    return f"{kind.lower()}:{name or assignment.get('principalDisplayName') or principal}"


def _add(resources: dict, application: str, role: str, principal: str, role_id: str, principal_id: str,
         principal_type: str, ids: dict | None = None, desired: dict | None = None) -> None:
    key = (application, KIND_ORDER[KIND], KIND, f"{role_id}|{principal_id}")
    attributes = {"appRoleId": role_id, "principalId": principal_id, "principalType": principal_type}
    add_live(resources, key, KIND, f"app.{application}.{KIND}[{role}/{principal}]", application, attributes,
             ids or NO_IDS, desired)


def _at(location: Location, summary: str, fix: str) -> Diagnostic:
    return Diagnostic(summary, fix, location.file, location.line, location.column)
