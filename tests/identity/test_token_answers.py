"""The token endpoint as a client library reads it, in process: answers and refusals never cached, the lifetime an
answer gives being the token's own, a token naming the JWKS key that verifies it (after the tenant is opened again
too), forms only and each parameter once; and what a token says about its caller and its resource (v1 or v2)."""

from __future__ import annotations

from urllib.parse import urlencode

import jwt
import pytest

from idamconf.emulator import Store
from tests.emulator.conftest import Api

ROOT = "http://emulator.localhost"


@pytest.fixture
def api(tmp_path) -> Api:
    store = Store(tmp_path / "t.db")
    yield Api(store)
    store.close()


@pytest.fixture
def client(api) -> dict:
    """A client application with its service principal and a secret, as an administrator makes them."""
    application = api.create_app(displayName="client")
    principal = api.post("servicePrincipals", json={"appId": application["appId"]}).json()
    secret = api.post(f"applications/{application['id']}/addPassword", json={}).json()["secretText"]
    return {"application": application, "principal": principal, "secret": secret}


def form(client: dict, scope: str = "https://graph.microsoft.com/.default", **changes) -> dict:
    return {"grant_type": "client_credentials", "client_id": client["application"]["appId"],
            "client_secret": client["secret"], "scope": scope, **changes}


def token_request(api, body: dict | str, content_type: str = "application/x-www-form-urlencoded"):
    content = body if isinstance(body, str) else urlencode(body)
    return api.post(f"{ROOT}/{api.store.tenant_id}/oauth2/v2.0/token", content=content,
                    headers={"Content-Type": content_type})


def claims_of(api, answer) -> dict:
    """The token's claims, verified as a service would: with the JWKS key its header names."""
    assert answer.status_code == 200, answer.text
    token = answer.json()["access_token"]
    published = api.get(f"{ROOT}/{api.store.tenant_id}/discovery/v2.0/keys").json()
    key = jwt.PyJWKSet.from_dict(published)[jwt.get_unverified_header(token)["kid"]]
    return jwt.decode(token, key.key, algorithms=["RS256"], options={"verify_aud": False})


def test_a_token_answer_and_a_refusal_are_never_cached(api, client):
    """RFC 6749 5.1: a proxy or a client's HTTP cache must not keep a token, nor an answer about a secret."""
    for answer in (token_request(api, form(client)), token_request(api, form(client, client_secret="wrong"))):
        assert answer.headers["cache-control"] == "no-store" and answer.headers["pragma"] == "no-cache"


def test_a_wrong_secret_is_an_invalid_client_answered_401(api, client):
    """MSAL and azure-identity tell a bad credential (401 invalid_client) from a bad request (400)."""
    refused = token_request(api, form(client, client_secret="wrong"))
    assert (refused.status_code, refused.json()["error"], refused.json()["error_codes"]) == (
        401, "invalid_client", [7000215])


def test_an_unknown_user_of_the_test_grant_is_an_invalid_grant(api, client):
    """Entra's AADSTS50034 is invalid_grant: what a service team's test expecting a refused user checks."""
    refused = token_request(api, {"grant_type": "urn:idamconf:emulator:user", "username": "nobody@contoso.com",
                                  "client_id": client["application"]["appId"]})
    assert (refused.status_code, refused.json()["error"], refused.json()["error_codes"]) == (
        400, "invalid_grant", [50034])


def test_the_lifetime_an_answer_gives_is_the_tokens_own(api, client):
    """azure-identity caches a token for `expires_in`: longer than the token lives, and Graph answers 401."""
    answer = token_request(api, form(client))
    claims = claims_of(api, answer)
    assert answer.json()["token_type"] == "Bearer"
    assert answer.json()["expires_in"] == claims["exp"] - claims["iat"] == 3600


