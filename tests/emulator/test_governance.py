"""Entitlement management (`/identityGovernance/entitlementManagement`): catalogs, resources, access packages,
resourceRoleScopes and assignment policies, with Graph's rules; last, the msgraph-sdk typed client over all of it."""

from __future__ import annotations

import itertools

import datetime as dt
import importlib
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph import GraphServiceClient
from msgraph.generated.models.access_package import AccessPackage
from msgraph.generated.models.access_package_approval_stage import AccessPackageApprovalStage
from msgraph.generated.models.access_package_assignment_approval_settings import \
    AccessPackageAssignmentApprovalSettings
from msgraph.generated.models.access_package_assignment_policy import AccessPackageAssignmentPolicy
from msgraph.generated.models.access_package_assignment_requestor_settings import \
    AccessPackageAssignmentRequestorSettings
from msgraph.generated.models.access_package_assignment_review_settings import AccessPackageAssignmentReviewSettings
from msgraph.generated.models.access_package_catalog import AccessPackageCatalog
from msgraph.generated.models.access_package_notification_settings import AccessPackageNotificationSettings
from msgraph.generated.models.access_package_request_type import AccessPackageRequestType
from msgraph.generated.models.access_package_resource import AccessPackageResource
from msgraph.generated.models.access_package_resource_request import AccessPackageResourceRequest
from msgraph.generated.models.access_package_resource_role import AccessPackageResourceRole
from msgraph.generated.models.access_package_resource_role_scope import AccessPackageResourceRoleScope
from msgraph.generated.models.access_package_resource_scope import AccessPackageResourceScope
from msgraph.generated.models.allowed_target_scope import AllowedTargetScope
from msgraph.generated.models.entitlement_management_schedule import EntitlementManagementSchedule
from msgraph.generated.models.expiration_pattern import ExpirationPattern
from msgraph.generated.models.expiration_pattern_type import ExpirationPatternType
from msgraph.generated.models.patterned_recurrence import PatternedRecurrence
from msgraph.generated.models.recurrence_pattern import RecurrencePattern
from msgraph.generated.models.recurrence_pattern_type import RecurrencePatternType
from msgraph.generated.models.recurrence_range import RecurrenceRange
from msgraph.generated.models.recurrence_range_type import RecurrenceRangeType
from msgraph.generated.models.service_principal import ServicePrincipal
from msgraph.generated.models.single_user import SingleUser

from idamconf.emulator import governance
from idamconf.emulator.directory import _new_application
from idamconf.emulator.seed import seed

from .conftest import ALICE, BOB, assert_error
from .test_sdk_fidelity import assert_no_leftovers, sdk_run

EM = "identityGovernance/entitlementManagement/"
AAD = "AadApplication"


def app_role(name: str) -> dict:
    return {"id": str(uuid.uuid4()), "allowedMemberTypes": ["User"], "displayName": name, "value": name,
            "description": f"{name} role", "isEnabled": True}


def catalog(api, **body) -> dict:
    response = api.post(EM + "catalogs", json={"displayName": f"cat-{uuid.uuid4().hex[:6]}", **body})
    assert response.status_code == 201, response.text
    return response.json()


def application_with_sp(api, *roles: dict) -> tuple[dict, dict]:
    application = api.create_app(appRoles=list(roles))
    service_principal = api.post("servicePrincipals", json={"appId": application["appId"]})
    assert service_principal.status_code == 201, service_principal.text
    return application, service_principal.json()


def resource_request(api, catalog_id: str, sp_id: str, request_type: str = "adminAdd"):
    return api.post(EM + "resourceRequests", json={"requestType": request_type, "catalog": {"id": catalog_id},
                                                   "resource": {"originId": sp_id, "originSystem": AAD}})


def onboarded(api, *roles: dict) -> dict:
    """A catalog with one application in it: the ids a test needs."""
    cat = catalog(api)
    application, sp = application_with_sp(api, *roles)
    assert resource_request(api, cat["id"], sp["id"]).status_code == 201
    resource = api.get(EM + f"catalogs/{cat['id']}/resources").json()["value"][0]
    return {"catalog": cat["id"], "application": application, "sp": sp["id"], "resource": resource["id"]}


def package(api, catalog_id: str, **body) -> dict:
    """A new access package; named `pkg-<n>` unless `body` names it (a catalog's packages have names of their own)."""
    name = f"pkg-{next(_PACKAGES)}"
    response = api.post(EM + "accessPackages", json={"displayName": name, "catalog": {"id": catalog_id}, **body})
    assert response.status_code == 201, response.text
    return response.json()


_PACKAGES = itertools.count(1)


def role_scope_body(role_origin: str, sp_id: str, resource: dict) -> dict:
    return {"role": {"originId": role_origin, "originSystem": AAD, "resource": resource},
            "scope": {"originId": sp_id, "originSystem": AAD, "isRootScope": True}}


def single_user(user: dict) -> dict:
    return {"@odata.type": "#microsoft.graph.singleUser", "userId": user["id"]}


def policy_body(package_id: str, approvers: list, reviewers: list, **changes) -> dict:
    body = {
        "displayName": "policy", "description": "d", "allowedTargetScope": "allMemberUsers",
        "expiration": {"type": "afterDuration", "duration": "P365D"},
        "requestorSettings": {"enableTargetsToSelfAddAccess": True},
        "requestApprovalSettings": {"isApprovalRequiredForAdd": True, "stages": [
            {"durationBeforeAutomaticDenial": "P14D", "primaryApprovers": approvers}]},
        "reviewSettings": {"isEnabled": True, "expirationBehavior": "removeAccess", "primaryReviewers": reviewers,
                           "schedule": {"startDateTime": "2030-01-01T00:00:00Z",
                                        "expiration": {"type": "afterDuration", "duration": "P14D"},
                                        "recurrence": {"pattern": {"type": "absoluteMonthly", "interval": 12},
                                                       "range": {"type": "noEnd"}}}},
        "accessPackage": {"id": package_id},
    }
    body.update(changes)
    return body


