"""Every write apply sends is checked against what this run read as the project's, whatever the plan says: a plan
that (through a bug, or a forged input) names another project's object fails that step with nothing sent."""

from __future__ import annotations

from dataclasses import replace

import pytest

import idamconf.workflow
from idamconf.graph.ownership import GOV, NotOurs, Ownership
from idamconf.plan.model import Action, AttributeChange, Change

from idamconf.emulator import Store
from tests.emulator.conftest import Api

from .harness import applications, apply
from .test_saved_plan_forgery import foreign_app


def with_extra_change(monkeypatch, make_change) -> None:
    """Plans come out of make_plan with one more change, as a bug (or a forged file) would make them."""
    real = idamconf.workflow.make_plan

    def buggy(desired, live, *args):
        made = real(desired, live, *args)
        return replace(made, changes=made.changes + (make_change(),))
    monkeypatch.setattr(idamconf.workflow, "make_plan", buggy)


@pytest.mark.usefixtures("applied")
def test_a_planned_delete_of_another_projects_application_is_not_sent(project, monkeypatch):
    other = foreign_app(project)
    with_extra_change(monkeypatch, lambda: Change("app.billing", "application", "billing", Action.DELETE,
                                                  {"displayName": "x"}, None, (), None,
                                                  {"id": other["id"], "appId": other["appId"]}))
    result = apply(project, "--allow-delete")
    assert result.code == 1
    assert "refused before it was sent" in result.err and "app.billing" in result.err
    assert "it would change an object that is not project eucs-idam's" in result.err  # whose it is not, named
    assert "billing" in applications(project)


@pytest.mark.usefixtures("applied")
def test_a_planned_update_of_another_projects_application_is_not_sent(project, monkeypatch):
    other = foreign_app(project)
    before = {"displayName": "Another team's app", "identifierUris": []}
    with_extra_change(monkeypatch, lambda: Change("app.billing", "application", "billing", Action.UPDATE,
                                                  before, {**before, "displayName": "Hijacked"},
                                                  (AttributeChange("displayName", before["displayName"], "Hijacked"),),
                                                  None, {"id": other["id"], "appId": other["appId"]}))
    result = apply(project)
    assert result.code == 1 and "refused before it was sent" in result.err
    assert applications(project)["billing"]["displayName"] == "Another team's app"


# --------------------------------------------------------------------------------------------------- the rules
OURS = Ownership("idamconf:eucs-idam", {"wordpress"}, {"a1"}, {"app-1"}, {"sp-1"}, {"pkg-1"}, {"pol-1"},
                 {"GrAnT-1"})


@pytest.mark.parametrize("method,path,body", [
    ("PATCH", "applications(uniqueName='wordpress')", {}),
    ("PATCH", "applications/A1", {}),  # ids compare case-insensitively
    ("DELETE", "applications/a1", None),
    ("POST", "applications/a1/owners/$ref", {"@odata.id": "x"}),
    ("DELETE", "applications/a1/owners/u1/$ref", None),
    ("PUT", "applications/a1/logo", b"\x89PNG\r\n\x1a\n"),  # an image, not JSON
    ("POST", "applications/a1/addPassword", {"passwordCredential": {}}),  # its client secrets (apply_secrets.py)
    ("POST", "applications/A1/removePassword", {"keyId": "k"}),
    ("PATCH", "servicePrincipals(appId='app-1')", {}),
    ("POST", "servicePrincipals/SP-1/owners/$ref", {"@odata.id": "x"}),
    ("DELETE", "servicePrincipals/sp-1/owners/u1/$ref", None),
    ("POST", "servicePrincipals/sp-1/appRoleAssignedTo", {"principalId": "g1", "resourceId": "SP-1", "appRoleId": "r"}),
    ("DELETE", "servicePrincipals/sp-1/appRoleAssignedTo/a1", None),
    ("POST", GOV + "catalogs", {"displayName": "c"}),
    ("POST", GOV + "resourceRequests", {"resource": {"originId": "sp-1"}}),
    ("POST", GOV + "accessPackages", {"displayName": "p"}),
    ("PATCH", GOV + "accessPackages/pkg-1", {}),
    ("DELETE", GOV + "accessPackages/pkg-1", None),
    ("POST", GOV + "accessPackages/pkg-1/resourceRoleScopes", {"scope": {"originId": "sp-1"}}),
    ("DELETE", GOV + "accessPackages/pkg-1/resourceRoleScopes/rs-1", None),
    ("POST", GOV + "assignmentPolicies", {"accessPackage": {"id": "pkg-1"}}),
    ("PUT", GOV + "assignmentPolicies/pol-1", {}),
    ("DELETE", GOV + "assignmentPolicies/pol-1?x=1", None),
    # consents held by the project's service principals (apply_permissions.py)
    ("POST", "servicePrincipals/SP-1/appRoleAssignments", {"principalId": "sp-1", "resourceId": "graph"}),
    ("DELETE", "servicePrincipals/sp-1/appRoleAssignments/assignment-1", None),
    ("POST", "oauth2PermissionGrants", {"clientId": "sp-1", "consentType": "AllPrincipals", "resourceId": "graph"}),
    ("PATCH", "oauth2PermissionGrants/GrAnT-1", {"scope": "User.Read"}),
    ("DELETE", "oauth2PermissionGrants/GrAnT-1", None),
    ("PATCH", "applications/a1/federatedIdentityCredentials(name='ci')", {}),  # apply_credentials.py
    ("POST", "applicationTemplates/8adf8e6e-67b2-4cf2-a259-e3dc5476c621/instantiate", {"displayName": "x"}),
])
def test_writes_to_the_projects_objects_are_allowed(method, path, body):
    OURS.check(method, path, body)


