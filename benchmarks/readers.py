"""Reading what a plan reads, two ways, as a process of its own (so its start-up and peak RSS are measured too):

    python -m benchmarks.readers raw   GRAPH_URL TAG              # the floor: plain httpx + json
    python -m benchmarks.readers typed GRAPH_URL TAG [--pages K] [--top T]  # msgraph-sdk's typed GraphServiceClient

Both read the same pages -- the same URLs, query options and page sizes as idamconf's plan: the project's
applications (tag `$filter`, `$select` of the managed fields, `$expand=owners`, `$top=999`), its service
principals (plainly, with their owners, and with the app role assignments they grant), every access package with
its role scopes (role, scope) and catalog, every catalog, every assignment policy with its access package (each
of the governance lists with `$select` of what a plan uses), and each catalog's resources (their ids and origin
ids). The floor reads the lists concurrently, as idamconf does (and each catalog's resources as soon as the catalogs are in, as idamconf does); the
typed client reads them one after the other, as a script would (it is busy deserialising, not waiting). For extrapolation, `--pages K` stops each list after K pages and `--top T` asks for
pages of T objects instead of 999. Prints one JSON line: per list its pages, objects, seconds, whether it was
read to the end, and the objects and seconds of its first page (which also pays one-time costs: the typed
client's first models import hundreds of modules).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path

from idamconf.graph.read import (APP_FIELDS, CATALOG_FIELDS, PACKAGE_FIELDS, POLICY_FIELDS, RESOURCE_FIELDS,
                                 SP_FIELDS)
from idamconf.graph.read_assignments import ASSIGNMENT_FIELDS
from idamconf.graph.read_permissions import API_FIELDS, GRANT_FIELDS
from idamconf.graph.read_permissions import ASSIGNMENT_FIELDS as CONSENT_FIELDS

GOV = "identityGovernance/entitlementManagement"
OWNER_FIELDS = "id,userPrincipalName"
PAGE = 999


def tagged(tag: str) -> str:
    return "tags/any(t:t eq '" + tag.replace("'", "''") + "')"


def lists(tag: str, top: int = PAGE) -> list[tuple[str, str, dict]]:
    """(name, path, query options) of the lists a plan reads, catalog resources aside (they need catalog ids)."""
    return [
        ("applications", "applications", {"$filter": tagged(tag), "$select": APP_FIELDS,
                                          "$expand": f"owners($select={OWNER_FIELDS})", "$top": str(top)}),
        ("servicePrincipals", "servicePrincipals", {"$filter": tagged(tag), "$select": SP_FIELDS, "$top": str(top)}),
        *((f"servicePrincipals.{relation}", "servicePrincipals",
           {"$filter": tagged(tag), "$select": "id", "$expand": f"{relation}($select={fields})", "$top": str(top)})
          for relation, fields in (("owners", OWNER_FIELDS), ("appRoleAssignedTo", ASSIGNMENT_FIELDS))),
        ("accessPackages", f"{GOV}/accessPackages", {"$select": PACKAGE_FIELDS,
                                                     "$expand": "resourceRoleScopes($expand=role,scope),catalog",
                                                     "$top": str(top)}),
        ("catalogs", f"{GOV}/catalogs", {"$select": CATALOG_FIELDS, "$top": str(top)}),
        ("assignmentPolicies", f"{GOV}/assignmentPolicies", {"$select": POLICY_FIELDS, "$expand": "accessPackage",
                                                             "$top": str(top)}),
    ]


def api_lookup(api: str) -> tuple[str, str, dict]:
    """The service principal of an API the configuration names by display name (`--api`)."""
    return "api", "servicePrincipals", {"$filter": f"displayName eq '{api}'", "$select": API_FIELDS}


def consent_lists(api_id: str, top: int = PAGE) -> list[tuple[str, str, dict]]:
    """The consents to an API: application permissions granted (its appRoleAssignedTo) and administrators'
    delegated grants (oauth2PermissionGrants naming it), as graph/read_permissions.read_consents reads them."""
    return [("consents.assigned", f"servicePrincipals/{api_id}/appRoleAssignedTo",
             {"$select": CONSENT_FIELDS, "$top": str(top)}),
            ("consents.granted", "oauth2PermissionGrants",
             {"$select": GRANT_FIELDS, "$top": str(top),
              "$filter": f"resourceId eq '{api_id}' and consentType eq 'AllPrincipals'"})]


def resources_list(catalog_id: str, top: int = PAGE) -> tuple[str, str, dict]:
    return "catalogResources", f"{GOV}/catalogs/{catalog_id}/resources", {"$select": RESOURCE_FIELDS, "$top": str(top)}


class Tally:
    def __init__(self):
        self.lists: dict[str, dict] = {}

    def add(self, name: str, pages: int, objects: int, seconds: float, complete: bool,
            first: tuple[int, float]) -> None:
        """`first`: the objects and seconds of the list's first page (it also pays one-time costs)."""
        entry = self.lists.setdefault(name, {"pages": 0, "objects": 0, "seconds": 0.0, "complete": True,
                                             "first_page": {"objects": first[0], "seconds": first[1]}})
        entry["pages"] += pages
        entry["objects"] += objects
        entry["seconds"] += seconds
        entry["complete"] = entry["complete"] and complete