# ------------------------------------------------------------------------------------------------------ catalogs
def test_catalog_create_returns_the_full_object(api):
    body = catalog(api, description="d")
    assert body["@odata.context"].endswith("/$metadata#identityGovernance/entitlementManagement/catalogs/$entity")
    assert {k: v for k, v in body.items() if k not in ("@odata.context", "id", "displayName")} == {
        "description": "d", "catalogType": "userManaged", "state": "published", "isExternallyVisible": False,
        "createdDateTime": body["createdDateTime"], "modifiedDateTime": body["createdDateTime"]}
    assert catalog(api, state="unpublished", isExternallyVisible=True)["state"] == "unpublished"


@pytest.mark.parametrize("body", [{}, {"displayName": ""}, {"displayName": "x", "state": "draft"},
                                  {"displayName": "x", "catalogType": "userManaged"},
                                  {"displayName": "x", "isExternallyVisible": "yes"}, {"displayName": "x", "owner": 1}])
def test_catalog_create_refuses_bad_bodies(api, body):
    assert_error(api.post(EM + "catalogs", json=body), 400)


def test_catalog_list_pages_filters_and_selects(api):
    ids = [catalog(api, displayName=f"c{i}")["id"] for i in range(5)]
    first = api.get(EM + "catalogs", params={"$top": "2"}).json()
    assert [c["id"] for c in first["value"]] == ids[:2]
    assert "$skiptoken" in parse_qs(urlsplit(first["@odata.nextLink"]).query)
    assert [c["id"] for c in api.get(first["@odata.nextLink"]).json()["value"]] == ids[2:4]
    found = api.get(EM + "catalogs", params={"$filter": "displayName eq 'c3'", "$select": "id,displayName"}).json()
    assert found["value"] == [{"id": ids[3], "displayName": "c3"}]
    assert api.get(EM + f"catalogs/{ids[1]}").json()["displayName"] == "c1"
    assert api.get(EM + f"catalogs/{ids[1]}", params={"$select": "state"}).json()["state"] == "published"
    assert_error(api.get(EM + f"catalogs/{uuid.uuid4()}"), 404, "Request_ResourceNotFound")


def test_catalog_patch_updates_modified_time(api, monkeypatch):
    cat = catalog(api)
    monkeypatch.setattr(governance, "now", lambda: "2031-01-01T00:00:00Z")
    assert api.patch(EM + f"catalogs/{cat['id']}", json={"description": "new", "state": "unpublished"}).status_code \
        == 204
    after = api.get(EM + f"catalogs/{cat['id']}").json()
    assert (after["description"], after["state"]) == ("new", "unpublished")
    assert after["modifiedDateTime"] == "2031-01-01T00:00:00Z" and after["createdDateTime"] == cat["createdDateTime"]
    assert_error(api.patch(EM + f"catalogs/{cat['id']}", json={"state": "gone"}), 400)


def test_catalog_delete_is_refused_while_it_holds_access_packages(api):
    ids = onboarded(api)
    pkg = package(api, ids["catalog"])
    assert_error(api.delete(EM + f"catalogs/{ids['catalog']}"), 400, "ResourceInUse")
    assert api.delete(EM + f"accessPackages/{pkg['id']}").status_code == 204
    assert api.delete(EM + f"catalogs/{ids['catalog']}").status_code == 204
    assert api.store.get("accessPackageResources", ids["resource"]) is None
    assert_error(api.get(EM + f"catalogs/{ids['catalog']}"), 404)


# ----------------------------------------------------------------------------------- resource requests, resources
def test_resource_request_adds_and_removes_an_application(api):
    cat = catalog(api)
    application, sp = application_with_sp(api, app_role("Reader"))
    added = resource_request(api, cat["id"], sp["id"])
    assert added.status_code == 201
    body = added.json()
    assert (body["requestType"], body["state"]) == ("adminAdd", "delivered") and body["id"] and body["createdDateTime"]
    assert set(body) == {"@odata.context", "id", "requestType", "state", "createdDateTime"}
    resources = api.get(EM + f"catalogs/{cat['id']}/resources").json()["value"]
    assert [r["originId"] for r in resources] == [sp["id"]]
    assert set(resources[0]) == {"id", "displayName", "description", "originId", "originSystem", "attributes",
                                 "createdDateTime", "modifiedDateTime"}
    assert (resources[0]["displayName"], resources[0]["attributes"]) == (sp["displayName"], [])
    assert_error(resource_request(api, cat["id"], sp["id"]), 400, "ResourceAlreadyOnboarded")
    assert resource_request(api, cat["id"], sp["id"], "adminRemove").status_code == 201
    assert api.get(EM + f"catalogs/{cat['id']}/resources").json()["value"] == []
    assert_error(resource_request(api, cat["id"], sp["id"], "adminRemove"), 400, "ResourceNotFound")


def test_resource_request_refusals(api):
    cat = catalog(api)
    _, sp = application_with_sp(api)
    assert_error(resource_request(api, str(uuid.uuid4()), sp["id"]), 400)  # no such catalog
    assert_error(resource_request(api, cat["id"], str(uuid.uuid4())), 400)  # no such service principal
    assert_error(resource_request(api, cat["id"], sp["id"], "userAdd"), 400)
    body = {"requestType": "adminAdd", "catalog": {"id": cat["id"]},
            "resource": {"originId": sp["id"], "originSystem": "AadGroup"}}
    assert_error(api.post(EM + "resourceRequests", json=body), 400)