def test_a_token_names_the_signing_key_of_the_jwks_and_outlives_a_restart(api, client, tmp_path):
    token = token_request(api, form(client)).json()["access_token"]
    published = api.get(f"{ROOT}/{api.store.tenant_id}/discovery/v2.0/keys").json()["keys"]
    assert [(key["kty"], key["use"], key["kid"]) for key in published] == [
        ("RSA", "sig", jwt.get_unverified_header(token)["kid"])]
    again = Store(tmp_path / "t.db")  # the emulator started again on the same state
    try:
        served = Api(again).get(f"{ROOT}/{again.tenant_id}/discovery/v2.0/keys").json()
        assert served["keys"] == published
        key = jwt.PyJWKSet.from_dict(served)[jwt.get_unverified_header(token)["kid"]]
        claims = jwt.decode(token, key.key, algorithms=["RS256"], options={"verify_aud": False})
        assert claims["tid"] == again.tenant_id
    finally:
        again.close()


def test_the_jwks_is_published_for_this_tenant_only(api):
    refused = api.get(f"{ROOT}/11111111-2222-3333-4444-555555555555/discovery/v2.0/keys")
    assert refused.status_code == 400 and refused.json()["error_codes"] == [90002]


def test_a_token_request_is_a_form_whatever_the_case_of_its_media_type(api, client):
    """RFC 6749 asks for application/x-www-form-urlencoded (any case, as media types are): a sound form sent under
    another type is refused, so a client that mislabels its request finds out here."""
    for content_type in ("text/plain", "application/json"):
        refused = token_request(api, form(client), content_type)
        assert refused.status_code == 400 and refused.json()["error_codes"] == [900144], content_type
        assert "access_token" not in refused.json()
    shouted = token_request(api, form(client), "Application/X-WWW-Form-URLEncoded; charset=UTF-8")
    assert shouted.status_code == 200, shouted.text


def test_a_parameter_given_twice_is_refused(api, client):
    """Two client_ids or two scopes: which one counts is not left to chance."""
    twice = urlencode(form(client)) + "&scope=" + "api%3A%2F%2Fother%2F.default"
    refused = token_request(api, twice)
    assert refused.status_code == 400 and refused.json()["error_codes"] == [90015]
    assert "access_token" not in refused.json()


def test_an_app_only_token_names_the_service_principal_that_called(api, client):
    claims = claims_of(api, token_request(api, form(client)))
    principal = client["principal"]["id"]
    assert (claims["idtyp"], claims["oid"], claims["sub"]) == ("app", principal, principal)
    assert claims["appid"] == client["application"]["appId"] and claims["oid"] != client["application"]["id"]


@pytest.mark.parametrize("version", [None, 1, 2])
def test_a_resources_token_version_decides_audience_and_issuer(api, client, version):
    """null is Graph's default, v1: `aud` as the scope named the resource, issuer `…/{tid}/`; 2 gives v2."""
    resource = api.create_app(displayName="orders", api={"requestedAccessTokenVersion": version})
    uri = f"api://{resource['appId']}"
    assert api.patch(f"applications/{resource['id']}", json={"identifierUris": [uri]}).status_code == 204
    assert api.post("servicePrincipals", json={"appId": resource["appId"]}).status_code == 201
    claims = claims_of(api, token_request(api, form(client, scope=f"{uri}/.default")))
    tenant = api.store.tenant_id
    if version == 2:
        assert (claims["ver"], claims["aud"], claims["iss"]) == ("2.0", resource["appId"], f"{ROOT}/{tenant}/v2.0")
        assert claims["azp"] == client["application"]["appId"]
    else:
        assert (claims["ver"], claims["aud"], claims["iss"]) == ("1.0", uri, f"{ROOT}/{tenant}/")
        assert claims["appid"] == client["application"]["appId"]


# ------------------------------------------------------------------------- who may have a token for a resource
ROLE = "7d6f2b8e-3c1a-4f5e-9b0d-2a4c6e8f1b3d"


def resource_app(api, required: bool = True, **principal) -> tuple[dict, dict]:
    """An API with an app role that applications and users may hold, and its service principal."""
    role = {"id": ROLE, "value": "Orders.Read", "displayName": "Read orders", "description": "Read orders",
            "allowedMemberTypes": ["Application", "User"], "isEnabled": True}
    application = api.create_app(displayName="orders", appRoles=[role])
    made = api.post("servicePrincipals", json={"appId": application["appId"], "appRoleAssignmentRequired": required,
                                               **principal})
    assert made.status_code == 201, made.text
    return application, made.json()


