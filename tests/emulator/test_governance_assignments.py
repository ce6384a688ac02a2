"""Access package assignment requests (emulator/governance_assignments.py): an administrator's `adminAdd` delivers
the package's app roles to the user as app role assignments and `adminRemove` takes them away again -- and what is
refused: another request type, a policy of another package, a user who does not exist, an assignment the user
already has, removing one that does not exist, query options on the list."""

from __future__ import annotations

import uuid

import pytest

from .conftest import assert_error
from .test_governance import EM, app_role, onboarded, package, role_scope_body
from .test_governance_groups import group_in_catalog, membership

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


def test_a_package_granting_group_membership_is_assigned(api, users):
    catalog_id, resource = group_in_catalog(api)
    granted = package(api, catalog_id)
    assert api.post(EM + f"accessPackages/{granted['id']}/resourceRoleScopes", json=membership(resource)) \
        .status_code == 201
    assert add(api, users[0]["id"], granted["id"], policy(api, granted["id"])).status_code == 201
