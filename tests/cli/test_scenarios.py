"""End-to-end scenarios: the CLI, the real msgraph-sdk request adapter, and the embedded emulator.

Every scenario ends with a plan that shows no changes and a tenant without duplicates.
"""

from __future__ import annotations

import pytest

from .harness import EXAMPLE_APPLICATIONS, EXAMPLES_TO_ADD, applications, apply, edit, faulted, owners_of, plan

NO_CHANGES = "No changes. The tenant matches the configuration."


def converged(project) -> None:
    result = plan(project, "--detailed-exitcode")
    assert result.code == 0, result.out + result.err
    assert NO_CHANGES in result.out
    applications(project)  # asserts no duplicate uniqueName


def test_create_everything_then_nothing_to_do(project):
    first = plan(project, "--detailed-exitcode")
    assert first.code == 2
    # 10 applications, 14 roles, 2 scopes, 1 pre-authorised client, 1 logo, 10 service principals, 20 owners and the
    # service principals' 20 (the applications'), 2 assignments, 8 API permissions and 3 consents; 1 catalog,
    # 3 catalog memberships, and 6 access packages, each with its role scope and policy; the 2 SAML applications'
    # SSO settings, claims policies and signing certificates (6); a federated credential and a client secret.
    assert f"Plan: {EXAMPLES_TO_ADD} to add, 0 to change, 0 to destroy." in first.out
    result = apply(project)
    assert result.code == 0, result.err
    assert f"Apply complete: {EXAMPLES_TO_ADD} added, 0 changed, 0 destroyed." in result.out
    converged(project)
    apps = applications(project)
    assert set(apps) == EXAMPLE_APPLICATIONS
    assert {role["value"] for role in apps["wordpress"]["appRoles"]} == {
        "Blog.Administrator", "Blog.Writer", "Blog.Approver"}
    assert "idamconf:eucs-idam" in apps["wordpress"]["tags"]
    assert owners_of(project, "wordpress") == {"alice.admin@contoso.com", "grace.comms@contoso.com"}
    again = apply(project)
    assert again.code == 0 and NO_CHANGES in again.out


@pytest.mark.usefixtures("applied")
def test_changing_an_enabled_role_disables_it_first(project):
    edit(project / "applications/wordpress.yaml", "displayName: Writer", "displayName: Author")
    result = plan(project)
    lines = result.out.splitlines()
    disable = lines.index("  ~ app.wordpress.role.Blog.Writer  (disable first: Graph changes or removes only "
                          "disabled roles)")
    update = lines.index("  ~ app.wordpress.role.Blog.Writer  (update)")
    assert disable < update
    assert '      isEnabled : true → false' in lines[disable + 1]
    assert 'displayName : "Writer" → "Author"' in result.out
    # The role's derived access package name (and its policy's) follows the role's display name.
    assert 'displayName : "eucs-idam-wordpress-writers" → "eucs-idam-wordpress-authors"' in result.out
    assert "Plan: 0 to add, 3 to change, 0 to destroy." in result.out
    applied = apply(project)
    assert applied.code == 0, applied.err
    assert "app.wordpress.role.Blog.Writer: disabled" in applied.out
    assert "Apply complete: 0 added, 3 changed, 0 destroyed." in applied.out  # the disable step is no change of its own
    converged(project)
    roles = {role["value"]: role for role in applications(project)["wordpress"]["appRoles"]}
    assert roles["Blog.Writer"]["displayName"] == "Author" and roles["Blog.Writer"]["isEnabled"] is True


@pytest.mark.usefixtures("applied")
def test_removing_a_role_disables_then_removes_it(project):
    edit(project / "applications/hr-self-service.yaml", """  - displayName: Employee
    value: HR.Employee
    description: Views own payslips and books own leave.
""", "")
    edit(project / "applications/hr-self-service.yaml", "      - role: HR.Employee ", "      # ")  # its package's grant
    result = plan(project)
    assert "- app.hr-self-service.role.HR.Employee  (destroy)" in result.out
    assert "- app.hr-self-service.access_package[eucs-idam-hr-new-line-managers].grant[HR.Employee]  (destroy)" \
        in result.out
    assert "Plan: 0 to add, 0 to change, 2 to destroy." in result.out
    # Removing a role is a deletion: refused without --allow-delete, and nothing changes.
    refused = apply(project)
    assert refused.code == 1 and "--allow-delete" in refused.err
    assert "HR.Employee" in {r["value"] for r in applications(project)["hr-self-service"]["appRoles"]}
    done = apply(project, "--allow-delete")
    assert done.code == 0, done.err
    converged(project)
    assert "HR.Employee" not in {r["value"] for r in applications(project)["hr-self-service"]["appRoles"]}


