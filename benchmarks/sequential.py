"""The apply baseline: the writes of a plan, one HTTP request each, one after the other -- no `$batch`, no
concurrency, no look-ups -- what a script making a request per object does.

    python -m benchmarks.sequential GRAPH_URL PLAN_JSON [--applications K]

PLAN_JSON is `idamconf plan --format json` for a tenant that has none of the applications yet. The writes are the
ones idamconf's apply makes for such a plan, with the same bodies: the catalog; per application, in plan order, the
application (uniqueName upsert, with its roles), its service principal (appId upsert), its owners and the service
principal's (by default the same people), its place in the catalog (a resource request), and per access package the package, its role scope and its assignment policy
(`idamconf.apply_access.policy_body`). Ids come from each write's answer; a role scope names its catalog resource by
the service principal's id (`originId`), which the emulator accepts, so no read is ever needed. `--applications K`
writes only the first K applications. Prints one JSON line: requests sent, seconds, applications written.
"""

from __future__ import annotations

import argparse
import json
import time

import httpx

from idamconf.apply_access import policy_body
from idamconf.plan.governance import catalog_description

GOV = "identityGovernance/entitlementManagement"
SYSTEM = "AadApplication"
CREATE_IF_MISSING = {"Prefer": "create-if-missing"}


class Writer:
    def __init__(self, http: httpx.Client, graph_url: str):
        self.http, self.graph_url, self.requests = http, graph_url, 0

    def write(self, method: str, path: str, body: dict, headers: dict | None = None) -> dict:
        self.requests += 1
        response = self.http.request(method, path, json=body, headers=headers)
        if response.status_code >= 300:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response.json() if response.content else {}

    def catalog(self, project: str, name: str) -> str:
        return self.write("POST", f"{GOV}/catalogs", {"displayName": name, "description": catalog_description(project),
                                                      "state": "published", "isExternallyVisible": False})["id"]

    def application(self, name: str, changes: list[dict], catalogs: dict[str, str]) -> None:
        of = {kind: [c for c in changes if c["kind"] == kind] for kind in
              ("application", "role", "service_principal", "owner", "service_principal_owner", "catalog_resource",
               "access_package", "role_scope", "policy")}
        body = {**of["application"][0]["after"], "appRoles": [c["after"] for c in of["role"]]}
        app = self.write("PATCH", f"applications(uniqueName='{name}')", body, CREATE_IF_MISSING)
        sp = self.write("PATCH", f"servicePrincipals(appId='{app['appId']}')", of["service_principal"][0]["after"],
                        CREATE_IF_MISSING)["id"]
        for kind, path in (("owner", f"applications/{app['id']}"), ("service_principal_owner", f"servicePrincipals/{sp}")):
            for owner in of[kind]:
                self.write("POST", f"{path}/owners/$ref",
                           {"@odata.id": f"{self.graph_url}/directoryObjects/{owner['ids']['userId']}"})
        for place in of["catalog_resource"]:
            self.write("POST", f"{GOV}/resourceRequests", {
                "requestType": "adminAdd", "resource": {"originId": sp, "originSystem": SYSTEM},
                "catalog": {"id": catalogs[place["after"]["catalog"]]}})
        for package in of["access_package"]:
            self.package(package, of, sp, catalogs)

    def package(self, package: dict, of: dict, sp: str, catalogs: dict[str, str]) -> None:
        after, role_id = package["after"], package["ids"]["roleId"]
        created = self.write("POST", f"{GOV}/accessPackages", {
            "displayName": after["displayName"], "description": after["description"], "isHidden": False,
            "catalog": {"id": catalogs[after["catalog"]]}})
        for scope in (c for c in of["role_scope"] if c["ids"]["roleId"] == role_id):
            self.write("POST", f"{GOV}/accessPackages/{created['id']}/resourceRoleScopes", {
                "role": {"originId": role_id, "originSystem": SYSTEM,
                         "resource": {"originId": sp, "originSystem": SYSTEM}},
                "scope": {"originId": sp, "originSystem": SYSTEM, "isRootScope": True}})
        for policy in (c for c in of["policy"] if c["ids"]["roleId"] == role_id):
            ids = dict(policy["ids"])
            ids["recurrence"] = tuple(ids["recurrence"]) if ids.get("recurrence") else None
            self.write("POST", f"{GOV}/assignmentPolicies", policy_body(policy["after"], ids, created["id"]))


def apply_sequentially(graph_url: str, plan: dict, applications: int | None) -> dict:
    by_application: dict[str, list[dict]] = {}
    for change in plan["changes"]:
        if change["action"] != "create":
            raise RuntimeError(f"the baseline writes new applications only, not {change['action']} {change['address']}")
        if change["kind"] != "catalog":
            by_application.setdefault(change["application"], []).append(change)
    names = list(by_application)[:applications]
    with httpx.Client(base_url=graph_url + "/", headers={"Authorization": "Bearer bench"}, timeout=120,
                      trust_env=False) as http:
        writer = Writer(http, graph_url)
        started = time.perf_counter()
        catalogs = {c["after"]["displayName"]: writer.catalog(plan["project"], c["after"]["displayName"])
                    for c in plan["changes"] if c["kind"] == "catalog"}
        for name in names:
            writer.application(name, by_application[name], catalogs)
        return {"requests": writer.requests, "seconds": time.perf_counter() - started, "applications": len(names),
                "of": len(by_application)}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sequential")
    parser.add_argument("graph_url")
    parser.add_argument("plan_json")
    parser.add_argument("--applications", type=int, default=None, help="write only the first K applications")
    arguments = parser.parse_args()
    with open(arguments.plan_json, encoding="utf-8") as file:
        plan = json.load(file)
    print(json.dumps(apply_sequentially(arguments.graph_url, plan, arguments.applications)))


if __name__ == "__main__":
    main()
