"""Access package assignment requests (emulator/governance_assignments.py): an administrator's `adminAdd` delivers
the package's app roles to the user as app role assignments and `adminRemove` takes them away again -- and what is
refused: another request type, a policy of another package, a user who does not exist, an assignment the user
already has, removing one that does not exist, query options on the list."""

from __future__ import annotations

import uuid

import pytest

from tests.identity.test_token_answers import claims_of, token_request

from .conftest import assert_error
from .test_governance import EM, app_role, onboarded, package, role_scope_body
from .test_governance_groups import GROUP, group_in_catalog, membership

REQUESTS = EM + "assignmentRequests"


def policy(api, package_id: str) -> str:
    made = api.post(EM + "assignmentPolicies", json={"displayName": "direct", "accessPackage": {"id": package_id}})
    assert made.status_code == 201, made.text
    return made.json()["id"]


@pytest.fixture
def granting(api, users):
    """An access package granting the app role Writer of one application, with its policy; Alice and Bob."""
    writer = app_role("Writer")
    ids = onboarded(api, writer)
    granted = package(api, ids["catalog"])
    scope = api.post(EM + f"accessPackages/{granted['id']}/resourceRoleScopes",
                     json=role_scope_body(writer["id"], ids["sp"], {"id": ids["resource"]}))
    assert scope.status_code == 201, scope.text
    return {**ids, "package": granted["id"], "policy": policy(api, granted["id"]), "role": writer["id"],
            "users": users}


def add(api, user_id: str, package_id: str, policy_id: str, request_type: str = "adminAdd"):
    return api.post(REQUESTS, json={"requestType": request_type, "assignment": {
        "targetId": user_id, "assignmentPolicyId": policy_id, "accessPackageId": package_id}})


def remove(api, assignment_id: str):
    return api.post(REQUESTS, json={"requestType": "adminRemove", "assignment": {"id": assignment_id}})


def roles_held(api, sp_id: str, user_id: str) -> list[str]:
    """The app roles the user holds on the service principal, as Graph lists them."""
    listed = api.get(f"servicePrincipals/{sp_id}/appRoleAssignedTo").json()["value"]
    return [item["appRoleId"] for item in listed if item["principalId"] == user_id]


def test_an_assignment_grants_the_packages_role_and_its_removal_takes_it_away(api, granting):
    alice = granting["users"][0]["id"]
    made = add(api, alice, granting["package"], granting["policy"])
    assert made.status_code == 201, made.text
    assert (made.json()["state"], made.json()["status"]) == ("submitted", "Accepted")
    assert roles_held(api, granting["sp"], alice) == [granting["role"]]
    assignment = made.json()["assignment"]["id"]
    assert [a["id"] for a in api.get(EM + "assignments").json()["value"]] == [assignment]
    assert remove(api, assignment).status_code == 201
    assert roles_held(api, granting["sp"], alice) == []
    assert api.get(EM + "assignments").json()["value"] == []
    assert_error(remove(api, assignment), 404, "Request_ResourceNotFound")


def test_a_role_the_user_holds_directly_is_left_alone(api, granting):
    alice = granting["users"][0]["id"]
    direct = api.post(f"servicePrincipals/{granting['sp']}/appRoleAssignedTo",
                      json={"principalId": alice, "resourceId": granting["sp"], "appRoleId": granting["role"]})
    assert direct.status_code == 201, direct.text
    made = add(api, alice, granting["package"], granting["policy"])
    assert made.status_code == 201, made.text
    assert remove(api, made.json()["assignment"]["id"]).status_code == 201
    assert roles_held(api, granting["sp"], alice) == [granting["role"]]  # the direct one, still there


def test_a_user_is_assigned_two_packages_but_not_one_twice(api, granting):
    alice, bob = (user["id"] for user in granting["users"])
    other = package(api, granting["catalog"])
    assert add(api, alice, granting["package"], granting["policy"]).status_code == 201
    assert add(api, alice, other["id"], policy(api, other["id"])).status_code == 201
    assert_error(add(api, alice, granting["package"], granting["policy"]), 400)
    assert add(api, bob, granting["package"], granting["policy"]).status_code == 201


