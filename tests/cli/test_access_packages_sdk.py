"""Issue check: after `apply` of examples/, the official msgraph-sdk typed client, pointed at the served emulator,
finds for every example role an access package in the expected catalog whose role scopes reference exactly that
app role, and an assignment policy whose approvers and review schedule match the YAML."""

from __future__ import annotations

from kiota_abstractions.base_request_configuration import RequestConfiguration

import pytest

from idamconf.emulator import Store
from tests.emulator.conftest import serving
from tests.emulator.test_sdk_fidelity import sdk_run

from .harness import tenant


def _query(builder, **params):
    parameters = getattr(builder, f"{builder.__name__}GetQueryParameters")
    return RequestConfiguration(query_parameters=parameters(**params))


@pytest.mark.usefixtures("applied")
def test_typed_sdk_sees_every_example_package_as_configured(project):
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

    role_ids = {(app.unique_name, role.value): str(role.id) for app in apps for role in app.app_roles}
    seen = {}
    for package in packages:
        [policy] = [p for p in policies if p.access_package.id == package.id]
        stage = policy.request_approval_settings.stages[0]
        review = policy.review_settings
        pattern = review.schedule.recurrence.pattern if review.is_enabled else None
        seen[package.display_name] = (
            package.catalog.display_name, sorted(scope.role.origin_id for scope in package.resource_role_scopes),
            sorted(users[a.user_id] for a in stage.primary_approvers),
            (pattern.type.value, pattern.interval) if pattern else None,
            sorted(users[r.user_id] for r in review.primary_reviewers) if review.is_enabled else None)
    # Written out from examples/applications/*.yaml: every package in the default catalog, a package on a role
    # granting its own role.
    catalog = "EUCS IDAM applications"
    assert seen == {
        "eucs-idam-wordpress-administrators": (
            catalog, [role_ids[("wordpress", "Blog.Administrator")]],
            ["alice.admin@contoso.com", "bob.ops@contoso.com", "erin.security@contoso.com"], ("absoluteMonthly", 12),
            ["erin.security@contoso.com", "frank.audit@contoso.com"]),
        "eucs-idam-wordpress-writers": (
            catalog, [role_ids[("wordpress", "Blog.Writer")]], ["alice.admin@contoso.com", "grace.comms@contoso.com"],
            ("absoluteMonthly", 6), ["frank.audit@contoso.com", "grace.comms@contoso.com"]),
        "eucs-idam-wordpress-approvers": (
            catalog, [role_ids[("wordpress", "Blog.Approver")]], ["alice.admin@contoso.com", "grace.comms@contoso.com"],
            ("absoluteMonthly", 3), ["frank.audit@contoso.com", "grace.comms@contoso.com"]),
        "eucs-idam-hr-self-service-line-managers": (
            catalog, [role_ids[("hr-self-service", "HR.Manager")]], ["bob.ops@contoso.com", "carol.hr@contoso.com"],
            ("absoluteMonthly", 6), ["erin.security@contoso.com", "frank.audit@contoso.com"]),
        "eucs-idam-hr-record-administrators": (
            catalog, [role_ids[("hr-self-service", "HR.Administrator")]],
            ["carol.hr@contoso.com", "erin.security@contoso.com"], ("absoluteMonthly", 3),
            ["carol.hr@contoso.com", "frank.audit@contoso.com"]),
        "eucs-idam-payments-api-ledger-auditors": (
            catalog, [role_ids[("payments-api", "Payments.Auditor")]],
            ["dave.finance@contoso.com", "erin.security@contoso.com"], ("weekly", 8),
            ["erin.security@contoso.com", "frank.audit@contoso.com"]),
        # packages of their own (accessPackages:): two roles; a group's membership (Graph's Member_<group id>)
        "eucs-idam-hr-new-line-managers": (
            catalog, sorted(role_ids[("hr-self-service", value)] for value in ("HR.Employee", "HR.Manager")),
            ["bob.ops@contoso.com", "carol.hr@contoso.com"], ("absoluteMonthly", 6),
            ["carol.hr@contoso.com", "frank.audit@contoso.com"]),
        "eucs-idam-expenses-claimants": (
            catalog, ["Member_2b7d3c4e-5f60-4a1b-8c2d-3e4f5a6b0002"],
            ["bob.ops@contoso.com", "dave.finance@contoso.com"], ("absoluteMonthly", 6),
            ["dave.finance@contoso.com", "frank.audit@contoso.com"]),
    }