@pytest.mark.parametrize("method,path,body", [
    ("PATCH", "applications(uniqueName='billing')", {}),
    ("PATCH", "applications(uniqueName='wordpress'')", {}),
    ("PATCH", "applications/a2", {}),
    ("DELETE", "applications/a2", None),
    ("POST", "applications/a2/owners/$ref", {}),
    ("PUT", "applications/a2/logo", b"\x89PNG\r\n\x1a\n"),
    ("DELETE", "applications/a1/logo", None),  # a logo is replaced, never deleted
    ("PUT", "applications/a1", {}),
    ("POST", "applications/a1", {}),  # the project's application itself: PATCH and DELETE only
    ("POST", "applications/a2/addPassword", {"passwordCredential": {}}),  # another team's application's secrets
    ("POST", "applications/a2/removePassword", {"keyId": "k"}),
    ("POST", "applications/a1/addKey", {}),  # not a write apply makes
    ("POST", "applications", {"displayName": "x"}),  # creates go by uniqueName only
    ("PATCH", "servicePrincipals(appId='app-2')", {}),
    ("DELETE", "servicePrincipals/sp-1", None),
    ("PATCH", "servicePrincipals/sp-1", {}),  # written by appId upsert only
    ("POST", "servicePrincipals/sp-2/owners/$ref", {"@odata.id": "x"}),
    ("DELETE", "servicePrincipals/sp-2/owners/u1/$ref", None),
    ("POST", "servicePrincipals/sp-2/appRoleAssignedTo", {"principalId": "g1", "resourceId": "sp-2", "appRoleId": "r"}),
    ("POST", "servicePrincipals/sp-1/appRoleAssignedTo", {"principalId": "g1", "resourceId": "sp-2", "appRoleId": "r"}),
    ("POST", "servicePrincipals/sp-1/appRoleAssignedTo", {"principalId": "g1", "appRoleId": "r"}),
    ("DELETE", "servicePrincipals/sp-2/appRoleAssignedTo/a1", None),
    ("POST", "groups/g1/appRoleAssignments", {"principalId": "g1", "resourceId": "sp-1", "appRoleId": "r"}),
    ("DELETE", "groups/g1/appRoleAssignments/a1", None),
    ("PATCH", GOV + "catalogs/c1", {}),
    ("DELETE", GOV + "catalogs/c1", None),
    ("POST", GOV + "resourceRequests", {"resource": {"originId": "sp-2"}}),
    ("PATCH", GOV + "accessPackages/pkg-2", {}),
    ("DELETE", GOV + "accessPackages/pkg-2", None),
    ("POST", GOV + "accessPackages/pkg-2/resourceRoleScopes", {"scope": {"originId": "sp-1"}}),
    ("POST", GOV + "accessPackages/pkg-1/resourceRoleScopes", {"scope": {"originId": "sp-2"}}),
    ("POST", GOV + "assignmentPolicies", {"accessPackage": {"id": "pkg-2"}}),
    ("PUT", GOV + "assignmentPolicies/pol-2", {}),
    ("DELETE", GOV + "assignmentPolicies/pol-2", None),
    ("PATCH", "users/u1", {}),
    ("POST", "groups/g1/members/$ref", {}),
    # consents: only on the project's service principals, only as their own, only grants read or made as theirs
    ("POST", "servicePrincipals/sp-2/appRoleAssignments", {"principalId": "sp-2"}),
    ("POST", "servicePrincipals/sp-1/appRoleAssignments", {"principalId": "sp-2"}),  # another principal's
    ("POST", "servicePrincipals/sp-1/appRoleAssignedTo", {"principalId": "sp-1"}),  # the resource's side
    ("DELETE", "servicePrincipals/sp-2/appRoleAssignments/assignment-1", None),
    ("PATCH", "servicePrincipals/sp-1/appRoleAssignments/assignment-1", {}),
    ("POST", "oauth2PermissionGrants", {"clientId": "sp-2", "consentType": "AllPrincipals"}),
    ("POST", "oauth2PermissionGrants", {"consentType": "AllPrincipals"}),
    ("PATCH", "oauth2PermissionGrants/grant-1", {"scope": "x"}),  # grant ids are case-sensitive
    ("DELETE", "oauth2PermissionGrants/grant-2", None),
    ("PATCH", "policies/claimsMappingPolicies/cp-2", {}),  # a claims-mapping policy not learned as the project's
    ("POST", "applications/a1/federatedIdentityCredentials(name='x')", {}),  # upserted (PATCH) or removed by name
    ("GET", "applications/a1/addPassword", None),  # a client secret is added or removed by its POST actions only
    ("POST", "applicationTemplates/t1", {}),  # the SAML template is only instantiated
    ("POST", "applicationTemplates/t1/instantiate/x", {}),
])
def test_writes_to_anything_else_are_refused(method, path, body):
    with pytest.raises(NotOurs):
        OURS.check(method, path, body)


