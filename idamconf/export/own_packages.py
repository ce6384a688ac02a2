"""Packages of their own, exported: a package granting several of the project's roles, or groups beside one of them,
is written under `accessPackages:` of the application its first role belongs to -- as plan/packages.py recognises
such a package -- with each grant (a role of this application by value, another's as {application, role}, a group
by id) and each policy (one beside the package's keys, several under `policies:` by name). A package granting one
role stays that role's `accessPackage` block (export/packages.py)."""

from __future__ import annotations

from .packages import _policy

MEMBER = "Member_"


def is_own(package: dict) -> bool:
    """Whether a package is written as a package of its own rather than on a role: it grants more than one thing."""
    return len(package.get("resourceRoleScopes") or []) > 1


def own_packages(principal_id: str, tenant) -> tuple[list[dict], list[str]]:
    """The blocks of the packages of their own whose first role is of the service principal `principal_id`, and the
    notes of what they cannot say."""
    blocks, notes = [], []
    for package in tenant.packages.get(principal_id, []):
        first = next((scope for scope in package["resourceRoleScopes"]
                      if (scope.get("scope") or {}).get("originId") in tenant.roles), None)
        if not is_own(package) or first is None or first["scope"]["originId"] != principal_id:
            continue
        block, found = _block(package, principal_id, tenant)
        blocks.append(block)
        notes += found
    return sorted(blocks, key=lambda b: b["name"]), notes


def _block(package: dict, principal_id: str, tenant) -> tuple[dict, list[str]]:
    where = f"accessPackages[{package['displayName']}]"
    block, notes = {"name": package["displayName"]}, []
    if package.get("description"):
        block["description"] = package["description"]
    block["catalog"] = (package.get("catalog") or {}).get("displayName")
    if package.get("isHidden"):
        block["hidden"] = True
    block["grants"] = [grant for scope in package["resourceRoleScopes"]
                       if (grant := _grant(scope, principal_id, tenant, f"{where}.grants", notes))]
    policies = tenant.policies.get(package["id"], [])
    if not policies:
        notes.append(f"{where}: the package has no policy: nobody can request it; the file needs approvers -- add "
                     "them")
        return {**block, "approvers": []}, notes
    if len(policies) == 1:
        written, found = _policy(policies[0], tenant.people, package["displayName"], where)
        return {**block, **written}, notes + found
    block["policies"] = []
    for policy in sorted(policies, key=lambda p: p.get("displayName") or ""):
        name = policy.get("displayName") or ""
        written, found = _policy(policy, tenant.people, name, f"{where}.policies[{name}]")
        described = {"description": policy["description"]} if policy.get("description") else {}
        block["policies"].append({"name": name, **described, **written})
        notes += found
    return block, notes


def _grant(scope: dict, principal_id: str, tenant, where: str, notes: list[str]) -> dict | None:
    origin = str((scope.get("role") or {}).get("originId") or "")
    if origin.startswith(MEMBER):
        return {"group": {"id": origin[len(MEMBER):].lower()}}
    holder = (scope.get("scope") or {}).get("originId")
    name, values = tenant.roles.get(holder, (None, {}))
    value = values.get(origin.lower())
    if value is None or name is None:
        notes.append(f"{where}: role {origin} of another service principal ({holder}), which is not exported or "
                     "configured: not written")
        return None
    return {"role": value} if holder == principal_id else {"application": name, "role": value}


def role_values(apps: list[dict], tenant) -> dict:
    """Service principal id -> (its application's name, role id -> value, or display name for a role without one),
    of the applications exported: what grants name."""
    found = {}
    for app in apps:
        principal = tenant.principals.get(app["appId"])
        if principal is not None:
            found[principal["id"]] = (tenant.names.get(app["appId"]), {
                role["id"].lower(): role.get("value") or role.get("displayName") for role in app.get("appRoles") or []})
    return found
