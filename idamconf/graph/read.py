"""Read the live tenant with as few requests as possible.

Lists are filtered by the project's tag with `$select` of the managed fields and `$top=999`, and read concurrently
with each other (the pages of one list follow each other: Graph's `$skiptoken` allows nothing else). Owners come
with the applications (`$expand=owners`: Graph then pages by 100 and expands at most 20 owners, so an application
showing 20 has the rest read on its own). Per-object reads (user look-ups, name conflicts) are `GraphClient.call`s,
which go to Graph in `$batch`es of 20.
"""

from __future__ import annotations

import asyncio
import marshal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import quote

from ..surface import APPLICATION, SERVICE_PRINCIPAL, select
from .client import BatchRequest, GraphClient, GraphRequestFailed, query
from .limits import EXPANDED
from .streams import EXPANDED_PAGE, Streams, joined, read_streams

APP_FIELDS = ",".join(dict.fromkeys(["id", "appId", "uniqueName", "displayName", "description", "signInAudience",
                                      "identifierUris", "tags", "web", "spa", "api", "appRoles",
                                      "requiredResourceAccess", "keyCredentials", "passwordCredentials",
                                      *select(APPLICATION)]))
SP_FIELDS = ",".join(["id", "appId", "tags", *select(SERVICE_PRINCIPAL)])
OWNER_FIELDS = "id,userPrincipalName"
# Of the entitlement-management lists, only what the plan compares or needs to address a change: at 10,000
# applications the whole objects (a catalog resource with its roles and scopes, a policy with its requestor and
# notification settings) are several times larger, and Graph serves, and idamconf parses and holds, all of it.
PACKAGE_FIELDS = "id,displayName,description,isHidden"
CATALOG_FIELDS = "id,displayName,description,state,isExternallyVisible"
POLICY_FIELDS = ("id,displayName,description,allowedTargetScope,specificAllowedTargets,expiration,"
                 "requestApprovalSettings,requestorSettings,reviewSettings,questions,automaticRequestSettings")
RESOURCE_FIELDS = "id,originId"  # which service principal a catalog resource is: all a plan needs of it


def shape(*fields, **nested) -> dict:
    """What to keep of an object: `fields` whole, and of each `nested` object (or list of objects) its own shape."""
    return {**dict.fromkeys(fields), **nested}


def keeper(kept: dict):
    """A function keeping of a Graph object what `kept` (a `shape`) names, as each page arrives: Graph documents no
    `$select` inside the entitlement-management lists' `$expand` (the emulator refuses one), and most of what the
    expanded objects hold a plan never reads."""
    inner = {name: keeper(nested) for name, nested in kept.items() if nested is not None}

    def keep(value):
        if isinstance(value, list):
            return [keep(item) for item in value]
        if not isinstance(value, dict):
            return value
        return {name: inner[name](value[name]) if name in inner else value[name] for name in kept if name in value}
    return keep


PACKAGE_SHAPE = shape("id", "displayName", "description", "isHidden", catalog=shape("id", "displayName"),
                      resourceRoleScopes=shape("id", role=shape("originId"), scope=shape("originId")))
PAGE = 999


@dataclass
class LiveState:
    applications: list[dict] = field(default_factory=list)
    service_principals: list[dict] = field(default_factory=list)
    owners: dict[str, list[dict]] = field(default_factory=dict)  # application object id -> owners
    users: dict[str, str] = field(default_factory=dict)  # lower-cased UPN -> user object id
    unmanaged: dict[str, dict] = field(default_factory=dict)  # uniqueName -> an application without our tag
    app_ids: dict[str, str] = field(default_factory=dict)  # uniqueName -> appId, of every tagged one (`only` too)
    deleted: dict[str, dict] = field(default_factory=dict)  # uniqueName -> a deleted application holding it
    # the service principals of those in deleted items (Graph restores them apart: plan/restore.py), with their owners
    deleted_service_principals: list[dict] = field(default_factory=list)


def tagged(tag: str) -> str:
    return "tags/any(t:t eq '" + tag.replace("'", "''") + "')"


