"""The claims Entra sends about a user's place in the directory, in `idamconf emulator token`'s tokens as in the token
endpoint's: `email` when the resource asks for it in `optionalClaims.accessToken` and the user has one
(optional-claims-reference.md); `groups` and `wids` as the resource's `groupMembershipClaims` says
(access-token-claims-reference.md). Until session 53 the emulator sent none of them, whatever the application said,
so a service that authorises by group or directory role could not be tested here."""

from __future__ import annotations

import re

import jwt
import pytest

from idamconf.emulator import Store
from tests.cli.harness import apply, edit, idamconf
from tests.identity.test_service_team_tokens import PACKAGE, assign

FRANK, ERIN, DAVE = "frank.audit@contoso.com", "erin.security@contoso.com", "dave.finance@contoso.com"
HR, CLAIMANTS = "2b7d3c4e-5f60-4a1b-8c2d-3e4f5a6b0001", "2b7d3c4e-5f60-4a1b-8c2d-3e4f5a6b0002"
LIST = "2b7d3c4e-5f60-4a1b-8c2d-3e4f5a6b0099"  # a distribution list: mail-enabled, not a security group
GLOBAL_READER, APP_ADMIN = "f2ef992c-3afb-46b9-b7cf-a126ee74c451", "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"
SEEDED = f"""\
  - {{id: {LIST}, displayName: Audit news, mailEnabled: true, securityEnabled: false, members: [{FRANK}]}}
directoryRoles:
  - {{roleTemplateId: {GLOBAL_READER}, displayName: Global Reader, members: [{FRANK}]}}
  - {{roleTemplateId: {APP_ADMIN}, displayName: Application Administrator, members: [{FRANK}, {ERIN}]}}
"""
ASKED = "optionalClaims: {accessToken: [{name: email}, {name: groups}]}\n"


@pytest.fixture
def directory(project):
    """examples/ with Frank (who has a mail address) in HR line managers, a distribution list and two directory
    roles; Erin (who has none) in one role; wordpress asking for `email`."""
    seed = project / "emulator" / "directory.yaml"
    edit(seed, "displayName: Frank Audit,", "displayName: Frank Audit, mail: frank@contoso.com,")
    edit(seed, "displayName: HR line managers,", f"displayName: HR line managers, members: [{FRANK}],")
    edit(seed, "displayName: Expenses claimants,", f"displayName: Expenses claimants, members: [{DAVE}],")
    seed.write_text(seed.read_text(encoding="utf-8") + SEEDED, encoding="utf-8")
    return project


def configured(project, membership: str | None, app: str = "wordpress") -> Store:
    lines = ASKED + (f"groupMembershipClaims: {membership}\n" if membership else "")
    path = project / "applications" / f"{app}.yaml"
    path.write_text(path.read_text(encoding="utf-8") + lines, encoding="utf-8")
    result = apply(project)
    assert result.code == 0, result.err
    return Store(project / ".idamconf" / "local.db")


def token(project, user: str, app: str = "wordpress") -> dict:
    result = idamconf("emulator", "token", "-C", str(project), "--app", app, "--user", user)
    assert result.code == 0, result.err
    return jwt.decode(result.out.strip(), options={"verify_signature": False})


def test_all_sends_the_users_groups_and_directory_roles_and_email_only_to_one_who_has_it(directory):
    store = configured(directory, "All")
    assign(store, FRANK, PACKAGE)
    assign(store, ERIN, PACKAGE)
    store.close()
    frank, erin = token(directory, FRANK), token(directory, ERIN)
    assert frank["email"] == "frank@contoso.com" and "email" not in erin
    assert frank["groups"] == sorted([HR, LIST])  # security groups and distribution lists
    assert frank["wids"] == sorted([GLOBAL_READER, APP_ADMIN]) and erin["wids"] == [APP_ADMIN]
    assert "groups" not in erin  # in no group: no claim, not an empty one


@pytest.mark.parametrize("membership, groups, wids", [
    (None, None, None),
    ("None", None, None),
    ("SecurityGroup", [HR], None),
    ("DirectoryRole", None, sorted([GLOBAL_READER, APP_ADMIN])),
    ("SecurityGroup, DirectoryRole", [HR], sorted([GLOBAL_READER, APP_ADMIN])),
])
def test_groups_and_roles_are_sent_as_group_membership_claims_says(directory, membership, groups, wids):
    store = configured(directory, membership)
    assign(store, FRANK, PACKAGE)
    store.close()
    claims = token(directory, FRANK)
    assert (claims.get("groups"), claims.get("wids")) == (groups, wids)


def test_application_group_sends_only_the_groups_assigned_to_the_application(directory):
    """examples/ assigns Expenses' Internal.User to Expenses claimants: Dave, a member (and of HR line managers),
    gets that group alone in an expenses token, and no group in a wordpress one."""
    edit(directory / "emulator" / "directory.yaml", f"members: [{FRANK}],", f"members: [{FRANK}, {DAVE}],")
    expenses = directory / "applications" / "expenses.yaml"
    expenses.write_text(expenses.read_text(encoding="utf-8") + "groupMembershipClaims: ApplicationGroup\n",
                        encoding="utf-8")
    store = configured(directory, "ApplicationGroup")
    assign(store, DAVE, PACKAGE)
    store.close()
    assert token(directory, DAVE, "expenses")["groups"] == [CLAIMANTS]
    assert "groups" not in token(directory, DAVE)  # Expenses claimants is assigned to expenses, not to wordpress


def test_email_is_sent_only_when_the_resource_asks_for_it(directory):
    path = directory / "applications" / "wordpress.yaml"
    configured(directory, None).close()
    edit(path, ASKED, "optionalClaims: {accessToken: [{name: groups}]}\n")
    assert apply(directory).code == 0
    store = Store(directory / ".idamconf" / "local.db")
    assign(store, FRANK, PACKAGE)
    store.close()
    assert "email" not in token(directory, FRANK)


@pytest.mark.parametrize("role, said", [
    ({"displayName": "Global Reader"}, "every directory role needs a roleTemplateId"),
    ({"roleTemplateId": "global-reader"}, "every directory role needs a roleTemplateId"),
    ({"roleTemplateId": GLOBAL_READER, "members": ["nobody@contoso.com"]}, "member 'nobody@contoso.com' is not a user"),
    ({"roleTemplateId": GLOBAL_READER, "isBuiltIn": True}, "unknown field(s) isBuiltIn"),
])
def test_a_directory_role_the_seed_cannot_hold_is_refused_saying_why(tmp_path, role, said):
    from idamconf.emulator.seed import SeedError, seed

    with pytest.raises(SeedError, match=re.escape(said)):
        seed(Store(tmp_path / "t.db"), {"directoryRoles": [role]})
