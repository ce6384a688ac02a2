"""The permission table (graph/permissions.py): what Graph's reference says each request idamconf makes needs."""

from __future__ import annotations

import pytest

from idamconf.graph.permissions import describe, needs


@pytest.mark.parametrize("method, path, wanted", [
    ("GET", "applications?$top=999", "Application.Read.All (or Application.ReadWrite.OwnedBy, "
                                     "Application.ReadWrite.All, Directory.Read.All, Directory.ReadWrite.All)"),
    ("PATCH", "applications(uniqueName='blog')", "Application.ReadWrite.All (or Application.ReadWrite.OwnedBy as an "
                                                  "owner of the object)"),
    ("POST", "servicePrincipals/abc/appRoleAssignedTo", "AppRoleAssignment.ReadWrite.All and Application.Read.All"),
    ("POST", "identityGovernance/entitlementManagement/resourceRequests",
     "EntitlementManagement.ReadWrite.All and Application.ReadWrite.All"),
    ("GET", "users/alice@contoso.com", "User.Read.All"),
    ("GET", "groups?$filter=displayName eq 'a/b'", "GroupMember.Read.All"),
    ("POST", "oauth2PermissionGrants", "DelegatedPermissionGrant.ReadWrite.All"),
    ("GET", "servicePrincipals/abc/oauth2PermissionGrants",
     "Directory.Read.All (or DelegatedPermissionGrant.ReadWrite.All"),
    ("GET", "https://graph.microsoft.com/v1.0/users?$skiptoken=x", "User.Read.All"),  # a nextLink
    ("DELETE", "someday/somewhere", "Directory.ReadWrite.All"),  # anything unknown: the most a client could hold
    ("GET", "identity/conditionalAccess/policies", "Directory.ReadWrite.All"),  # a rule's first segment is first
    ("POST", "servicePrincipals/abc/claimsMappingPolicies/$ref",
     "Policy.Read.All (or Policy.ReadWrite.ApplicationConfiguration) and Application.ReadWrite.All"),
])
def test_each_request_needs_what_graphs_reference_lists(method, path, wanted):
    assert describe(needs(method, path)).startswith(wanted)


@pytest.mark.parametrize("method, path, wanted", [
    ("POST", "oauth2PermissionGrants", "DelegatedPermissionGrant.ReadWrite.All (or Directory.ReadWrite.All)"),
    ("PATCH", "oauth2PermissionGrants/abc", "DelegatedPermissionGrant.ReadWrite.All (or Directory.ReadWrite.All)"),
    ("PATCH", "policies/claimsMappingPolicies/abc", "Policy.ReadWrite.ApplicationConfiguration"),
    ("POST", "identityGovernance/entitlementManagement/catalogs", "EntitlementManagement.ReadWrite.All"),
])
def test_a_write_is_met_only_by_a_permission_that_writes(method, path, wanted):
    """The whole list of what would do: a read permission never counts for a write."""
    assert describe(needs(method, path)) == wanted