def read_service_principals(client: GraphClient, tag: str, streams: Streams = Streams()) -> asyncio.Task:
    """The project's service principals, read once: the directory's reading and the access packages' both wait
    for them (which packages are the project's depends on them). `streams`: how to split the list (graph/streams)."""
    return asyncio.ensure_future(read_streams(client, [
        query("servicePrincipals", filter=joined(tagged(tag), clause), select=SP_FIELDS, top=PAGE)
        for clause in streams.ranges(PAGE)]))


async def read_live(client: GraphClient, tag: str, wanted_names: list[str], people: list[str],
                    only: set[str] | None = None, service_principals: Awaitable[list[dict]] | None = None,
                    users: Awaitable[dict[str, str]] | None = None, keep=None,
                    streams: Streams = Streams(), applications: Awaitable[list[dict]] | None = None) -> LiveState:
    """`only`: keep just these applications (by uniqueName) -- their owners are the only ones read.
    `service_principals` (from `read_service_principals`) and `users` (`resolve_users` of `people`): given when
    something else waits for them too. `keep(application)`: what to hold of each application as its page arrives
    (it keeps `id`, `uniqueName` and `owners`). `streams`: how to split the list (graph/streams). `applications`:
    the applications, read otherwise (graph/read_changed), instead of the project's list."""
    state = LiveState()
    paths = [query("applications", filter=joined(tagged(tag), clause), select=APP_FIELDS,
                   expand=f"owners($select={OWNER_FIELDS})", top=PAGE) for clause in streams.ranges(EXPANDED_PAGE)]
    applications, state.service_principals, state.users = await asyncio.gather(
        applications or read_streams(client, paths, keep),
        service_principals or read_service_principals(client, tag),
        users or resolve_users(client, people))
    state.app_ids = {app["uniqueName"]: app.get("appId") or app["ids"]["appId"] for app in applications
                     if app.get("uniqueName")}  # the project's clients of its APIs (plan/exposed.py), even off `only`
    if only is not None:
        applications = [app for app in applications if app.get("uniqueName") in only]
    state.owners = {app["id"]: app.pop("owners", None) or [] for app in applications}
    state.applications = applications
    known = {app.get("uniqueName") for app in applications}
    creating = [name for name in wanted_names if name not in known]
    missing: list[str] = []
    more, state.unmanaged, deleted = await asyncio.gather(
        read_owners(client, [app_id for app_id, owners in state.owners.items() if len(owners) >= EXPANDED]),
        find_unmanaged(client, creating, tag, missing), find_deleted(client, tag) if creating else _none())
    state.owners |= more
    state.deleted = {name: app for name, app in deleted.items() if name in missing}
    state.owners |= {app["id"]: app.pop("owners", None) or [] for app in state.deleted.values()}
    unserved = unserved_app_ids(applications, state.service_principals, wanted_names)
    if state.deleted or unserved:  # only a plan that restores, or makes a service principal, reads them
        state.deleted_service_principals = await find_deleted_service_principals(
            client, tag, {app["appId"] for app in state.deleted.values()} | unserved)
    return state


async def _none() -> dict:
    return {}


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


async def user_names(client: GraphClient, ids: list[str]) -> dict[str, str]:
    """Object id (lower case) -> user principal name (lower case), for the users of these ids that exist (a
    policy's people the configuration does not name: plan/governance.name_the_unnamed). Unknown ids are absent."""
    unique = sorted({object_id.lower() for object_id in ids})
    requests = [BatchRequest("GET", query(f"users/{quote(object_id, safe='')}", select="id,userPrincipalName"))
                for object_id in unique]
    names = {}
    for object_id, response in zip(unique, await client.batch(requests)):
        if response.ok and str(response.body.get("id", "")).lower() == object_id and \
                response.body.get("userPrincipalName"):
            names[object_id] = response.body["userPrincipalName"].lower()
        elif not response.ok and response.status not in (400, 404):  # 400: not an id Graph takes
            raise GraphRequestFailed(f"GET users/{object_id}", response.error)
    return names


async def _existing_groups(client: GraphClient, names: list[str]) -> dict[str, str]:
    requests = [BatchRequest("GET", query(f"groups/{name[6:]}", select="id")) for name in names]
    found = {}
    for name, response in zip(names, await client.batch(requests)):
        if response.ok:
            found[name] = response.body["id"]
        elif response.status not in (400, 404):
            raise GraphRequestFailed(f"GET {name.replace(':', 's/')}", response.error)
    return found


