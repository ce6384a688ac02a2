"""A role's access package written as its `accessPackage` block (export/packages.py): what the tenant holds, in the
words validate takes -- a yearly review as 365 days, `self` reviewing, a hidden package -- and a package without a
policy written with the approvers it needs left to fill in."""

from __future__ import annotations

from idamconf.export.packages import package_block

from .test_own_packages import policy

ROLE = {"id": "r-employee", "value": "HR.Employee"}
PACKAGE = {"id": "p1", "displayName": "hr-employees", "description": None, "catalog": {"displayName": "Apps"},
           "isHidden": True, "resourceRoleScopes": [{"role": {"originId": "r-employee"}, "scope": {"originId": "sp"}}]}
PEOPLE = {"u1": "alice.admin@contoso.com"}


def reviewed(recurrence: dict) -> dict:
    return {**policy("hr-employees", "u1"), "reviewSettings": {
        "isEnabled": True, "isSelfReview": True, "expirationBehavior": "removeAccess",
        "schedule": {"recurrence": {"pattern": recurrence},
                     "expiration": {"type": "afterDuration", "duration": "P14D"}}}}


def test_a_yearly_review_by_the_people_themselves_of_a_hidden_package():
    block, notes = package_block([PACKAGE], {"p1": [reviewed({"type": "absoluteMonthly", "interval": 12})]}, PEOPLE,
                                 ROLE)
    assert notes == []
    assert block["hidden"] is True and block["approvers"] == ["alice.admin@contoso.com"]
    assert block["accessReview"] == {"reviewers": ["self"], "frequencyDays": 365}


def test_a_package_without_a_policy_is_written_with_approvers_to_fill_in():
    block, notes = package_block([PACKAGE], {}, PEOPLE, ROLE)
    assert block["approvers"] == []
    assert notes == ["appRoles[HR.Employee].accessPackage: package 'hr-employees' has no policy: nobody can request "
                     "it; the file needs approvers -- add them"]
