"""Tokens for service teams' own tests: `idamconf emulator token --app NAME --user UPN` (and the token endpoint's
test-only grant) carry the app roles the user holds in the emulated tenant -- one granted through an access package
is there, and gone from the next token once the assignment is removed. PyJWT validates them against the JWKS."""

from __future__ import annotations

import asyncio

import httpx
import jwt
import pytest

from idamconf.emulator import Store, create_app
from idamconf.emulator.identity import keys
from tests.cli.harness import apply, edit, idamconf

USER = "frank.audit@contoso.com"
PACKAGE = "eucs-idam-wordpress-writers"
BASE = "http://emulator.localhost"


@pytest.fixture
def tenant(project):
    assert apply(project).code == 0
    store = Store(project / ".idamconf" / "local.db")
    yield store
    store.close()


def graph(store: Store, method: str, path: str, **kwargs) -> httpx.Response:
    async def go():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(store)), base_url=BASE,
                                     headers={"Authorization": "Bearer admin"}) as client:
            return await client.request(method, path, **kwargs)

    return asyncio.run(go())


def assign(store: Store, upn: str, package_name: str) -> str:
    governance = "/v1.0/identityGovernance/entitlementManagement"
    package = next(p for p in graph(store, "GET", f"{governance}/accessPackages").json()["value"]
                   if p["displayName"] == package_name)
    policy = graph(store, "GET", f"{governance}/assignmentPolicies",
                   params={"$filter": f"accessPackage/id eq '{package['id']}'"}).json()["value"][0]
    user = graph(store, "GET", f"/v1.0/users/{upn}").json()
    made = graph(store, "POST", f"{governance}/assignmentRequests", json={
        "requestType": "adminAdd", "assignment": {"targetId": user["id"], "assignmentPolicyId": policy["id"],
                                                  "accessPackageId": package["id"]}})
    assert made.status_code == 201, made.text
    return made.json()["assignment"]["id"]


def unassign(store: Store, assignment_id: str) -> None:
    removed = graph(store, "POST", "/v1.0/identityGovernance/entitlementManagement/assignmentRequests",
                    json={"requestType": "adminRemove", "assignment": {"id": assignment_id}})
    assert removed.status_code == 201, removed.text


def command_token(project, *extra: str) -> dict:
    result = idamconf("emulator", "token", "-C", str(project), "--app", "wordpress", "--user", USER,
                      "--url", "https://127.0.0.1:8931", *extra)
    assert result.code == 0, result.err
    return validated(project, result.out.strip())


def validated(project, token: str) -> dict:
    """As a service team's API would: the key from the JWKS, the audience and issuer it expects."""
    store = Store(project / ".idamconf" / "local.db")
    try:
        jwk = jwt.PyJWKSet.from_dict(keys.jwks(store))[jwt.get_unverified_header(token)["kid"]]
        wordpress = store.find("applications", "uniqueName", "wordpress")
        return jwt.decode(token, jwk.key, algorithms=["RS256"], audience=wordpress["identifierUris"][0],
                          issuer=f"https://127.0.0.1:8931/{store.tenant_id}/")
    finally:
        store.close()


def refused(project, app: str = "wordpress", user: str = USER) -> str:
    result = idamconf("emulator", "token", "-C", str(project), "--app", app, "--user", user)
    assert result.code == 1 and not result.out
    return result.err


def test_a_role_granted_through_an_access_package_is_in_the_token_until_the_assignment_goes(project, tenant):
    """wordpress requires assignment (idamconf's default): a user holding none of its roles is refused, as Entra
    refuses the sign-in (AADSTS50105), before the access package and once its assignment is removed."""
    assert "AADSTS50105" in refused(project)
    assignment = assign(tenant, USER, PACKAGE)
    claims = command_token(project)
    assert claims["roles"] == ["Blog.Writer"] and claims["upn"] == claims["unique_name"] == USER
    assert "idtyp" not in claims  # an optional claim wordpress does not ask for (Entra sends none: session 50)
    unassign(tenant, assignment)
    assert "AADSTS50105" in refused(project)


def test_the_token_endpoints_test_grant_gives_the_same_roles(project, tenant):
    assignment = assign(tenant, USER, PACKAGE)
    wordpress = tenant.find("applications", "uniqueName", "wordpress")
    form = {"grant_type": "urn:idamconf:emulator:user", "client_id": wordpress["appId"], "username": USER}
    answer = graph(tenant, "POST", f"/{tenant.tenant_id}/oauth2/v2.0/token", data=form)
    assert answer.status_code == 200, answer.text
    claims = jwt.decode(answer.json()["access_token"], options={"verify_signature": False})
    assert claims["roles"] == ["Blog.Writer"] and answer.json()["expires_in"] == 3600
    unassign(tenant, assignment)
    again = graph(tenant, "POST", f"/{tenant.tenant_id}/oauth2/v2.0/token", data=form)
    assert (again.status_code, again.json()["error_codes"]) == (400, [50105]) and "access_token" not in again.json()


