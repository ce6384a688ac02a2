"""The API an application exposes -- its scopes and the clients pre-authorised for them -- and app roles without a
value (SAML roles): created as Graph names them (read back through the official typed SDK with nothing left over),
changed with Graph's disable-first rule, removed only with --allow-delete, and converged."""

from __future__ import annotations

import re
import uuid

import pytest

from idamconf.config.model import SCOPE_NAMESPACE
from idamconf.emulator import Store
from tests.emulator.conftest import serving
from tests.emulator.test_sdk_fidelity import sdk_run

from .harness import live_warns_of, applications, apply, edit, plan
from .test_scenarios import converged

API = "applications/orders-api.yaml"
AZURE_CLI = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
SUBMIT = ("    - value: Orders.Submit\n      adminConsentDisplayName: Submit orders\n      adminConsentDescription: "
          "Lets the application submit orders on behalf of the signed-in user.\n")


def read_back(project, name: str):
    async def read(client):
        return (await client.applications.get()).value, (await client.service_principals.get()).value

    with serving(Store(project / ".idamconf" / "local.db")) as emulator:
        apps, principals = sdk_run(emulator.base_url, read)
    app = next(a for a in apps if a.unique_name == name)
    principal = next(p for p in principals if p.app_id == app.app_id)
    models = [app, app.api, *app.api.oauth2_permission_scopes, *app.api.pre_authorized_applications, *app.app_roles,
              principal, *principal.oauth2_permission_scopes]
    for model in models:
        assert model.additional_data == {}, (type(model).__name__, model.additional_data)
    return app, principal, {a.unique_name: a.app_id for a in apps}


def scope_id(value: str) -> str:
    return str(uuid.uuid5(SCOPE_NAMESPACE, f"orders-api/{value}"))


def test_scopes_and_a_client_created_in_the_same_apply_reach_graph_as_graph_names_them(project):
    first = apply(project)
    assert first.code == 0, first.err
    assert "app.orders-api.scope.Orders.Read: created" in first.out
    assert "app.orders-api.pre_authorized[orders-portal]: created" in first.out  # once the portal existed
    converged(project)
    app, principal, app_ids = read_back(project, "orders-api")
    scopes = {scope.value: scope for scope in app.api.oauth2_permission_scopes}
    read = scopes["Orders.Read"]
    assert str(read.id) == scope_id("Orders.Read")  # derived: the same in every tenant
    assert (read.type, read.is_enabled, read.admin_consent_display_name, read.user_consent_display_name) == \
        ("User", True, "Read orders", "Read your orders")
    assert scopes["Orders.Submit"].type == "Admin"  # the default: only administrators consent
    [client] = app.api.pre_authorized_applications
    assert client.app_id == app_ids["orders-portal"]
    assert sorted(client.delegated_permission_ids) == sorted([scope_id("Orders.Read"), scope_id("Orders.Submit")])
    assert {scope.value for scope in principal.oauth2_permission_scopes} == {"Orders.Read", "Orders.Submit"}


@pytest.mark.usefixtures("applied")
def test_a_changed_scope_is_disabled_first_and_a_removed_one_needs_allow_delete(project):
    edit(project / API, "adminConsentDisplayName: Read orders", "adminConsentDisplayName: Read all orders")
    edit(project / API, SUBMIT, "")
    edit(project / API, "scopes: [Orders.Read, Orders.Submit]", "scopes: [Orders.Read]")
    changed = plan(project)
    assert re.search(r"~ app.orders-api.scope.Orders.Read  \(disable first: Graph changes or removes only disabled "
                     r"scopes\)\n +isEnabled : true → false", changed.out)
    assert re.search(r'adminConsentDisplayName : "Read orders" → "Read all orders"', changed.out)
    assert "- app.orders-api.scope.Orders.Submit  (destroy)" in changed.out
    assert re.search(r'~ app.orders-api.pre_authorized\[orders-portal\]  \(update\)\n +scopes : - "Orders.Submit"',
                     changed.out)
    refused = apply(project)
    assert refused.code == 1 and "--allow-delete" in refused.err
    assert "app.orders-api.scope.Orders.Submit" in refused.err
    assert apply(project, "--allow-delete").code == 0
    converged(project)
    app, _, _ = read_back(project, "orders-api")
    [read] = app.api.oauth2_permission_scopes
    assert (read.admin_consent_display_name, read.is_enabled) == ("Read all orders", True)  # enabled again
    granted = app.api.pre_authorized_applications[0].delegated_permission_ids
    assert [str(scope) for scope in granted] == [scope_id("Orders.Read")]