def test_resources_expand_roles_and_scopes_derived_from_the_application(api):
    reader = app_role("Reader")
    ids = onboarded(api, reader)
    url = EM + f"catalogs/{ids['catalog']}/resources"
    resource = api.get(url, params={"$expand": "roles,scopes"}).json()["value"][0]
    assert resource["roles"] == [{"id": resource["roles"][0]["id"], "displayName": "Reader",
                                  "description": "Reader role", "originId": reader["id"], "originSystem": AAD}]
    assert resource["scopes"] == [{"id": resource["scopes"][0]["id"], "displayName": "Root",
                                   "description": "Root Scope", "originId": ids["sp"], "originSystem": AAD,
                                   "isRootScope": True}]
    writer = app_role("Writer")
    assert api.patch(f"applications/{ids['application']['id']}", json={"appRoles": [reader, writer]}).status_code \
        == 204
    again = api.get(url, params={"$expand": "roles"}).json()["value"][0]
    assert [role["originId"] for role in again["roles"]] == [reader["id"], writer["id"]]
    assert again["roles"][0]["id"] == resource["roles"][0]["id"]  # stable
    assert "scopes" not in again
    assert api.get(url, params={"$filter": f"originId eq '{ids['sp']}'"}).json()["value"][0]["id"] == ids["resource"]
    assert api.get(url, params={"$filter": f"originId eq '{uuid.uuid4()}'"}).json()["value"] == []
    assert_error(api.get(url, params={"$expand": "environment"}), 400)


def test_deleting_the_application_removes_its_catalog_resources_and_role_scopes(api):
    reader = app_role("Reader")
    ids = onboarded(api, reader)
    pkg = package(api, ids["catalog"])
    url = EM + f"accessPackages/{pkg['id']}/resourceRoleScopes"
    assert api.post(url, json=role_scope_body(reader["id"], ids["sp"], {"id": ids["resource"]})).status_code == 201
    assert api.delete(f"applications/{ids['application']['id']}").status_code == 204
    assert api.get(EM + f"catalogs/{ids['catalog']}/resources").json()["value"] == []
    expanded = api.get(EM + f"accessPackages/{pkg['id']}", params={"$expand": "resourceRoleScopes"}).json()
    assert expanded["resourceRoleScopes"] == []
    assert api.delete(EM + f"accessPackages/{pkg['id']}").status_code == 204


# ------------------------------------------------------------------------------------------------ access packages
def test_access_package_create_list_and_expand(api):
    ids = onboarded(api)
    pkg = package(api, ids["catalog"], description="d")
    assert set(pkg) == {"@odata.context", "id", "displayName", "description", "isHidden", "createdDateTime",
                        "modifiedDateTime"}
    assert (pkg["isHidden"], pkg["description"]) == (False, "d")
    other = package(api, catalog(api)["id"], displayName="other", isHidden=True)
    listed = api.get(EM + "accessPackages", params={"$filter": "displayName eq 'other'"}).json()["value"]
    assert [p["id"] for p in listed] == [other["id"]]
    in_catalog = api.get(EM + "accessPackages", params={"$filter": f"catalog/id eq '{ids['catalog']}'"}).json()
    assert [p["id"] for p in in_catalog["value"]] == [pkg["id"]]
    selected = api.get(EM + "accessPackages", params={"$select": "id", "$expand": "catalog", "$top": "1"}).json()
    catalog_doc = api.get(EM + f"catalogs/{ids['catalog']}").json()
    del catalog_doc["@odata.context"]
    assert selected["value"] == [{"id": pkg["id"], "catalog": catalog_doc}] and "@odata.nextLink" in selected
    one = api.get(EM + f"accessPackages/{pkg['id']}", params={"$expand": "catalog"}).json()
    assert one["catalog"]["id"] == ids["catalog"] and one["catalog"]["catalogType"] == "userManaged"


@pytest.mark.parametrize("body", [{"displayName": "x"}, {"displayName": "x", "catalog": {"id": str(uuid.uuid4())}},
                                  {"catalog": "CATALOG"}, {"displayName": "x", "catalog": "CATALOG", "isHidden": 1},
                                  {"displayName": "x", "catalog": "CATALOG", "state": "published"}])
def test_access_package_create_refusals(api, body):
    cat = catalog(api)
    body = {name: ({"id": cat["id"]} if value == "CATALOG" else value) for name, value in body.items()}
    assert_error(api.post(EM + "accessPackages", json=body), 400)


def test_access_package_patch_and_catalog_is_fixed(api):
    cat, other = catalog(api), catalog(api)
    pkg = package(api, cat["id"])
    url = EM + f"accessPackages/{pkg['id']}"
    assert api.patch(url, json={"displayName": "renamed", "isHidden": True}).status_code == 204
    assert (api.get(url).json()["displayName"], api.get(url).json()["isHidden"]) == ("renamed", True)
    assert_error(api.patch(url, json={"catalog": {"id": other["id"]}}), 400)
    assert api.patch(url, json={"catalog": {"id": cat["id"]}}).status_code == 204