def test_an_unknown_user_or_scope_is_refused_as_entra_does(project, tenant):
    unknown = idamconf("emulator", "token", "-C", str(project), "--app", "wordpress", "--user", "nobody@contoso.com")
    scope = idamconf("emulator", "token", "-C", str(project), "--app", "wordpress", "--user", USER,
                     "--scope", "Nope.Read")
    assert unknown.code == 1 and "AADSTS50034" in unknown.err
    assert scope.code == 1 and "AADSTS70011" in scope.err
    hostile = idamconf("emulator", "token", "-C", str(project), "--app", "wordpress", "--user", USER,
                       "--scope", "x\x1b]8;;https://evil.example\x07y")
    assert hostile.code == 1 and "AADSTS70011" in hostile.err
    assert "\x1b" not in hostile.err and "\x07" not in hostile.err  # repeated, but never as terminal controls


def test_a_member_of_a_group_assigned_a_role_gets_it_and_others_do_not(project):
    """examples/ assigns Expenses' Internal.User to the group Expenses claimants: its members hold the role."""
    seed = project / "emulator" / "directory.yaml"
    edit(seed, "displayName: Expenses claimants,", "displayName: Expenses claimants, members: [dave.finance@contoso.com],")
    assert apply(project).code == 0

    def roles(upn: str) -> list:
        result = idamconf("emulator", "token", "-C", str(project), "--app", "expenses", "--user", upn,
                          "--url", "https://127.0.0.1:8931")
        assert result.code == 0, result.err
        return jwt.decode(result.out.strip(), options={"verify_signature": False})["roles"]

    assert roles("dave.finance@contoso.com") == ["Internal.User"]  # through the group
    assert "AADSTS50105" in refused(project, "expenses", "grace.comms@contoso.com")  # in no such group, no role


def test_a_seed_member_that_is_no_user_is_refused(tmp_path):
    from idamconf.emulator.seed import SeedError, seed

    with pytest.raises(SeedError, match="member 'nobody@contoso.com' is not a user of the seed"):
        seed(Store(tmp_path / "t.db"), {"groups": [{"displayName": "Team", "members": ["nobody@contoso.com"]}]})


def test_the_issuer_is_the_origin_given_whether_or_not_it_ends_in_a_slash(project, tenant):
    assign(tenant, USER, PACKAGE)
    assert command_token(project, "--url", "https://127.0.0.1:8931/")["upn"] == USER  # the issuer is validated


def test_an_application_is_found_by_its_own_name_before_another_ones_display_name(project):
    """Another application displayed as "wordpress" never takes the token meant for idamconf's wordpress."""
    edit(project / "applications/expenses.yaml", "displayName: Expenses", "displayName: wordpress")
    assert apply(project).code == 0
    store = Store(project / ".idamconf" / "local.db")
    try:
        assign(store, USER, PACKAGE)
    finally:
        store.close()
    assert command_token(project)["upn"] == USER  # its audience is wordpress's identifier URI


def test_what_the_command_lacks_is_said_and_nothing_is_made(project):
    no_tenant = idamconf("emulator", "token", "-C", str(project), "--app", "wordpress", "--user", USER)
    assert no_tenant.code == 1 and "no emulated tenant there yet" in no_tenant.err
    assert not (project / ".idamconf" / "local.db").exists()
    assert apply(project).code == 0
    no_user = idamconf("emulator", "token", "-C", str(project), "--app", "wordpress")
    assert no_user.code == 1 and "error: --app and --user are needed" in no_user.err and not no_user.out
    no_subject = idamconf("emulator", "token", "-C", str(project), "--federated")
    assert no_subject.code == 1 and "error: --federated needs --subject" in no_subject.err and not no_subject.out


def test_the_commands_own_example_gives_a_token_once_examples_is_applied(project, tenant):
    """`emulator token --help`'s example, run as `make run` leaves examples/, prints a token: until session 48's walk
    it named orders-api and a user holding none of its roles, refused with AADSTS50105 since that session."""
    help_text = idamconf("emulator", "token", "--help").out
    words = " ".join(help_text.split()).split("Example: idamconf ", 1)[1].split()
    words[words.index("examples")] = str(project)
    result = idamconf(*words, "--url", "https://127.0.0.1:8931")
    assert result.code == 0, result.err
    assert validated_for(project, result.out.strip(), words[words.index("--app") + 1])["roles"]


def validated_for(project, token: str, app: str) -> dict:
    store = Store(project / ".idamconf" / "local.db")
    try:
        jwk = jwt.PyJWKSet.from_dict(keys.jwks(store))[jwt.get_unverified_header(token)["kid"]]
        audience = store.find("applications", "uniqueName", app)["appId"]  # no identifier URI: its app id
        return jwt.decode(token, jwk.key, algorithms=["RS256"], audience=audience,
                          issuer=f"https://127.0.0.1:8931/{store.tenant_id}/")
    finally:
        store.close()


def test_a_refusal_for_a_user_holding_no_role_says_what_to_do(project, tenant):
    """Entra's AADSTS50105 says what is wrong; the command adds how a tenant of this configuration gives a role."""
    err = refused(project)
    assert "AADSTS50105" in err and "fix: the application requires assignment" in err and "assignments:" in err
    other = idamconf("emulator", "token", "-C", str(project), "--app", "wordpress", "--user", "nobody@contoso.com")
    assert "AADSTS50034" in other.err and "fix:" not in other.err  # only this refusal has one