@pytest.mark.usefixtures("applied")
def test_only_the_scope_that_changes_is_disabled_meanwhile(project, monkeypatch):
    """Disabling first is for the scope that changes: its neighbour is never disabled, not even for a moment (its
    clients would lose it meanwhile), and the clients pre-authorised stay so in that write."""
    from tests.safety.wire import Scripted

    from .harness import faulted

    class Writes(Scripted):
        def __init__(self):
            super().__init__()
            self.scopes: list[tuple[dict[str, bool], int]] = []

        async def before(self, request):
            api = request.body.get("api") if request.method == "PATCH" and isinstance(request.body, dict) else None
            if api and "oauth2PermissionScopes" in api:
                self.scopes.append(({s["value"]: s["isEnabled"] for s in api["oauth2PermissionScopes"]},
                                    len(api.get("preAuthorizedApplications") or [])))
            return await super().before(request)

    edit(project / API, "adminConsentDisplayName: Read orders", "adminConsentDisplayName: Read all orders")
    writes = Writes()
    faulted(monkeypatch, writes)
    done = apply(project)
    assert done.code == 0, done.err
    assert writes.scopes == [({"Orders.Read": False, "Orders.Submit": True}, 1),
                             ({"Orders.Read": True, "Orders.Submit": True}, 1)]


def test_scopes_no_client_is_pre_authorised_for_are_exposed_all_the_same(project):
    text = (project / API).read_text()
    (project / API).write_text(text[:text.index("  preAuthorizedApplications:")])
    done = apply(project)
    assert done.code == 0, done.err
    converged(project)
    scopes = applications(project)["orders-api"]["api"]["oauth2PermissionScopes"]
    assert sorted(scope["value"] for scope in scopes) == ["Orders.Read", "Orders.Submit"]


@pytest.mark.usefixtures("applied")
def test_disabling_a_scope_takes_it_away_and_needs_allow_delete(project):
    edit(project / API, "    - value: Orders.Read\n", "    - value: Orders.Read\n      enabled: false\n")
    refused = apply(project)
    assert refused.code == 1
    assert "~ app.orders-api.scope.Orders.Read  (disable: clients granted the scope lose it)" in refused.err
    assert apply(project, "--allow-delete").code == 0
    converged(project)
    scopes = applications(project)["orders-api"]["api"]["oauth2PermissionScopes"]
    assert {s["value"]: s["isEnabled"] for s in scopes} == {"Orders.Read": False, "Orders.Submit": True}


@pytest.mark.usefixtures("applied")
def test_a_client_by_app_id_is_pre_authorised_and_removed_only_with_allow_delete(project):
    edit(project / API, "      scopes: [Orders.Read, Orders.Submit]\n",
         f"      scopes: [Orders.Read, Orders.Submit]\n    - appId: {AZURE_CLI.upper()}\n      scopes: [Orders.Read]\n")
    added = plan(project)
    assert f"+ app.orders-api.pre_authorized[{AZURE_CLI}]  (create)" in added.out
    assert apply(project).code == 0
    converged(project)
    entries = applications(project)["orders-api"]["api"]["preAuthorizedApplications"]
    assert {e["appId"]: e["delegatedPermissionIds"] for e in entries}[AZURE_CLI] == [scope_id("Orders.Read")]
    edit(project / API, f"    - appId: {AZURE_CLI.upper()}\n      scopes: [Orders.Read]\n", "")
    assert apply(project).code == 1  # its users would be asked to consent again
    assert apply(project, "--allow-delete").code == 0
    converged(project)
    assert [e["appId"] for e in applications(project)["orders-api"]["api"]["preAuthorizedApplications"]] == \
        [applications(project)["orders-portal"]["appId"]]


SAML_ROLES = """appRoles:
  - displayName: User
    id: 18d14569-c3bd-439b-9a66-3a2aee01d14f
    accessPackage:
      approvers: [dave.finance@contoso.com, bob.ops@contoso.com]
  - displayName: msiam_access
    id: b9632174-c057-4f7e-951b-be3adc52bfe6
"""


