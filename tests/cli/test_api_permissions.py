"""API permissions by name and consent, end to end: the CLI, the real msgraph-sdk request adapter, the embedded
emulator. Graph's real permission ids reach `requiredResourceAccess`; consents are app role assignments on the
client's service principal and one delegated grant for all users; each is created, changed and removed, and the
typed SDK reads all of it back with nothing left over."""

from __future__ import annotations

import contextlib
import re

import httpx

import pytest

from idamconf.emulator import Store
from idamconf.emulator.graph_permissions import GRAPH_APP_ID
from tests.emulator.conftest import serving
from tests.emulator.test_sdk_fidelity import sdk_run

from .harness import applications, apply, edit, plan, tenant
from .test_scenarios import converged

DAEMON, WEB = "applications/hr-directory-sync.yaml", "applications/staff-directory.yaml"
USER_READ_ALL, GROUP_MEMBER_READ_ALL = "df021288-bdef-4463-88db-98f22de89214", "98830695-27a2-44f7-8c18-0c3ebc9698f6"
DELEGATED = {"User.Read": "e1fe6dd8-ba31-4d61-89e7-88639da4683d", "openid": "37f7f235-527c-4136-accd-4a02d197296e",
             "email": "64a6cdd6-aab1-4aaf-94b8-3cc8405e90d0"}
CLIENT = """name: payroll-daemon
displayName: Payroll Daemon
description: Submits the monthly payroll to the payments API.
owners: [dave.finance@contoso.com, erin.security@contoso.com]
apiPermissions:
  - api: payments-api
    application: [Payments.Submit]
    consent: true
"""


def principal_of(project, name: str) -> dict:
    app_id = applications(project)[name]["appId"]
    return next(sp for sp in tenant(project)["objects"]["servicePrincipals"] if sp["appId"] == app_id)


def graph_principal(project) -> dict:
    return next(sp for sp in tenant(project)["objects"]["servicePrincipals"] if sp["appId"] == GRAPH_APP_ID)


def assignments_of(project, name: str) -> set[tuple[str, str]]:
    """(resource service principal id, app role id) of each app role its service principal holds."""
    client = principal_of(project, name)["id"]
    return {(a["resourceId"], a["appRoleId"]) for a in tenant(project)["objects"].get("appRoleAssignments", [])
            if a["principalId"] == client}


def grants_of(project, name: str) -> list[dict]:
    client = principal_of(project, name)["id"]
    return [g for g in tenant(project)["objects"].get("oauth2PermissionGrants", []) if g["clientId"] == client]


@contextlib.contextmanager
def portal(project):
    """Graph as an administrator in the portal would use it: the emulated tenant, served on loopback."""
    with serving(Store(project / ".idamconf" / "local.db")) as emulator, \
            httpx.Client(base_url=emulator.base_url + "/", headers={"Authorization": "Bearer test"},
                         trust_env=False) as client:
        yield client


def read_back(project):
    """The typed SDK's view, through the served emulator: every model's additional_data must be empty."""
    async def read(client):
        apps = (await client.applications.get()).value
        principals = (await client.service_principals.get()).value
        daemon_app = next(a for a in apps if a.unique_name == "hr-directory-sync")
        daemon = next(p for p in principals if p.app_id == daemon_app.app_id)
        assigned = (await client.service_principals.by_service_principal_id(daemon.id).app_role_assignments.get())
        grants = (await client.oauth2_permission_grants.get()).value
        return apps, principals, assigned.value, grants

    with serving(Store(project / ".idamconf" / "local.db")) as emulator:
        apps, principals, assigned, grants = sdk_run(emulator.base_url, read)
    for model in [*assigned, *grants, *(r for a in apps for r in a.required_resource_access or []),
                  *(access for a in apps for r in a.required_resource_access or [] for access in r.resource_access)]:
        assert model.additional_data == {}, (type(model).__name__, model.additional_data)
    return {a.unique_name: a for a in apps}, {p.app_id: p for p in principals}, assigned, grants