def test_access_package_delete_refused_while_it_has_policies_or_role_scopes(api, users):
    reader = app_role("Reader")
    ids = onboarded(api, reader)
    pkg = package(api, ids["catalog"])
    url = EM + f"accessPackages/{pkg['id']}"
    scope = api.post(url + "/resourceRoleScopes", json=role_scope_body(reader["id"], ids["sp"],
                                                                      {"id": ids["resource"]})).json()
    policy = api.post(EM + "assignmentPolicies", json=policy_body(pkg["id"], [single_user(users[0])],
                                                                  [single_user(users[1])])).json()
    assert_error(api.delete(url), 400, "ResourceInUse")
    assert api.delete(EM + f"assignmentPolicies/{policy['id']}").status_code == 204
    assert_error(api.delete(url), 400, "ResourceInUse")
    assert_error(resource_request(api, ids["catalog"], ids["sp"], "adminRemove"), 400, "ResourceInUse")
    assert api.delete(url + f"/resourceRoleScopes/{scope['id']}").status_code == 204
    assert api.delete(url).status_code == 204
    assert_error(api.get(url), 404)


# ---------------------------------------------------------------------------------------------- resourceRoleScopes
def test_role_scope_create_expand_and_delete(api):
    reader, writer = app_role("Reader"), app_role("Writer")
    ids = onboarded(api, reader, writer)
    pkg, twin = package(api, ids["catalog"]), package(api, ids["catalog"])
    url = EM + f"accessPackages/{pkg['id']}/resourceRoleScopes"
    created = api.post(url, json=role_scope_body(reader["id"], ids["sp"], {"id": ids["resource"]}))
    assert created.status_code == 201, created.text
    body = created.json()
    assert set(body) == {"@odata.context", "id", "createdDateTime"}
    resource = api.get(EM + f"catalogs/{ids['catalog']}/resources", params={"$expand": "roles,scopes"}).json()
    roles, scope = resource["value"][0]["roles"], resource["value"][0]["scopes"][0]
    assert body["id"] == f"{roles[0]['id']}_{scope['id']}"
    by_origin = api.post(url, json=role_scope_body(writer["id"], ids["sp"], {"originId": ids["sp"]}))
    assert by_origin.status_code == 201 and by_origin.json()["id"] == f"{roles[1]['id']}_{scope['id']}"
    assert_error(api.post(url, json=role_scope_body(reader["id"], ids["sp"], {"id": ids["resource"]})), 409)
    same_in_twin = api.post(EM + f"accessPackages/{twin['id']}/resourceRoleScopes",
                            json=role_scope_body(reader["id"], ids["sp"], {"id": ids["resource"]}))
    assert same_in_twin.status_code == 201 and same_in_twin.json()["id"] == body["id"]

    expanded = api.get(EM + f"accessPackages/{pkg['id']}",
                       params={"$expand": "resourceRoleScopes($expand=role,scope),catalog"}).json()
    first = expanded["resourceRoleScopes"][0]
    assert first == {"id": body["id"], "createdDateTime": body["createdDateTime"],
                     "role": {k: v for k, v in roles[0].items()}, "scope": scope}
    assert expanded["catalog"]["id"] == ids["catalog"]
    plain = api.get(EM + "accessPackages", params={"$expand": "resourceRoleScopes"}).json()["value"][0]
    assert [set(rs) for rs in plain["resourceRoleScopes"]] == [{"id", "createdDateTime"}] * 2

    assert api.delete(f"{url}/{body['id']}").status_code == 204
    assert_error(api.delete(f"{url}/{body['id']}"), 404, "Request_ResourceNotFound")
    twin_scopes = api.get(EM + f"accessPackages/{twin['id']}", params={"$expand": "resourceRoleScopes"}).json()
    assert [rs["id"] for rs in twin_scopes["resourceRoleScopes"]] == [body["id"]]  # the twin's is untouched


def test_role_scope_refusals(api):
    reader = app_role("Reader")
    ids, elsewhere = onboarded(api, reader), onboarded(api, app_role("Other"))
    pkg = package(api, ids["catalog"])
    url = EM + f"accessPackages/{pkg['id']}/resourceRoleScopes"
    # the resource is in another catalog
    assert_error(api.post(url, json=role_scope_body(reader["id"], elsewhere["sp"], {"id": elsewhere["resource"]})),
                 400)
    # the role is not one of the resource's roles
    assert_error(api.post(url, json=role_scope_body(str(uuid.uuid4()), ids["sp"], {"id": ids["resource"]})), 400)
    # not the root scope
    body = role_scope_body(reader["id"], ids["sp"], {"id": ids["resource"]})
    body["scope"]["isRootScope"] = False
    assert_error(api.post(url, json=body), 400)
    assert_error(api.post(EM + f"accessPackages/{uuid.uuid4()}/resourceRoleScopes",
                          json=role_scope_body(reader["id"], ids["sp"], {"id": ids["resource"]})), 404)


# --------------------------------------------------------------------------------------------- assignment policies
def test_policy_create_returns_every_property_with_defaults(api, users):
    pkg = package(api, catalog(api)["id"])
    response = api.post(EM + "assignmentPolicies", json={"displayName": "direct", "accessPackage": {"id": pkg["id"]}})
    assert response.status_code == 201, response.text
    policy = response.json()
    assert list(policy)[1:] == ["id", "displayName", "description", "allowedTargetScope", "specificAllowedTargets",
                                "automaticRequestSettings", "expiration", "requestorSettings",
                                "requestApprovalSettings", "reviewSettings", "questions", "notificationSettings",
                                "createdDateTime", "modifiedDateTime"]
    assert policy["expiration"] == {"endDateTime": None, "duration": None, "type": "noExpiration"}
    assert policy["requestApprovalSettings"] == {"isApprovalRequiredForAdd": False,
                                                 "isApprovalRequiredForUpdate": False,
                                                 "isRequestorJustificationRequired": False, "stages": []}
    assert policy["requestorSettings"]["onBehalfRequestors"] == [] and policy["reviewSettings"] is None
    assert (policy["allowedTargetScope"], policy["automaticRequestSettings"]) == ("notSpecified", None)

    full = api.post(EM + "assignmentPolicies", json=policy_body(pkg["id"], [single_user(u) for u in users],
                                                                [single_user(users[0])])).json()
    stage = full["requestApprovalSettings"]["stages"][0]
    assert [a["userId"] for a in stage["primaryApprovers"]] == [u["id"] for u in users]
    assert stage["durationBeforeAutomaticDenial"] == "P14D" and stage["fallbackPrimaryApprovers"] == []
    pattern = full["reviewSettings"]["schedule"]["recurrence"]["pattern"]
    assert (pattern["type"], pattern["interval"]) == ("absoluteMonthly", 12)
    assert full["reviewSettings"]["expirationBehavior"] == "removeAccess"