@pytest.mark.usefixtures("applied")
def test_adding_and_removing_an_owner(project):
    edit(project / "applications/payments-api.yaml", "  - erin.security@contoso.com\n",
         "  - erin.security@contoso.com\n  - frank.audit@contoso.com\n")
    assert "+ app.payments-api.owner.frank.audit@contoso.com" in plan(project).out
    assert apply(project).code == 0
    converged(project)
    assert "frank.audit@contoso.com" in owners_of(project, "payments-api")
    edit(project / "applications/payments-api.yaml", "  - dave.finance@contoso.com\n", "")
    assert "- app.payments-api.owner.dave.finance@contoso.com" in plan(project).out
    assert apply(project, "--allow-delete").code == 0
    converged(project)
    assert owners_of(project, "payments-api") == {"erin.security@contoso.com", "frank.audit@contoso.com"}


@pytest.mark.usefixtures("applied")
def test_an_owner_added_is_the_only_write_its_application_gets(project, monkeypatch):
    """An application's roles travel in its own write: unchanged, they are not written again (every write counts
    against Graph's write budget)."""
    from tests.safety.wire import Scripted

    edit(project / "applications/payments-api.yaml", "  - erin.security@contoso.com\n",
         "  - erin.security@contoso.com\n  - frank.audit@contoso.com\n")
    scripted = Scripted()
    faulted(monkeypatch, scripted)
    result = apply(project)
    assert result.code == 0, result.err
    assert "Apply complete: 2 added, 0 changed, 0 destroyed." in result.out  # the application's and its principal's
    app_id = applications(project)["payments-api"]["id"]
    assert [(method, path) for method, path in scripted.received if method != "GET" and app_id in path] == \
        [("POST", f"applications/{app_id}/owners/$ref")]


@pytest.mark.usefixtures("applied")
def test_removing_an_application_file_deletes_it_only_with_allow_delete(project):
    (project / "applications/hr-self-service.yaml").unlink()
    result = plan(project)
    assert "- app.hr-self-service  (destroy)" in result.out
    assert "- app.hr-self-service.role.HR.Manager.access_package  (destroy)" in result.out
    # Its roles, owners and service principal go with it; its 2 access packages (package, role scope, policy),
    # its package of its own (package, 2 grants, policy) and its place in the catalog are taken down first.
    assert "Plan: 0 to add, 0 to change, 12 to destroy." in result.out
    refused = apply(project)
    assert refused.code == 1
    assert "  - app.hr-self-service" in refused.err and "Nothing was changed" in refused.err
    assert "hr-self-service" in applications(project)
    assert apply(project, "--allow-delete").code == 0
    converged(project)
    assert "hr-self-service" not in applications(project)


def test_application_outside_its_environments_is_not_created(project):
    edit(project / "applications/hr-self-service.yaml", "environments: [local, devl, nle, live]",
         "environments: [devl, nle, live]")
    apply(project)
    converged(project)
    assert "hr-self-service" not in applications(project)


@pytest.mark.usefixtures("applied")
def test_changing_application_attributes(project):
    edit(project / "applications/wordpress.yaml", "displayName: WordPress Blog", "displayName: Contoso Blog")
    edit(project / "applications/wordpress.yaml", "tags: [communications, public-facing]", "tags: [communications]")
    result = plan(project)
    assert '~ app.wordpress  (update)' in result.out
    assert 'displayName : "WordPress Blog" → "Contoso Blog"' in result.out
    assert apply(project).code == 0
    converged(project)
    assert applications(project)["wordpress"]["displayName"] == "Contoso Blog"


def test_an_identifier_uri_moves_between_applications_in_one_apply(project):
    """The application giving the URI up is written before the one claiming it, whatever else each writes: here
    the one giving it up first disables a role it changes (a request of its own), which would otherwise let the
    claim reach Graph first, to be refused as a URI already in use."""
    moving = "api://{tenantId}/eucs-idam-blog"
    edit(project / "applications/wordpress.yaml", "  - api://{appId}", f"  - {moving}\n  - api://{{appId}}")
    apply(project)
    edit(project / "applications/wordpress.yaml", f"  - {moving}\n", "")
    edit(project / "applications/wordpress.yaml", "Drafts and edits posts; cannot publish.",
         "Drafts and edits posts; never publishes.")
    edit(project / "applications/payments-api.yaml", "  - api://{tenantId}/eucs-idam-payments-api",
         f"  - {moving}\n  - api://{{tenantId}}/eucs-idam-payments-api")
    result = apply(project)
    assert result.code == 0, result.err
    converged(project)
    tenant_id = "00000000-0000-0000-0000-00000000c001"  # the local environment's, in examples/idamconf.yaml
    assert f"api://{tenant_id}/eucs-idam-blog" in applications(project)["payments-api"]["identifierUris"]
    assert f"api://{tenant_id}/eucs-idam-blog" not in applications(project)["wordpress"]["identifierUris"]


@pytest.mark.usefixtures("applied")
def test_renaming_an_application_in_one_apply(project):
    edit(project / "applications/payments-api.yaml", "name: payments-api", "name: payments")
    result = apply(project, "--allow-delete")
    assert result.code == 0, result.err
    converged(project)
    assert "payments" in applications(project) and "payments-api" not in applications(project)