async def find_unmanaged(client: GraphClient, names: list[str], tag: str,
                         missing: list[str] | None = None) -> dict[str, dict]:
    """Applications that already hold a uniqueName the configuration wants, but are not this project's. `missing`:
    given, the names no live application holds are added to it (to be looked for in deleted items)."""
    requests = [BatchRequest("GET", query(f"applications(uniqueName='{quote(name)}')", select="id,displayName,tags"))
                for name in names]
    found = {}
    for name, response in zip(names, await client.batch(requests)):
        if response.ok and tag.lower() not in {t.lower() for t in response.body.get("tags") or []}:
            found[name] = response.body
        elif not response.ok and response.status != 404:
            raise GraphRequestFailed(f"GET applications(uniqueName='{name}')", response.error)
        elif not response.ok and missing is not None:
            missing.append(name)
    return found


EQ_MATCHES_AT_MOST = 120  # characters of the value an `eq` of a directory object's `$filter` compares with


async def identifier_uri_holders(client: GraphClient, uris: list[str]) -> dict[str, list[dict]]:
    """The applications of the tenant holding each of these identifier URIs: Graph refuses a URI another application
    of the tenant holds (400 Request_MultipleObjectsWithSameKeyValue), which a plan says before an apply meets it.
    One look-up per URI (`identifierUris/any`, application-list.md), in `$batch`es; asked only for the URIs a plan
    adds, so a plan with no such change asks nothing. A URI longer than Graph's `eq` matches on directory objects
    (120 characters: known issues, "Some limitations apply to query parameters") cannot be looked up, and is not:
    were it held, the apply would meet the refusal, as before this check."""
    uris = [uri for uri in uris if len(uri) <= EQ_MATCHES_AT_MOST]
    requests = [BatchRequest("GET", query("applications", filter="identifierUris/any(u:u eq '" + uri.replace("'", "''")
                                          + "')", select="id,appId,displayName,uniqueName,tags")) for uri in uris]
    found = {}
    for uri, response in zip(uris, await client.batch(requests)):
        if not response.ok:
            raise GraphRequestFailed(f"GET applications holding the identifier URI {uri}", response.error)
        found[uri] = response.body.get("value") or []
    return found


DELETED_APPLICATIONS = "directory/deletedItems/microsoft.graph.application"
DELETED_SERVICE_PRINCIPALS = "directory/deletedItems/microsoft.graph.servicePrincipal"
# What a restore is planned from besides the live lists' fields: what a SAML application's plan reads of it and of
# its service principal (saml/read.py), which cannot be read of a deleted object by its own path.
DELETED_APP_FIELDS = f"{APP_FIELDS},defaultRedirectUri"
DELETED_SP_FIELDS = f"{SP_FIELDS},samlSingleSignOnSettings,preferredTokenSigningKeyThumbprint,keyCredentials," \
    "deletedDateTime"


async def find_deleted(client: GraphClient, tag: str) -> dict[str, dict]:
    """The project's deleted applications by uniqueName, each with its `owners` (as the live list's, at most 20):
    Graph keeps a deleted application 30 days in deleted items and refuses meanwhile a create by its uniqueName.
    Read only when the plan would create an application, beside the look-ups of the names it would create; whole
    (the applications' fields), for a restore to be planned as an update, its owners as they will be back. One list,
    filtered by the project's tag as its live list is: a list of deleted items takes the query options of its type,
    `$expand` among them (directory-deleteditems-list.md), and Graph documents a filter on an application's tags,
    none on its uniqueName. A deleted application of another project holding a name is not looked for: the create
    is refused then, with Graph's answer, as before any restore existed."""
    listed = await client.get_all(query(DELETED_APPLICATIONS, filter=tagged(tag), select=DELETED_APP_FIELDS,
                                        expand=f"owners($select={OWNER_FIELDS})", top=PAGE))
    return {app["uniqueName"]: app for app in listed if app.get("uniqueName")}


