"""Another team's access package in the project's catalog that grants a role of an application that is not the
project's, under a name the configuration gives a package of its own: it is refused as not the project's (never
taken over), and the plan says so in one line -- it does not stop on the role it cannot place."""

from __future__ import annotations

import uuid

import pytest

from .harness import apply, edit, plan
from .test_access_packages import graph as graph_request
from .test_own_packages import CLAIMANTS, HR, NEW_MANAGERS

GOV = "identityGovernance/entitlementManagement"


def another_teams_application(project) -> tuple[dict, str]:
    """An application of nobody's configuration, with one app role and a service principal: (its sp, the role id)."""
    role = str(uuid.uuid4())
    application = graph_request(project, "POST", "applications", {
        "displayName": "another team's payroll", "appRoles": [
            {"id": role, "allowedMemberTypes": ["User"], "displayName": "Payroll.Reader", "value": "Payroll.Reader",
             "description": "reads payroll", "isEnabled": True}]})
    return graph_request(project, "POST", "servicePrincipals", {"appId": application["appId"]}), role


def their_package(project, catalog_id: str, name: str) -> dict:
    """Another team's package `name` in catalog `catalog_id`, granting a role of an application of theirs."""
    sp, role = another_teams_application(project)
    graph_request(project, "POST", f"{GOV}/resourceRequests", {
        "requestType": "adminAdd", "catalog": {"id": catalog_id},
        "resource": {"originId": sp["id"], "originSystem": "AadApplication"}})
    resource = graph_request(project, "GET", f"{GOV}/catalogs/{catalog_id}/resources"
                                             f"?$filter=originId eq '{sp['id']}'")["value"][0]
    theirs = graph_request(project, "POST", f"{GOV}/accessPackages", {"displayName": name, "catalog": {"id": catalog_id}})
    graph_request(project, "POST", f"{GOV}/accessPackages/{theirs['id']}/resourceRoleScopes", {
        "role": {"originId": role, "originSystem": "AadApplication", "resource": {"id": resource["id"]}},
        "scope": {"originId": sp["id"], "originSystem": "AadApplication", "isRootScope": True}})
    return theirs


def test_another_teams_package_granting_another_applications_role_under_a_declared_name_is_refused(project):
    text = (project / HR).read_text()
    (project / HR).write_text(text[:text.index("accessPackages:")] + text[text.index("# For whoever"):])
    assert apply(project).code == 0
    catalog = graph_request(project, "GET", f"{GOV}/catalogs")["value"][0]
    theirs = their_package(project, catalog["id"], NEW_MANAGERS)
    group = graph_request(project, "GET", f"{GOV}/catalogs/{catalog['id']}/resources"
                                          f"?$filter=originId eq '{CLAIMANTS}'")["value"][0]
    graph_request(project, "POST", f"{GOV}/accessPackages/{theirs['id']}/resourceRoleScopes", {  # and a group
        "role": {"originId": f"Member_{CLAIMANTS}", "originSystem": "AadGroup", "resource": {"id": group["id"]}},
        "scope": {"originId": CLAIMANTS, "originSystem": "AadGroup", "isRootScope": True}})
    (project / HR).write_text(text)
    result = plan(project)
    assert result.code == 1, result.err
    assert "Traceback" not in result.err
    assert (f"access package '{NEW_MANAGERS}' already exists in catalog 'EUCS IDAM applications' and is not managed "
            "by project 'eucs-idam'") in result.err



@pytest.mark.usefixtures("applied")
def test_another_teams_package_of_a_declared_name_in_another_catalog_is_not_taken_for_a_moved_one(project):
    """A package of the project's moved to another catalog leaves its old self behind, which apply removes -- but a
    package of that name in another catalog that grants something the configuration does not is another team's."""
    catalog = graph_request(project, "POST", f"{GOV}/catalogs", {"displayName": "Another team's catalog"})
    theirs = their_package(project, catalog["id"], NEW_MANAGERS)
    result = plan(project, "--detailed-exitcode")
    assert result.code == 0, result.out + result.err
    assert theirs["id"] not in result.out and "destroy" not in result.out


@pytest.mark.usefixtures("applied")
def test_a_group_another_teams_package_grants_keeps_its_place_in_the_catalog_when_the_project_stops_granting_it(
        project):
    from .test_own_packages import EXPENSES, FRANK, in_catalogs

    catalog = graph_request(project, "GET", f"{GOV}/catalogs")["value"][0]
    group = graph_request(project, "GET", f"{GOV}/catalogs/{catalog['id']}/resources"
                                          f"?$filter=originId eq '{CLAIMANTS}'")["value"][0]
    theirs = graph_request(project, "POST", f"{GOV}/accessPackages",
                           {"displayName": "their claimants", "catalog": {"id": catalog["id"]}})
    graph_request(project, "POST", f"{GOV}/accessPackages/{theirs['id']}/resourceRoleScopes", {
        "role": {"originId": f"Member_{CLAIMANTS}", "originSystem": "AadGroup", "resource": {"id": group["id"]}},
        "scope": {"originId": CLAIMANTS, "originSystem": "AadGroup", "isRootScope": True}})
    unchanged = plan(project, "--detailed-exitcode")  # the group's place is the project's too: nothing to add
    assert unchanged.code == 0, unchanged.out + unchanged.err
    edit(project / EXPENSES, FRANK, "")
    edit(project / EXPENSES, "      - group: Expenses claimants       # membership, by display name (one group "
                             "exactly), or {group: {id: …}}\n", "      - role: Internal.User\n")
    result = plan(project)
    assert result.code == 0, result.err
    assert f".grant[group {CLAIMANTS}]  (destroy)" in result.out, result.out  # the project's grant goes
    assert "catalog[EUCS IDAM applications].group[" not in result.out, result.out  # the group's place stays
    assert apply(project, "--allow-delete").code == 0
    assert CLAIMANTS in in_catalogs(project)