def test_the_plan_is_the_same_whatever_the_slices_the_configuration_is_made_in(project, monkeypatch):
    """workflow.py makes the configuration's resources a slice of applications at a time while Graph answers:
    slices of two (instead of a hundred) leave the plan, and each problem found, as they are."""
    from idamconf import workflow

    monkeypatch.setattr(workflow, "DESIRED_SLICE", 2)
    assert f"Plan: {EXAMPLES_TO_ADD} to add, 0 to change, 0 to destroy." in plan(project).out
    edit(project / "applications/ccms-provider-portal.yaml", "  - dave.finance@contoso.com\n",
         "  - nobody@contoso.com\n")  # in the first slice
    edit(project / "applications/wordpress.yaml", "  - grace.comms@contoso.com\nsignIn", "  - nemo@contoso.com\nsignIn")
    edit(project / "applications/expenses.yaml", "approvers: [dave.finance@contoso.com,",
         "approvers: [ghost@contoso.com,")
    result = plan(project)
    assert result.code == 1 and result.out == ""
    for owner in ("nobody", "nemo"):
        assert result.err.count(f"error: owner {owner}@contoso.com is not a user in the tenant") == 1, result.err
    assert result.err.count("ghost@contoso.com") == 1, result.err


def test_a_slice_plans_what_its_packages_name_of_the_other_slices_as_the_whole_configuration_does(project, monkeypatch):
    """Packages see the whole configuration from any slice: hr-self-service's package grants a role of expenses
    (whose service principal it then puts in the catalog), and names by id the group expenses names by name (which
    every plan calls by that name). Slices of one application plan it as one slice of them all does."""
    import json

    from idamconf import workflow

    edit(project / "applications/hr-self-service.yaml", "      - role: HR.Manager\n",
         "      - role: HR.Manager\n      - {application: expenses, role: Internal.User}\n")
    edit(project / "applications/expenses.yaml", "    users: [frank.audit@contoso.com]", "")  # by the package now
    edit(project / "applications/expenses.yaml", "    assignmentDays: 365\n",
         "    assignmentDays: 365\n    requestors: [{group: HR line managers}]\n")
    first = plan(project, "--format", "json")
    assert first.code == 0, first.err
    whole = json.loads(first.out)["changes"]
    monkeypatch.setattr(workflow, "DESIRED_SLICE", 1)
    assert json.loads(plan(project, "--format", "json").out)["changes"] == whole
    addresses = {change["address"] for change in whole}
    assert "app.expenses.catalog[EUCS IDAM applications]" in addresses
    catalog = next(change for change in whole if change["address"] == "catalog[EUCS IDAM applications]")
    assert catalog["application"] == ""  # a catalog is no application's (schemas/plan.schema.json)
    policy = next(c for c in whole if c["address"] == "app.hr-self-service.access_package["
                  "eucs-idam-hr-new-line-managers].policy")
    assert policy["after"]["requestors"] == ["group:hr line managers"]


@pytest.mark.usefixtures("applied")
def test_an_applications_page_arriving_once_the_configuration_is_made_shares_its_attributes_at_once(project,
                                                                                                  monkeypatch):
    """workflow.py makes each application's live resources as its page arrives: a page arriving once the
    configuration's resources are made shares the attributes of the equal ones wanted there and then, so the page's
    own copies are let go before the plan is made (at 10,000 applications, half of a plan's memory). Here the
    applications' list is asked only once the configuration's resources are made."""
    import asyncio
    import functools

    from idamconf import workflow
    from idamconf.graph import client as graph_client

    configuration_made = functools.cache(asyncio.Event)  # made in the plan's own loop, at its first use
    meanwhile, get_all, live_resources = (workflow._desired_meanwhile, graph_client.GraphClient.get_all,
                                          workflow.live_resources)

    async def making(*args, **kwargs):
        try:
            return await meanwhile(*args, **kwargs)
        finally:
            configuration_made().set()

    @functools.wraps(get_all)
    async def listed(self, path, keep=None):
        if path.startswith("applications?"):
            await asyncio.wait_for(configuration_made().wait(), 60)  # a regression fails, never hangs
        return await get_all(self, path, keep)

    shared = []  # for each live resource made as its page arrived, equal to the one wanted: shared then?

    def made_live(applications, service_principals, owners, desired=None):
        for app in applications:
            for key, resource in app.get("resources", {}).items():
                wanted = (desired or {}).get(key)
                if wanted is not None and wanted.attributes == resource.attributes:
                    shared.append(wanted.attributes is resource.attributes)
        return live_resources(applications, service_principals, owners, desired)

    monkeypatch.setattr(workflow, "_desired_meanwhile", making)
    monkeypatch.setattr(graph_client.GraphClient, "get_all", listed)
    monkeypatch.setattr(workflow, "live_resources", made_live)
    converged(project)
    assert len(shared) > len(EXAMPLE_APPLICATIONS) and all(shared), shared