def assign(api, resource: dict, principal_id: str) -> None:
    made = api.post(f"servicePrincipals/{resource['id']}/appRoleAssignedTo",
                    json={"principalId": principal_id, "resourceId": resource["id"], "appRoleId": ROLE})
    assert made.status_code == 201, made.text


def test_assignment_required_refuses_a_client_holding_no_role_on_the_api(api, client):
    """scenario-protected-web-api-app-registration.md: with "Assignment required?" Yes, Entra checks the client's app
    role assignments when it asks for a token for the API, and refuses one assigned none with AADSTS501051 -- what
    a team relies on to keep other daemons out of its API."""
    application, principal = resource_app(api)
    _, another = resource_app(api)
    assign(api, another, client["principal"]["id"])  # a role on another API is no assignment to this one
    scope = f"{application['appId']}/.default"
    refused = token_request(api, form(client, scope=scope))
    assert (refused.status_code, refused.json()["error"], refused.json()["error_codes"]) == (
        401, "invalid_client", [501051])
    assert "access_token" not in refused.json()
    assign(api, principal, client["principal"]["id"])
    assert claims_of(api, token_request(api, form(client, scope=scope)))["roles"] == ["Orders.Read"]
    open_application, _ = resource_app(api, required=False)  # not required: any client gets a token, no roles
    open_scope = f"{open_application['appId']}/.default"
    assert "roles" not in claims_of(api, token_request(api, form(client, scope=open_scope)))  # none: no claim


def test_a_disabled_client_or_resource_service_principal_gets_no_token(api, client):
    """A service principal with accountEnabled false ("Enabled for users to sign in?" No): Entra issues no token to
    it (AADSTS7000112, the application is disabled) nor for it (AADSTS500014, the resource's service principal is
    disabled)."""
    application, principal = resource_app(api, required=False)
    scope = f"{application['appId']}/.default"
    assert api.patch(f"servicePrincipals/{principal['id']}", json={"accountEnabled": False}).status_code == 204
    refused = token_request(api, form(client, scope=scope))
    assert (refused.status_code, refused.json()["error_codes"]) == (400, [500014])
    assert api.patch(f"servicePrincipals/{principal['id']}", json={"accountEnabled": True}).status_code == 204
    assert token_request(api, form(client, scope=scope)).status_code == 200
    assert api.patch(f"servicePrincipals/{client['principal']['id']}", json={"accountEnabled": False}
                     ).status_code == 204
    refused = token_request(api, form(client, scope=scope))
    assert (refused.status_code, refused.json()["error"], refused.json()["error_codes"]) == (
        400, "unauthorized_client", [7000112])
    assert "access_token" not in refused.json()


def user_form(application: dict, upn: str) -> dict:
    return {"grant_type": "urn:idamconf:emulator:user", "client_id": application["appId"], "username": upn}


def test_assignment_required_refuses_a_user_neither_assigned_nor_in_an_assigned_group(api):
    """Entra's AADSTS50105: the signed-in user is not assigned to a role for the application. A service team tests
    that an unassigned user is kept out; the test grant must refuse as Entra's sign-in does."""
    application, principal = resource_app(api)
    [grace] = api.seed_users({"userPrincipalName": "grace@contoso.com", "displayName": "Grace"})
    refused = token_request(api, user_form(application, "grace@contoso.com"))
    assert (refused.status_code, refused.json()["error"], refused.json()["error_codes"]) == (
        400, "invalid_grant", [50105])
    assign(api, principal, grace["id"])
    assert claims_of(api, token_request(api, user_form(application, "grace@contoso.com")))["roles"] == [
        "Orders.Read"]


def test_a_disabled_applications_test_grant_gives_no_user_token(api):
    application, principal = resource_app(api, required=False)
    api.seed_users({"userPrincipalName": "grace@contoso.com", "displayName": "Grace"})
    assert api.patch(f"servicePrincipals/{principal['id']}", json={"accountEnabled": False}).status_code == 204
    refused = token_request(api, user_form(application, "grace@contoso.com"))
    assert (refused.status_code, refused.json()["error_codes"]) == (400, [7000112])
