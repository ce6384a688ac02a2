"""A service principal's relationships as its file writes them (export/relations.py): every group's and user's role,
the default access included -- a relationship left out of the file would be removed by adopting it -- and its owners
only where they are not the application's."""

from __future__ import annotations

from idamconf.export.relations import DEFAULT_ACCESS, assignments, principal_owners

READER = "3f6c1a2b-9d8e-4c7f-a1b2-c3d4e5f6e001"
APP = {"appRoles": [{"id": READER, "value": "Reader"}]}


def held(kind: str, principal: str, role: str, name: str | None = None) -> dict:
    return {"principalType": kind, "principalId": principal, "appRoleId": role, "principalDisplayName": name}


def test_groups_and_users_hold_roles_and_the_default_access_by_name():
    notes: list[str] = []
    written = assignments(APP, [held("Group", "g1", DEFAULT_ACCESS, "Staff"), held("User", "u1", READER),
                                held("ServicePrincipal", "sp1", READER)], {"u1": "alice.admin@contoso.com"}, notes)
    assert written == [{"role": "Reader", "users": ["alice.admin@contoso.com"]},
                       {"role": "default", "groups": ["Staff"]}]
    assert notes == []


def test_a_role_held_only_by_someone_not_found_is_noted_not_written_empty():
    notes: list[str] = []
    assert assignments(APP, [held("User", "u9", READER)], {}, notes) == []
    assert notes == ["assignments: user u9 holding Reader was not found: not written"]


def test_the_service_principals_owners_are_written_only_where_they_are_not_the_applications():
    alice = {"@odata.type": "#microsoft.graph.user", "userPrincipalName": "Alice.Admin@contoso.com"}
    assert principal_owners([alice], ["alice.admin@contoso.com"]) is None
    assert principal_owners([alice], ["bob.ops@contoso.com"]) == ["Alice.Admin@contoso.com"]