def _stages(count: int, user: dict, required: bool = True) -> dict:
    return {"isApprovalRequiredForAdd": required,
            "stages": [{"durationBeforeAutomaticDenial": "P14D", "primaryApprovers": [single_user(user)]}] * count}


def _review(pattern: dict, duration: str = "P14D", expiration: dict | None = None,
            start: str = "2030-01-01T00:00:00Z", starting: str | None = None) -> dict:
    """An enabled review's settings (`starting`: the recurrence range's startDate, if any)."""
    recurrence = {"pattern": pattern, "range": {"type": "noEnd", **({"startDate": starting} if starting else {})}}
    return {"isEnabled": True, "schedule": {
        "startDateTime": start, "expiration": expiration or {"type": "afterDuration", "duration": duration},
        "recurrence": recurrence}}


@pytest.mark.parametrize("change, status", [
    ({"requestApprovalSettings": "STAGES0"}, 400),
    ({"requestApprovalSettings": "STAGES4"}, 400),
    ({"requestApprovalSettings": "STAGES3"}, 201),
    ({"requestApprovalSettings": "NOAPPROVAL0"}, 201),
    ({"requestApprovalSettings": {"isApprovalRequiredForAdd": True, "stages": [
        {"primaryApprovers": [{"@odata.type": "#microsoft.graph.singleUser", "userId": str(uuid.uuid4())}]}]}}, 400),
    ({"reviewSettings": _review({"type": "absoluteYearly", "interval": 1})}, 400),
    ({"reviewSettings": _review({"type": "weekly", "interval": 0})}, 400),
    ({"reviewSettings": _review({"type": "weekly", "interval": 2})}, 201),  # open 14 days, every 14 days
    ({"reviewSettings": _review({"type": "weekly", "interval": 1})}, 400),  # open 14 days, every 7: overlaps
    # A review stays open at most until the next one starts (graph/limits.py [reviews]: a month counts 28 days).
    ({"reviewSettings": _review({"type": "absoluteMonthly", "interval": 1}, "P28D")}, 201),
    ({"reviewSettings": _review({"type": "absoluteMonthly", "interval": 1}, "P29D")}, 400),
    ({"reviewSettings": _review({"type": "absoluteMonthly", "interval": 1}, "P180D")}, 400),
    ({"reviewSettings": _review({"type": "absoluteMonthly", "interval": 12}, "P180D")}, 201),
    ({"expiration": {"type": "afterDuration", "duration": "14 days, 0:00:00"}}, 400),
    ({"expiration": {"type": "sometime"}}, 400),
    ({"accessPackage": {"id": str(uuid.uuid4())}}, 400),
    ({"accessPackage": None}, 400),
    ({"displayName": None}, 400),
    ({"questions": []}, 201),
    ({"questions": [{"@odata.type": "#microsoft.graph.accessPackageTextInputQuestion", "isRequired": True}]}, 400),
    ({"questions": [{"@odata.type": "#microsoft.graph.accessPackageTextInputQuestion", "text": " "}]}, 400),
    ({"questions": [{"text": "Why?"}]}, 400),  # a question's subtype is required
    ({"questions": [{"@odata.type": "#microsoft.graph.accessPackageMultipleChoiceQuestion", "text": "Team?",
                     "choices": [{"text": "News"}]}]}, 400),  # a choice's actualValue is required
    ({"questions": [{"@odata.type": "#microsoft.graph.accessPackageMultipleChoiceQuestion", "text": "Team?",
                     "choices": [{"actualValue": "news", "text": "News"}], "isMultipleSelectionAllowed": True,
                     "localizations": [{"languageCode": "fr", "text": "Équipe ?"}]}]}, 201),
    ({"reviewSettings": {"isEnabled": True, "expirationBehavior": "forget"}}, 400),
    # session 38: each refused on its own account, no other rule refusing it too (a one-line sweep of the rules)
    ({"displayName": " "}, 400),
    ({"requestApprovalSettings": "NOAPPROVAL4"}, 400),  # at most 3 stages, approval required or not
    ({"reviewSettings": {"isEnabled": True, "schedule": {"startDateTime": "2030-01-01T00:00:00Z"}}}, 400),
    ({"reviewSettings": _review({"type": "daily", "interval": 30})}, 400),
    ({"reviewSettings": _review({"type": "weekly", "interval": 0}, expiration={"type": "noExpiration"})}, 400),
    ({"reviewSettings": _review({"type": "absoluteMonthly", "interval": True})}, 400),  # a boolean is no number
    ({"reviewSettings": {**_review({"type": "absoluteMonthly", "interval": 12}), "fallbackReviewers": [
        {"@odata.type": "#microsoft.graph.singleUser", "userId": str(uuid.uuid4())}]}}, 400),
    ({"allowedTargetScope": "specificDirectoryUsers", "specificAllowedTargets": [
        {"@odata.type": "#microsoft.graph.groupMembers", "groupId": str(uuid.uuid4())}]}, 400),
    ({"expiration": {"type": "afterDuration", "duration": "P365D", "colour": "red"}}, 400),
    ({"reviewSettings": _review({"type": "absoluteMonthly", "interval": 12}, start="next tuesday")}, 400),
    ({"reviewSettings": _review({"type": "absoluteMonthly", "interval": 12}, starting="soon")}, 400),
])
def test_policy_validation(api, users, change, status):
    pkg = package(api, catalog(api)["id"])
    marker = {"STAGES0": _stages(0, users[0]), "STAGES4": _stages(4, users[0]), "STAGES3": _stages(3, users[0]),
              "NOAPPROVAL0": _stages(0, users[0], required=False), "NOAPPROVAL4": _stages(4, users[0], required=False)}
    change = {name: marker.get(value, value) if isinstance(value, str) else value for name, value in change.items()}
    body = {**policy_body(pkg["id"], [single_user(users[0])], [single_user(users[1])]), **change}
    response = api.post(EM + "assignmentPolicies", json=body)
    if status == 201:
        assert response.status_code == 201, response.text
    else:
        assert_error(response, 400)