def test_roles_without_a_value_are_addressed_by_display_name_and_converge(project):
    live_warns_of(project, "review.required")  # a package without a review: tests/cli/harness.py
    (project / API).write_text((project / API).read_text() + SAML_ROLES)
    planned = plan(project)
    assert "+ app.orders-api.role[User]  (create)" in planned.out
    assert "+ app.orders-api.role[msiam_access]  (create)" in planned.out
    assert re.search(r'\+ app.orders-api.role\[User\].access_package  \(create\)\n +displayName = '
                     r'"eucs-idam-orders-api-users"', planned.out)  # derived from the display name
    assert re.search(r'\+ app.orders-api.role\[User\].access_package.role_scope  \(create\)\n +roleId += '
                     r'"18d14569-c3bd-439b-9a66-3a2aee01d14f"', planned.out)  # the role, by its id (issue 18)
    assert apply(project).code == 0
    converged(project)
    app, _, _ = read_back(project, "orders-api")
    assert {(role.display_name, role.value, str(role.id)) for role in app.app_roles} == {
        ("User", None, "18d14569-c3bd-439b-9a66-3a2aee01d14f"),
        ("msiam_access", None, "b9632174-c057-4f7e-951b-be3adc52bfe6")}
    edit(project / API, "  - displayName: msiam_access\n", "  - displayName: Access\n")
    renamed = plan(project)
    # the same role (its id), its disable step part of its change, so under its new address (plan/diff.py)
    assert "~ app.orders-api.role[Access]  (disable first" in renamed.out
    assert re.search(r'~ app.orders-api.role\[Access\]  \(update\)\n +displayName : "msiam_access" → "Access"',
                     renamed.out)  # renamed
    assert apply(project).code == 0
    converged(project)


def test_a_plan_of_the_changed_api_alone_still_knows_its_clients(project):
    """plan --changed-since plans the applications whose files changed: the clients they name are others, read
    from the tenant all the same, so a pre-authorisation of an unchanged client is not shown as replaced."""
    from .test_pull_request_flow import configuration_repository, git

    configuration_repository(project)  # applied
    edit(project / API, "adminConsentDisplayName: Submit orders", "adminConsentDisplayName: Submit new orders")
    git(project, "commit", "-q", "-am", "rename a scope")
    changed = plan(project, "--changed-since", "HEAD~1")
    assert changed.code == 0, changed.err
    assert "app.orders-api.scope.Orders.Submit  (update)" in changed.out
    assert "pre_authorized" not in changed.out and "Plan: 0 to add, 1 to change, 0 to destroy." in changed.out


def test_a_client_that_exists_is_pre_authorised_by_a_plan_of_the_api_alone(project, tmp_path):
    """orders-api, first without clients, now pre-authorises orders-portal, which exists: the plan of the changed
    API alone knows the portal's app id, and its saved plan applies (the portal is not part of it)."""
    from .harness import idamconf
    from .test_pull_request_flow import configuration_repository, git

    text = (project / API).read_text()
    clients = text[text.index("  preAuthorizedApplications:"):]
    (project / API).write_text(text.replace(clients, ""))
    configuration_repository(project)  # applied
    (project / API).write_text(text)
    git(project, "commit", "-q", "-am", "pre-authorise the portal")
    saved = tmp_path / "plan.json"
    planned = plan(project, "--changed-since", "HEAD~1", "--out", str(saved))
    assert planned.code == 0, planned.err
    assert "+ app.orders-api.pre_authorized[orders-portal]  (create)" in planned.out
    done = idamconf("apply", "-C", str(project), "--auto-approve", "--no-colour", str(saved))
    assert done.code == 0, done.err
    [client] = applications(project)["orders-api"]["api"]["preAuthorizedApplications"]
    assert client["appId"] == applications(project)["orders-portal"]["appId"]


@pytest.mark.usefixtures("applied")
def test_a_client_of_this_project_named_by_app_id_is_the_same_client(project):
    """The plan shows a client that is one of the project's applications by its name, however the file names it:
    naming orders-portal by its app id instead is no change."""
    portal = applications(project)["orders-portal"]["appId"]
    edit(project / API, "    - name: orders-portal ", f"    - appId: {portal} ")
    converged(project)


@pytest.mark.usefixtures("applied")
def test_a_clients_scopes_in_another_order_are_no_change(project):
    """An administrator saves the portal's pre-authorisation with its scopes the other way round: the same scopes."""
    app = applications(project)["orders-api"]
    api = dict(app["api"])
    [client] = api["preAuthorizedApplications"]
    api["preAuthorizedApplications"] = [{**client, "delegatedPermissionIds": client["delegatedPermissionIds"][::-1]}]
    store = Store(project / ".idamconf" / "local.db")
    from tests.emulator.conftest import Api

    assert Api(store).patch(f"applications/{app['id']}", json={"api": api}).status_code == 204
    store.close()
    assert applications(project)["orders-api"]["api"]["preAuthorizedApplications"] != [client]
    converged(project)