def test_what_a_write_creates_becomes_the_projects():
    from idamconf.graph.client import Response

    owned = Ownership("idamconf:p", {"new"})
    owned.observe("PATCH", "applications(uniqueName='new')", {}, Response(201, {"id": "N1", "appId": "NA"}))
    owned.check("PATCH", "applications/n1", {})
    owned.check("PATCH", "servicePrincipals(appId='na')", {})
    owned.observe("POST", GOV + "accessPackages", {}, Response(201, {"id": "P9"}))
    owned.check("POST", GOV + "assignmentPolicies", {"accessPackage": {"id": "p9"}})


def test_a_grant_made_or_found_for_the_projects_client_becomes_the_projects():
    from idamconf.graph.client import Response

    owned = Ownership("idamconf:p", service_principals={"sp-1"})
    owned.observe("POST", "oauth2PermissionGrants", {}, Response(201, {"id": "Made", "clientId": "SP-1"}))
    owned.observe("GET", "oauth2PermissionGrants?$filter=x", None,
                  Response(200, {"value": [{"id": "Found", "clientId": "sp-1"}, {"id": "Theirs", "clientId": "sp-2"}]}))
    owned.check("PATCH", "oauth2PermissionGrants/Made", {"scope": "a"})
    owned.check("DELETE", "oauth2PermissionGrants/Found", None)
    with pytest.raises(NotOurs):
        owned.check("DELETE", "oauth2PermissionGrants/Theirs", None)


def test_a_read_by_name_teaches_only_an_object_carrying_the_tag():
    from idamconf.graph.client import Response

    owned = Ownership("idamconf:p", {"mine"})
    owned.observe("GET", "applications(uniqueName='mine')?$select=id", None,
                  Response(200, {"id": "x1", "appId": "xa", "tags": ["other"]}))
    with pytest.raises(NotOurs):
        owned.check("PATCH", "applications/x1", {})
    owned.observe("GET", "applications(uniqueName='mine')", None,
                  Response(200, {"id": "x1", "appId": "xa", "tags": ["IDAMCONF:P"]}))  # as Graph compares: any case
    owned.check("PATCH", "applications/x1", {})


def test_a_claims_policy_is_the_projects_only_under_one_of_its_applications_names():
    from idamconf.graph.client import Response
    from idamconf.graph.ownership import SAML_POLICIES, SAML_POLICY_PREFIX

    owned = Ownership("idamconf:p", {"mine"})
    owned.observe("GET", SAML_POLICIES + "?$filter=x", None, Response(200, {"value": [
        {"id": "Mine-1", "displayName": SAML_POLICY_PREFIX + "mine"},
        {"id": "theirs-1", "displayName": SAML_POLICY_PREFIX + "theirs"}, {"id": "other-1", "displayName": "mine"}]}))
    owned.check("PATCH", SAML_POLICIES + "/mine-1", {})
    for theirs in ("theirs-1", "other-1"):
        with pytest.raises(NotOurs):
            owned.check("PATCH", f"{SAML_POLICIES}/{theirs}", {})


