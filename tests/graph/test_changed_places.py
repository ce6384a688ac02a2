"""A pull request's plan asks for the changed applications' places in the catalogs (`originId eq`) beside the read of
their service principals, by the service principal their packages already name, instead of one round after it; the
places it answers with are those of the service principals read, whatever was guessed (graph/read_changed._Places).
"""

from __future__ import annotations

import asyncio
import re
from urllib.parse import unquote

from idamconf.graph.client import Response
from idamconf.graph.read import GOVERNANCE
from idamconf.graph.read_changed import named_governance

ROLE = "0d7f4c5e-1111-4a6b-9d3c-000000000001"


def package(number: int, catalog: str, service_principal: str, role: str = ROLE) -> dict:
    return {"id": f"p{number}", "displayName": f"Package {number}", "catalog": {"id": catalog, "displayName": catalog},
            "resourceRoleScopes": [{"id": f"s{number}", "role": {"originId": role},
                                    "scope": {"originId": service_principal}}]}


class Tenant:
    """A GraphClient's `batch` and `get_all` over a few packages, catalogs and catalog resources, recording each
    request as it is sent: ('places', catalog, service principal), ('packages', name), ('policies', package)."""

    def __init__(self, packages: list[dict], resources: dict[tuple[str, str], list]):
        self.packages, self.resources, self.sent = packages, resources, []
        self.catalogs = sorted({p["catalog"]["id"] for p in packages} | {catalog for catalog, _ in resources})

    async def get_all(self, path: str, keep=None) -> list[dict]:
        assert path.startswith(f"{GOVERNANCE}/catalogs?"), path
        return [{"id": c, "displayName": c, "description": ""} for c in self.catalogs]

    async def batch(self, requests) -> list[Response]:
        return [Response(200, {"value": self._answer(unquote(request.url))}) for request in requests]

    def _answer(self, url: str) -> list[dict]:
        if place := re.search(r"catalogs/([^/]+)/resources\?.*originId eq '([^']+)'", url):
            self.sent.append(("places", place[1], place[2]))
            return self.resources.get((place[1], place[2]), [])
        if name := re.search(r"accessPackages\?.*displayName eq '([^']+)'", url):
            self.sent.append(("packages", name[1]))
            return [p for p in self.packages if p["displayName"] == name[1]]
        policy = re.search(r"assignmentPolicies\?.*accessPackage/id eq '([^']+)'", url)
        self.sent.append(("policies", policy[1]))
        return [{"id": f"policy of {policy[1]}", "accessPackage": {"id": policy[1]}}]


def planned(tenant: Tenant, catalogs: set[str], read_principal: str):
    """named_governance with the service principals' read held back: (what was sent before it answered, the lists)."""

    async def run():
        answer: asyncio.Future = asyncio.get_running_loop().create_future()

        async def kept():
            return lambda policy: policy

        task = asyncio.ensure_future(named_governance(tenant, {"Package 1", "Package 2"}, catalogs, "marker",
                                                      answer, asyncio.ensure_future(kept()), frozenset({ROLE})))
        for _ in range(20):  # everything that does not wait for the service principals is sent meanwhile
            await asyncio.sleep(0)
        before = list(tenant.sent)
        answer.set_result([{"id": read_principal}])
        return before, await task

    return asyncio.run(run())


def test_the_places_are_asked_before_the_service_principals_are_read_when_the_packages_name_them():
    tenant = Tenant([package(1, "c1", "sp-1"), package(2, "c2", "sp-1")],
                    {("c1", "sp-1"): [{"id": "r1", "originId": "sp-1"}],
                     ("c2", "sp-1"): [{"id": "r2", "originId": "sp-1"}]})
    before, lists = planned(tenant, {"c1"}, "sp-1")
    places = [sent for sent in tenant.sent if sent[0] == "places"]
    assert sorted(places) == [("places", "c1", "sp-1"), ("places", "c2", "sp-1")]  # both catalogs, once each
    assert all(place in before for place in places)  # none waited for the service principals' read
    assert {("policies", "p1"), ("policies", "p2")} <= set(before)  # nor did the policies
    assert lists.resources == {"c1": [{"id": "r1", "originId": "sp-1"}], "c2": [{"id": "r2", "originId": "sp-1"}]}
    assert sorted(p["id"] for p in lists.policies) == ["policy of p1", "policy of p2"]


def test_a_package_naming_another_service_principal_is_checked_against_the_read_and_the_right_places_asked_after():
    """The application made again since its package was (a new service principal): what was guessed is asked, and
    not used; the read service principal's places are asked once it is known, and only those are answered."""
    tenant = Tenant([package(1, "c1", "sp-old")], {("c1", "sp-old"): [{"id": "r-old", "originId": "sp-old"}],
                                                   ("c1", "sp-new"): [{"id": "r-new", "originId": "sp-new"}]})
    before, lists = planned(tenant, {"c1"}, "sp-new")
    assert ("places", "c1", "sp-old") in before and ("places", "c1", "sp-new") not in before
    assert ("places", "c1", "sp-new") in tenant.sent
    assert lists.resources == {"c1": [{"id": "r-new", "originId": "sp-new"}]}


def test_with_no_package_granting_the_changed_roles_the_places_wait_for_the_service_principals():
    """A package of another application's role (or none at all) names no service principal of the changed ones:
    nothing is guessed, and the places of the catalogs that concern the change are asked once the read says."""
    tenant = Tenant([package(1, "c1", "sp-other", role="role of another application")], {("c2", "sp-1"): []})
    before, lists = planned(tenant, {"c2"}, "sp-1")
    assert not [sent for sent in before if sent[0] == "places"]
    assert sorted(sent for sent in tenant.sent if sent[0] == "places") == [("places", "c1", "sp-1"),
                                                                            ("places", "c2", "sp-1")]
    assert lists.resources == {"c1": [], "c2": []}