def test_what_an_assignment_request_may_not_be(api, granting):
    alice = granting["users"][0]["id"]
    other = package(api, granting["catalog"])
    assert_error(add(api, alice, granting["package"], policy(api, other["id"])), 400)  # another package's policy
    assert_error(add(api, str(uuid.uuid4()), granting["package"], granting["policy"]), 404)  # no such user
    assert_error(add(api, alice, granting["package"], granting["policy"], "userAdd"), 400)  # not an admin's
    assert_error(api.post(REQUESTS, json=[{"requestType": "adminAdd"}]), 400, "Request_BadRequest")
    assert_error(api.get(EM + "assignments", params={"$filter": f"targetId eq '{alice}'"}), 400,
                 "Request_UnsupportedQuery")
    assert api.get(EM + "assignments").json()["value"] == []


def members(api, group_id: str, relation: str = "members") -> list[str]:
    """The ids of the group's members (or owners), as Graph lists them."""
    listed = api.get(f"groups/{group_id}/{relation}")
    assert listed.status_code == 200, listed.text
    return [item["id"] for item in listed.json()["value"]]


@pytest.fixture
def group_package(api, users):
    """An access package granting membership of the group Expenses claimants, with its policy."""
    catalog_id, resource = group_in_catalog(api)
    granted = package(api, catalog_id)
    assert api.post(EM + f"accessPackages/{granted['id']}/resourceRoleScopes", json=membership(resource)) \
        .status_code == 201
    return {"catalog": catalog_id, "resource": resource, "package": granted["id"],
            "policy": policy(api, granted["id"]), "users": users}


def test_a_package_granting_group_membership_makes_the_user_a_member_until_removed(api, group_package):
    alice, bob = (user["id"] for user in group_package["users"])
    made = add(api, alice, group_package["package"], group_package["policy"])
    assert made.status_code == 201, made.text
    assert members(api, GROUP) == [alice]
    assert members(api, GROUP, "owners") == []  # Member only, not Owner
    assert remove(api, made.json()["assignment"]["id"]).status_code == 201
    assert members(api, GROUP) == []


def test_a_groups_members_are_listed_as_graph_lists_a_directory_relationship(api, group_package):
    """Paged by `$top` with `@odata.nextLink`; what Graph refuses here refused: a group that does not exist (404),
    a query option the list does not take, a page size out of 1-999, a skiptoken not of this list."""
    alice, bob = (user["id"] for user in group_package["users"])
    for user in (alice, bob):
        assert add(api, user, group_package["package"], group_package["policy"]).status_code == 201
    first = api.get(f"groups/{GROUP}/members", params={"$top": "1", "$select": "id,userPrincipalName"}).json()
    assert [(m["@odata.type"], m["id"]) for m in first["value"]] == [("#microsoft.graph.user", alice)]
    following = api.get(first["@odata.nextLink"]).json()
    assert [m["id"] for m in following["value"]] == [bob] and "@odata.nextLink" not in following
    assert_error(api.get(f"groups/{uuid.uuid4()}/members"), 404, "Request_ResourceNotFound")
    assert_error(api.get(f"groups/{GROUP}/owners", params={"$filter": "id eq 'x'"}), 400, "Request_UnsupportedQuery")
    assert_error(api.get(f"groups/{GROUP}/members", params={"$top": "1000"}), 400, "Request_UnsupportedQuery")
    assert_error(api.get(f"groups/{GROUP}/members", params={"$skiptoken": "garbage!"}), 400)


def test_a_package_granting_group_ownership_makes_the_user_an_owner(api, group_package):
    alice = group_package["users"][0]["id"]
    owning = package(api, group_package["catalog"])
    assert api.post(EM + f"accessPackages/{owning['id']}/resourceRoleScopes",
                    json=membership(group_package["resource"], f"Owner_{GROUP}")).status_code == 201
    made = add(api, alice, owning["id"], policy(api, owning["id"]))
    assert (members(api, GROUP, "owners"), members(api, GROUP)) == ([alice], [])
    assert remove(api, made.json()["assignment"]["id"]).status_code == 201
    assert members(api, GROUP, "owners") == []


def test_a_member_of_its_own_stays_one_when_the_assignment_ends(api, group_package):
    alice = group_package["users"][0]["id"]
    api.store.link("members", GROUP, alice)  # a member before any package granted it (as a seed's `members:`)
    made = add(api, alice, group_package["package"], group_package["policy"])
    assert remove(api, made.json()["assignment"]["id"]).status_code == 201
    assert members(api, GROUP) == [alice]