def test_policy_list_get_replace_and_delete(api, users, monkeypatch):
    pkg, other = package(api, catalog(api)["id"]), package(api, catalog(api)["id"])
    body = policy_body(pkg["id"], [single_user(users[0])], [single_user(users[1])])
    policy = api.post(EM + "assignmentPolicies", json=body).json()
    api.post(EM + "assignmentPolicies", json={"displayName": "elsewhere", "accessPackage": {"id": other["id"]}})
    listed = api.get(EM + "assignmentPolicies", params={"$filter": f"accessPackage/id eq '{pkg['id']}'"}).json()
    assert [p["id"] for p in listed["value"]] == [policy["id"]]
    url = EM + f"assignmentPolicies/{policy['id']}"
    one = api.get(url, params={"$expand": "accessPackage"}).json()
    assert one["accessPackage"]["id"] == pkg["id"] and one["reviewSettings"] == policy["reviewSettings"]
    expanded = api.get(EM + "assignmentPolicies", params={"$expand": "accessPackage", "$top": "1"}).json()
    assert expanded["value"][0]["accessPackage"]["id"] == pkg["id"]

    monkeypatch.setattr(governance, "now", lambda: "2031-01-01T00:00:00Z")
    replaced = api.request("PUT", url, json={"id": policy["id"], "displayName": "replaced",
                                             "accessPackage": {"id": pkg["id"]}})
    assert replaced.status_code == 200, replaced.text
    after = replaced.json()
    assert after["displayName"] == "replaced" and after["reviewSettings"] is None  # the whole policy is replaced
    assert after["requestApprovalSettings"]["stages"] == [] and after["description"] is None
    assert (after["createdDateTime"], after["modifiedDateTime"]) == (policy["createdDateTime"], "2031-01-01T00:00:00Z")
    assert api.get(url).json() == {**after, "@odata.context": api.get(url).json()["@odata.context"]}
    assert_error(api.request("PUT", url, json={"displayName": "x", "accessPackage": {"id": other["id"]}}), 400)
    assert_error(api.request("PUT", url, json={**body, "requestApprovalSettings": _stages(4, users[0])}), 400)
    assert_error(api.patch(url, json={"displayName": "x"}), 405)
    assert api.delete(url).status_code == 204
    assert_error(api.get(url), 404, "Request_ResourceNotFound")


# --------------------------------------------------------------------------------------------------- protocol
@pytest.mark.parametrize("path, params", [
    ("catalogs", {"$orderby": "displayName"}),
    ("catalogs", {"$count": "true"}),
    ("accessPackages", {"$expand": "resourceRoleScopes($select=id)"}),
    ("accessPackages", {"$filter": "startswith(displayName, 'a')"}),
    ("assignmentPolicies", {"$filter": f"catalog/id eq '{uuid.uuid4()}'"}),  # an access package's filter
])
def test_unsupported_queries_are_refused(api, path, params):
    assert_error(api.get(EM + path, params=params), 400, "Request_UnsupportedQuery")


def test_unknown_paths_expansions_and_methods(api):
    cat = catalog(api)
    assert_error(api.get(EM + "connectedOrganizations"), 400, "BadRequest")
    assert_error(api.get(EM + "catalogs", params={"$expand": "accessPackages"}), 400)
    assert_error(api.get(EM + f"catalogs/{cat['id']}", params={"$top": "1"}), 400, "Request_UnsupportedQuery")
    assert_error(api.get(EM + f"catalogs(displayName='{cat['displayName']}')"), 400, "Request_BadRequest")
    assert_error(api.request("PUT", EM + f"catalogs/{cat['id']}", json={}), 405)


def test_governance_requests_inside_batch(api):
    response = api.post("$batch", json={"requests": [
        {"id": "1", "method": "POST", "url": "/" + EM + "catalogs", "headers": {"Content-Type": "application/json"},
         "body": {"displayName": "batched"}},
        {"id": "2", "method": "GET", "url": "/" + EM + "catalogs?$filter=displayName eq 'batched'",
         "dependsOn": ["1"]}]})
    responses = {item["id"]: item for item in response.json()["responses"]}
    assert responses["1"]["status"] == 201
    assert responses["2"]["body"]["value"][0]["id"] == responses["1"]["body"]["id"]