def test_permissions_by_name_reach_graph_with_its_real_ids_and_consent_is_granted(project):
    first = plan(project)
    assert "+ app.hr-directory-sync.permission[Microsoft Graph/application/User.Read.All]  (create)" in first.out
    assert "+ app.hr-directory-sync.consent[Microsoft Graph/User.Read.All]  (create)" in first.out
    assert "+ app.staff-directory.consent[Microsoft Graph/delegated]  (create)" in first.out
    assert re.search(r'scope += \["User.Read", "User.ReadBasic.All", "email", "offline_access", "openid", '
                     r'"profile"\]', first.out)
    assert apply(project).code == 0
    converged(project)
    apps, principals, assigned, grants = read_back(project)
    daemon = apps["hr-directory-sync"].required_resource_access
    assert [str(r.resource_app_id) for r in daemon] == [GRAPH_APP_ID]
    assert {(str(a.id), a.type) for a in daemon[0].resource_access} == {(USER_READ_ALL, "Role"),
                                                                       (GROUP_MEMBER_READ_ALL, "Role")}
    web = apps["staff-directory"].required_resource_access[0]
    assert {str(a.id) for a in web.resource_access} >= set(DELEGATED.values())
    assert {a.type for a in web.resource_access} == {"Scope"}
    graph = principals[GRAPH_APP_ID]
    assert {(str(a.resource_id), str(a.app_role_id)) for a in assigned} == {
        (str(graph.id), USER_READ_ALL), (str(graph.id), GROUP_MEMBER_READ_ALL)}
    portal_app = principals[apps["staff-directory"].app_id]
    [grant] = [g for g in grants if g.client_id == portal_app.id]
    assert (grant.consent_type, grant.resource_id, grant.principal_id) == ("AllPrincipals", graph.id, None)
    assert sorted(grant.scope.split()) == ["User.Read", "User.ReadBasic.All", "email", "offline_access", "openid",
                                           "profile"]


@pytest.mark.usefixtures("applied")
def test_a_consent_taken_away_is_removed_only_with_allow_delete(project):
    edit(project / DAEMON, "application: [User.Read.All, GroupMember.Read.All]", "application: [User.Read.All]")
    edit(project / WEB, "delegated: [User.Read, User.ReadBasic.All, openid, profile, email, offline_access]",
         "delegated: [User.Read, openid, profile, Calendars.Read]")
    changed = plan(project)
    assert "- app.hr-directory-sync.consent[Microsoft Graph/GroupMember.Read.All]  (destroy)" in changed.out
    assert "- app.hr-directory-sync.permission[Microsoft Graph/application/GroupMember.Read.All]  (destroy)" \
        in changed.out
    assert re.search(r'scope : \+ "Calendars.Read", - "User.ReadBasic.All", - "email", - "offline_access"',
                     changed.out)
    refused = apply(project)
    assert refused.code == 1 and "--allow-delete" in refused.err
    assert "app.staff-directory.consent[Microsoft Graph/delegated]  (fewer scopes consented)" in refused.err
    assert len(assignments_of(project, "hr-directory-sync")) == 2  # nothing was changed
    assert apply(project, "--allow-delete").code == 0
    converged(project)
    graph = graph_principal(project)["id"]
    assert assignments_of(project, "hr-directory-sync") == {(graph, USER_READ_ALL)}
    [grant] = grants_of(project, "staff-directory")
    assert sorted(grant["scope"].split()) == ["Calendars.Read", "User.Read", "openid", "profile"]


@pytest.mark.usefixtures("applied")
def test_removing_an_api_removes_its_permissions_and_consents(project):
    text = (project / WEB).read_text()
    (project / WEB).write_text(text.split("apiPermissions:")[0])
    result = apply(project, "--allow-delete")
    assert result.code == 0, result.err
    assert "app.staff-directory.consent[Microsoft Graph/delegated]: removed" in result.out
    converged(project)
    assert grants_of(project, "staff-directory") == []
    assert applications(project)["staff-directory"]["requiredResourceAccess"] == []


def test_without_consent_idamconf_grants_none_and_leaves_one_given_in_the_portal(project):
    edit(project / DAEMON, "    consent: true", "    consent: false")
    result = apply(project)
    assert result.code == 0 and "hr-directory-sync.consent[" not in result.out
    assert assignments_of(project, "hr-directory-sync") == set()  # requested only
    daemon, graph = principal_of(project, "hr-directory-sync")["id"], graph_principal(project)["id"]
    with portal(project) as admin:  # an administrator consents to a requested permission, and to one more
        for role in (USER_READ_ALL, "7ab1d382-f21e-4acd-a863-ba3e13f7da61"):  # Directory.Read.All: not requested
            answer = admin.post(f"servicePrincipals/{daemon}/appRoleAssignments",
                                json={"principalId": daemon, "resourceId": graph, "appRoleId": role})
            assert answer.status_code == 201, answer.text
    found = plan(project)
    assert "- app.hr-directory-sync.consent[Microsoft Graph/Directory.Read.All]  (destroy)" in found.out
    assert "User.Read.All]  (destroy)" not in found.out  # requested: the administrator's to give
    assert "Plan: 0 to add, 0 to change, 1 to destroy." in found.out
    assert apply(project, "--allow-delete").code == 0
    converged(project)
    assert assignments_of(project, "hr-directory-sync") == {(graph, USER_READ_ALL)}


