"""The claims of the emulator's access tokens against Entra's (access-token-claims-reference.md, optional-claims-
reference.md), for both kinds it issues -- a user's (the test grant) and an application's (client credentials) -- in
both versions the resource's `api.requestedAccessTokenVersion` picks. A service validated here must read the claims
Entra sends it: `unique_name` in a v1 token, never `preferred_username` there (the emulator sent the v2 name in v1
tokens until session 50), `idtyp` only when its application asks for it, `sub` never the user's object id."""

from __future__ import annotations

import jwt
import pytest

from idamconf.emulator import Store
from tests.emulator.conftest import Api
from tests.identity.test_token_answers import ROOT, claims_of, token_request

USER = {"userPrincipalName": "frank.audit@contoso.com", "displayName": "Frank Audit", "givenName": "Frank",
        "surname": "Audit"}
USER_GRANT = "urn:idamconf:emulator:user"


@pytest.fixture
def api(tmp_path) -> Api:
    store = Store(tmp_path / "t.db")
    made = Api(store)
    made.seed_users(USER)
    yield made
    store.close()


def application(api, version: int | None = None, optional: list | None = None, **body) -> dict:
    """An API of the tenant (its service principal too), with the token version and the access token's optional
    claims it asks for."""
    made = api.create_app(api={"requestedAccessTokenVersion": version},
                          optionalClaims={"accessToken": optional or []}, **body)
    assert api.post("servicePrincipals", json={"appId": made["appId"]}).status_code == 201
    return made


def user_answer(api, app: dict):
    return token_request(api, {"grant_type": USER_GRANT, "client_id": app["appId"],
                               "username": USER["userPrincipalName"]})


def user_claims(api, app: dict) -> dict:
    return claims_of(api, user_answer(api, app))


def app_answer(api, resource: str):
    """An application's own token for `resource` (an app id or Graph's URI), by client secret."""
    client = api.create_app(displayName="client")
    assert api.post("servicePrincipals", json={"appId": client["appId"]}).status_code == 201
    secret = api.post(f"applications/{client['id']}/addPassword", json={}).json()["secretText"]
    return token_request(api, {"grant_type": "client_credentials", "client_id": client["appId"],
                               "client_secret": secret, "scope": f"{resource}/.default"})


def app_claims(api, resource: str) -> dict:
    return claims_of(api, app_answer(api, resource))


V1_NAMES = {"unique_name", "upn", "given_name", "family_name"}


@pytest.mark.parametrize("version", [None, 1])
def test_a_v1_user_token_names_the_user_as_v1_tokens_do(api, version):
    """`unique_name` and `upn`, `given_name` and `family_name` ("always included in v1.0 tokens"); no
    `preferred_username`, "only present in v2.0 tokens"; the client as `appid`, a public one (`appidacr` 0)."""
    app = application(api, version)
    claims = user_claims(api, app)
    assert (claims["unique_name"], claims["upn"]) == (USER["userPrincipalName"],) * 2
    assert (claims["given_name"], claims["family_name"], claims["name"]) == ("Frank", "Audit", "Frank Audit")
    assert "preferred_username" not in claims
    assert (claims["ver"], claims["iss"], claims["aud"]) == ("1.0", f"{ROOT}/{api.store.tenant_id}/", app["appId"])
    assert (claims["appid"], claims["appidacr"]) == (app["appId"], "0") and {"azp", "azpacr"}.isdisjoint(claims)


def test_a_v2_user_token_names_the_user_as_v2_tokens_do(api):
    """`preferred_username`; not `unique_name` (v1 only), nor `upn`, `given_name`, `family_name` ("not included in
    v2.0 tokens unless requested"); the client as `azp`."""
    app = application(api, 2)
    claims = user_claims(api, app)
    assert (claims["preferred_username"], claims["name"]) == (USER["userPrincipalName"], "Frank Audit")
    assert V1_NAMES.isdisjoint(claims)
    assert (claims["ver"], claims["iss"], claims["aud"]) == ("2.0", f"{ROOT}/{api.store.tenant_id}/v2.0",
                                                             app["appId"])
    assert (claims["azp"], claims["azpacr"]) == (app["appId"], "0") and {"appid", "appidacr"}.isdisjoint(claims)


def test_the_names_an_application_asks_for_are_added_to_its_version(api):
    """optionalClaims.accessToken: `upn`, `given_name`, `family_name` in a v2 token; `preferred_username` in a v1
    one. A v2 token never gets `unique_name` (not an optional claim)."""
    asked = [{"name": name} for name in ("upn", "given_name", "family_name", "unique_name")]
    v2 = user_claims(api, application(api, 2, asked))
    assert (v2["upn"], v2["given_name"], v2["family_name"]) == (USER["userPrincipalName"], "Frank", "Audit")
    assert "unique_name" not in v2
    v1 = user_claims(api, application(api, 1, [{"name": "preferred_username"}]))
    assert v1["preferred_username"] == v1["unique_name"] == USER["userPrincipalName"]


