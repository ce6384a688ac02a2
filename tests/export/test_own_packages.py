"""Export of packages of their own (export/own_packages.py): a package granting several roles, of this application
and another, and a group, is written under the application of its first role, with each grant and its policies by
name; a package granting one role is left to that role's block; a role of an application not exported is noted."""

from __future__ import annotations

from idamconf.export.document import Tenant
from idamconf.export.own_packages import is_own, own_packages

HR_SP, EXPENSES_SP, OTHER_SP = "sp-hr", "sp-expenses", "sp-other"
GROUP = "2b7d3c4e-5f60-4a1b-8c2d-3e4f5a6b0002"


def scope(service_principal: str, role: str) -> dict:
    return {"id": f"{role}_{service_principal}", "role": {"originId": role}, "scope": {"originId": service_principal}}


def policy(name: str, approver: str) -> dict:
    return {"id": name, "displayName": name, "description": f"{name} policy", "allowedTargetScope": "allMemberUsers",
            "expiration": {"type": "noExpiration"},
            "requestApprovalSettings": {"isApprovalRequiredForAdd": True, "stages": [
                {"durationBeforeAutomaticDenial": "P14D", "isApproverJustificationRequired": True,
                 "primaryApprovers": [{"@odata.type": "#microsoft.graph.singleUser", "userId": approver}]}]},
            "requestorSettings": {"enableTargetsToSelfAddAccess": True}, "reviewSettings": {"isEnabled": False}}


def tenant(*packages: dict, policies: dict) -> Tenant:
    found = Tenant(None, people={"u1": "alice.admin@contoso.com", "u2": "bob.ops@contoso.com"})
    found.roles = {HR_SP: ("hr-self-service", {"r-employee": "HR.Employee", "r-manager": "HR.Manager"}),
                   EXPENSES_SP: ("expenses", {"r-user": "Internal.User"})}
    for package in packages:
        for holder in {s["scope"]["originId"] for s in package["resourceRoleScopes"]}:
            found.packages.setdefault(holder, []).append(package)
    found.policies = policies
    return found


def package(name: str, *scopes: dict) -> dict:
    return {"id": name, "displayName": name, "description": None, "catalog": {"displayName": "Apps"},
            "resourceRoleScopes": list(scopes)}


def test_a_package_granting_roles_of_two_applications_and_a_group_is_written_with_named_policies():
    mixed = package("managers", scope(HR_SP, "r-employee"), scope(EXPENSES_SP, "r-user"),
                    scope(GROUP, f"Member_{GROUP}"))
    found = tenant(mixed, policies={"managers": [policy("Staff", "u1"), policy("Contractors", "u2")]})
    blocks, notes = own_packages(HR_SP, found)
    assert notes == []
    [block] = blocks
    assert block["grants"] == [{"role": "HR.Employee"}, {"application": "expenses", "role": "Internal.User"},
                               {"group": {"id": GROUP}}]
    assert [(p["name"], p["description"], p["approvers"]) for p in block["policies"]] == [
        ("Contractors", "Contractors policy", ["bob.ops@contoso.com"]),
        ("Staff", "Staff policy", ["alice.admin@contoso.com"])]
    assert own_packages(EXPENSES_SP, found) == ([], [])  # written once: under its first role's application


def test_a_package_granting_one_role_stays_on_the_role_and_an_unknown_role_is_noted():
    single = package("writers", scope(HR_SP, "r-manager"))
    foreign = package("shared", scope(HR_SP, "r-manager"), scope(OTHER_SP, "r-theirs"))
    found = tenant(single, foreign, policies={"shared": [policy("shared", "u1")]})
    assert not is_own(single) and is_own(foreign)
    [block], notes = own_packages(HR_SP, found)
    assert block["name"] == "shared" and block["grants"] == [{"role": "HR.Manager"}]
    assert block["approvers"] == ["alice.admin@contoso.com"]
    assert notes == [f"accessPackages[shared].grants: role r-theirs of another service principal ({OTHER_SP}), "
                     "which is not exported or configured: not written"]


def test_the_manager_approving_without_fallback_approvers_is_noted_not_written():
    """A file names the manager (or sponsors) as approvers only beside fallback approvers (config/policy.py): a file
    naming it without them would not validate; it is said in a note instead."""
    managed = policy("managers", "u1")
    managed["requestApprovalSettings"]["stages"][0]["primaryApprovers"].append(
        {"@odata.type": "#microsoft.graph.requestorManager", "managerLevel": 1})
    found = tenant(package("managers", scope(HR_SP, "r-employee"), scope(EXPENSES_SP, "r-user")),
                   policies={"managers": [managed]})
    [block], notes = own_packages(HR_SP, found)
    assert block["approvers"] == ["alice.admin@contoso.com"]
    assert notes == ["accessPackages[managers].approvers: 'manager' is not someone this file can name here: "
                     "not written"]


def test_a_package_only_administrators_assign_is_written_with_requestors_none():
    assigned = {**policy("assigned", "u1"), "allowedTargetScope": "notSpecified"}
    found = tenant(package("assigned", scope(HR_SP, "r-employee"), scope(EXPENSES_SP, "r-user")),
                   policies={"assigned": [assigned]})
    [block], notes = own_packages(HR_SP, found)
    assert block["requestors"] == "none" and notes == []