def test_consent_to_an_api_of_this_configuration_created_in_the_same_apply(project):
    (project / "applications/payroll-daemon.yaml").write_text(CLIENT)
    first = plan(project)
    assert 'resourceAppId = "{appId of payments-api}"' in first.out
    assert "+ app.payroll-daemon.consent[payments-api/Payments.Submit]  (create)" in first.out
    result = apply(project)
    assert result.code == 0, result.err
    converged(project)
    api = principal_of(project, "payments-api")
    role = next(r["id"] for r in api["appRoles"] if r["value"] == "Payments.Submit")
    assert assignments_of(project, "payroll-daemon") == {(api["id"], role)}
    [required] = applications(project)["payroll-daemon"]["requiredResourceAccess"]
    assert required == {"resourceAppId": api["appId"], "resourceAccess": [{"id": role, "type": "Role"}]}


@pytest.mark.usefixtures("applied")
def test_an_api_named_by_its_application_id_is_the_same_api(project):
    edit(project / DAEMON, "  - api: Microsoft Graph ", f"  - api: {GRAPH_APP_ID} ")
    converged(project)


def test_unknown_names_are_plan_errors_at_their_lines_with_the_nearest_names(project):
    edit(project / WEB, "delegated: [User.Read, User.ReadBasic.All,", "delegated: [User.Reed, User.ReadBasic.All,")
    edit(project / DAEMON, "application: [User.Read.All, GroupMember.Read.All]",
         "application: [User.Read.All, User.Read]")
    text = (project / DAEMON).read_text() + "  - api: Microsoft Grapf\n    delegated: [User.Read]\n"
    (project / DAEMON).write_text(text)
    result = plan(project)
    assert result.code == 1
    assert re.search(r"staff-directory.yaml:19:\d+: error: apiPermissions\[0\].delegated\[0\]: Microsoft Graph has "
                     r"no delegated permission 'User.Reed'\n    fix: did you mean User.Read", result.err)
    assert re.search(r"hr-directory-sync.yaml:35:\d+: error: .*'User.Read' is a delegated permission of Microsoft "
                     r"Graph, not an application one\n    fix: move it to delegated", result.err)
    assert re.search(r"hr-directory-sync.yaml:37:10: error: apiPermissions\[1\].api: no API named 'Microsoft Grapf'",
                     result.err)
    assert "Traceback" not in result.err
    assert applications(project) == {}  # nothing was written


def test_an_api_of_this_configuration_is_checked_by_validate(project):
    from .harness import idamconf

    (project / "applications/payroll-daemon.yaml").write_text(
        CLIENT.replace("[Payments.Submit]", "[Payments.Submitt, Payments.Auditor]"))
    result = idamconf("validate", "-C", str(project))
    assert result.code == 1
    assert re.search(r"payroll-daemon.yaml:7:19: error: apiPermissions\[0\].application\[0\]: payments-api has no "
                     r"application permission 'Payments.Submitt'\n    fix: did you mean Payments.Submit", result.err)
    assert "application permission 'Payments.Auditor' of payments-api is a role for people only" in result.err


def test_an_ambiguous_display_name_asks_for_the_application_id(project):
    assert plan(project).code == 0  # the tenant exists
    with portal(project) as admin:
        for _ in range(2):
            app = admin.post("applications", json={"displayName": "Contoso Reports"}).json()
            assert admin.post("servicePrincipals", json={"appId": app["appId"]}).status_code == 201
    edit(project / DAEMON, "  - api: Microsoft Graph ", "  - api: Contoso Reports ")
    result = plan(project)
    assert result.code == 1
    assert "2 service principals are named 'Contoso Reports'" in result.err
    assert "fix: name the API by its application id" in result.err