async def find_deleted_service_principals(client: GraphClient, tag: str, app_ids: set[str]) -> list[dict]:
    """The deleted service principals of these applications (about to be restored), each with its `owners`, the
    last deleted last (an application's may be there twice: one deleted alone, and the one made again since, deleted
    with it; the last is what the project had, and the one restored): Graph restores an application without its
    service principal, which is restored on its own (directory-deleteditems-restore.md). One list by the project's
    tag, as its live service principals are read; read only by a plan that restores."""
    listed = await client.get_all(query(DELETED_SERVICE_PRINCIPALS, filter=tagged(tag), select=DELETED_SP_FIELDS,
                                        expand=f"owners($select={OWNER_FIELDS})", top=PAGE))
    return sorted((sp for sp in listed if sp.get("appId") in app_ids), key=lambda sp: sp.get("deletedDateTime") or "")


def unserved_app_ids(applications: list[dict], service_principals: list[dict], wanted_names) -> set[str]:
    """The appIds of the project's live applications the file names whose service principal is not live: an apply
    cut short between an application's restore and its service principal's (or one deleted alone) leaves one in
    deleted items, to restore -- its object id kept -- rather than a new one made that would hold its appId for
    good. None in a plan that makes no service principal."""
    wanted, served = set(wanted_names), {sp.get("appId") for sp in service_principals}
    app_ids = {app.get("appId") or app["ids"]["appId"] for app in applications if app.get("uniqueName") in wanted}
    return app_ids - served


# ---------------------------------------------------------------------------------------------- access packages
GOVERNANCE = "identityGovernance/entitlementManagement"


@dataclass
class LiveGovernance:
    catalogs: dict[str, dict] = field(default_factory=dict)  # display name (as configured, if it is) -> catalog
    resources: dict[str, list] = field(default_factory=dict)  # catalog id -> its resources (with roles, scopes)
    packages: list[dict] = field(default_factory=list)  # with resourceRoleScopes (role, scope) and catalog
    others: list[dict] = field(default_factory=list)  # every other package in the tenant, same shape
    policies: list[dict] = field(default_factory=list)  # of those packages, with accessPackage


@dataclass
class GovernanceLists:
    """Every access package (with role scopes and catalog), catalog and assignment policy, and the resources of the
    catalogs that may concern the project (see `governance_lists`)."""

    packages: list[dict]
    catalogs: list[dict]
    policies: list[dict]
    resources: dict[str, list]  # catalog id -> its resources (with roles, scopes)


async def governance_lists(client: GraphClient, catalog_names: set[str], marker: str,
                           service_principals: Awaitable[list[dict]],
                           keep_policy: Awaitable[Callable[[dict], dict]], early=None) -> GovernanceLists:
    """The three lists, read concurrently with each other and with the directory; then, without waiting for the
    directory's applications, the resources of every catalog that may concern the project: named by the
    configuration (`catalog_names`) or created by idamconf for it (its description is `marker`) -- as soon as the
    catalogs are listed -- or holding a package that grants a role of one of the project's service principals.
    Which packages are the project's is decided later (`read_governance`), from the applications. `keep_policy`:
    what to hold of each policy (it keeps `id` and `accessPackage`; plan/governance.policy_keeper), once known --
    the policies are read then: the people they name are resolved first, in two `$batch`es, and the policies are
    not the list read last. `early`: graph/early.Early, the lists read while the application files were read (if
    it has them, they are not read again)."""
    named = {name.casefold() for name in catalog_names}
    found = await early.lists() if early is not None else None
    if found is None:
        async def policies_kept():  # read once the people are known: the other two lists go meanwhile
            return await _policies(client, await keep_policy)

        packages, (catalogs, resources), policies = await asyncio.gather(
            _packages(client), _catalogs(client, named, marker), policies_kept())
    else:
        packages, catalogs, resources = found.packages, found.catalogs, dict(found.resources)
        keep = await keep_policy
        policies = [keep(marshal.loads(policy)) for policy in found.policies]
        resources |= await _catalog_resources(client, [catalog for catalog in _known(catalogs, named, marker)
                                                       if catalog["id"] not in resources])
    granting = {sp["id"] for sp in await service_principals}
    holding = {package["catalog"]["id"] for package in packages if _grants(package, granting)}
    late = [c for c in catalogs if c["id"] in holding and c["id"] not in resources]
    return GovernanceLists(packages, catalogs, policies, resources | await _catalog_resources(client, late))