def test_idtyp_is_sent_only_when_the_resource_asks_for_it(api):
    """An optional claim: "app" in an application's token when the resource asks for it, in a user's token only
    with `include_user_token`. Microsoft Graph's tokens carry it (the emulator's enforcement reads it there)."""
    plain, typed = application(api), application(api, optional=[{"name": "idtyp"}])
    users_too = application(api, 2, [{"name": "idtyp", "additionalProperties": ["include_user_token"]}])
    assert "idtyp" not in app_claims(api, plain["appId"]) and "idtyp" not in user_claims(api, plain)
    assert app_claims(api, typed["appId"])["idtyp"] == "app" and "idtyp" not in user_claims(api, typed)
    assert user_claims(api, users_too)["idtyp"] == "user" and app_claims(api, users_too["appId"])["idtyp"] == "app"
    assert app_claims(api, "https://graph.microsoft.com")["idtyp"] == "app"


def test_a_v1_audience_is_the_application_id_when_it_asks_for_use_guid(api):
    """`aud` with `use_guid`: a v1 token's audience is the resource's client id whatever identifier named it."""
    asked = [{"name": "aud", "additionalProperties": ["use_guid"]}]
    guid = application(api, 1, asked)
    uri = f"api://{guid['appId']}"
    assert api.patch(f"applications/{guid['id']}", json={"identifierUris": [uri]}).status_code == 204
    assert app_claims(api, uri)["aud"] == user_claims(api, guid)["aud"] == guid["appId"]
    named = application(api, 1)
    named_uri = f"api://{named['appId']}"
    assert api.patch(f"applications/{named['id']}", json={"identifierUris": [named_uri]}).status_code == 204
    assert app_claims(api, named_uri)["aud"] == user_claims(api, named)["aud"] == named_uri  # without it, as named


def test_a_users_sub_is_its_own_for_each_application(api):
    """`sub` "is a pairwise identifier that's unique to a particular application ID": the same in every token of
    the user for one application, another for another, and not the object id `oid` is."""
    first, second = application(api), application(api, 2)
    user_id = api.store.find("users", "userPrincipalName", USER["userPrincipalName"])["id"]
    one, again, other = user_claims(api, first), user_claims(api, first), user_claims(api, second)
    assert one["oid"] == again["oid"] == other["oid"] == user_id
    assert one["sub"] == again["sub"] != other["sub"] and user_id not in (one["sub"], other["sub"])


def test_an_applications_sub_is_its_service_principal(api):
    """An application's token: `sub` and `oid` both its service principal's object id (as before session 50)."""
    claims = app_claims(api, application(api, 2)["appId"])
    principal = api.store.find("servicePrincipals", "appId", claims["azp"])
    assert claims["sub"] == claims["oid"] == principal["id"]


@pytest.mark.parametrize("version", [1, 2])
def test_only_a_v1_tokens_header_names_its_key_as_x5t_too(api, version):
    """The header's `x5t` is "emitted only in v1.0 access tokens", the same in use and value as `kid`."""
    app = application(api, version)
    for token in (user_answer(api, app).json()["access_token"], app_answer(api, app["appId"]).json()["access_token"]):
        header = jwt.get_unverified_header(token)
        assert header.get("x5t") == (header["kid"] if version == 1 else None)


@pytest.mark.parametrize("optional", [{"accessToken": "idtyp"}, {"accessToken": ["idtyp"]},
                                      {"accessToken": [{"name": 5}]},
                                      {"accessToken": [{"name": "idtyp", "additionalProperties": "include_user_token"}]},
                                      {"accessToken": [{"name": "upn", "essential": "yes"}]},
                                      {"accessToken": [{"name": "upn", "extra": True}]},
                                      {"accessToken": [{"name": "idtyp", "additionalProperties": [1]}]},
                                      {"accessTokens": []}, "idtyp"])
def test_optional_claims_graph_cannot_read_are_refused_not_read_by_the_token_endpoint(api, optional):
    """optionalClaims is an object of optionalClaim collections (optionalclaims.md, optionalclaim.md: `name` and
    `source` strings, `essential` a boolean, `additionalProperties` a string collection): another shape is refused
    when written, as Graph refuses a value that is not of its type, so the token endpoint -- which reads the resource's
    access-token claims since session 50 -- never meets one (it failed with AttributeError)."""
    from tests.emulator.conftest import assert_error

    app = application(api)
    assert_error(api.patch(f"applications/{app['id']}", json={"optionalClaims": optional}), 400, "Request_BadRequest")
    assert_error(api.post("applications", json={"displayName": "x", "optionalClaims": optional}), 400)
    assert user_answer(api, app).status_code == 200
    asked = {"accessToken": [{"name": "idtyp", "source": None, "essential": False,
                              "additionalProperties": ["include_user_token"]}], "idToken": [], "saml2Token": None}
    assert api.patch(f"applications/{app['id']}", json={"optionalClaims": asked}).status_code == 204
    assert user_claims(api, app)["idtyp"] == "user"


@pytest.mark.parametrize("kept", [{"accessToken": "idtyp"}, {"accessToken": ["idtyp", {"name": 5}]},
                                  {"accessToken": [{"name": "idtyp", "additionalProperties": "include_user_token"}]},
                                  "idtyp"])
def test_optional_claims_a_state_file_kept_from_before_are_read_as_none_asked(api, kept):
    """A state file written before the emulator checked optionalClaims may hold any value: the token endpoint takes
    what Graph could not hold as not asked for, and issues the token (it failed on every token for it)."""
    app = application(api)
    document = api.store.find("applications", "appId", app["appId"])
    api.store.put("applications", {**document, "optionalClaims": kept})
    answer = user_answer(api, app)
    assert answer.status_code == 200, answer.text
    assert "idtyp" not in claims_of(api, answer)