def test_an_api_whose_display_name_holds_a_quote_is_found(project):
    assert plan(project).code == 0  # the tenant exists
    role = {"id": "5a1e9c3b-7d2f-4e8a-9b6c-0d1e2f3a4b5c", "value": "Reports.Read", "isEnabled": True,
            "allowedMemberTypes": ["Application"], "displayName": "Read reports", "description": "Reads every report."}
    with portal(project) as admin:
        app = admin.post("applications", json={"displayName": "O'Brien's Reports", "appRoles": [role]}).json()
        assert admin.post("servicePrincipals", json={"appId": app["appId"]}).status_code == 201
    text = (project / DAEMON).read_text() + "  - api: \"O'Brien's Reports\"\n    application: [Reports.Read]\n"
    (project / DAEMON).write_text(text)
    result = plan(project)
    assert result.code == 0, result.err
    assert f'resourceAppId = "{app["appId"]}"' in result.out


def planned_requests(project, monkeypatch) -> tuple[int, int]:
    """(HTTP round trips, Graph requests) of one plan, as the embedded emulator counted them."""
    from idamconf.emulator import embedded

    opened, real_open = [], embedded.open_app
    monkeypatch.setattr(embedded, "open_app", lambda *args, **kwargs: opened.append(real_open(*args, **kwargs))
                        or opened[-1])
    assert plan(project, "--detailed-exitcode").code == 0
    monkeypatch.setattr(embedded, "open_app", real_open)
    stats = opened[-1].state.emulator.stats
    return stats.http_requests, stats.requests


@pytest.mark.usefixtures("applied")
def test_a_plan_reads_each_api_once_whatever_the_number_of_applications(project, monkeypatch):
    few = planned_requests(project, monkeypatch)
    daemon = (project / DAEMON).read_text()
    # the copies keep no federated credentials: those are read per application that has them (docs/credentials.md)
    daemon = daemon[:daemon.index("# The nightly job")] + daemon[daemon.index("apiPermissions:"):]
    for number in range(30):
        (project / f"applications/daemon-{number}.yaml").write_text(
            daemon.replace("name: hr-directory-sync", f"name: daemon-{number}")
            .replace("displayName: HR Directory Sync", f"displayName: Daemon {number}"))
    assert apply(project).code == 0
    assert planned_requests(project, monkeypatch) == few  # 35 applications: not one request more than 5
    for name in (DAEMON, WEB, *(f"applications/daemon-{number}.yaml" for number in range(30))):
        path = project / name
        path.write_text(path.read_text().split("apiPermissions:")[0])
    assert apply(project, "--allow-delete").code == 0
    without = planned_requests(project, monkeypatch)
    # Microsoft Graph's service principal looked up (in a $batch, often one the plan sends anyway), then its
    # consents: two lists
    assert few[1] - without[1] == 3 and 2 <= few[0] - without[0] <= 3


def test_a_plan_of_changed_files_finds_an_api_of_this_configuration_outside_them(project):
    from .test_pull_request_flow import configuration_repository, git

    (project / "applications/payroll-daemon.yaml").write_text(CLIENT)
    configuration_repository(project)
    assert apply(project).code == 0
    edit(project / "applications/payroll-daemon.yaml", "displayName: Payroll Daemon", "displayName: Payroll Job")
    result = plan(project, "--changed-since", git(project, "rev-parse", "HEAD").strip())
    assert result.code == 0, result.err
    assert "app.payroll-daemon  (update)" in result.out and "Plan: 0 to add, 1 to change, 0 to destroy." in result.out
    assert "payments-api" not in result.out  # resolved by name and id, not planned


def test_a_disabled_role_of_an_api_of_this_configuration_is_not_requested(project):
    """A role its API has switched off (`enabled: false`) cannot be requested as an application permission:
    validate says so at its line, as it says of a role for people only."""
    from .harness import edit, idamconf

    edit(project / "applications/payments-api.yaml", "    value: Payments.Submit\n",
         "    value: Payments.Submit\n    enabled: false\n")
    (project / "applications/payroll-daemon.yaml").write_text(CLIENT)
    result = idamconf("validate", "-C", str(project))
    assert result.code == 1
    assert "application permission 'Payments.Submit' of payments-api is disabled" in result.err, result.err
    assert "fix: request another one, or enable it in the API" in result.err


def test_a_plan_of_changed_files_never_takes_an_untagged_namesake_for_an_api_of_this_configuration(project):
    """Outside the files a pull request changes, an API of this configuration is looked up by its name: an
    application holding that name without the project's tag (another team's, or one whose tag was taken away in
    the portal) is not it -- its ids are never put in this project's permissions or consents."""
    from .test_pull_request_flow import configuration_repository, git

    configuration_repository(project)
    namesake = applications(project)["payments-api"]
    with portal(project) as graph:
        assert graph.patch(f"applications/{namesake['id']}", json={"tags": []}).status_code == 204
    (project / "applications/payroll-daemon.yaml").write_text(CLIENT)
    result = plan(project, "--changed-since", git(project, "rev-parse", "HEAD").strip())
    assert "+ app.payroll-daemon  (create)" in result.out, result.err
    assert namesake["appId"] not in result.out
    assert 'resourceAppId = "{appId of payments-api}"' in result.out