# ------------------------------------------------------------------------------------------- msgraph-sdk fidelity
def _sdk_policy(package_id: str, approvers: list[str], reviewer: str) -> AccessPackageAssignmentPolicy:
    """Two approvers in one stage and an annual review (absoluteMonthly, interval 12), as typed models."""
    schedule = EntitlementManagementSchedule(
        start_date_time=dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc),
        # ISO strings, not timedelta: kiota writes a timedelta as str(timedelta) ("14 days, 0:00:00"), which is not
        # an Edm.Duration and which the emulator, like Graph, refuses.
        expiration=ExpirationPattern(type=ExpirationPatternType.AfterDuration, duration="P14D"),
        recurrence=PatternedRecurrence(
            pattern=RecurrencePattern(type=RecurrencePatternType.AbsoluteMonthly, interval=12),
            range=RecurrenceRange(type=RecurrenceRangeType.NoEnd)))
    return AccessPackageAssignmentPolicy(
        display_name="SDK policy", description="two approvers, annual review",
        allowed_target_scope=AllowedTargetScope.AllMemberUsers,
        expiration=ExpirationPattern(type=ExpirationPatternType.NoExpiration),
        requestor_settings=AccessPackageAssignmentRequestorSettings(enable_targets_to_self_add_access=True),
        request_approval_settings=AccessPackageAssignmentApprovalSettings(
            is_approval_required_for_add=True, stages=[AccessPackageApprovalStage(
                duration_before_automatic_denial="P14D",
                primary_approvers=[SingleUser(user_id=user_id) for user_id in approvers])]),
        review_settings=AccessPackageAssignmentReviewSettings(
            is_enabled=True, primary_reviewers=[SingleUser(user_id=reviewer)], schedule=schedule),
        access_package=AccessPackage(id=package_id))


def _expanding(module: str, builder: str, *names: str) -> RequestConfiguration:
    """`$expand` through the request builder's own query parameters class; imported here because msgraph warns
    about its deprecated configuration classes when such a module loads (the test filters those warnings)."""
    builder_class = getattr(importlib.import_module(f"{EM_BUILDERS}.{module}"), builder)
    parameters = getattr(builder_class, f"{builder}GetQueryParameters")
    return RequestConfiguration(query_parameters=parameters(expand=list(names)))


EM_BUILDERS = "msgraph.generated.identity_governance.entitlement_management"


@pytest.mark.filterwarnings("ignore:This class is deprecated:DeprecationWarning",
                            "ignore:GetQueryParameters is deprecated:DeprecationWarning")
def test_entitlement_management_with_typed_models(served):
    seed(served.store, {"users": [ALICE, BOB]})
    reader = app_role("Reader")
    application = served.store.get("applications", _new_application(served.store, {
        "displayName": "EM app", "appRoles": [reader]})["id"])

    async def scenario(client: GraphServiceClient):
        em = client.identity_governance.entitlement_management
        alice, bob = [await client.users.by_user_id(upn).get() for upn in ("alice@contoso.com", "bob@contoso.com")]
        sp = await client.service_principals.post(ServicePrincipal(app_id=application["appId"]))

        catalog_made = await em.catalogs.post(AccessPackageCatalog(display_name="SDK catalog", description="c"))
        request = await em.resource_requests.post(AccessPackageResourceRequest(
            request_type=AccessPackageRequestType.AdminAdd, catalog=AccessPackageCatalog(id=catalog_made.id),
            resource=AccessPackageResource(origin_id=sp.id, origin_system=AAD)))
        resources = await em.catalogs.by_access_package_catalog_id(catalog_made.id).resources.get(
            request_configuration=_expanding("catalogs.item.resources.resources_request_builder",
                                             "ResourcesRequestBuilder", "roles", "scopes"))
        resource = resources.value[0]
        assert [role.origin_id for role in resource.roles] == [reader["id"]] and resource.scopes[0].is_root_scope

        package_made = await em.access_packages.post(AccessPackage(
            display_name="SDK package", description="p", catalog=AccessPackageCatalog(id=catalog_made.id)))
        role_scope = await em.access_packages.by_access_package_id(package_made.id).resource_role_scopes.post(
            AccessPackageResourceRoleScope(
                role=AccessPackageResourceRole(origin_id=reader["id"], origin_system=AAD,
                                               resource=AccessPackageResource(id=resource.id)),
                scope=AccessPackageResourceScope(origin_id=sp.id, origin_system=AAD, is_root_scope=True)))
        policy = await em.assignment_policies.post(_sdk_policy(package_made.id, [alice.id, bob.id], alice.id))

        catalog_back = await em.catalogs.by_access_package_catalog_id(catalog_made.id).get()
        package_back = await em.access_packages.by_access_package_id(package_made.id).get(
            request_configuration=_expanding("access_packages.item.access_package_item_request_builder",
                                             "AccessPackageItemRequestBuilder",
                                             "resourceRoleScopes($expand=role,scope)", "catalog"))
        policy_back = await em.assignment_policies.by_access_package_assignment_policy_id(policy.id).get(
            request_configuration=_expanding(
                "assignment_policies.item.access_package_assignment_policy_item_request_builder",
                "AccessPackageAssignmentPolicyItemRequestBuilder", "accessPackage"))
        lists = [await em.catalogs.get(), await em.access_packages.get(), await em.assignment_policies.get()]

        assert package_back.resource_role_scopes[0].id == role_scope.id
        assert package_back.resource_role_scopes[0].role.origin_id == reader["id"]
        assert package_back.catalog.id == catalog_made.id and policy_back.access_package.id == package_made.id
        stage = policy_back.request_approval_settings.stages[0]
        assert [approver.user_id for approver in stage.primary_approvers] == [alice.id, bob.id]
        assert stage.duration_before_automatic_denial == dt.timedelta(days=14)
        assert policy_back.review_settings.schedule.recurrence.pattern.interval == 12
        assert_no_leftovers(
            catalog_made, request, resources, package_made, role_scope, policy, catalog_back, package_back,
            policy_back, *lists,
            must_see=(AccessPackageCatalog, AccessPackage, AccessPackageResource, AccessPackageResourceRole,
                      AccessPackageResourceScope, AccessPackageResourceRoleScope, AccessPackageResourceRequest,
                      AccessPackageAssignmentPolicy, AccessPackageApprovalStage,
                      AccessPackageAssignmentApprovalSettings,
                      AccessPackageAssignmentReviewSettings, AccessPackageAssignmentRequestorSettings,
                      AccessPackageNotificationSettings, EntitlementManagementSchedule, ExpirationPattern,
                      PatternedRecurrence, RecurrencePattern, RecurrenceRange, SingleUser))

    sdk_run(served.base_url, scenario)