def test_a_refused_write_is_never_sent():
    import asyncio

    from idamconf.graph.client import GraphClient, NotWritten

    class NoAdapter:
        async def send_primitive_async(self, *args):
            raise AssertionError("a refused write reached the network")

    client = GraphClient(NoAdapter(), "http://emulator.localhost/v1.0")
    client.ownership = Ownership("idamconf:p")
    with pytest.raises(NotWritten):
        asyncio.run(client.call("DELETE", "applications/someone-elses"))


@pytest.mark.usefixtures("applied")
def test_a_planned_assignment_on_another_projects_service_principal_is_not_sent(project, monkeypatch):
    """Granting a role of an application that is not the project's -- or taking one away -- is refused before it is
    sent, whatever the plan says."""
    from .test_assignments import CLAIMANTS, granted

    other = foreign_app(project)
    principal = Api(Store(project / ".idamconf" / "local.db")).post("servicePrincipals", json={"appId": other["appId"]})
    foreign = principal.json()["id"]
    with_extra_change(monkeypatch, lambda: Change(
        "app.expenses.assignment[x/group:y]", "assignment", "expenses", Action.DELETE,
        {"appRoleId": "r", "principalId": CLAIMANTS, "principalType": "Group"}, None, (), None,
        {"servicePrincipalId": foreign, "assignmentId": "a1"}))
    result = apply(project, "--allow-delete")
    assert result.code == 1 and "refused before it was sent" in result.err
    assert (CLAIMANTS, "Internal.User") in granted(project, "expenses")


@pytest.mark.usefixtures("applied")
def test_a_planned_update_of_a_catalog_the_project_file_does_not_declare_is_not_sent(project, monkeypatch):
    """The examples name their catalog without declaring its settings: it may hold other teams' packages, and is
    never changed -- a plan that says otherwise fails that step with nothing sent."""
    from .test_access_packages import graph

    catalogs = f"{GOV}catalogs"
    catalog = graph(project, "GET", catalogs)["value"][0]
    name = catalog["displayName"]
    before = {"displayName": name}
    after = {"displayName": name, "description": "Hijacked", "published": True, "externallyVisible": True}
    with_extra_change(monkeypatch, lambda: Change(f"catalog[{name}]", "catalog", "", Action.UPDATE, before, after,
                                                  (AttributeChange("description", None, "Hijacked"),), None,
                                                  {"catalogId": catalog["id"]}))
    result = apply(project)
    assert result.code == 1 and "refused before it was sent" in result.err
    assert graph(project, "GET", f"{catalogs}/{catalog['id']}")["description"] == catalog["description"]


def test_only_assignments_to_the_projects_packages_are_removed_and_nobody_is_assigned():
    """Before a package of the project is deleted, the assignments to it (read by it) are removed; an assignment
    learned for another's package is not learned, and no administrator's add is ever sent."""
    owned = Ownership("idamconf:p", packages={"pkg-1"})
    owned.assigned("PKG-1", ["As-1"])
    owned.assigned("pkg-2", ["as-2"])  # another's package: nothing learned
    remove = {"requestType": "adminRemove", "assignment": {"id": "as-1"}}
    owned.check("POST", GOV + "assignmentRequests", remove)
    for method, body in (("POST", {**remove, "assignment": {"id": "as-2"}}),
                         ("POST", {**remove, "requestType": "adminAdd"}),
                         ("POST", {"requestType": "adminRemove"}),
                         ("DELETE", remove)):
        with pytest.raises(NotOurs):
            owned.check(method, GOV + "assignmentRequests", body)


def test_only_the_projects_deleted_application_and_service_principal_are_restored():
    """plan/restore.py: the restore of a deleted application, or service principal, read as the project's, and of
    no other."""
    OURS.check("POST", "directory/deletedItems/A1/restore", None)
    OURS.check("POST", "directory/deletedItems/SP-1/restore", None)
    for method, path in (("POST", "directory/deletedItems/b2/restore"), ("DELETE", "directory/deletedItems/a1"),
                         ("POST", "directory/deletedItems/a1/other"), ("DELETE", "directory/deletedItems/sp-1"),
                         ("POST", "directory/deletedItems/app-1/restore")):
        with pytest.raises(NotOurs):
            OURS.check(method, path, None)