class RefuseReadsOf:
    """A fault policy: Graph refuses (403) every read whose path holds `part`."""

    def __init__(self, part: str):
        self.part = part

    async def before(self, request):
        from idamconf.emulator.errors import GraphError
        from idamconf.emulator.protocol import Reply

        if request.method == "GET" and self.part in request.path:
            error = GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
            return Reply(403, error.body("test", "test"))
        return None

    async def after(self, request, reply):
        return reply


def test_a_plan_of_changed_files_stops_when_an_api_of_this_configuration_cannot_be_read(project, monkeypatch):
    """An API of this configuration outside the changed files that Graph refuses to show is not taken as absent
    (its permissions would be planned against an application to create): the plan stops, saying what failed."""
    from idamconf.emulator import embedded

    from .test_pull_request_flow import configuration_repository, git

    (project / "applications/payroll-daemon.yaml").write_text(CLIENT)
    configuration_repository(project)
    edit(project / "applications/payroll-daemon.yaml", "displayName: Payroll Daemon", "displayName: Payroll Job")
    real_open = embedded.open_app
    monkeypatch.setattr(embedded, "open_app", lambda state, seed=None, faults=None, tenant=None: real_open(
        state, seed, RefuseReadsOf("uniqueName='payments-api'"), tenant))
    result = plan(project, "--changed-since", git(project, "rev-parse", "HEAD").strip())
    assert result.code == 1
    assert "payments-api" in result.err and "403" in result.err and "Traceback" not in result.err
    assert "Plan:" not in result.out


def test_an_api_no_file_names_any_more_loses_its_permissions_and_consents(project):
    """The last permission to an API removed from every file: the API is then found through the tenant's
    requiredResourceAccess, and its permission and consent are removed (with --allow-delete)."""
    (project / "applications/payroll-daemon.yaml").write_text(CLIENT)
    assert apply(project).code == 0
    assert assignments_of(project, "payroll-daemon") != set()
    (project / "applications/payroll-daemon.yaml").write_text(CLIENT.split("apiPermissions:")[0])
    result = apply(project, "--allow-delete")
    assert result.code == 0, result.err
    assert "app.payroll-daemon.consent[Payments API/Payments.Submit]  (destroy): done" in result.out
    assert "Apply complete: 0 added, 0 changed, 2 destroyed." in result.out
    converged(project)
    assert assignments_of(project, "payroll-daemon") == set()
    assert applications(project)["payroll-daemon"]["requiredResourceAccess"] == []


def test_an_api_of_this_configuration_must_be_deployed_where_its_client_is(project):
    """The client is in every environment, its API only in local: validate names each environment the API is
    missing from, at the client's `api:` line."""
    from .harness import edit, idamconf

    edit(project / "applications/payments-api.yaml", "tags: [finance, pci]\n",
         "tags: [finance, pci]\nenvironments: [local]\n")
    (project / "applications/payroll-daemon.yaml").write_text(CLIENT)
    result = idamconf("validate", "-C", str(project))
    assert result.code == 1
    for environment in ("devl", "nle", "live"):
        assert f"API payments-api is not deployed to environment '{environment}'" in result.err, result.err
    assert "payroll-daemon.yaml:6:" in result.err


@pytest.mark.usefixtures("applied")
def test_a_users_own_consent_is_never_read_nor_touched(project):
    """carol consented for herself to staff-directory reading her mail (consentType Principal): that consent is
    hers, not the configuration's -- no plan shows it, and it stays as she gave it."""
    carol = "1a6c1b1e-0f3d-4c36-9d2e-6a9c1f0e0003"
    own = {"clientId": principal_of(project, "staff-directory")["id"], "consentType": "Principal",
           "principalId": carol, "resourceId": graph_principal(project)["id"], "scope": "Mail.Read"}
    with portal(project) as admin:
        made = admin.post("oauth2PermissionGrants", json=own)
        assert made.status_code == 201, made.text
    converged(project)
    assert apply(project, "--allow-delete").code == 0
    [kept] = [g for g in grants_of(project, "staff-directory") if g["consentType"] == "Principal"]
    assert (kept["principalId"], kept["scope"]) == (carol, "Mail.Read")