# ----------------------------------------------------------------------------------------------- the raw floor
def streamed(entries: list, names: list[str]) -> list:
    """The directory's lists split into displayName ranges as idamconf splits them (graph/streams.py), for
    `names`, the configuration's display names; each range is a list of the same name."""
    from idamconf.graph.streams import EXPANDED_PAGE, Streams, joined

    streams, split = Streams.of(names), []
    for name, path, options in entries:
        if path not in ("applications", "servicePrincipals"):
            split.append((name, path, options))
            continue
        page = EXPANDED_PAGE if "$expand" in options else int(options["$top"])
        split += [(name, path, {**options, "$filter": joined(options["$filter"], clause)})
                  for clause in streams.ranges(page)]
    return split


async def read_raw(graph_url: str, tag: str, max_pages: int | None, top: int = PAGE,
                   apis: tuple[str, ...] = (), names: list[str] | None = None) -> Tally:
    import httpx

    tally = Tally()
    async with httpx.AsyncClient(base_url=graph_url + "/", headers={"Authorization": "Bearer bench"},
                                 timeout=120, trust_env=False) as http:
        async def read(name: str, path: str, options: dict) -> list[dict]:
            started, objects, pages, first = time.perf_counter(), [], 0, None
            response = await http.get(path, params=options)
            while True:
                response.raise_for_status()
                body = json.loads(response.content)
                objects += body["value"]
                pages += 1
                first = first or (len(objects), time.perf_counter() - started)
                url = body.get("@odata.nextLink")
                if not url or pages == max_pages:
                    break
                response = await http.get(url)
            tally.add(name, pages, len(objects), time.perf_counter() - started, not url, first)
            return objects

        entries = streamed(lists(tag, top), names) if names else lists(tag, top)

        listed = next(entry for entry in entries if entry[0] == "catalogs")

        async def catalogs_and_their_resources() -> None:  # as idamconf does: without waiting for the applications
            catalogs = await read(*listed)
            await asyncio.gather(*(read(*resources_list(catalog["id"], top)) for catalog in catalogs))

        async def consents(api: str) -> None:  # `--api`: as a plan naming the API's permissions reads them
            for principal in await read(*api_lookup(api)):
                await asyncio.gather(*(read(*entry) for entry in consent_lists(principal["id"], top)))

        await asyncio.gather(*(read(*entry) for entry in entries if entry is not listed),
                             catalogs_and_their_resources(), *(consents(api) for api in apis))
    return tally


