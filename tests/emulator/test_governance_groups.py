"""Groups in entitlement management, as Graph serves them: a group is added to a catalog (originSystem AadGroup), its
roles are Member and Owner (originId `Member_<group id>`), a package grants its membership by a role scope on the
group's root scope -- and what Graph refuses: a group that does not exist, a role scope whose originSystem is not the
resource's, a role the group does not have, a group still used by a package leaving the catalog."""

from __future__ import annotations

from idamconf.emulator.seed import seed

from .conftest import assert_error
from .test_governance import EM, catalog, package

GROUP = "2b7d3c4e-5f60-4a1b-8c2d-3e4f5a6b0002"
AAD_GROUP = "AadGroup"


def group_request(api, catalog_id: str, group_id: str = GROUP, kind: str = "adminAdd"):
    return api.post(EM + "resourceRequests", json={"requestType": kind, "catalog": {"id": catalog_id},
                                                   "resource": {"originId": group_id, "originSystem": AAD_GROUP}})


def group_in_catalog(api) -> tuple[str, dict]:
    seed(api.store, {"groups": [{"id": GROUP, "displayName": "Expenses claimants", "description": "Claimants"}]})
    cat = catalog(api)["id"]
    assert group_request(api, cat).status_code == 201
    [resource] = api.get(EM + f"catalogs/{cat}/resources", params={"$expand": "roles,scopes"}).json()["value"]
    return cat, resource


def membership(resource: dict, role: str = f"Member_{GROUP}", system: str = AAD_GROUP) -> dict:
    return {"role": {"originId": role, "originSystem": system, "resource": {"id": resource["id"]}},
            "scope": {"originId": GROUP, "originSystem": system, "isRootScope": True}}


def test_a_group_in_a_catalog_has_member_and_owner_roles_and_a_root_scope(api):
    _, resource = group_in_catalog(api)
    assert (resource["originId"], resource["originSystem"], resource["displayName"]) == (
        GROUP, AAD_GROUP, "Expenses claimants")
    assert sorted((r["displayName"], r["originId"], r["originSystem"]) for r in resource["roles"]) == [
        ("Member", f"Member_{GROUP}", AAD_GROUP), ("Owner", f"Owner_{GROUP}", AAD_GROUP)]
    [scope] = resource["scopes"]
    assert (scope["originId"], scope["originSystem"], scope["isRootScope"]) == (GROUP, AAD_GROUP, True)


def test_a_package_grants_membership_and_reads_it_back(api):
    cat, resource = group_in_catalog(api)
    granted = package(api, cat)
    assert api.post(EM + f"accessPackages/{granted['id']}/resourceRoleScopes", json=membership(resource)) \
        .status_code == 201
    read = api.get(EM + f"accessPackages/{granted['id']}",
                   params={"$expand": "resourceRoleScopes($expand=role,scope)"}).json()
    [scope] = read["resourceRoleScopes"]
    assert (scope["role"]["originId"], scope["role"]["originSystem"]) == (f"Member_{GROUP}", AAD_GROUP)
    assert scope["scope"]["originId"] == GROUP
    assert_error(group_request(api, cat, kind="adminRemove"), 400, "ResourceInUse")  # a package still uses it
    scope_id = scope["id"]
    assert api.delete(EM + f"accessPackages/{granted['id']}/resourceRoleScopes/{scope_id}").status_code == 204
    assert group_request(api, cat, kind="adminRemove").status_code == 201
    assert api.get(EM + f"catalogs/{cat}/resources").json()["value"] == []


def test_what_graph_refuses_of_groups(api):
    cat, resource = group_in_catalog(api)
    assert_error(group_request(api, cat, "2b7d3c4e-5f60-4a1b-8c2d-3e4f5a6b9999"), 400)  # no such group
    assert_error(group_request(api, cat), 400, "ResourceAlreadyOnboarded")
    granted = package(api, cat)
    path = EM + f"accessPackages/{granted['id']}/resourceRoleScopes"
    assert_error(api.post(path, json=membership(resource, system="AadApplication")), 400)  # not the resource's
    assert_error(api.post(path, json=membership(resource, role=f"Admin_{GROUP}")), 400)  # no such role
    assert api.post(path, json=membership(resource)).status_code == 201
    assert_error(api.post(path, json=membership(resource)), 409)
