"""Reading what a pull request's plan needs (`plan --changed-since`): the changed applications, not the tenant's.

A plan of the applications whose files changed reads them by their key (`uniqueName`, Graph's alternate key:
`applications(uniqueName='...')`) in `$batch`es of look-ups, then -- side by side -- their owners, and their service
principals plainly, with their owners, and with the app role assignments they grant: the full plan's lists
filtered by `appId in (...)` (Graph documents `eq` on a service principal's appId, and `in` wherever `eq` works by
default: concepts/aad-advanced-queries.md; at most 15 values an `in`, by Graph's known issues). Two rounds of
requests instead of the directory's lists of 100 pages. A deleted file's application is looked up by its key too,
so that its deletion shows.

Entitlement management (`named_governance`): Graph documents no filter on a package's role scopes -- which packages
grant a role is known only from all of them, 14 pages of 999 one after the other at 10,000 applications -- but it
does on a package's display name. So the packages are read by the names the changed files give them, now and at the
ref they changed since (`earlier`: a package the change removes or renames is found by its old name, and its
deletion shows), then in a second round -- beside the service principals' read -- their policies (`accessPackage/id
eq`) and the changed service principals' places in the catalogs (`originId eq`), by the service principal those
packages name (`_Places`: checked against the read; what it missed, a third round). A package granting a changed
application's role under a name neither version of the file gives it was made or renamed outside idamconf: drift,
which the full plan shows. Drift of any other application is not looked for: the full plan (without
`--changed-since`) finds it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from urllib.parse import quote

from .client import BatchRequest, GraphClient, GraphRequestFailed, query
from .read import (APP_FIELDS, CATALOG_FIELDS, GOVERNANCE, OWNER_FIELDS, PACKAGE_FIELDS, PAGE, POLICY_FIELDS,
                   RESOURCE_FIELDS, GovernanceLists, keep_package, read_service_principals)
from .read_assignments import IN_LIMIT, batched_lists, read_relationships
from .streams import literal


@dataclass(frozen=True)
class ByAppId:
    """A list narrowed to some applications' service principals: one `appId in (...)` clause a request (the
    `ranges` of graph/streams.Streams, which splits a whole list instead)."""

    app_ids: tuple[str, ...]

    def ranges(self, page: int) -> list[str]:
        chunks = [self.app_ids[start:start + IN_LIMIT] for start in range(0, len(self.app_ids), IN_LIMIT)]
        return ["appId in (" + ",".join(f"'{app_id}'" for app_id in chunk) + ")" for chunk in chunks]


class Changed:
    """The reads of a plan limited to applications `names` (keys), started at once: `applications` (with their
    owners, each through `keep` as it arrives), `service_principals`, `relationships`, each a future."""

    def __init__(self, client: GraphClient, tag: str, names: list[str], keep):
        found = asyncio.ensure_future(looked_up(client, tag, names))
        self.applications = asyncio.ensure_future(with_owners(client, found, keep))
        narrowed = asyncio.ensure_future(self._narrowed(found))  # beside the owners: both need only the look-ups
        self.service_principals = asyncio.ensure_future(self._then(narrowed, read_service_principals, client, tag))
        self.relationships = asyncio.ensure_future(self._then(narrowed, read_relationships, client, tag))

    @staticmethod
    async def _narrowed(found) -> ByAppId:
        return ByAppId(tuple(sorted({app["appId"] for app in await found})))

    @staticmethod
    async def _then(narrowed, read, client, tag):
        return await read(client, tag, await narrowed)


async def looked_up(client: GraphClient, tag: str, names: list[str]) -> list[dict]:
    """The project's applications of these keys; one that is not the project's is left to `find_unmanaged`, as in
    a full plan."""
    requests = [BatchRequest("GET", query(f"applications(uniqueName='{quote(name)}')", select=APP_FIELDS))
                for name in names]
    found = []
    for name, response in zip(names, await client.batch(requests)):
        if not response.ok and response.status != 404:
            raise GraphRequestFailed(f"GET applications(uniqueName='{name}')", response.error)
        if response.ok and tag.lower() in {t.lower() for t in response.body.get("tags") or []}:
            found.append(response.body)
    return found


async def with_owners(client: GraphClient, looked, keep) -> list[dict]:
    """The applications looked up, with their owners, each through `keep` (what a plan holds of it: see
    workflow._keeper): Graph documents only `$select` on a single application, so the owners are read in a second
    round of `$batch`es, as lists."""
    found = await looked
    owners = await batched_lists(client, [query(f"applications/{app['id']}/owners", select=OWNER_FIELDS)
                                          for app in found])
    for app, listed in zip(found, owners):
        app["owners"] = listed
    return [keep(app) for app in found]


class Whole:
    """The same reads for a full plan: the project's lists, each split into `streams` (graph/streams.py); the
    applications are read by `read_live` itself (None here)."""

    def __init__(self, client: GraphClient, tag: str, streams):
        self.applications = None
        self.service_principals = read_service_principals(client, tag, streams)
        self.relationships = asyncio.ensure_future(read_relationships(client, tag, streams))


async def named_governance(client: GraphClient, names: set[str], catalog_names: set[str], marker: str,
                           service_principals, keep_policy, roles: frozenset[str] = frozenset(),
                           naming=None) -> GovernanceLists:
    """`governance_lists` of a pull request's plan: the packages of these display names (in any catalog), their
    policies, the catalogs, and the places in them of the changed applications' service principals (see the
    module's notes). A name is compared as Graph compares it; each look-up is one request of a `$batch`.

    Two rounds, beside the directory's: the packages and the catalogs; then, as soon as they are in, the packages'
    policies and the places -- without waiting for the service principals when the packages already say which they
    are (`_Places`; `roles`: the changed applications' app role ids). A package of its own granting a group's
    membership needs the group in its catalog too: the places of the groups the packages found grant, and of those
    the changed files' packages name (`naming`, a future of plan/policy.subject_names), are read as well."""
    expand = "resourceRoleScopes($expand=role,scope),catalog"
    asked = sorted(names)
    packages, catalogs = await asyncio.gather(
        batched_lists(client, [query(f"{GOVERNANCE}/accessPackages", filter=f"displayName eq {literal(name)}",
                                     select=PACKAGE_FIELDS, expand=expand) for name in asked]),
        client.get_all(query(f"{GOVERNANCE}/catalogs", select=CATALOG_FIELDS, top=PAGE)))
    seen, found = set(), []
    for package in (keep_package(package) for listed in packages for package in listed):
        if package["id"] not in seen:
            seen.add(package["id"])
            found.append(package)
    named = {name.casefold() for name in catalog_names}
    held = {package["catalog"]["id"] for package in found}
    known = [c["id"] for c in catalogs if c["displayName"].casefold() in named or c.get("description") == marker
             or c["id"] in held]
    policies = asyncio.ensure_future(batched_lists(client, [  # they need only the packages: sent now
        query(f"{GOVERNANCE}/assignmentPolicies", filter=f"accessPackage/id eq '{package['id']}'",
              select=POLICY_FIELDS, expand="accessPackage") for package in found]))
    granted = granted_groups(found)
    places = _Places(client, known, holders(found, roles) + granted)
    try:
        named_groups = {key for key, name in (await naming if naming is not None else {}).items()
                        if name.startswith("group:")}
        principals = sorted({sp["id"] for sp in await service_principals}) + sorted(named_groups | set(granted))
        keep, listed, by_catalog = await asyncio.gather(keep_policy, policies, places.of(principals))
    except BaseException:
        policies.cancel()
        places.cancel()
        raise
    return GovernanceLists(found, catalogs, [keep(policy) for each in listed for policy in each], by_catalog)


def holders(packages: list[dict], roles: frozenset[str]) -> list[str]:
    """The service principals the packages' role scopes name as holding one of `roles` (app role ids): the changed
    applications' own, unless a package names one it no longer is (the application made again, a new id)."""
    wanted = {role.casefold() for role in roles}
    scopes = [scope for package in packages for scope in package.get("resourceRoleScopes") or ()]
    return sorted({(scope.get("scope") or {}).get("originId") for scope in scopes
                   if str((scope.get("role") or {}).get("originId")).casefold() in wanted} - {None})


def granted_groups(packages: list[dict]) -> list[str]:
    """The groups whose membership the packages grant (a role scope's role `Member_<group id>`), lower-cased."""
    from ..plan.packages import MEMBER

    origins = [str((scope.get("role") or {}).get("originId") or "") for package in packages
               for scope in package.get("resourceRoleScopes") or ()]
    return sorted({origin[len(MEMBER):].lower() for origin in origins if origin.startswith(MEMBER)})


class _Places:
    """The service principals' places in the catalogs (their catalog resources: `originId eq`, the one filter
    Graph documents on them besides `id`), each catalog asked about each service principal.

    Which service principals are the changed applications' is known for certain only from their read (by `appId`,
    in the second round), which would put the places in a third. But a package granting one of their roles names
    its service principal already (its role scope's `originId`), and the packages come in the first round: the
    places of those (`guessed`) are asked at once, beside the service principals' read, and `of` then asks only for
    what the guess missed -- nothing, when the changed applications already have their packages. The answers kept
    are those of the service principals read, whatever was guessed: the same requests, the same result, a round
    sooner."""

    def __init__(self, client: GraphClient, catalogs: list[str], guessed: list[str]):
        self.client, self.catalogs = client, catalogs
        self._asked = [(catalog, sp) for catalog in catalogs for sp in guessed]
        self._early = asyncio.ensure_future(self._read(self._asked))

    async def _read(self, places: list[tuple[str, str]]) -> dict[tuple[str, str], list]:
        listed = await batched_lists(self.client, [query(f"{GOVERNANCE}/catalogs/{catalog}/resources",
                                                         filter=f"originId eq '{sp}'", select=RESOURCE_FIELDS)
                                                   for catalog, sp in places])
        return dict(zip(places, listed))

    async def of(self, principals: list[str]) -> dict[str, list]:
        """Each catalog's resources of these service principals (catalog id -> its resources)."""
        wanted = [(catalog, sp) for catalog in self.catalogs for sp in principals]
        asked = set(self._asked)
        early, late = await asyncio.gather(self._early, self._read([p for p in wanted if p not in asked]))
        read = early | late
        by_catalog: dict[str, list] = {catalog: [] for catalog in self.catalogs}
        for catalog, sp in wanted:
            by_catalog[catalog] += read[(catalog, sp)]
        return by_catalog

    def cancel(self) -> None:
        self._early.cancel()