def test_two_packages_granting_one_group_keep_the_membership_until_both_end(api, group_package):
    """The user leaves the group when the assignment ends, but not while another of its assignments includes it."""
    alice = group_package["users"][0]["id"]
    other = package(api, group_package["catalog"])
    assert api.post(EM + f"accessPackages/{other['id']}/resourceRoleScopes",
                    json=membership(group_package["resource"])).status_code == 201
    first = add(api, alice, group_package["package"], group_package["policy"]).json()["assignment"]["id"]
    second = add(api, alice, other["id"], policy(api, other["id"])).json()["assignment"]["id"]
    assert members(api, GROUP) == [alice]
    assert remove(api, first).status_code == 201
    assert members(api, GROUP) == [alice]  # the second assignment still includes the group
    assert remove(api, second).status_code == 201
    assert members(api, GROUP) == []


def test_two_packages_granting_one_role_keep_it_until_both_end(api, granting):
    alice = granting["users"][0]["id"]
    other = package(api, granting["catalog"])
    scope = api.post(EM + f"accessPackages/{other['id']}/resourceRoleScopes",
                     json=role_scope_body(granting["role"], granting["sp"], {"id": granting["resource"]}))
    assert scope.status_code == 201, scope.text
    first = add(api, alice, granting["package"], granting["policy"]).json()["assignment"]["id"]
    second = add(api, alice, other["id"], policy(api, other["id"])).json()["assignment"]["id"]
    assert remove(api, first).status_code == 201
    assert roles_held(api, granting["sp"], alice) == [granting["role"]]
    assert remove(api, second).status_code == 201
    assert roles_held(api, granting["sp"], alice) == []


def test_a_member_holds_the_app_roles_assigned_to_the_group(api, group_package):
    """A user's token for an application carries the app roles assigned to a group the user joined through the
    package, and the next token after the assignment ends does not."""
    alice = group_package["users"][0]
    reader = app_role("Reader")
    ids = onboarded(api, reader)
    to_group = api.post(f"servicePrincipals/{ids['sp']}/appRoleAssignedTo",
                        json={"principalId": GROUP, "resourceId": ids["sp"], "appRoleId": reader["id"]})
    assert to_group.status_code == 201, to_group.text

    def roles() -> list[str]:
        answer = token_request(api, {"grant_type": "urn:idamconf:emulator:user", "username": alice["userPrincipalName"],
                                     "client_id": ids["application"]["appId"]})
        return claims_of(api, answer).get("roles", [])

    assert roles() == []
    made = add(api, alice["id"], group_package["package"], group_package["policy"])
    assert roles() == ["Reader"]
    assert remove(api, made.json()["assignment"]["id"]).status_code == 201
    assert roles() == []


def test_a_role_scope_whose_service_principal_is_gone_grants_nothing(api, granting):
    """The catalog keeps the resource of a deleted service principal: a delivery still succeeds, granting what is left."""
    alice = granting["users"][0]["id"]
    assert api.delete(f"servicePrincipals/{granting['sp']}").status_code == 204
    made = add(api, alice, granting["package"], granting["policy"])
    assert made.status_code == 201, made.text
    assert api.get(f"users/{alice}/appRoleAssignments").json()["value"] == []


def test_a_package_anyone_is_assigned_is_not_deleted_and_its_assignments_are_listed_by_package(api, granting):
    """"You cannot delete an access package if it has any accessPackageAssignment" (accesspackage-delete.md): with
    its policy and role scope gone, it is still refused while Alice holds it; once her assignment is removed, it
    goes. The list takes the filter Graph's reference gives for one package's assignments."""
    alice = granting["users"][0]["id"]
    assignment = add(api, alice, granting["package"], granting["policy"]).json()["assignment"]["id"]
    other = package(api, granting["catalog"], displayName="Other")
    of = api.get(EM + "assignments", params={"$filter": f"accessPackage/id eq '{granting['package']}'"})
    assert [a["id"] for a in of.json()["value"]] == [assignment]
    assert api.get(EM + "assignments", params={"$filter": f"accessPackage/id eq '{other['id']}'"}).json()["value"] == []
    assert api.delete(EM + f"assignmentPolicies/{granting['policy']}").status_code == 204
    expanded = api.get(EM + f"accessPackages/{granting['package']}", params={"$expand": "resourceRoleScopes"})
    for scope in expanded.json()["resourceRoleScopes"]:
        assert api.delete(EM + f"accessPackages/{granting['package']}/resourceRoleScopes/{scope['id']}").status_code \
            == 204
    refused = api.delete(EM + f"accessPackages/{granting['package']}")
    assert_error(refused, 400, "ResourceInUse")
    assert "assignments" in refused.json()["error"]["message"]
    assert remove(api, assignment).status_code == 201
    assert api.delete(EM + f"accessPackages/{granting['package']}").status_code == 204