# ------------------------------------------------------------------ session 38: refusals each tried on its own
def test_resource_request_refusals_each_name_their_cause(api):
    """Each refusal on its own, with its message: a refusal that another rule would also make proves nothing."""
    cat = catalog(api)
    _, sp = application_with_sp(api)
    error = assert_error(resource_request(api, cat["id"], sp["id"], "userAdd"), 400)
    assert "'requestType': 'userAdd'" in error["message"]
    body = {"requestType": "adminAdd", "catalog": {"id": cat["id"]},
            "resource": {"originId": sp["id"], "originSystem": "SharePointOnline"}}
    error = assert_error(api.post(EM + "resourceRequests", json=body), 400)
    assert "resource.originSystem" in error["message"]
    error = assert_error(api.post(EM + "resourceRequests", json={**body, "resource": {"originId": sp["id"]},
                                                                "colour": "red"}), 400)
    assert error["message"].startswith("The property 'colour' does not exist")
    assert api.get(EM + f"catalogs/{cat['id']}/resources").json()["value"] == []


def test_an_access_package_with_only_a_policy_is_not_deleted(api, users):
    pkg = package(api, onboarded(api, app_role("Reader"))["catalog"])
    assert api.post(EM + "assignmentPolicies", json=policy_body(pkg["id"], [single_user(users[0])],
                                                                [single_user(users[1])])).status_code == 201
    assert_error(api.delete(EM + f"accessPackages/{pkg['id']}"), 400, "ResourceInUse")
    assert api.get(EM + f"accessPackages/{pkg['id']}").status_code == 200


def test_a_role_scope_whose_scope_names_another_service_principal_is_refused(api):
    reader = app_role("Reader")
    ids, elsewhere = onboarded(api, reader), onboarded(api, app_role("Other"))
    pkg = package(api, ids["catalog"])
    body = role_scope_body(reader["id"], elsewhere["sp"], {"id": ids["resource"]})
    error = assert_error(api.post(EM + f"accessPackages/{pkg['id']}/resourceRoleScopes", json=body), 400)
    assert error["message"].startswith("scope must be the root scope of the resource")


def test_a_policys_id_is_graphs_to_give_and_to_keep(api, users):
    pkg = package(api, catalog(api)["id"])
    body = policy_body(pkg["id"], [single_user(users[0])], [single_user(users[1])])
    error = assert_error(api.post(EM + "assignmentPolicies", json={**body, "id": str(uuid.uuid4())}), 400)
    assert error["message"] == "Property 'id' is read-only and cannot be set."
    policy = api.post(EM + "assignmentPolicies", json=body).json()
    url = EM + f"assignmentPolicies/{policy['id']}"
    error = assert_error(api.request("PUT", url, json={**body, "id": str(uuid.uuid4())}), 400)
    assert error["message"] == "Property 'id' in the body does not match the policy in the request URL."
    assert [p["id"] for p in api.get(EM + "assignmentPolicies").json()["value"]] == [policy["id"]]


def test_a_name_another_package_of_the_catalog_has_is_refused_on_create_and_on_rename(api):
    """409 DuplicateAccessPackage, as Graph answers it (its text, quoted in hashicorp/terraform-provider-azuread
    #1948): names are the catalog's own, compared in any case; another catalog may use it."""
    first = catalog(api)["id"]
    readers = package(api, first, displayName="Readers")
    writers = package(api, first, displayName="Writers")
    assert_error(api.post(EM + "accessPackages", json={"displayName": "READERS", "catalog": {"id": first}}), 409,
                 "DuplicateAccessPackage")
    assert_error(api.patch(EM + f"accessPackages/{writers['id']}", json={"displayName": "readers"}), 409,
                 "DuplicateAccessPackage")
    assert api.patch(EM + f"accessPackages/{readers['id']}", json={"displayName": "Readers",
                                                                   "description": "x"}).status_code == 204
    package(api, catalog(api)["id"], displayName="Readers")


def test_a_package_name_is_taken_as_the_catalogs_look_up_by_name_finds_it(api):
    """The catalog's names are compared as `$filter=displayName eq` compares them (ASCII letters in any case), so
    the package a create is refused for is the one a plan's look-up by that name finds, and one it does not find
    does not hold the name: a name differing from another only in the case of a letter outside ASCII is its own."""
    first = catalog(api)["id"]
    package(api, first, displayName="Ärzte Readers")
    found = api.get(EM + "accessPackages", params={"$filter": "displayName eq 'ärzte READERS'"}).json()["value"]
    assert [p["displayName"] for p in found] == []  # Ä is not ä to the look-up ...
    assert api.post(EM + "accessPackages", json={"displayName": "ärzte READERS",
                                                 "catalog": {"id": first}}).status_code == 201  # ... nor to the name
    assert_error(api.post(EM + "accessPackages", json={"displayName": "ÄRZTE READERS", "catalog": {"id": first}}),
                 409, "DuplicateAccessPackage")
    found = api.get(EM + "accessPackages", params={"$filter": "displayName eq 'ÄRZTE readers'"}).json()["value"]
    assert [p["displayName"] for p in found] == ["Ärzte Readers"]
