"""App roles granted directly to groups and users: an application file's `assignments`, and the checks that need no
tenant.

    assignments:
      - role: Internal.User              # the value of one of the application's app roles
        groups: [HR line managers, {id: 2b7d3c4e-5f60-4a1b-8c2d-3e4f5a6b0001}]
        users: [carol.hr@contoso.com]

Graph grants a role to a group or a user as an appRoleAssignment held by the application's own service principal
(`appRoleAssignedTo`). A group is named by its display name -- which must match exactly one security group of the
tenant, resolved at plan time (plan/assignments.py) -- or by its object id; a user by exact user principal name.
`role: default` is Graph's default access, which exists only for an application that declares no app roles.

Decisions, and why:
- One entry per role: a role's holders read in one place, and a second entry is refused rather than merged.
- Users are not given a role that has an access package: entitlement management grants and removes that role for
  people, and the assignments it makes are left to it (plan/assignments.py). Groups may still hold such a role.
- Graph assigns only enabled roles that admit users and groups (`User` in allowedMemberTypes), so a role that does
  not is refused here, before anything is sent.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from ..diagnostics import Diagnostic
from .model import Location

DEFAULT_ROLE = "default"  # how a file names Graph's default access
DEFAULT_ACCESS = "00000000-0000-0000-0000-000000000000"  # its id (appRoleAssignment: no app roles declared)


@dataclass(frozen=True)
class GroupReference:
    """A group as the file names it: by display name, or by object id (lower-cased)."""

    name: str | None = None
    id: str | None = None

    @property
    def shown(self) -> str:
        """How the plan's address names it: as written."""
        return self.name if self.name is not None else self.id


@dataclass(frozen=True)
class Assignment:
    role: str  # an app role's value, or DEFAULT_ROLE
    groups: tuple[GroupReference, ...] = ()
    users: tuple[str, ...] = ()
    location: Location | None = field(default=None, compare=False)  # of the entry

    def group_location(self, index: int) -> Location:
        return self._at("groups", index)

    def user_location(self, index: int) -> Location:
        return self._at("users", index)

    def _at(self, key: str, index: int) -> Location:
        location = self.location or Location("")
        return location.at(*location.path, key, index)


def assignments_of(raw: dict, file: str, positions) -> tuple[Assignment, ...]:
    """The `assignments` of a valid application document."""
    return tuple(Assignment(entry["role"], tuple(_group(item) for item in entry.get("groups", ())),
                            tuple(entry.get("users", ())), Location(file, ("assignments", index), positions))
                 for index, entry in enumerate(raw.get("assignments") or ()))


def _group(item) -> GroupReference:
    return GroupReference(id=item["id"].lower()) if isinstance(item, dict) else GroupReference(name=item)


def groups_named(applications) -> tuple[list[str], list[str]]:
    """The display names and the object ids of the groups the applications' assignments name."""
    groups = [group for app in applications for assignment in app.assignments for group in assignment.groups]
    return [g.name for g in groups if g.name is not None], [g.id for g in groups if g.id is not None]


def people_named(app) -> list[str]:
    """The user principal names an application's assignments and service-principal owners name."""
    return [upn for assignment in app.assignments for upn in assignment.users] + \
        list(app.service_principal_owners or ())


def role_id(app, role: str) -> str | None:
    """The id of the role an assignment names in `app` (an `Application`), or None if it has no such role."""
    for declared in app.app_roles:
        if declared.value == role:
            return declared.id
    return DEFAULT_ACCESS if role == DEFAULT_ROLE and not app.app_roles else None


# ---------------------------------------------------------------------------------------------------------- checks
def check(document, app) -> list[Diagnostic]:
    """Each entry names someone, and a role of the application that Graph lets groups and users hold."""
    problems: list[Diagnostic] = []
    first: dict[str, int] = {}  # role -> the entry naming it first
    for index, assignment in enumerate(app.assignments):
        path = ("assignments", index)
        if not assignment.groups and not assignment.users:
            problems.append(document.diagnostic(path, f"the assignment of role '{assignment.role}' names nobody",
                                                "add groups: [<display name>] or users: [<user principal name>], "
                                                "or remove the entry"))
        earlier = first.setdefault(assignment.role, index)
        if earlier != index:
            line = document.where(("assignments", earlier))[0]
            problems.append(document.diagnostic(path + ("role",), f"role '{assignment.role}' is already assigned "
                                                f"at line {line}", f"list every group and user of "
                                                f"'{assignment.role}' in one entry"))
        problems += _role_problems(document, app, assignment, path)
    return problems


def _role_problems(document, app, assignment: Assignment, path: tuple) -> list[Diagnostic]:
    role = next((declared for declared in app.app_roles if declared.value == assignment.role), None)
    if role is None:
        if role_id(app, assignment.role) is not None:
            return []  # the default access of an application without roles
        return [_unknown_role(document, app, assignment.role, path + ("role",))]
    if "User" not in role.allowed_member_types:
        return [document.diagnostic(path + ("role",), f"role '{role.value}' cannot be granted to groups or users "
                                    "(allowedMemberTypes has no User)", "add User to the role's allowedMemberTypes, "
                                    "or remove this assignment")]
    if not role.enabled:
        return [document.diagnostic(path + ("role",), f"role '{role.value}' is disabled, and Graph assigns only "
                                    "enabled roles", "enable the role, or remove this assignment (which takes the "
                                    "role away from its groups and users)")]
    if role.access_package is not None and assignment.users:
        return [document.diagnostic(path + ("users",), f"people get role '{role.value}' through its access "
                                    "package, which grants and removes it", "assign groups here, or request the "
                                    "role through the access package")]
    return []


def _unknown_role(document, app, role: str, path: tuple) -> Diagnostic:
    values = [declared.value for declared in app.app_roles if declared.value]  # (a SAML role, named by id, has none)
    if role == DEFAULT_ROLE:
        return document.diagnostic(path, "the default access exists only for an application without app roles",
                                   f"name one of its roles: {', '.join(values)}" if values else
                                   "give one of its roles a value, and name it here")
    choices = values or ([] if app.app_roles else [DEFAULT_ROLE])
    close = difflib.get_close_matches(role, choices, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    what = f"one of its roles ({', '.join(values)})" if values else \
        "a role by its value (its roles have none: give one a value)" if app.app_roles else \
        f"'{DEFAULT_ROLE}' (its default access: it declares no app roles)"
    return document.diagnostic(path, f"the application has no app role '{role}'", f"{hint}name {what}")
