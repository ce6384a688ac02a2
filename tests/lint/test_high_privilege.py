"""`security.high-privilege-permission`: which application permissions it reports, the project's allow-list by name,
and an override that adds one in a single environment."""

from __future__ import annotations

import pytest

from tests.cli.harness import edit, idamconf

DAEMON = "applications/hr-directory-sync.yaml"
GRAPH = "application: [User.Read.All, GroupMember.Read.All]"


def lint(project):
    return idamconf("lint", "-C", str(project))


@pytest.mark.parametrize("permission, reported", [
    ("Group.ReadWrite.All", True), ("Sites.ReadWrite.All", True), ("Directory.Read.All", True),
    ("RoleManagement.ReadWrite.Directory", True), ("AppRoleAssignment.ReadWrite.All", True),
    ("directory.readwrite.all", True),  # names compared as people read them
    # every mailbox, the tenant's policies, all sites, people's sign-in identities, mail sent as anyone
    ("Mail.ReadWrite", True), ("Policy.ReadWrite.ConditionalAccess", True), ("Sites.FullControl.All", True),
    ("Sites.Manage.All", True), ("User.ManageIdentities.All", True), ("Mail.Send", True),
    ("Policy.ReadWrite.ApplicationConfiguration", True), ("MailboxSettings.ReadWrite", True),
    ("User.Read.All", False), ("Sites.Selected", False), ("Group.Create", False), ("Mail.Read", False),
    ("Mail.ReadBasic.All", False),
])
def test_which_application_permissions_are_high_privilege(project, permission, reported):
    edit(project / DAEMON, GRAPH, f"application: [{permission}]")
    result = lint(project)
    assert ("[security.high-privilege-permission]" in result.out) is reported, result.out
    assert result.code == (1 if reported else 0)  # an error in live, where the application is deployed


def test_a_delegated_permission_is_bounded_by_the_user_and_not_reported(project):
    edit(project / "applications/staff-directory.yaml", "delegated: [User.Read,",
         "delegated: [Directory.ReadWrite.All, User.Read,")
    result = lint(project)
    assert "[security.high-privilege-permission]" not in result.out and result.code == 0


def test_the_project_allows_one_by_name_and_only_that_one(project):
    edit(project / DAEMON, GRAPH, "application: [Group.ReadWrite.All, Directory.Read.All]")
    edit(project / "idamconf.yaml", "  catalog: EUCS IDAM applications\n",
         "  catalog: EUCS IDAM applications\n  allowedPermissions: [group.readwrite.all]\n")
    result = lint(project)
    assert "Group.ReadWrite.All" not in result.out
    line = next(n for n, text in enumerate((project / DAEMON).read_text().splitlines(), 1) if "Directory.Read" in text)
    assert (f"{project / DAEMON}:{line}:40: error: [security.high-privilege-permission] apiPermissions[0].application[1]: "
            "application permission Directory.Read.All of Microsoft Graph is high-privilege: it reaches the whole "
            "directory, or lets the application grant itself more, with nobody signed in (error in live; warning in "
            "devl, local, nle)\n    fix: request a narrower permission (e.g. a .Read.All one, or Sites.Selected), or "
            "have the security team allow it by name in idamconf.yaml: defaults.allowedPermissions: "
            "[Directory.Read.All]\n") in result.out  # the fix says how


def test_an_override_adding_one_in_one_environment_is_reported_there_only(project):
    text = (project / DAEMON).read_text()
    (project / DAEMON).write_text(text.replace("overrides:\n", (
        "overrides:\n  devl:\n    apiPermissions:\n      - api: Microsoft Graph\n"
        "        application: [User.Read.All, Group.ReadWrite.All]\n"), 1))
    line = text.splitlines().index("overrides:") + 5  # the file's overrides (its live federated credential) + devl
    result = lint(project)
    [finding] = [line for line in result.out.splitlines() if "[security.high-privilege-permission]" in line]
    assert f"{DAEMON}:{line}:" in finding and "overrides.devl.apiPermissions[0].application[1]" in finding
    assert ": warning: " in finding and result.code == 0  # devl grades it a warning; live never has it


def test_live_can_turn_it_down_like_any_rule(project):
    edit(project / DAEMON, GRAPH, "application: [Group.ReadWrite.All]")
    edit(project / "idamconf.yaml", "      approvers.two: error\n",
         "      approvers.two: error\n      security.high-privilege-permission: warning\n")
    result = lint(project)
    assert ": warning: [security.high-privilege-permission]" in result.out and result.code == 0