@pytest.mark.usefixtures("applied")
def test_a_value_moves_from_a_scope_to_a_role_in_one_apply(project):
    edit(project / API, SUBMIT, "")
    edit(project / API, "scopes: [Orders.Read, Orders.Submit]", "scopes: [Orders.Read]")
    (project / API).write_text((project / API).read_text() + "appRoles:\n  - displayName: Submit orders\n"
                               "    value: Orders.Submit\n    allowedMemberTypes: [Application]\n")
    assert apply(project, "--allow-delete").code == 0
    converged(project)
    app = applications(project)["orders-api"]
    assert [role["value"] for role in app["appRoles"]] == ["Orders.Submit"]
    assert [scope["value"] for scope in app["api"]["oauth2PermissionScopes"]] == ["Orders.Read"]


class RefusingServicePrincipalOf:
    """A fault policy (emulator/faults.py) refusing the creation of one application's service principal: its chain
    fails once its application exists (with an app id)."""

    def __init__(self, unique_name: str):
        from tests.safety.wire import Scripted

        self.inner, self.unique_name, self.app_id = Scripted(), unique_name, None

    def connection(self):
        return self.inner.connection()

    async def before(self, request):
        from tests.safety.wire import graph_error

        if self.app_id and request.method == "PATCH" and request.path == f"servicePrincipals(appId='{self.app_id}')":
            return graph_error(403, "Authorization_RequestDenied")
        return await self.inner.before(request)

    async def after(self, request, reply):
        if request.method == "PATCH" and request.path == f"applications(uniqueName='{self.unique_name}')" and \
                isinstance(reply.body, dict):
            self.app_id = reply.body.get("appId") or self.app_id
        return await self.inner.after(request, reply)


def test_an_api_whose_chain_failed_gets_no_late_pre_authorisation(project, monkeypatch):
    """orders-api's service principal is refused: its chain stops there, and the pre-authorisation of orders-portal
    (created meanwhile) is not written to it afterwards either."""
    from .harness import faulted

    faulted(monkeypatch, RefusingServicePrincipalOf("orders-api"))
    done = apply(project)
    assert done.code == 1 and "403 Authorization_RequestDenied" in done.err
    monkeypatch.undo()
    assert "orders-portal" in applications(project)
    assert applications(project)["orders-api"]["api"]["preAuthorizedApplications"] == []


def test_a_client_whose_chain_failed_is_not_pre_authorised_yet(project, monkeypatch):
    """orders-portal's application is made, then its service principal refused: a half-made client is not
    pre-authorised for the API's scopes (the API's step says why); the next apply finishes both."""
    from .harness import faulted

    faulted(monkeypatch, RefusingServicePrincipalOf("orders-portal"))
    done = apply(project)
    assert done.code == 1
    assert "client orders-portal was not created, so it cannot be pre-authorised yet" in done.err, done.err
    monkeypatch.undo()
    assert applications(project)["orders-api"]["api"]["preAuthorizedApplications"] == []
    assert apply(project).code == 0
    converged(project)


@pytest.mark.usefixtures("applied")
def test_a_value_moves_from_a_scope_to_a_role_beside_another_change_of_the_application(project):
    """Graph takes a value in one collection or the other, never both: the roles and the scopes go in one write
    with the application's other changes, never split between two."""
    edit(project / API, SUBMIT, "")
    edit(project / API, "scopes: [Orders.Read, Orders.Submit]", "scopes: [Orders.Read]")
    edit(project / API, "displayName: Orders API", "displayName: Orders service API")
    (project / API).write_text((project / API).read_text() + "appRoles:\n  - displayName: Submit orders\n"
                               "    value: Orders.Submit\n    allowedMemberTypes: [Application]\n")
    result = apply(project, "--allow-delete")
    assert result.code == 0, result.err
    converged(project)
    app = applications(project)["orders-api"]
    assert app["displayName"] == "Orders service API"
    assert [role["value"] for role in app["appRoles"]] == ["Orders.Submit"]
    assert [scope["value"] for scope in app["api"]["oauth2PermissionScopes"]] == ["Orders.Read"]
