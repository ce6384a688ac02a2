"""Read the live tenant with as few requests as possible.

Lists are filtered by the project's tag with `$select` of the managed fields and `$top=999`, and read concurrently
with each other (the pages of one list follow each other: Graph's `$skiptoken` allows nothing else). Owners come
with the applications (`$expand=owners`: Graph then pages by 100 and expands at most 20 owners, so an application
showing 20 has the rest read on its own). Per-object reads (user look-ups, name conflicts) are `GraphClient.call`s,
which go to Graph in `$batch`es of 20.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from urllib.parse import quote

from .client import BatchRequest, GraphClient, GraphRequestFailed, query

APP_FIELDS = "id,appId,uniqueName,displayName,description,signInAudience,identifierUris,tags,web,spa,appRoles"
SP_FIELDS = "id,appId,tags"
OWNER_FIELDS = "id,userPrincipalName"
PAGE = 999
EXPANDED = 20  # Graph's most objects of an expanded directory relationship


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
    applications, state.service_principals, state.users = await asyncio.gather(
        client.get_all(query("applications", filter=tagged(tag), select=APP_FIELDS,
                             expand=f"owners($select={OWNER_FIELDS})", top=PAGE)),
        client.get_all(query("servicePrincipals", filter=tagged(tag), select=SP_FIELDS, top=PAGE)),
        resolve_users(client, people))
    if only is not None:
        applications = [app for app in applications if app.get("uniqueName") in only]
    state.owners = {app["id"]: app.pop("owners", None) or [] for app in applications}
    state.applications = applications
    known = {app.get("uniqueName") for app in applications}
    more, state.unmanaged = await asyncio.gather(
        read_owners(client, [app_id for app_id, owners in state.owners.items() if len(owners) >= EXPANDED]),
        find_unmanaged(client, [name for name in wanted_names if name not in known], tag))
    state.owners |= more
    return state


async def read_owners(client: GraphClient, application_ids: list[str]) -> dict[str, list[dict]]:
    """All owners of applications with more than `$expand` shows."""
    lists = await asyncio.gather(*(client.get_all(query(f"applications/{app_id}/owners", select=OWNER_FIELDS,
                                                        top=PAGE)) for app_id in application_ids))
    return dict(zip(application_ids, lists))


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


async def governance_lists(client: GraphClient) -> tuple[list, list, list]:
    """Every access package (with role scopes and catalog), catalog and assignment policy: three lists, read
    concurrently with each other and with the directory (which packages are the project's is decided later)."""
    return tuple(await asyncio.gather(
        client.get_all(query(f"{GOVERNANCE}/accessPackages", expand="resourceRoleScopes($expand=role,scope),catalog",
                             top=PAGE)),
        client.get_all(query(f"{GOVERNANCE}/catalogs", top=PAGE)),
        client.get_all(query(f"{GOVERNANCE}/assignmentPolicies", expand="accessPackage", top=PAGE))))


async def read_governance(client: GraphClient, catalog_names: list[str], service_principals: set[str],
                          marker: str, lists: tuple[list, list, list]):
    """The catalogs involved -- named by the configuration, holding one of the project's packages, or created by
    idamconf for the project (their description is `marker`) -- with their resources; the packages granting roles
    of the project's applications; their policies. `lists`: what `governance_lists` read."""
    packages, all_catalogs, policies = lists
    live = LiveGovernance()
    live.packages = [p for p in packages if any((s.get("scope") or {}).get("originId") in service_principals
                                                for s in p.get("resourceRoleScopes") or [])]
    mine = {id(p) for p in live.packages}
    live.others = [p for p in packages if id(p) not in mine]
    for package in live.packages:
        live.catalogs.setdefault(package["catalog"]["displayName"], package["catalog"])
    for catalog in all_catalogs:
        if catalog["displayName"] in catalog_names or catalog.get("description") == marker:
            live.catalogs.setdefault(catalog["displayName"], catalog)
    ids = {package["id"] for package in live.packages}
    live.policies = [p for p in policies if (p.get("accessPackage") or {}).get("id") in ids]
    catalogs = list(live.catalogs.values())
    listed = await asyncio.gather(*(client.get_all(query(f"{GOVERNANCE}/catalogs/{c['id']}/resources",
                                                         expand="roles,scopes", top=PAGE)) for c in catalogs))
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


