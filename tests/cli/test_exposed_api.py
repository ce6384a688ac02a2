"""The API an application exposes -- its scopes and the clients pre-authorised for them -- and app roles without a
value (SAML roles): created as Graph names them (read back through the official typed SDK with nothing left over),
changed with Graph's disable-first rule, removed only with --allow-delete, and converged."""

from __future__ import annotations

import re
import uuid

from idamconf.config.model import SCOPE_NAMESPACE
from idamconf.emulator import Store
from tests.emulator.conftest import serving
from tests.emulator.test_sdk_fidelity import sdk_run

from .harness import applications, apply, edit, plan
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


def test_a_changed_scope_is_disabled_first_and_a_removed_one_needs_allow_delete(project):
    assert apply(project).code == 0
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


def test_disabling_a_scope_takes_it_away_and_needs_allow_delete(project):
    assert apply(project).code == 0
    edit(project / API, "    - value: Orders.Read\n", "    - value: Orders.Read\n      enabled: false\n")
    refused = apply(project)
    assert refused.code == 1
    assert "~ app.orders-api.scope.Orders.Read  (disable: clients granted the scope lose it)" in refused.err
    assert apply(project, "--allow-delete").code == 0
    converged(project)
    scopes = applications(project)["orders-api"]["api"]["oauth2PermissionScopes"]
    assert {s["value"]: s["isEnabled"] for s in scopes} == {"Orders.Read": False, "Orders.Submit": True}


def test_a_client_by_app_id_is_pre_authorised_and_removed_only_with_allow_delete(project):
    assert apply(project).code == 0
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


def test_a_value_moves_from_a_scope_to_a_role_in_one_apply(project):
    assert apply(project).code == 0
    edit(project / API, SUBMIT, "")
    edit(project / API, "scopes: [Orders.Read, Orders.Submit]", "scopes: [Orders.Read]")
    (project / API).write_text((project / API).read_text() + "appRoles:\n  - displayName: Submit orders\n"
                               "    value: Orders.Submit\n    allowedMemberTypes: [Application]\n")
    assert apply(project, "--allow-delete").code == 0
    converged(project)
    app = applications(project)["orders-api"]
    assert [role["value"] for role in app["appRoles"]] == ["Orders.Submit"]
    assert [scope["value"] for scope in app["api"]["oauth2PermissionScopes"]] == ["Orders.Read"]


def test_a_value_moves_from_a_scope_to_a_role_beside_another_change_of_the_application(project):
    """Graph takes a value in one collection or the other, never both: the roles and the scopes go in one write
    with the application's other changes, never split between two."""
    assert apply(project).code == 0
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
