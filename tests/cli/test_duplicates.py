"""What two applies racing would leave -- two policies on a package, two packages granting one role -- is shown by
plan as drift (deletions of the extra copies, listed by id) and repaired by apply, instead of hidden behind the copy
the plan happens to see first."""

from __future__ import annotations

import json

import pytest

from .harness import apply, edit, plan
from .test_access_packages import governance, graph
from .test_scenarios import converged

GOV = "identityGovernance/entitlementManagement"
WRITERS = "eucs-idam-wordpress-writers"


def package(project, name: str) -> dict:
    found = graph(project, "GET", f"{GOV}/accessPackages?$filter=displayName eq '{name}'"
                                  "&$expand=resourceRoleScopes($expand=role,scope),catalog")["value"]
    assert len(found) == 1
    return found[0]


def policy_of(project, package_id: str) -> dict:
    return graph(project, "GET", f"{GOV}/assignmentPolicies?$filter=accessPackage/id eq '{package_id}'")["value"][0]


def copy_policy(project, policy: dict, package_id: str) -> dict:
    body = {name: value for name, value in policy.items()
            if name not in ("id", "createdDateTime", "modifiedDateTime", "@odata.context", "@odata.etag")}
    return graph(project, "POST", f"{GOV}/assignmentPolicies", {**body, "accessPackage": {"id": package_id}})


@pytest.mark.usefixtures("applied")
def test_a_second_policy_on_a_package_is_drift_that_apply_removes(project):
    writers = package(project, WRITERS)
    first = policy_of(project, writers["id"])
    extra = copy_policy(project, first, writers["id"])
    result = plan(project)
    deleted = {line for line in result.out.splitlines() if ".policy[duplicate " in line}
    assert deleted in ({f"  - app.wordpress.role.Blog.Writer.access_package.policy[duplicate {id_}]  (destroy)"}
                       for id_ in (first["id"], extra["id"])), result.out  # the two are alike: either one goes
    assert "0 to add, 0 to change, 1 to destroy" in result.out
    assert apply(project, "--allow-delete").code == 0
    assert len(governance(project)[WRITERS]["policies"]) == 1
    converged(project)


def second_writers_package(project, writers: dict) -> dict:
    """A second package granting the Writer role, in the same catalog, made by hand: its id sorts before the first's,
    so that the id alone never says which package is the one kept."""
    scope = writers["resourceRoleScopes"][0]
    resource = graph(project, "GET", f"{GOV}/catalogs/{writers['catalog']['id']}/resources"
                                     f"?$filter=originId eq '{scope['scope']['originId']}'")["value"][0]
    copy = {"id": "~"}
    while copy["id"] > writers["id"]:
        if copy["id"] != "~":
            graph(project, "DELETE", f"{GOV}/accessPackages/{copy['id']}")
        copy = graph(project, "POST", f"{GOV}/accessPackages", {"displayName": WRITERS + " (copy)",
                                                                "description": "",
                                                                "catalog": {"id": writers["catalog"]["id"]}})
    graph(project, "POST", f"{GOV}/accessPackages/{copy['id']}/resourceRoleScopes",
          {"role": {"originId": scope["role"]["originId"], "originSystem": "AadApplication",
                    "resource": {"id": resource["id"]}},
           "scope": {"originId": scope["scope"]["originId"], "originSystem": "AadApplication", "isRootScope": True}})
    return copy


@pytest.mark.usefixtures("applied")
def test_a_second_package_granting_the_same_role_is_drift_that_apply_removes(project):
    writers = package(project, WRITERS)
    copy = second_writers_package(project, writers)
    copy_policy(project, policy_of(project, writers["id"]), copy["id"])
    result = plan(project)
    duplicate = f"app.wordpress.role.Blog.Writer.access_package[duplicate {copy['id']}]"
    for address in (duplicate, duplicate + ".role_scope", duplicate + ".policy"):
        assert f"- {address}" in result.out, result.out
    assert "app.wordpress.role.Blog.Writer.access_package  (" not in result.out  # the configured one is kept
    assert apply(project, "--allow-delete").code == 0
    assert WRITERS + " (copy)" not in governance(project)
    converged(project)


@pytest.mark.usefixtures("applied")
def test_of_two_packages_neither_named_as_the_file_says_the_one_with_a_policy_is_kept(project):
    """The file renames the package while a copy without a policy grants the role too: the package with the policy
    is the one kept (and renamed); the empty copy goes."""
    writers = package(project, WRITERS)
    copy = second_writers_package(project, writers)
    edit(project / "applications/wordpress.yaml", "    accessPackage:\n      approvers: [grace.comms@contoso.com, "
         "alice.admin@contoso.com]\n      accessReview:", "    accessPackage:\n      name: eucs-idam-wordpress-authors\n"
         "      approvers: [grace.comms@contoso.com, alice.admin@contoso.com]\n      accessReview:")
    result = plan(project)
    assert "~ app.wordpress.role.Blog.Writer.access_package  (update)" in result.out, result.out
    assert f"- app.wordpress.role.Blog.Writer.access_package[duplicate {copy['id']}]  (destroy)" in result.out
    assert apply(project, "--allow-delete").code == 0
    assert package(project, "eucs-idam-wordpress-authors")["id"] == writers["id"]
    converged(project)


@pytest.mark.usefixtures("applied")
def test_of_two_policies_on_a_package_the_one_as_configured_is_kept_whatever_their_ids(project):
    """A second policy made by hand, unlike the file's, is the one deleted -- even when its id sorts first -- and the
    policy as configured is left as it is (no update)."""
    writers = package(project, WRITERS)
    first = policy_of(project, writers["id"])
    extra = {"id": "~"}
    while extra["id"] > first["id"]:
        if extra["id"] != "~":
            graph(project, "DELETE", f"{GOV}/assignmentPolicies/{extra['id']}")
        extra = copy_policy(project, {**first, "description": "Made by hand."}, writers["id"])
    result = plan(project)
    duplicate = f"app.wordpress.role.Blog.Writer.access_package.policy[duplicate {extra['id']}]"
    assert f"  - {duplicate}  (destroy)" in result.out
    assert "0 to add, 0 to change, 1 to destroy" in result.out, result.out
    [deleted] = [change for change in json.loads(plan(project, "--format", "json").out)["changes"]
                 if change["address"] == duplicate]
    assert (deleted["application"], deleted["before"]["description"]) == ("wordpress", "Made by hand.")