# --------------------------------------------------------------------------------------------- the typed client
def _typed_client(graph_url: str):
    import httpx
    from kiota_abstractions.authentication import AccessTokenProvider, AllowedHostsValidator
    from kiota_abstractions.authentication import BaseBearerTokenAuthenticationProvider
    from msgraph import GraphRequestAdapter, GraphServiceClient
    from msgraph_core import GraphClientFactory

    class Token(AccessTokenProvider):
        async def get_authorization_token(self, uri, additional_authentication_context=None) -> str:
            return "bench"

        def get_allowed_hosts_validator(self) -> AllowedHostsValidator:
            return AllowedHostsValidator([])

    raw = httpx.AsyncClient(base_url=graph_url, timeout=120, trust_env=False)
    http = GraphClientFactory.create_with_default_middleware(client=raw)
    adapter = GraphRequestAdapter(BaseBearerTokenAuthenticationProvider(Token()), http)
    adapter.base_url = graph_url
    return GraphServiceClient(request_adapter=adapter), raw


def _parameters(builder, options: dict):
    from kiota_abstractions.base_request_configuration import RequestConfiguration

    values = {}
    for option, value in options.items():
        name = option.removeprefix("$")
        if name == "top":
            value = int(value)
        elif name == "select" or (name == "expand" and "(" not in value):
            value = value.split(",")
        elif name == "expand":
            value = [value]  # one item: kiota joins the list with commas, the nested options stay whole
        values[name] = value
    parameters = getattr(type(builder), f"{type(builder).__name__}GetQueryParameters")
    return RequestConfiguration(query_parameters=parameters(**values))


async def read_typed(graph_url: str, tag: str, max_pages: int | None, top: int = PAGE) -> Tally:
    client, raw = _typed_client(graph_url)
    management = client.identity_governance.entitlement_management
    builders = {"applications": client.applications, "servicePrincipals": client.service_principals,
                "servicePrincipals.owners": client.service_principals,
                "servicePrincipals.appRoleAssignedTo": client.service_principals,
                "accessPackages": management.access_packages, "catalogs": management.catalogs,
                "assignmentPolicies": management.assignment_policies}
    tally = Tally()

    async def read(name: str, builder, options: dict) -> list:
        started, objects, pages, first = time.perf_counter(), [], 0, None
        page = await builder.get(request_configuration=_parameters(builder, options))
        while True:
            objects += page.value or []
            pages += 1
            first = first or (len(objects), time.perf_counter() - started)
            url = page.odata_next_link
            if not url or pages == max_pages:
                break
            page = await builder.with_url(url).get()
        tally.add(name, pages, len(objects), time.perf_counter() - started, not url, first)
        return objects

    try:
        catalogs = []
        for name, _, options in lists(tag, top):
            objects = await read(name, builders[name], options)
            catalogs = objects if name == "catalogs" else catalogs
        for catalog in catalogs:
            name, _, options = resources_list(catalog.id, top)
            await read(name, management.catalogs.by_access_package_catalog_id(catalog.id).resources, options)
    finally:
        await raw.aclose()
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.readers")
    parser.add_argument("mode", choices=["raw", "typed"])
    parser.add_argument("graph_url")
    parser.add_argument("tag")
    parser.add_argument("--pages", type=int, default=None, help="read at most this many pages of each list")
    parser.add_argument("--top", type=int, default=PAGE, help="objects per page asked for (default 999)")
    parser.add_argument("--api", action="append", default=[], help="(raw) also read the consents to this API, "
                                                                    "named by display name (repeatable)")
    parser.add_argument("--names", default=None, help="(raw) a JSON file of the configuration's display names: "
                                                       "read the directory's lists as idamconf's streams")
    arguments = parser.parse_args()
    reader = read_raw if arguments.mode == "raw" else read_typed
    options = {"apis": tuple(arguments.api)} if arguments.api else {}
    if arguments.names:
        options["names"] = json.loads(Path(arguments.names).read_text(encoding="utf-8"))
    if arguments.mode == "raw":
        # httpx imports its transport when the client is made and at the first request: start-up, not reading (a
        # plan imports it while its files are read), so before the clock starts.
        import anyio._backends._asyncio  # noqa: F401
        import httpcore  # noqa: F401
    started = time.perf_counter()
    tally = asyncio.run(reader(arguments.graph_url, arguments.tag, arguments.pages, arguments.top, **options))
    print(json.dumps({"mode": arguments.mode, "read_seconds": time.perf_counter() - started, "lists": tally.lists}))


if __name__ == "__main__":
    main()
