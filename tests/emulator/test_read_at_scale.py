"""The read path at tenant scale (issue 7): `$expand=owners` on applications, `directoryObjects/getByIds`, and
entitlement management lists paged 999 at a time and expanded in a fixed number of SQL queries a page; last, the
msgraph-sdk typed client over the first two."""

from __future__ import annotations

import asyncio
import json
import uuid
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph import GraphServiceClient
from msgraph.generated.directory_objects.get_by_ids.get_by_ids_post_request_body import GetByIdsPostRequestBody
from msgraph.generated.models.application import Application
from msgraph.generated.models.service_principal import ServicePrincipal
from msgraph.generated.models.user import User

from idamconf.emulator import Store
from idamconf.emulator.app import route
from idamconf.emulator.directory import _new_application, _new_service_principal
from idamconf.emulator.governance_entities import resource_role, resource_role_json, role_id
from idamconf.emulator.governance_expand import encoded
from idamconf.emulator.graph_permissions import GRAPH_APP_ID
from idamconf.emulator.protocol import Request
from idamconf.emulator.seed import seed

from .conftest import IN_PROCESS_BASE, Api, assert_error, serving
from .test_sdk_fidelity import assert_no_leftovers, sdk_run

# 1,000 (10 expanded pages, and getByIds' most) shows each page rule as 10,000 would; scale's time is measured by
# `make bench`, and a page's cost, whatever its size, by its SQL statements (below).
TENANT_APPS = 1_000
USERS = 30
EM = "identityGovernance/entitlementManagement/"
GROUP_ID = "7d0c6c8e-8c3a-4a55-9a3b-1f2e3d4c5b6a"


@pytest.fixture(scope="module")
def tenant():
    """1,000 applications. Owners: bulk-00000 has 25 users (added u24 first, down to u00); bulk-00001 has a
    service principal then a user; bulk-00002 has none; every other application has two users."""
    store = Store()
    seed(store, {"users": [{"userPrincipalName": f"u{i:02d}@contoso.com"} for i in range(USERS)],
                 "groups": [{"id": GROUP_ID, "displayName": "Readers"}]})
    users = [store.find("users", "userPrincipalName", f"u{i:02d}@contoso.com")["id"] for i in range(USERS)]
    with store.transaction():
        apps = [_new_application(store, {"displayName": f"bulk-{i:05d}"}) for i in range(TENANT_APPS)]
        service_principal = _new_service_principal(store, {"appId": apps[3]["appId"]})
        owners = {0: users[24::-1], 1: [service_principal["id"], users[5]], 2: []}
        for index, app in enumerate(apps):
            for owner in owners.get(index, [users[index % USERS], users[(index + 1) % USERS]]):
                store.link("owners", app["id"], owner)
    yield Api(store), {"apps": apps, "users": users, "sp": service_principal}
    store.close()


def walk(app, params: dict) -> list[dict]:
    """Every page of `applications` with `params`, over one in-process client."""

    async def go():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=IN_PROCESS_BASE,
                                     headers={"Authorization": "Bearer test"}) as client:
            pages = []
            response = await client.get("applications", params=params)
            while True:
                assert response.status_code == 200, response.text
                pages.append(json.loads(response.content))
                if "@odata.nextLink" not in pages[-1]:
                    return pages
                response = await client.get(pages[-1]["@odata.nextLink"])

    return asyncio.run(go())


def first(api: Api, name: str, **params) -> dict:
    body = api.get("applications", params={"$filter": f"displayName eq '{name}'", **params}).json()
    return body["value"][0]


