"""A Terraform-style reader: one request per object, 10 in flight, as the azuread provider refreshes its state.

    python -m benchmarks.per_object GRAPH_URL TAG [--sample N]

Terraform refreshes each resource in its state on its own (`terraform plan`'s default parallelism is 10): for an
application its object and its owners, its service principal, each access package and each assignment policy --
fewer requests than the provider really makes (it also reads each package's resource associations and each
app role assignment), so this is a floor for that way of reading. The ids come from the tenant's lists, read
first and not timed (Terraform has them in its state). Reading all of them takes an hour at 250 ms a request, so
`--sample N` reads N requests spread evenly over the kinds and objects, 10 in flight, and extrapolates linearly
to all of them. Prints one JSON line: requests in all, requests read, seconds, and the extrapolated seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

GOV = "identityGovernance/entitlementManagement"
IN_FLIGHT = 10


def tagged(tag: str) -> str:
    return "tags/any(t:t eq '" + tag.replace("'", "''") + "')"


async def ids(http, path: str, options: dict) -> list[str]:
    found, response = [], await http.get(path, params={**options, "$select": "id", "$top": "999"})
    while True:
        response.raise_for_status()
        body = response.json()
        found += [item["id"] for item in body["value"]]
        if not body.get("@odata.nextLink"):
            return found
        response = await http.get(body["@odata.nextLink"])


async def requests_of(http, tag: str) -> list[str]:
    """Every request the refresh makes, kind by kind."""
    applications, principals, packages, policies = await asyncio.gather(
        ids(http, "applications", {"$filter": tagged(tag)}), ids(http, "servicePrincipals", {"$filter": tagged(tag)}),
        ids(http, f"{GOV}/accessPackages", {}), ids(http, f"{GOV}/assignmentPolicies", {}))
    return ([f"applications/{i}" for i in applications] + [f"applications/{i}/owners" for i in applications]
            + [f"servicePrincipals/{i}" for i in principals] + [f"{GOV}/accessPackages/{i}" for i in packages]
            + [f"{GOV}/assignmentPolicies/{i}" for i in policies])


async def refresh(graph_url: str, tag: str, sample: int) -> dict:
    import httpx

    async with httpx.AsyncClient(base_url=graph_url + "/", headers={"Authorization": "Bearer bench"}, timeout=120,
                                 trust_env=False, limits=httpx.Limits(max_connections=IN_FLIGHT)) as http:
        every = await requests_of(http, tag)
        step = max(1, len(every) // sample)
        chosen = every[::step][:sample]
        slots = asyncio.Semaphore(IN_FLIGHT)

        async def one(path: str) -> None:
            async with slots:
                (await http.get(path)).raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(one(path) for path in chosen))
        seconds = time.perf_counter() - started
    return {"requests": len(every), "read": len(chosen), "seconds": seconds,
            "extrapolated_seconds": seconds * len(every) / len(chosen)}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.per_object")
    parser.add_argument("graph_url")
    parser.add_argument("tag")
    parser.add_argument("--sample", type=int, default=1000)
    arguments = parser.parse_args()
    print(json.dumps(asyncio.run(refresh(arguments.graph_url, arguments.tag, arguments.sample))))


if __name__ == "__main__":
    main()