async def early_governance(client: GraphClient, marker: str) -> GovernanceLists:
    """What `governance_lists` reads, as far as idamconf.yaml alone says what to read (graph/early.py): every
    package, every policy, the catalogs, and the resources of those idamconf created for the project (`marker`: its
    catalogs' description). Which people a policy names, and so what of it to keep, is the files' to say: each is
    held as `marshal` data until then, a third of the memory of its objects (13,000 policies: ~25 MB, not ~75)."""
    packages, (catalogs, resources), policies = await asyncio.gather(
        _packages(client), _catalogs(client, set(), marker), _policies(client, marshal.dumps))
    return GovernanceLists(packages, catalogs, policies, resources)


def _packages(client: GraphClient):
    return client.get_all(query(f"{GOVERNANCE}/accessPackages", select=PACKAGE_FIELDS,
                                expand="resourceRoleScopes($expand=role,scope),catalog", top=PAGE), keep_package)


def _policies(client: GraphClient, keep=None):
    return client.get_all(query(f"{GOVERNANCE}/assignmentPolicies", select=POLICY_FIELDS, expand="accessPackage",
                                top=PAGE), keep)


async def _catalogs(client: GraphClient, named: set[str], marker: str):
    """The catalogs, and at once the resources of those `_known`: the packages are the longer list."""
    catalogs = await client.get_all(query(f"{GOVERNANCE}/catalogs", select=CATALOG_FIELDS, top=PAGE))
    return catalogs, await _catalog_resources(client, _known(catalogs, named, marker))


def _known(catalogs: list[dict], named: set[str], marker: str) -> list[dict]:
    """The catalogs named by the configuration (folded names) or created by idamconf for the project."""
    return [c for c in catalogs if c["displayName"].casefold() in named or c.get("description") == marker]


keep_package = keeper(PACKAGE_SHAPE)


def _grants(package: dict, service_principals: set[str]) -> bool:
    return any((scope.get("scope") or {}).get("originId") in service_principals
               for scope in package.get("resourceRoleScopes") or [])


async def _catalog_resources(client: GraphClient, catalogs: list[dict]) -> dict[str, list]:
    listed = await asyncio.gather(*(client.get_all(query(f"{GOVERNANCE}/catalogs/{c['id']}/resources",
                                                         select=RESOURCE_FIELDS, top=PAGE)) for c in catalogs))
    return {catalog["id"]: resources for catalog, resources in zip(catalogs, listed)}


async def read_governance(client: GraphClient, catalog_names: list[str], service_principals: set[str],
                          marker: str, lists: GovernanceLists, named=frozenset(),
                          also: Callable[[dict], bool] = lambda package: False) -> LiveGovernance:
    """The catalogs involved -- named by the configuration, holding one of the project's packages, or created by
    idamconf for the project (their description is `marker`) -- with their resources; the packages granting roles
    of the project's applications, or named as the configuration names its packages of their own (`named`: their
    names, folded, in any catalog; plan/packages.py decides which of those are the project's); their policies. `lists`:
    what `governance_lists` read (a catalog it did not read the resources of is read here); `also`: packages taken
    as the project's whatever they grant (those an apply of its left behind: plan/left_behind.py)."""
    live = LiveGovernance()
    live.packages = [p for p in lists.packages if _grants(p, service_principals)
                     or bool(named) and (p.get("displayName") or "").casefold() in named or also(p)]
    mine = {id(p) for p in live.packages}
    live.others = [p for p in lists.packages if id(p) not in mine]
    spelled = {name.casefold(): name for name in catalog_names}  # Graph compares names case-insensitively
    for catalog in lists.catalogs:  # first: as listed, with its settings (plan/catalogs.py)
        name = catalog["displayName"]
        if name.casefold() in spelled or catalog.get("description") == marker:
            live.catalogs.setdefault(spelled.get(name.casefold(), name), catalog)
    for package in live.packages:  # then those only a package's expansion shows
        name = package["catalog"]["displayName"]
        live.catalogs.setdefault(spelled.get(name.casefold(), name), package["catalog"])
    ids = {package["id"] for package in live.packages}
    live.policies = [p for p in lists.policies if (p.get("accessPackage") or {}).get("id") in ids]
    missing = [c for c in live.catalogs.values() if c["id"] not in lists.resources]
    read = await _catalog_resources(client, missing) if missing else {}
    live.resources = {c["id"]: lists.resources[c["id"]] if c["id"] in lists.resources else read[c["id"]]
                      for c in live.catalogs.values()}
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


