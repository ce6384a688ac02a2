"""Issue check: after `apply` of examples/, the official msgraph-sdk typed client, pointed at the served emulator,
finds for every example role an access package in the expected catalog whose role scopes reference exactly that
app role, and its assignment policies, whose approvers and review schedule match the YAML."""

from __future__ import annotations

from kiota_abstractions.base_request_configuration import RequestConfiguration

from idamconf.config.access import review_schedule
from idamconf.config.load import load_configuration
from idamconf.emulator import Store
from tests.emulator.conftest import serving
from tests.emulator.test_sdk_fidelity import sdk_run

from .harness import apply, tenant


def _query(builder, **params):
    parameters = getattr(builder, f"{builder.__name__}GetQueryParameters")
    return RequestConfiguration(query_parameters=parameters(**params))


def test_typed_sdk_sees_every_example_package_as_configured(project):
    assert apply(project).code == 0
    configuration = load_configuration(project)
    users = {u["id"]: u["userPrincipalName"] for u in tenant(project)["objects"]["users"]}

    async def read(client):
        management = client.identity_governance.entitlement_management
        from msgraph.generated.identity_governance.entitlement_management.access_packages.access_packages_request_builder import (  # noqa: E501
            AccessPackagesRequestBuilder,
        )
        from msgraph.generated.identity_governance.entitlement_management.assignment_policies.assignment_policies_request_builder import (  # noqa: E501
            AssignmentPoliciesRequestBuilder,
        )

        packages = await management.access_packages.get(_query(
            AccessPackagesRequestBuilder, expand=["resourceRoleScopes($expand=role,scope)", "catalog"]))
        policies = await management.assignment_policies.get(_query(AssignmentPoliciesRequestBuilder,
                                                                   expand=["accessPackage"]))
        apps = await client.applications.get()
        return packages.value, policies.value, apps.value

    with serving(Store(project / ".idamconf" / "local.db")) as emulator:
        packages, policies, apps = sdk_run(emulator.base_url, read)

    by_name = {package.display_name: package for package in packages}
    role_ids = {(app.unique_name, role.value): str(role.id) for app in apps for role in app.app_roles}
    checked = 0
    for app in configuration.applications:
        for role in app.app_roles:
            wanted = role.access_package
            if wanted is None:
                continue
            package = by_name[wanted.name]
            assert package.catalog.display_name == configuration.catalog_for("local", wanted)
            assert [scope.role.origin_id for scope in package.resource_role_scopes] == [role_ids[(app.name,
                                                                                                  role.value)]]
            found = {p.display_name: p for p in policies if p.access_package.id == package.id}
            assert len(found) == len(wanted.policies)
            for written in wanted.policies:  # people by UPN; groups and the requestor's manager have no UPN
                policy = found[written.name or wanted.name]
                stage = policy.request_approval_settings.stages[0]
                assert {users[a.user_id] for a in stage.primary_approvers if getattr(a, "user_id", None)} == {
                    a for a in written.stages[0].approvers if "@" in a}
                if written.review is None:
                    assert not policy.review_settings.is_enabled
                    continue
                expected = review_schedule(written.review.frequency_days)
                pattern = policy.review_settings.schedule.recurrence.pattern
                assert (pattern.type.value, pattern.interval) == (expected.pattern, expected.interval)
                assert {users[r.user_id] for r in policy.review_settings.primary_reviewers
                        if getattr(r, "user_id", None)} == {r for r in written.review.reviewers if "@" in r}
            checked += 1
    assert checked == 6