def test_graph_refusing_an_apis_look_up_stops_the_plan_saying_which(project, monkeypatch):
    """A refused look-up is not "no such API" (the plan would say the file names an API that does not exist)."""
    from tests.safety.wire import Rule, Scripted, graph_error

    from .harness import faulted

    def looks_up_graph(request) -> bool:
        return request.method == "GET" and request.path == "servicePrincipals" and \
            "Microsoft Graph" in request.query.get("$filter", "")

    faulted(monkeypatch, Scripted([Rule(looks_up_graph, graph_error(403, "Authorization_RequestDenied"), times=100)]))
    result = plan(project)
    assert result.code == 1
    assert "GET the service principal of API Microsoft Graph: 403 Authorization_RequestDenied" in result.err, \
        result.err
    assert "no API named" not in result.err


CASEWORK_API = """name: casework-api
displayName: Casework API
owners: [alice.admin@contoso.com]
identifierUris: ["api://{appId}"]
api:
  oauth2PermissionScopes:
    - value: user_impersonation
      adminConsentDisplayName: Access Casework API
      adminConsentDescription: Access Casework API as the user.
    - value: Cases.Archive
      adminConsentDisplayName: Archive cases
      adminConsentDescription: Archive cases as the user.
      enabled: false
"""
CASEWORK_CLIENT = """name: casework-client
displayName: Casework Client
owners: [alice.admin@contoso.com]
web: {redirectUris: ["https://casework.contoso.com/signin"]}
apiPermissions:
  - api: casework-api
    delegated: [user_impersonation]
    consent: true
"""


def test_a_client_requests_and_is_consented_a_scope_an_api_of_this_configuration_exposes(project):
    """A web client calling the team's own API on behalf of its users (the estate's custom API permissions, and
    on-behalf-of flows) names a scope the API's file exposes: validate refused it as unknown, as if the API offered
    only its roles (found by a review in session 47)."""
    from .harness import idamconf

    (project / "applications/casework-api.yaml").write_text(CASEWORK_API)
    (project / "applications/casework-client.yaml").write_text(CASEWORK_CLIENT.replace("[user_impersonation]",
                                                                                      "[Cases.Archive]"))
    refused = idamconf("validate", "-C", str(project))
    assert refused.code == 1 and "delegated permission 'Cases.Archive' of casework-api is disabled" in refused.err, \
        refused.err  # a disabled scope cannot be requested
    (project / "applications/casework-client.yaml").write_text(CASEWORK_CLIENT)
    assert idamconf("validate", "-C", str(project)).code == 0
    result = apply(project)
    assert result.code == 0, result.err
    converged(project)
    api = principal_of(project, "casework-api")
    scope = next(s["id"] for s in api["oauth2PermissionScopes"] if s["value"] == "user_impersonation")
    [required] = applications(project)["casework-client"]["requiredResourceAccess"]
    assert required == {"resourceAppId": api["appId"], "resourceAccess": [{"id": scope, "type": "Scope"}]}
    [grant] = grants_of(project, "casework-client")
    assert grant["resourceId"] == api["id"] and grant["scope"].split() == ["user_impersonation"]


@pytest.mark.usefixtures("applied")
def test_a_permission_of_an_api_with_no_service_principal_here_survives_a_change_of_the_others(project):
    """Such a permission is left as it is (no file can name its API), and not merely left out of the plan: apply
    writes requiredResourceAccess whole, so it went with the next change of any other permission -- a deletion no
    plan showed (a review's finding in session 47, of that session's first version)."""
    from tests.safety.graph_view import graph

    elsewhere = {"resourceAppId": "9a9a9a9a-0000-4000-8000-000000000001",
                 "resourceAccess": [{"id": "9b9b9b9b-0000-4000-8000-000000000002", "type": "Scope"}]}
    app = graph(project, "GET", "applications(uniqueName='staff-directory')")
    graph(project, "PATCH", f"applications/{app['id']}",
          {"requiredResourceAccess": [*app["requiredResourceAccess"], elsewhere]})
    quiet = plan(project)
    assert quiet.code == 0 and "No changes." in quiet.out, quiet.out
    edit(project / WEB, "offline_access]", "offline_access, User.Read.All]")
    shown = plan(project)
    assert "(destroy)" not in shown.out and "permission[Microsoft Graph/delegated/User.Read.All]" in shown.out
    assert apply(project).code == 0
    converged(project)
    assert elsewhere in applications(project)["staff-directory"]["requiredResourceAccess"]
