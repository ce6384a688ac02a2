"""Read the live tenant with as few requests as possible.

Lists are filtered by the project's tag with `$select` of the managed fields and `$top=999`; per-object reads
(owners, user look-ups, name conflicts) go in `$batch`es of 20.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from urllib.parse import quote

from .client import BatchRequest, GraphClient, GraphRequestFailed, query

APP_FIELDS = "id,appId,uniqueName,displayName,description,signInAudience,identifierUris,tags,web,spa,appRoles"
SP_FIELDS = "id,appId,tags"
PAGE = 999


@dataclass
class LiveState:
    applications: list[dict] = field(default_factory=list)
    service_principals: list[dict] = field(default_factory=list)
    owners: dict[str, list[dict]] = field(default_factory=dict)  # application object id -> owners
    users: dict[str, str] = field(default_factory=dict)  # lower-cased UPN -> user object id
    unmanaged: dict[str, dict] = field(default_factory=dict)  # uniqueName -> an application without our tag


def tagged(tag: str) -> str:
    return "tags/any(t:t eq '" + tag.replace("'", "''") + "')"


async def read_live(client: GraphClient, tag: str, wanted_names: list[str], people: list[str],
                    only: set[str] | None = None) -> LiveState:
    """`only`: keep just these applications (by uniqueName) -- their owners are the only ones read."""
    state = LiveState()
    state.applications = await client.get_all(query("applications", filter=tagged(tag), select=APP_FIELDS, top=PAGE))
    if only is not None:
        state.applications = [app for app in state.applications if app.get("uniqueName") in only]
    state.service_principals = await client.get_all(
        query("servicePrincipals", filter=tagged(tag), select=SP_FIELDS, top=PAGE))
    state.owners = await read_owners(client, [app["id"] for app in state.applications])
    state.users = await resolve_users(client, people)
    known = {app.get("uniqueName") for app in state.applications}
    state.unmanaged = await find_unmanaged(client, [name for name in wanted_names if name not in known], tag)
    return state


async def read_owners(client: GraphClient, application_ids: list[str]) -> dict[str, list[dict]]:
    requests = [BatchRequest("GET", query(f"applications/{app_id}/owners", select="id,userPrincipalName"))
                for app_id in application_ids]
    owners = {}
    for app_id, response in zip(application_ids, await client.batch(requests)):
        if not response.ok:
            raise GraphRequestFailed(f"GET applications/{app_id}/owners", response.error)
        owners[app_id] = response.body.get("value", [])
    return owners


async def resolve_users(client: GraphClient, upns: list[str]) -> dict[str, str]:
    """Exact user principal name -> immutable object id, and group:<id> -> id for groups that exist.
    Unknown names are simply absent."""
    groups = sorted({name.lower() for name in upns if name.startswith("group:")})
    found = await _existing_groups(client, groups)
    unique = sorted({upn.lower() for upn in upns if not upn.startswith("group:")})
    requests = [BatchRequest("GET", query(f"users/{quote(upn, safe='@')}", select="id,userPrincipalName"))
                for upn in unique]
    users = {}
    for upn, response in zip(unique, await client.batch(requests)):
        if response.ok and response.body.get("userPrincipalName", "").lower() == upn:
            users[upn] = response.body["id"]
        elif response.status != 404:
            raise GraphRequestFailed(f"GET users/{upn}", response.error)
    return users | found


async def _existing_groups(client: GraphClient, names: list[str]) -> dict[str, str]:
    requests = [BatchRequest("GET", query(f"groups/{name[6:]}", select="id")) for name in names]
    found = {}
    for name, response in zip(names, await client.batch(requests)):
        if response.ok:
            found[name] = response.body["id"]
        elif response.status not in (400, 404):
            raise GraphRequestFailed(f"GET {name.replace(':', 's/')}", response.error)
    return found


async def find_unmanaged(client: GraphClient, names: list[str], tag: str) -> dict[str, dict]:
    """Applications that already hold a uniqueName the configuration wants, but are not this project's."""
    requests = [BatchRequest("GET", query(f"applications(uniqueName='{quote(name)}')", select="id,displayName,tags"))
                for name in names]
    found = {}
    for name, response in zip(names, await client.batch(requests)):
        if response.ok and tag not in (response.body.get("tags") or []):
            found[name] = response.body
        elif not response.ok and response.status != 404:
            raise GraphRequestFailed(f"GET applications(uniqueName='{name}')", response.error)
    return found


# ---------------------------------------------------------------------------------------------- access packages
GOVERNANCE = "identityGovernance/entitlementManagement"


@dataclass
class LiveGovernance:
    catalogs: dict[str, dict] = field(default_factory=dict)  # display name -> catalog
    resources: dict[str, list] = field(default_factory=dict)  # catalog id -> its resources (with roles, scopes)
    packages: list[dict] = field(default_factory=list)  # with resourceRoleScopes (role, scope) and catalog
    others: list[dict] = field(default_factory=list)  # every other package in the tenant, same shape
    policies: list[dict] = field(default_factory=list)  # of those packages, with accessPackage


async def read_governance(client: GraphClient, catalog_names: list[str], service_principals: set[str],
                          marker: str):
    """The catalogs involved -- named by the configuration, holding one of the project's packages, or created by
    idamconf for the project (their description is `marker`) -- with their resources; the packages granting roles
    of the project's applications; their policies."""
    live = LiveGovernance()
    packages = await client.get_all(query(f"{GOVERNANCE}/accessPackages",
                                          expand="resourceRoleScopes($expand=role,scope),catalog", top=PAGE))
    live.packages = [p for p in packages if any((s.get("scope") or {}).get("originId") in service_principals
                                                for s in p.get("resourceRoleScopes") or [])]
    live.others = [p for p in packages if p not in live.packages]
    for package in live.packages:
        live.catalogs.setdefault(package["catalog"]["displayName"], package["catalog"])
    for catalog in await client.get_all(query(f"{GOVERNANCE}/catalogs", top=PAGE)):
        if catalog["displayName"] in catalog_names or catalog.get("description") == marker:
            live.catalogs.setdefault(catalog["displayName"], catalog)
    ids = {package["id"] for package in live.packages}
    if ids:
        policies = await client.get_all(query(f"{GOVERNANCE}/assignmentPolicies", expand="accessPackage", top=PAGE))
        live.policies = [p for p in policies if (p.get("accessPackage") or {}).get("id") in ids]
    catalogs = list(live.catalogs.values())
    listed = await asyncio.gather(*(client.get_all(query(f"{GOVERNANCE}/catalogs/{c['id']}/resources",
                                                         expand="roles,scopes")) for c in catalogs))
    live.resources = {catalog["id"]: resources for catalog, resources in zip(catalogs, listed)}
    return live


async def foreign_packages(client: GraphClient, candidates: list[dict]) -> set[str]:
    """Of packages not recognisably the project's, the ids of those that are someone else's: they grant a role, or
    have a policy. (An empty shell is what an apply of ours cut short after creating the package leaves behind.)"""
    foreign = {p["id"] for p in candidates if p.get("resourceRoleScopes")}
    empty = [p for p in candidates if p["id"] not in foreign]
    requests = [BatchRequest("GET", query(f"{GOVERNANCE}/assignmentPolicies", filter=f"accessPackage/id eq '{p['id']}'"))
                for p in empty]
    for package, response in zip(empty, await client.batch(requests)):
        if not response.ok:
            raise GraphRequestFailed(f"GET policies of access package {package['id']}", response.error)
        if response.body.get("value"):
            foreign.add(package["id"])
    return foreign


