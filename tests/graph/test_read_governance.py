"""Which catalogs' resources a plan reads, and when: those that may concern the project are read as soon as the
access-package lists and the service principals are in (without waiting for the applications); a catalog found to
concern the project only once the applications are in is read then."""

from __future__ import annotations

import asyncio

from idamconf.graph.read import GOVERNANCE, GovernanceLists, governance_lists, read_governance

MARKER = "Access packages managed by idamconf (p)."


class Lists:
    """A GraphClient's get_all over fixed lists, recording what was read."""

    def __init__(self, lists: dict[str, list]):
        self.lists, self.read = lists, []

    async def get_all(self, path: str, keep=None) -> list[dict]:
        self.read.append(path.split("?")[0].removeprefix(GOVERNANCE + "/"))
        return [keep(item) if keep else item for item in self.lists.get(self.read[-1], [])]


def catalog(number: int, description: str = "") -> dict:
    return {"id": f"c{number}", "displayName": f"Catalog {number}", "description": description}


def package(number: int, catalog_number: int, service_principal: str) -> dict:
    return {"id": f"p{number}", "catalog": catalog(catalog_number),
            "resourceRoleScopes": [{"scope": {"originId": service_principal}}]}


def resources(number: int) -> list[dict]:
    return [{"id": f"r{number}", "originId": "sp"}]


def test_catalogs_that_may_concern_the_project_are_read_with_the_lists():
    client = Lists({"accessPackages": [package(1, 3, "sp-mine"), package(2, 4, "sp-other")],
                    "catalogs": [catalog(1), catalog(2, MARKER), catalog(3), catalog(4), catalog(5)],
                    "assignmentPolicies": [], **{f"catalogs/c{n}/resources": resources(n) for n in range(1, 6)}})

    async def service_principals():
        return [{"id": "sp-mine"}]

    async def whole():
        return lambda policy: policy

    lists = asyncio.run(governance_lists(client, {"Catalog 1"}, MARKER, service_principals(), whole()))
    # named by the configuration, created by idamconf for the project, holding a package of one of its principals
    assert sorted(lists.resources) == ["c1", "c2", "c3"]
    assert sorted(path for path in client.read if path.endswith("/resources")) == [
        "catalogs/c1/resources", "catalogs/c2/resources", "catalogs/c3/resources"]


def test_a_catalog_not_read_with_the_lists_is_read_when_it_turns_out_to_concern_the_project():
    client = Lists({"catalogs/c4/resources": resources(4)})
    lists = GovernanceLists(packages=[package(1, 4, "sp-mine"), package(2, 5, "sp-other")],
                            catalogs=[catalog(1), catalog(4), catalog(5)], policies=[],
                            resources={"c1": resources(1)})
    live = asyncio.run(read_governance(client, ["Catalog 1"], {"sp-mine"}, MARKER, lists))
    assert client.read == ["catalogs/c4/resources"]  # c1's were read already; c5 does not concern the project
    assert live.resources == {"c4": resources(4), "c1": resources(1)}
    assert [p["id"] for p in live.packages] == ["p1"] and [p["id"] for p in live.others] == ["p2"]


def test_a_package_page_is_kept_as_the_plan_reads_it():
    from idamconf.graph.read import PACKAGE_SHAPE, keeper

    sent = {"id": "p1", "displayName": "P", "description": None, "isHidden": False,
            "catalog": {"id": "c1", "displayName": "C", "state": "published"},
            "resourceRoleScopes": [{"id": "s1", "createdDateTime": "2026-01-01T00:00:00Z",
                                    "role": {"id": "r", "originId": "role-1", "displayName": "Role"},
                                    "scope": {"id": "x", "originId": "sp-1", "isRootScope": True}}]}
    assert keeper(PACKAGE_SHAPE)(sent) == {
        "id": "p1", "displayName": "P", "description": None, "isHidden": False,
        "catalog": {"id": "c1", "displayName": "C"},
        "resourceRoleScopes": [{"id": "s1", "role": {"originId": "role-1"}, "scope": {"originId": "sp-1"}}]}
    assert keeper(PACKAGE_SHAPE)({"id": "p2", "catalog": None}) == {"id": "p2", "catalog": None}
