"""Which Microsoft Graph application permissions a request needs: one table, used by the emulator to enforce them
(emulator/identity/enforcement.py) and by idamconf to say which one is missing when Graph answers 403.

From each API's "Permissions" table in the Graph v1.0 reference (microsoft-graph-docs-contrib, api-reference/v1.0/
api/*.md), application permissions only; a higher permission of the same family counts as the lower one, as Graph
grants it (`Application.ReadWrite.All` reads applications too). Where a page lists two permissions joined by "and"
(granting an app role: "AppRoleAssignment.ReadWrite.All and Application.Read.All"), both are needs.
`Application.ReadWrite.OwnedBy` writes only applications and service principals its holder owns (or creates):
`Need.owned` marks the permissions that count only for an owned object.

Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from .paths import segments


@dataclass(frozen=True)
class Need:
    """One of `any_of` is held; those in `owned` count only when the caller owns the object written."""

    any_of: tuple[str, ...]
    owned: tuple[str, ...] = ()

    def describe(self) -> str:
        """The least privileged permission, then what else would do: whichever the caller lacks is named."""
        names = [f"{name} as an owner of the object" if name in self.owned else name for name in self.any_of]
        return names[0] + (f" (or {', '.join(names[1:])})" if len(names) > 1 else "")


OWNED_BY = "Application.ReadWrite.OwnedBy"
APP_READ = Need(("Application.Read.All", OWNED_BY, "Application.ReadWrite.All", "Directory.Read.All",
                 "Directory.ReadWrite.All"))
APP_WRITE = Need(("Application.ReadWrite.All", OWNED_BY), owned=(OWNED_BY,))
APP_WRITE_ALL = Need(("Application.ReadWrite.All",))
USERS = Need(("User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"))
GROUPS = Need(("GroupMember.Read.All", "Group.Read.All", "GroupMember.ReadWrite.All", "Group.ReadWrite.All",
               "Directory.Read.All", "Directory.ReadWrite.All"))
DELETED_GROUPS = Need(("Group.Read.All", "Group.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"))
UNITS = Need(("AdministrativeUnit.Read.All", "AdministrativeUnit.ReadWrite.All", "Directory.Read.All",
              "Directory.ReadWrite.All"))
DIRECTORY = Need(("Directory.Read.All", "Directory.ReadWrite.All"))
ASSIGN = Need(("AppRoleAssignment.ReadWrite.All",))
GRANTS_READ = Need(("Directory.Read.All", "DelegatedPermissionGrant.ReadWrite.All", "Directory.ReadWrite.All"))
GRANTS_WRITE = Need(("DelegatedPermissionGrant.ReadWrite.All", "Directory.ReadWrite.All"))
ACCESS_READ = Need(("EntitlementManagement.Read.All", "EntitlementManagement.ReadWrite.All"))
ACCESS_WRITE = Need(("EntitlementManagement.ReadWrite.All",))
POLICY_READ = Need(("Policy.Read.All", "Policy.ReadWrite.ApplicationConfiguration"))  # "Policy.Read.ApplicationConfiguration" too, where a page lists it
POLICY_WRITE = Need(("Policy.ReadWrite.ApplicationConfiguration",))
DOMAINS = Need(("Domain.Read.All", "Domain.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"))
ORGANIZATION = Need(("Organization.Read.All", "Organization.ReadWrite.All", "Directory.Read.All",
                     "Directory.ReadWrite.All"))

READ, WRITE = ("GET",), ("POST", "PATCH", "PUT", "DELETE")
# (methods, first segment, a segment further down or None, needs): the first rule that matches decides.
RULES: tuple[tuple[tuple[str, ...], str, str | None, tuple[Need, ...]], ...] = (
    (READ, "identityGovernance", None, (ACCESS_READ,)),
    (("POST",), "identityGovernance", "resourceRequests", (ACCESS_WRITE, APP_WRITE_ALL)),  # an application's, too
    (WRITE, "identityGovernance", None, (ACCESS_WRITE,)),
    (WRITE, "servicePrincipals", "appRoleAssignedTo", (ASSIGN, APP_READ)),
    (WRITE, "servicePrincipals", "appRoleAssignments", (ASSIGN, APP_READ)),
    (WRITE, "users", "appRoleAssignments", (ASSIGN, APP_READ)),
    (WRITE, "groups", "appRoleAssignments", (ASSIGN, APP_READ)),
    (READ, "servicePrincipals", "oauth2PermissionGrants", (GRANTS_READ,)),
    # a SAML application's claims-mapping policy, assigned to its service principal and listed there
    (READ, "servicePrincipals", "claimsMappingPolicies", (POLICY_READ, APP_READ)),
    (WRITE, "servicePrincipals", "claimsMappingPolicies", (POLICY_READ, APP_WRITE)),
    (("POST",), "applicationTemplates", None, (APP_WRITE,)),  # instantiate: creates an application it then owns
    # the other casts' lists, their resource's permission (directory-deleteditems-list.md's table)
    (READ, "directory", "microsoft.graph.user", (USERS,)),
    (READ, "directory", "microsoft.graph.group", (DELETED_GROUPS,)),
    (READ, "directory", "microsoft.graph.administrativeUnit", (UNITS,)),
    # deleted applications (directory-deleteditems-*.md): read as applications are; restored or deleted for good
    # with Application.ReadWrite.All, or OwnedBy by an owner
    (READ, "directory", "deletedItems", (APP_READ,)),
    # the deleted applications a user owns: a read, posted (directory-deleteditems-getuserownedobjects.md's table)
    (("POST",), "directory", "getUserOwnedObjects", (DELETED_GROUPS,)),
    (WRITE, "directory", "deletedItems", (APP_WRITE,)),
    (READ, "applications", None, (APP_READ,)),
    (READ, "servicePrincipals", None, (APP_READ,)),
    (WRITE, "applications", None, (APP_WRITE,)),
    (WRITE, "servicePrincipals", None, (APP_WRITE,)),
    (READ, "users", None, (USERS,)),
    (READ, "groups", None, (GROUPS,)),
    (READ, "oauth2PermissionGrants", None, (GRANTS_READ,)),
    (WRITE, "oauth2PermissionGrants", None, (GRANTS_WRITE,)),
    (READ, "directoryObjects", None, (DIRECTORY,)),
    (("POST",), "directoryObjects", None, (DIRECTORY,)),  # getByIds
    (READ, "policies", None, (POLICY_READ,)),
    (WRITE, "policies", None, (POLICY_WRITE,)),
    (READ, "domains", None, (DOMAINS,)),
    (READ, "organization", None, (ORGANIZATION,)),
)
EVERYTHING_ELSE = (Need(("Directory.ReadWrite.All",)),)


def needs(method: str, path: str) -> tuple[Need, ...]:
    """What `method path` (relative to the version root, query excluded) needs; every Need must be met."""
    path = path.split("?", 1)[0]
    if "://" in path:  # a full URL (an @odata.nextLink): what follows the version
        path = path.split("/v1.0/", 1)[-1]
    names = [segment.split("(", 1)[0] for segment in segments(path)]
    for methods, first, further, needed in RULES:
        if method.upper() in methods and names[:1] == [first] and (further is None or further in names[1:]):
            return needed
    return EVERYTHING_ELSE


def describe(needed: tuple[Need, ...]) -> str:
    """`EntitlementManagement.ReadWrite.All and Application.ReadWrite.All`: the least that would do."""
    return " and ".join(need.describe() for need in needed)