# ------------------------------------------------------------------------------------------- $expand=owners
def test_expanded_listing_pages_at_most_100_even_with_top_999(tenant):
    api, made = tenant
    pages = walk(api.app, {"$expand": "owners", "$top": "999"})
    assert [len(page["value"]) for page in pages] == [100] * (TENANT_APPS // 100)
    names = [app["displayName"] for page in pages for app in page["value"]]
    assert names == [f"bulk-{i:05d}" for i in range(TENANT_APPS)]
    assert sum(len(app["owners"]) for page in pages for app in page["value"]) == 2 * (TENANT_APPS - 3) + 20 + 2
    link = parse_qs(urlsplit(pages[0]["@odata.nextLink"]).query)
    assert link["$expand"] == ["owners"] and link["$top"] == ["999"] and link["$skiptoken"]


def test_a_page_of_owners_costs_the_same_number_of_queries_whatever_its_size(tenant):
    api, _ = tenant
    statements: list[str] = []
    api.store._db.set_trace_callback(statements.append)
    try:
        counts = []
        for top in ("1", "100"):
            statements.clear()
            assert api.get("applications", params={"$expand": "owners", "$top": top}).status_code == 200
            counts.append(len(statements))
    finally:
        api.store._db.set_trace_callback(None)
    assert counts[0] == counts[1] <= 3, counts


def test_owners_are_typed_directory_objects_with_all_their_properties(tenant):
    api, made = tenant
    owners = first(api, "bulk-00001", **{"$expand": "owners"})["owners"]
    assert [owner["@odata.type"] for owner in owners] == ["#microsoft.graph.servicePrincipal", "#microsoft.graph.user"]
    assert owners[0]["id"] == made["sp"]["id"] and owners[0]["appId"] == made["apps"][3]["appId"]
    assert owners[1]["userPrincipalName"] == "u05@contoso.com" and "businessPhones" in owners[1]
    assert first(api, "bulk-00002", **{"$expand": "owners"})["owners"] == []


def test_expanded_owners_stop_at_20_in_link_order_without_a_next_link(tenant):
    api, made = tenant
    application = first(api, "bulk-00000", **{"$expand": "owners"})
    assert [owner["id"] for owner in application["owners"]] == made["users"][24:4:-1]
    assert not [name for name in application if "nextLink" in name or "@odata.count" in name]


def test_nested_select_projects_each_owner_to_what_its_type_has(tenant):
    api, made = tenant
    owners = first(api, "bulk-00001", **{"$expand": "owners($select=id,userPrincipalName)"})["owners"]
    assert owners == [{"@odata.type": "#microsoft.graph.servicePrincipal", "id": made["sp"]["id"]},
                      {"@odata.type": "#microsoft.graph.user", "id": made["users"][5],
                       "userPrincipalName": "u05@contoso.com"}]


def test_select_with_expand_still_returns_the_owners(tenant):
    api, _ = tenant
    body = api.get("applications", params={"$select": "displayName", "$expand": "owners($select=id)",
                                           "$filter": "startsWith(displayName,'bulk-0000')", "$top": "3"}).json()
    assert body["@odata.context"].endswith("$metadata#applications(displayName,owners(id))")
    assert [sorted(app) for app in body["value"]] == [["displayName", "owners"]] * 3
    assert [app["displayName"] for app in body["value"]] == ["bulk-00000", "bulk-00001", "bulk-00002"]
    following = api.get(body["@odata.nextLink"]).json()["value"]
    assert [app["displayName"] for app in following] == ["bulk-00003", "bulk-00004", "bulk-00005"]
    assert all(set(owner) == {"@odata.type", "id"} for owner in following[0]["owners"])


def test_filter_and_small_top_with_expand(tenant):
    api, made = tenant
    body = api.get("applications", params={"$expand": "owners", "$top": "7"}).json()
    assert len(body["value"]) == 7 and body["@odata.context"].endswith("$metadata#applications(owners())")
    app = first(api, "bulk-00010", **{"$expand": "owners"})
    assert [owner["id"] for owner in app["owners"]] == [made["users"][10], made["users"][11]]


@pytest.mark.parametrize("params,status,code", [
    ({"$expand": "owners", "$top": "1000"}, 400, "Request_UnsupportedQuery"),
    ({"$expand": "memberOf"}, 400, "Request_BadRequest"),
    ({"$expand": "owners($filter=id eq 'x')"}, 400, "Request_UnsupportedQuery"),
    ({"$expand": "owners($expand=manager)"}, 400, "Request_UnsupportedQuery"),
    ({"$expand": "owners($select=nope)"}, 400, "Request_BadRequest"),
    ({"$expand": "owners(", "$top": "1"}, 400, "Request_BadRequest"),
    ({"$expand": "owners", "$orderby": "displayName"}, 400, "Request_UnsupportedQuery"),
])
def test_expand_refusals(tenant, params, status, code):
    assert_error(tenant[0].get("applications", params=params), status, code)


def test_service_principals_list_unchanged(tenant):
    api, made = tenant
    body = api.get("servicePrincipals", params={"$select": "id,appId"}).json()
    assert [sp for sp in body["value"] if sp["appId"] != GRAPH_APP_ID] == [
        {"id": made["sp"]["id"], "appId": made["apps"][3]["appId"]}]
    assert len(body["value"]) == 2  # and Microsoft Graph's, which every tenant holds
    # owners and appRoleAssignedTo expand (test_service_principal_relations.py); nothing else does
    assert_error(api.get("servicePrincipals", params={"$expand": "memberOf"}), 400)


# ---------------------------------------------------------------------------------------------------- getByIds
def get_by_ids(api: Api, body, **params) -> httpx.Response:
    return api.post("directoryObjects/getByIds", json=body, params=params)


def test_get_by_ids_returns_what_exists_typed_in_the_order_asked(tenant):
    api, made = tenant
    missing = str(uuid.uuid4())
    ids = [made["apps"][7]["id"], missing, made["users"][3].upper(), made["sp"]["id"], GROUP_ID, made["users"][3]]
    response = get_by_ids(api, {"ids": ids})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["@odata.context"].endswith("/$metadata#directoryObjects")
    assert [(item["@odata.type"], item["id"]) for item in body["value"]] == [
        ("#microsoft.graph.application", made["apps"][7]["id"]), ("#microsoft.graph.user", made["users"][3]),
        ("#microsoft.graph.servicePrincipal", made["sp"]["id"]), ("#microsoft.graph.group", GROUP_ID)]
    assert body["value"][0]["displayName"] == "bulk-00007" and body["value"][0]["appRoles"] == []


def test_get_by_ids_types_narrow_the_search_case_insensitively(tenant):
    api, made = tenant
    ids = [made["apps"][7]["id"], made["users"][3], made["sp"]["id"], GROUP_ID]
    found = get_by_ids(api, {"ids": ids, "types": ["User", "SERVICEPRINCIPAL"]}).json()["value"]
    assert [item["id"] for item in found] == [made["users"][3], made["sp"]["id"]]
    assert get_by_ids(api, {"ids": ids, "types": ["device"]}).json()["value"] == []
    assert len(get_by_ids(api, {"ids": ids, "types": ["directoryObject"]}).json()["value"]) == 4


def test_get_by_ids_takes_1000_ids_and_refuses_1001(tenant):
    api, made = tenant
    ids = [app["id"] for app in made["apps"][:1000]]
    body = get_by_ids(api, {"ids": ids, "types": ["application"]}).json()
    assert [item["id"] for item in body["value"]] == ids
    error = assert_error(get_by_ids(api, {"ids": [*ids, str(uuid.uuid4())]}), 400, "Request_BadRequest")
    assert "1000" in error["message"]


@pytest.mark.parametrize("body", [{}, {"ids": []}, {"ids": "x"}, {"ids": ["not-a-guid"]}, {"ids": [5]},
                                  {"ids": [GROUP_ID], "types": ["potato"]}, {"ids": [GROUP_ID], "types": "user"},
                                  {"ids": [GROUP_ID], "types": [5]}, {"ids": [GROUP_ID], "extra": 1},
                                  ["not an object"]])
def test_get_by_ids_refuses_bad_bodies(tenant, body):
    assert_error(get_by_ids(tenant[0], body), 400, "Request_BadRequest")


def test_get_by_ids_takes_no_query_options_and_only_post(tenant):
    api, _ = tenant
    assert_error(get_by_ids(api, {"ids": [GROUP_ID]}, **{"$select": "id"}), 400, "Request_UnsupportedQuery")
    assert_error(api.get("directoryObjects/getByIds"), 405)
    assert_error(api.post("directoryObjects/getByNames", json={"ids": [GROUP_ID]}), 400)


def test_get_by_ids_inside_batch(tenant):
    api, made = tenant
    response = api.post("$batch", json={"requests": [
        {"id": "1", "method": "POST", "url": "/directoryObjects/getByIds",
         "headers": {"Content-Type": "application/json"}, "body": {"ids": [made["users"][0], GROUP_ID]}},
        {"id": "2", "method": "POST", "url": "/directoryObjects/getByIds",
         "headers": {"Content-Type": "application/json"}, "body": {"ids": ["bad"]}}]})
    replies = {item["id"]: item for item in response.json()["responses"]}
    assert replies["1"]["status"] == 200
    assert [item["id"] for item in replies["1"]["body"]["value"]] == [made["users"][0], GROUP_ID]
    assert replies["2"]["status"] == 400 and replies["2"]["body"]["error"]["code"] == "Request_BadRequest"


def test_directory_object_by_id(tenant):
    api, made = tenant
    body = api.get(f"directoryObjects/{made['sp']['id']}").json()
    assert body["@odata.type"] == "#microsoft.graph.servicePrincipal" and body["id"] == made["sp"]["id"]
    assert body["@odata.context"].endswith("/$metadata#directoryObjects/$entity")
    assert_error(api.get(f"directoryObjects/{uuid.uuid4()}"), 404, "Request_ResourceNotFound")
    assert_error(api.get(f"directoryObjects(appId='{made['apps'][7]['appId']}')"), 400, "Request_BadRequest")


# ------------------------------------------------------------------------------- entitlement management lists
def em_post(store: Store, path: str, body: dict) -> dict:
    """A write straight through the emulator's router (no HTTP): fast set-up of many objects."""
    reply = route(store, Request("POST", EM + path, {}, {}, body, "http://emulator.localhost/v1.0"))
    assert reply.status == 201, reply.body
    return reply.body


@pytest.fixture(scope="module")
def governance_tenant():
    """1,050 applications in one catalog (one app role each); 1,001 catalogs; 1,001 access packages; 3 policies."""
    store = Store()
    seed(store, {"users": [{"userPrincipalName": "approver@contoso.com"}]})
    role = {"id": str(uuid.uuid4()), "allowedMemberTypes": ["User"], "displayName": "Reader", "value": "Reader",
            "isEnabled": True}
    with store.transaction():
        big = em_post(store, "catalogs", {"displayName": "big"})
        for index in range(1050):
            app = _new_application(store, {"displayName": f"em-{index:05d}", "appRoles": [role]})
            sp = _new_service_principal(store, {"appId": app["appId"]})
            em_post(store, "resourceRequests", {"requestType": "adminAdd", "catalog": {"id": big["id"]},
                                                "resource": {"originId": sp["id"], "originSystem": "AadApplication"}})
        for index in range(1000):
            em_post(store, "catalogs", {"displayName": f"cat-{index:05d}"})
        packages = [em_post(store, "accessPackages", {"displayName": f"pkg-{index:05d}", "catalog": {"id": big["id"]}})
                    for index in range(1001)]
    yield Api(store), big, packages, role
    store.close()


def em_walk(api: Api, path: str, params: dict) -> list[dict]:
    pages = [api.get(EM + path, params=params).json()]
    while "@odata.nextLink" in pages[-1]:
        link = pages[-1]["@odata.nextLink"]
        assert parse_qs(urlsplit(link).query)["$top"] == [params["$top"]]
        pages.append(api.get(link).json())
    return pages


def test_catalog_resources_page_999_with_roles_and_scopes(governance_tenant):
    api, big, _, role = governance_tenant
    pages = em_walk(api, f"catalogs/{big['id']}/resources", {"$expand": "roles,scopes", "$top": "999"})
    assert [len(page["value"]) for page in pages] == [999, 51]
    resources = [resource for page in pages for resource in page["value"]]
    assert [resource["displayName"] for resource in resources] == [f"em-{i:05d}" for i in range(1050)]
    assert all([r["originId"] for r in resource["roles"]] == [role["id"]] and resource["scopes"][0]["isRootScope"]
               for resource in resources)


@pytest.mark.parametrize("path", ["catalogs", "accessPackages"])
def test_governance_lists_page_999_with_next_links(governance_tenant, path):
    api = governance_tenant[0]
    pages = em_walk(api, path, {"$top": "999"})
    assert [len(page["value"]) for page in pages] == [999, 2]
    assert len({item["id"] for page in pages for item in page["value"]}) == 1001
    default = api.get(EM + path).json()
    assert len(default["value"]) == 100 and "@odata.nextLink" in default
    assert_error(api.get(EM + path, params={"$top": "1000"}), 400, "Request_UnsupportedQuery")


def test_assignment_policies_page_with_next_links(governance_tenant):
    api, _, packages, _ = governance_tenant
    approver = api.get("users/approver@contoso.com").json()["id"]
    for package in packages[:3]:
        response = api.post(EM + "assignmentPolicies", json={
            "displayName": "p", "allowedTargetScope": "allMemberUsers", "accessPackage": {"id": package["id"]},
            "requestApprovalSettings": {"isApprovalRequiredForAdd": True, "stages": [{
                "durationBeforeAutomaticDenial": "P14D",
                "primaryApprovers": [{"@odata.type": "#microsoft.graph.singleUser", "userId": approver}]}]}})
        assert response.status_code == 201, response.text
    pages = em_walk(api, "assignmentPolicies", {"$top": "2", "$expand": "accessPackage"})
    assert [len(page["value"]) for page in pages] == [2, 1]
    assert [page["value"][0]["accessPackage"]["id"] for page in pages] == [packages[0]["id"], packages[2]["id"]]
    assert_error(api.get(EM + "assignmentPolicies", params={"$top": "1000"}), 400, "Request_UnsupportedQuery")


# ----------------------------------------------------------- entitlement management: a page's $expand in SQL
EXPANDED_LISTS = {  # name -> (path, params, SQL statements a page may cost at most, whatever its length)
    "packages": ("accessPackages", {"$expand": "resourceRoleScopes($expand=role,scope),catalog"}, 6),
    "policies": ("assignmentPolicies", {"$expand": "accessPackage"}, 2),
    "resources": ("catalogs/{catalog}/resources", {"$expand": "roles,scopes"}, 4),
    "catalogs": ("catalogs", {}, 1),
}
QUOTED_ROLE = {"displayName": 'Lecteur «é» "q" \\ \u00e9', "description": None}


@pytest.fixture(scope="module")
def expanding_tenant():
    """40 applications in one catalog, each with a role `Reader` and a role with a quoted, non-ASCII name and no
    description; 40 access packages, each with a role scope on its application's Reader (every third also one on
    the other role) and an assignment policy."""
    store = Store()
    seed(store, {"users": [{"userPrincipalName": "approver@contoso.com"}]})
    approver = {"@odata.type": "#microsoft.graph.singleUser",
                "userId": store.find("users", "userPrincipalName", "approver@contoso.com")["id"]}
    with store.transaction():
        catalog = em_post(store, "catalogs", {"displayName": "expanding"})
        for index in range(40):
            roles = [{"id": str(uuid.uuid4()), "allowedMemberTypes": ["User"], "displayName": "Reader",
                      "value": "Reader", "description": "Reads", "isEnabled": True},
                     {"id": str(uuid.uuid4()).upper(), "allowedMemberTypes": ["User"], "value": "Quoted",
                      "isEnabled": True, **QUOTED_ROLE}]
            sp = _new_service_principal(store, {"appId": _new_application(
                store, {"displayName": f"ex-{index:02d}", "appRoles": roles})["appId"]})
            em_post(store, "resourceRequests", {"requestType": "adminAdd", "catalog": {"id": catalog["id"]},
                                                "resource": {"originId": sp["id"], "originSystem": "AadApplication"}})
            package = em_post(store, "accessPackages", {"displayName": f"pkg-{index:02d}",
                                                        "catalog": {"id": catalog["id"]}})
            for role in roles[:1 if index % 3 else 2]:
                em_post(store, f"accessPackages/{package['id']}/resourceRoleScopes", {
                    "role": {"originId": role["id"], "originSystem": "AadApplication",
                             "resource": {"originId": sp["id"]}},
                    "scope": {"originId": sp["id"], "originSystem": "AadApplication", "isRootScope": True}})
            em_post(store, "assignmentPolicies", {
                "displayName": f"policy-{index:02d}", "allowedTargetScope": "allMemberUsers",
                "accessPackage": {"id": package["id"]}, "requestApprovalSettings": {
                    "isApprovalRequiredForAdd": True,
                    "stages": [{"durationBeforeAutomaticDenial": "P14D", "primaryApprovers": [approver]}]}})
    yield Api(store), catalog
    store.close()


def counted(api: Api, url: str, params: dict) -> tuple[dict, int]:
    """The reply's body, and how many SQL statements answering it took."""
    statements: list[str] = []
    api.store._db.set_trace_callback(statements.append)
    try:
        response = api.get(url, params=params)
    finally:
        api.store._db.set_trace_callback(None)
    assert response.status_code == 200, response.text
    return response.json(), len(statements)


@pytest.mark.parametrize("name", list(EXPANDED_LISTS))
def test_an_expanded_page_costs_the_same_few_queries_whatever_its_length(expanding_tenant, name):
    api, catalog = expanding_tenant
    path, params, most = EXPANDED_LISTS[name]
    url = EM + path.format(catalog=catalog["id"])
    short, short_cost = counted(api, url, {**params, "$top": "1"})
    full, full_cost = counted(api, url, {**params, "$top": "999"})
    assert len(short["value"]) == 1 and len(full["value"]) == (1 if name == "catalogs" else 40)
    assert short_cost == full_cost <= most, (short_cost, full_cost)


def test_an_expanded_page_holds_what_each_object_read_by_id_holds(expanding_tenant):
    """The list and GET by id expand through the same code; the roles are derived from the right app roles."""
    api, _ = expanding_tenant
    path, params, most = EXPANDED_LISTS["packages"]
    page = api.get(EM + path, params={**params, "$top": "999"}).json()["value"]
    for package in page[:4]:
        one, cost = counted(api, EM + f"{path}/{package['id']}", params)
        assert {name: value for name, value in one.items() if name != "@odata.context"} == package
        assert list(one)[1:] == list(package) and cost <= most
    assert [len(package["resourceRoleScopes"]) for package in page[:4]] == [2, 1, 1, 2]
    quoted = page[0]["resourceRoleScopes"][1]
    assert quoted["id"] == f"{quoted['role']['id']}_{quoted['scope']['id']}"
    assert {name: quoted["role"][name] for name in QUOTED_ROLE} == QUOTED_ROLE
    policies = api.get(EM + "assignmentPolicies", params={"$expand": "accessPackage", "$top": "999"}).json()["value"]
    assert [policy["accessPackage"]["id"] for policy in policies] == [package["id"] for package in page]


def test_select_puts_the_expanded_properties_after_the_selected_ones(expanding_tenant):
    api, catalog = expanding_tenant
    params = {"$select": "displayName,id", "$expand": "catalog,resourceRoleScopes"}
    body = api.get(EM + "accessPackages", params={**params, "$top": "2"}).json()
    names = ["displayName", "id", "catalog", "resourceRoleScopes"]
    assert [list(package) for package in body["value"]] == [names] * 2
    assert body["value"][0]["catalog"]["id"] == catalog["id"] and "@odata.nextLink" in body
    one = api.get(EM + f"accessPackages/{body['value'][0]['id']}", params=params).json()
    assert list(one) == ["@odata.context", *names]


def test_a_pending_role_scope_or_policy_stays_out_of_an_expanded_page():
    store, now = Store(), [0.0]
    seed(store, {"users": [{"userPrincipalName": "approver@contoso.com"}]})
    role = {"id": str(uuid.uuid4()), "allowedMemberTypes": ["User"], "displayName": "Reader", "value": "Reader",
            "isEnabled": True}
    sp = _new_service_principal(store, {"appId": _new_application(store, {"displayName": "lag",
                                                                          "appRoles": [role]})["appId"]})
    catalog = em_post(store, "catalogs", {"displayName": "lag"})
    em_post(store, "resourceRequests", {"requestType": "adminAdd", "catalog": {"id": catalog["id"]},
                                        "resource": {"originId": sp["id"], "originSystem": "AadApplication"}})
    package = em_post(store, "accessPackages", {"displayName": "lag", "catalog": {"id": catalog["id"]}})
    store.lag_replication(lambda: 5.0, lambda: now[0])
    em_post(store, f"accessPackages/{package['id']}/resourceRoleScopes", {
        "role": {"originId": role["id"], "resource": {"originId": sp["id"]}}, "scope": {"originId": sp["id"]}})
    api, expand = Api(store), {"$expand": "resourceRoleScopes($expand=role,scope),catalog"}
    assert api.get(EM + "accessPackages", params=expand).json()["value"][0]["resourceRoleScopes"] == []
    now[0] = 5.0
    assert len(api.get(EM + "accessPackages", params=expand).json()["value"][0]["resourceRoleScopes"]) == 1
    store.close()


def test_resource_roles_written_as_text_are_the_roles_built_and_encoded():
    resource = {"id": str(uuid.uuid4()), "originId": str(uuid.uuid4())}
    for app_role in ({"id": str(uuid.uuid4()).upper(), **QUOTED_ROLE}, {"id": str(uuid.uuid4())},
                     {"id": str(uuid.uuid4()), "displayName": "R", "description": "Reads\n"}):
        texts = tuple(encoded(app_role.get(name)) for name in ("id", "displayName", "description"))
        assert resource_role_json(resource["id"], texts) == encoded(resource_role(resource, app_role))
        assert role_id(resource["id"], app_role["id"]) == str(uuid.uuid5(uuid.UUID(resource["id"]),
                                                                           app_role["id"].lower()))


# ------------------------------------------------------------------------------------------ msgraph-sdk client
@pytest.mark.filterwarnings("ignore:This class is deprecated:DeprecationWarning",
                            "ignore:GetQueryParameters is deprecated:DeprecationWarning")
def test_sdk_reads_applications_with_expanded_owners_and_gets_by_ids(tmp_path):
    from msgraph.generated.applications.applications_request_builder import ApplicationsRequestBuilder

    store = Store(tmp_path / "t.db")
    seed(store, {"users": [{"userPrincipalName": "alice@contoso.com", "displayName": "Alice"}]})
    alice = store.find("users", "userPrincipalName", "alice@contoso.com")["id"]
    with store.transaction():
        apps = [_new_application(store, {"displayName": f"sdk-{i:03d}"}) for i in range(120)]
        sp = _new_service_principal(store, {"appId": apps[0]["appId"]})
        for app in apps:
            store.link("owners", app["id"], alice)
        store.link("owners", apps[1]["id"], sp["id"])
    parameters = ApplicationsRequestBuilder.ApplicationsRequestBuilderGetQueryParameters(expand=["owners"], top=999)

    async def scenario(client: GraphServiceClient):
        page = await client.applications.get(request_configuration=RequestConfiguration(query_parameters=parameters))
        pages = [page]
        while page.odata_next_link:
            page = await client.applications.with_url(page.odata_next_link).get()
            pages.append(page)
        found = await client.directory_objects.get_by_ids.post(GetByIdsPostRequestBody(
            ids=[sp["id"], alice, apps[5]["id"], str(uuid.uuid4())],
            types=["user", "servicePrincipal", "application"]))
        return pages, found

    with serving(store) as emulator:
        pages, found = sdk_run(emulator.base_url, scenario)
    assert [len(page.value) for page in pages] == [100, 20]
    applications = [app for page in pages for app in page.value]
    assert all(isinstance(app, Application) for app in applications)
    assert [[type(owner) for owner in app.owners] for app in applications[:2]] == [[User], [User, ServicePrincipal]]
    assert applications[1].owners[1].app_id == apps[0]["appId"] and applications[0].owners[0].display_name == "Alice"
    assert [(type(item), item.id) for item in found.value] == [
        (ServicePrincipal, sp["id"]), (User, alice), (Application, apps[5]["id"])]
    assert_no_leftovers(*pages, found, must_see=(Application, User, ServicePrincipal))


def test_groups_expand_their_direct_members_at_most_20_by_id_and_type(api):
    """`groups?$filter=…&$expand=members($select=id)`, as the plan reads the groups it names (plan/two_people.py):
    each group's direct members (group-list-members.md: users, groups, service principals; not transitive) with their
    `@odata.type`, at most 20 of them with no nextLink, as Graph expands directory objects' relationships."""
    upns = [f"m{n:02}@contoso.com" for n in range(25)]
    seed(api.store, {"users": [{"userPrincipalName": upn, "displayName": upn} for upn in upns],
                     "groups": [{"displayName": "Few", "members": upns[:2]},
                                {"displayName": "Many", "members": upns}, {"displayName": "None"}]})
    response = api.get("groups", params={"$filter": "displayName in ('Few','Many','None')", "$select": "id,displayName",
                                         "$expand": "members($select=id)"})
    assert response.status_code == 200, response.text
    found = {group["displayName"]: group["members"] for group in response.json()["value"]}
    ids = {upn: api.store.find("users", "userPrincipalName", upn)["id"] for upn in upns}
    assert found["Few"] == [{"@odata.type": "#microsoft.graph.user", "id": ids[upn]} for upn in upns[:2]]
    assert len(found["Many"]) == 20 and found["None"] == []
    assert not [name for name in response.json()["value"][0] if "nextLink" in name]
