"""azure-identity's real credentials, unmodified, sign in to the served emulator over TLS; PyJWT validates what they
get against the emulator's JWKS; Entra's refusals come back as AADSTS codes."""

from __future__ import annotations

import asyncio
import base64
import datetime
import hashlib
import ssl
import time
import uuid

import httpx
import jwt
import pytest
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import CertificateCredential, ClientSecretCredential, WorkloadIdentityCredential
from azure.identity import aio
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from idamconf.emulator.identity import keys
from idamconf.emulator.identity.user_tokens import federated_token
from idamconf.emulator.seed import seed
from tests.identity.conftest import EXCHANGE, ISSUER, SUBJECT, certificate_pem

GRAPH = "https://graph.microsoft.com/.default"


def options(pipeline) -> dict:
    return {"authority": pipeline.authority, "connection_verify": pipeline.ca_bundle}


def validated(pipeline, token: str, audience: str = "https://graph.microsoft.com") -> dict:
    """PyJWT, as a service team would use it: the (v1, as Graph's tokens are) discovery document's issuer and
    jwks_uri."""
    trust = ssl.create_default_context(cafile=pipeline.ca_bundle)
    discovery = httpx.get(f"{pipeline.authority}/{pipeline.tenant_id}/.well-known/openid-configuration",
                          verify=trust, trust_env=False).json()
    key = jwt.PyJWKClient(discovery["jwks_uri"], ssl_context=trust).get_signing_key_from_jwt(token)
    assert key.key.key_size == 2048  # Entra's token-signing keys: RSA 2048
    return jwt.decode(token, key.key, algorithms=["RS256"], audience=audience, issuer=discovery["issuer"])


def test_a_client_secret_made_by_add_password_signs_in(pipeline):
    pipeline.grant("Application.Read.All")
    with ClientSecretCredential(pipeline.tenant_id, pipeline.client_id, pipeline.secret,
                                disable_instance_discovery=True, **options(pipeline)) as credential:
        claims = validated(pipeline, credential.get_token(GRAPH).token)
        assert claims["appid"] == pipeline.client_id and claims["tid"] == pipeline.tenant_id
        assert claims["appidacr"] == "1" and claims["ver"] == "1.0" and claims["idtyp"] == "app"
        assert "Application.Read.All" in claims["roles"]
        assert claims["exp"] - claims["iat"] == 3600


def test_the_async_credentials_idamconf_uses_sign_in_too(pipeline, tmp_path):
    token_file = tmp_path / "federated"
    token_file.write_text(federated_token(pipeline.store, ISSUER, SUBJECT, EXCHANGE))

    async def tokens():
        made = [aio.ClientSecretCredential(pipeline.tenant_id, pipeline.client_id, pipeline.secret,
                                           **options(pipeline)),
                aio.CertificateCredential(pipeline.tenant_id, pipeline.client_id, str(pipeline.certificate),
                                          **options(pipeline)),
                aio.WorkloadIdentityCredential(tenant_id=pipeline.tenant_id, client_id=pipeline.client_id,
                                               token_file_path=str(token_file), **options(pipeline))]
        try:
            return [(await credential.get_token(GRAPH)).token for credential in made]
        finally:
            for credential in made:
                await credential.close()

    secret, certificate, federated = (validated(pipeline, token) for token in asyncio.run(tokens()))
    assert secret["appidacr"] == "1" and certificate["appidacr"] == "2" and federated["appidacr"] == "2"
    assert {secret["appid"], certificate["appid"], federated["appid"]} == {pipeline.client_id}


def test_a_certificate_in_key_credentials_signs_in(pipeline):
    with CertificateCredential(pipeline.tenant_id, pipeline.client_id, str(pipeline.certificate),
                               disable_instance_discovery=True, **options(pipeline)) as credential:
        assert validated(pipeline, credential.get_token(GRAPH).token)["appidacr"] == "2"


def test_a_federated_token_matching_a_federated_credential_signs_in(pipeline, tmp_path):
    token_file = tmp_path / "federated"
    token_file.write_text(federated_token(pipeline.store, ISSUER, SUBJECT, EXCHANGE))
    with WorkloadIdentityCredential(tenant_id=pipeline.tenant_id, client_id=pipeline.client_id,
                                    token_file_path=str(token_file), disable_instance_discovery=True,
                                    **options(pipeline)) as credential:
        assert validated(pipeline, credential.get_token(GRAPH).token)["appid"] == pipeline.client_id


@pytest.mark.parametrize("issuer, subject, audience, code", [
    ("https://token.actions.githubusercontent.com/other", SUBJECT, EXCHANGE, "AADSTS700211"),
    (ISSUER, "repo:contoso/identity:pull_request", EXCHANGE, "AADSTS700213"),
    (ISSUER, SUBJECT, "api://SomethingElse", "AADSTS700212"),
])
def test_a_federated_token_matching_no_credential_is_refused_as_entra_does(pipeline, tmp_path, issuer, subject,
                                                                           audience, code):
    token_file = tmp_path / "federated"
    token_file.write_text(federated_token(pipeline.store, issuer, subject, audience))
    with WorkloadIdentityCredential(tenant_id=pipeline.tenant_id, client_id=pipeline.client_id,
                                    token_file_path=str(token_file), disable_instance_discovery=True,
                                    **options(pipeline)) as credential:
        with pytest.raises(ClientAuthenticationError, match=code):
            credential.get_token(GRAPH)


def test_a_federated_token_signed_by_another_key_is_refused(pipeline, tmp_path):
    from cryptography.hazmat.primitives.asymmetric import rsa
    now = int(time.time())
    forged = jwt.encode({"iss": ISSUER, "sub": SUBJECT, "aud": EXCHANGE, "iat": now, "exp": now + 600},
                        rsa.generate_private_key(public_exponent=65537, key_size=2048), algorithm="RS256")
    token_file = tmp_path / "federated"
    token_file.write_text(forged)
    with WorkloadIdentityCredential(tenant_id=pipeline.tenant_id, client_id=pipeline.client_id,
                                    token_file_path=str(token_file), disable_instance_discovery=True,
                                    **options(pipeline)) as credential:
        with pytest.raises(ClientAuthenticationError, match="AADSTS700027"):
            credential.get_token(GRAPH)


def test_a_wrong_secret_is_refused_with_entras_code_and_never_repeated(pipeline):
    wrong = "x" * 34 + "8Q~abc"
    with ClientSecretCredential(pipeline.tenant_id, pipeline.client_id, wrong,
                                disable_instance_discovery=True, **options(pipeline)) as credential:
        with pytest.raises(ClientAuthenticationError, match="AADSTS7000215") as refused:
            credential.get_token(GRAPH)
        assert wrong not in str(refused.value)


def test_an_unknown_tenant_and_an_unknown_application_are_refused(pipeline):
    trust = ssl.create_default_context(cafile=pipeline.ca_bundle)
    form = {"grant_type": "client_credentials", "client_id": pipeline.client_id, "client_secret": pipeline.secret,
            "scope": GRAPH}
    with httpx.Client(verify=trust, trust_env=False) as http:
        unknown_tenant = http.post(f"{pipeline.authority}/fabrikam.onmicrosoft.com/oauth2/v2.0/token", data=form)
        unknown_app = http.post(f"{pipeline.authority}/{pipeline.tenant_id}/oauth2/v2.0/token",
                                data={**form, "client_id": "11111111-1111-1111-1111-111111111111"})
        not_default = http.post(f"{pipeline.authority}/{pipeline.tenant_id}/oauth2/v2.0/token",
                                data={**form, "scope": "https://graph.microsoft.com/User.Read"})
    assert unknown_tenant.status_code == 400 and unknown_tenant.json()["error_codes"] == [90002]
    assert unknown_app.status_code == 400 and unknown_app.json()["error"] == "unauthorized_client"
    assert unknown_app.json()["error_description"].startswith("AADSTS700016: ")
    assert not_default.json()["error_codes"] == [1002012]
    assert pipeline.secret not in unknown_tenant.text + unknown_app.text + not_default.text


def test_a_removed_secret_no_longer_signs_in(pipeline):
    with pipeline.admin() as graph:
        added = graph.post(f"applications/{pipeline.object_id}/addPassword", json={}).json()
        assert graph.post(f"applications/{pipeline.object_id}/removePassword",
                          json={"keyId": added["keyId"]}).status_code == 204
    with ClientSecretCredential(pipeline.tenant_id, pipeline.client_id, added["secretText"],
                                disable_instance_discovery=True, **options(pipeline)) as credential:
        with pytest.raises(ClientAuthenticationError, match="AADSTS7000215"):
            credential.get_token(GRAPH)



def test_a_certificate_not_registered_on_the_application_is_refused(pipeline, tmp_path):
    from tests.identity.conftest import certificate_pem

    stranger, _ = certificate_pem(tmp_path)
    with CertificateCredential(pipeline.tenant_id, pipeline.client_id, str(stranger),
                               disable_instance_discovery=True, **options(pipeline)) as credential:
        with pytest.raises(ClientAuthenticationError, match="AADSTS700027"):
            credential.get_token(GRAPH)


def test_emulator_token_federated_writes_what_workload_identity_exchanges(pipeline, tmp_path):
    from tests.cli.harness import idamconf

    made = idamconf("emulator", "token", "--state", pipeline.store.path, "--federated", "--subject", SUBJECT)
    assert made.code == 0, made.err
    token_file = tmp_path / "federated"
    token_file.write_text(made.out.strip())
    with WorkloadIdentityCredential(tenant_id=pipeline.tenant_id, client_id=pipeline.client_id,
                                    token_file_path=str(token_file), disable_instance_discovery=True,
                                    **options(pipeline)) as credential:
        assert validated(pipeline, credential.get_token(GRAPH).token)["appid"] == pipeline.client_id


def test_an_expired_secret_is_refused_as_expired(pipeline):
    window = {"startDateTime": "2020-01-01T00:00:00Z", "endDateTime": "2021-01-01T00:00:00Z"}
    with pipeline.admin() as graph:
        expired = graph.post(f"applications/{pipeline.object_id}/addPassword",
                             json={"passwordCredential": window}).json()["secretText"]
    with ClientSecretCredential(pipeline.tenant_id, pipeline.client_id, expired,
                                disable_instance_discovery=True, **options(pipeline)) as credential:
        with pytest.raises(ClientAuthenticationError, match="AADSTS7000222"):
            credential.get_token(GRAPH)


# ------------------------------------------------------------------ session 38: the token endpoint's own checks
def _token_request(pipeline, **form):
    trust = ssl.create_default_context(cafile=pipeline.ca_bundle)
    with httpx.Client(verify=trust, trust_env=False) as http:
        return http.post(f"{pipeline.authority}/{pipeline.tenant_id}/oauth2/v2.0/token",
                         data={"grant_type": "client_credentials", "scope": GRAPH, **form})


def test_a_certificate_assertion_signs_in_only_as_a_jwt_bearer_assertion_issued_by_the_client(pipeline):
    good = _signed_by(pipeline, pipeline.client_id, pipeline.certificate)
    assert _token_request(pipeline, **good).status_code == 200  # the assertion itself is sound
    wrong_type = _token_request(pipeline, **{**good, "client_assertion_type": "urn:example:saml2-bearer"})
    assert wrong_type.status_code == 401 and wrong_type.json()["error_codes"] == [7000218]
    other_issuer = _signed_by(pipeline, pipeline.client_id, pipeline.certificate, iss="https://elsewhere.example")
    refused = _token_request(pipeline, **other_issuer)
    assert refused.status_code in (400, 401) and "access_token" not in refused.json()


def test_an_application_without_a_service_principal_gets_no_token(pipeline):
    with pipeline.admin() as graph:
        application = graph.post("applications", json={"displayName": "no principal"}).json()
        secret = graph.post(f"applications/{application['id']}/addPassword", json={}).json()["secretText"]
    refused = _token_request(pipeline, client_id=application["appId"], client_secret=secret)
    assert refused.status_code == 400 and refused.json()["error_codes"] == [7000229]
    assert secret not in refused.text


def test_a_secret_ended_an_hour_ago_is_refused_as_expired(pipeline):
    now = datetime.datetime.now(datetime.timezone.utc)
    window = {"startDateTime": (now - datetime.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ"),
              "endDateTime": (now - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")}
    with pipeline.admin() as graph:
        ended = graph.post(f"applications/{pipeline.object_id}/addPassword",
                           json={"passwordCredential": window}).json()["secretText"]
    refused = _token_request(pipeline, client_id=pipeline.client_id, client_secret=ended)
    assert refused.status_code == 401 and refused.json()["error_codes"] == [7000222]


def _client_with_certificates(pipeline, tmp_path, *windows: dict) -> tuple[str, list]:
    """A new client application (and its service principal) holding one new certificate for each of `windows`
    (extra keyCredential fields): its appId and the certificates' PEM paths, in order."""
    paths, credentials = [], []
    for number, fields in enumerate(windows):
        directory = tmp_path / str(number)
        directory.mkdir()
        path, der = certificate_pem(directory)
        paths.append(path)
        credentials.append({"type": "AsymmetricX509Cert", "usage": "Verify", "key": base64.b64encode(der).decode(),
                     **fields})
    with pipeline.admin() as graph:
        application = graph.post("applications", json={"displayName": "client", "keyCredentials": credentials}).json()
        assert graph.post("servicePrincipals", json={"appId": application["appId"]}).status_code == 201
    return application["appId"], paths


def _signed_by(pipeline, client_id: str, pem_path, without: tuple = (), **changes) -> dict:
    """A client-credentials form with an assertion as CertificateCredential makes one: signed by the certificate of
    `pem_path`, named in the header by its SHA-256 thumbprint, for the token endpoint (`changes`: claims replaced,
    `without`: claims left out)."""
    pem = pem_path.read_bytes()
    der = x509.load_pem_x509_certificate(pem).public_bytes(serialization.Encoding.DER)
    thumbprint = base64.urlsafe_b64encode(hashlib.sha256(der).digest()).decode().rstrip("=")
    now = int(time.time())
    claims = {"iss": client_id, "sub": client_id, "iat": now, "nbf": now, "exp": now + 600, "jti": str(now),
              "aud": f"{pipeline.authority}/{pipeline.tenant_id}/oauth2/v2.0/token", **changes}
    assertion = jwt.encode({k: v for k, v in claims.items() if k not in without},
                           serialization.load_pem_private_key(pem, password=None), algorithm="RS256",
                           headers={"x5t#S256": thumbprint})
    return {"client_id": client_id, "client_assertion": assertion,
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}


def test_each_of_two_certificates_signs_in_by_its_own_thumbprint(pipeline, tmp_path):
    client_id, (first, second) = _client_with_certificates(pipeline, tmp_path, {}, {})
    for path in (first, second):
        assert _token_request(pipeline, **_signed_by(pipeline, client_id, path)).status_code == 200


@pytest.mark.parametrize("window", [{"exp": -60}, {"nbf": 600}])
def test_a_certificate_assertion_out_of_its_time_range_is_refused_as_such(pipeline, window):
    """AADSTS700024, not 700027: the client's clock or the assertion's lifetime is at fault, not its signature."""
    now = int(time.time())
    changes = {claim: now + offset for claim, offset in window.items()}
    refused = _token_request(pipeline, **_signed_by(pipeline, pipeline.client_id, pipeline.certificate, **changes))
    assert refused.status_code == 401 and refused.json()["error_codes"] == [700024]


def test_a_certificate_assertion_without_an_expiry_is_refused(pipeline, tmp_path):
    client_id, (path,) = _client_with_certificates(pipeline, tmp_path, {})
    refused = _token_request(pipeline, **_signed_by(pipeline, client_id, path, without=("exp",)))
    assert refused.status_code == 401 and refused.json()["error_codes"] == [700027]


@pytest.mark.parametrize("fields", [{"startDateTime": "2020-01-01T00:00:00Z", "endDateTime": "2021-01-01T00:00:00Z"},
                                    {"usage": "Sign"}], ids=["ended", "usage Sign"])
def test_a_certificate_ended_or_not_for_verifying_signs_no_client_in(pipeline, tmp_path, fields):
    client_id, (path,) = _client_with_certificates(pipeline, tmp_path, fields)
    refused = _token_request(pipeline, **_signed_by(pipeline, client_id, path))
    assert refused.status_code == 401 and refused.json()["error_codes"] == [700027]


def test_a_federated_token_without_an_expiry_is_refused(pipeline):
    now = int(time.time())
    forever = keys.sign(pipeline.store, {"iss": ISSUER, "sub": SUBJECT, "aud": EXCHANGE, "iat": now, "nbf": now,
                                         "jti": "no-expiry"})
    refused = _token_request(pipeline, client_id=pipeline.client_id, client_assertion=forever,
                             client_assertion_type="urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
    assert refused.status_code == 401 and "access_token" not in refused.json()
    sound = federated_token(pipeline.store, ISSUER, SUBJECT)  # the same token with its expiry signs in
    assert _token_request(pipeline, client_id=pipeline.client_id, client_assertion=sound,
                          client_assertion_type="urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
                          ).status_code == 200


def test_a_federated_token_signs_in_only_the_application_that_trusts_it(pipeline, tmp_path):
    other, _ = _client_with_certificates(pipeline, tmp_path)  # no federated credential of its own
    token = federated_token(pipeline.store, ISSUER, SUBJECT)  # matches the pipeline's credential
    refused = _token_request(pipeline, client_id=other, client_assertion=token,
                             client_assertion_type="urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
    assert refused.status_code in (400, 401) and "access_token" not in refused.json()


def test_the_token_endpoint_refuses_other_grants_several_scopes_and_unknown_resources(pipeline):
    secret = {"client_id": pipeline.client_id, "client_secret": pipeline.secret}
    other_grant = _token_request(pipeline, **secret, grant_type="password")
    assert other_grant.status_code == 400 and other_grant.json()["error"] == "unsupported_grant_type"
    two = _token_request(pipeline, **secret, scope=f"{GRAPH} openid")
    assert two.status_code == 400 and "access_token" not in two.json()
    nowhere = _token_request(pipeline, **secret, scope="api://nothing-here/.default")
    assert nowhere.status_code == 400 and nowhere.json()["error_codes"] == [500011]


def test_a_disabled_app_role_leaves_the_next_token(pipeline):
    role = {"id": str(uuid.uuid4()), "allowedMemberTypes": ["Application"], "displayName": "Orders.Read",
            "value": "Orders.Read", "description": "read orders", "isEnabled": True}
    with pipeline.admin() as graph:
        orders = graph.post("applications", json={"displayName": "orders", "appRoles": [role]}).json()
        resource = graph.post("servicePrincipals", json={"appId": orders["appId"]}).json()
        client = graph.get(f"servicePrincipals(appId='{pipeline.client_id}')").json()
        assert graph.post(f"servicePrincipals/{resource['id']}/appRoleAssignedTo", json={
            "principalId": client["id"], "resourceId": resource["id"], "appRoleId": role["id"]}).status_code == 201
    form = {"client_id": pipeline.client_id, "client_secret": pipeline.secret, "scope": f"{orders['appId']}/.default"}
    token = _token_request(pipeline, **form).json()["access_token"]
    assert jwt.decode(token, options={"verify_signature": False})["roles"] == ["Orders.Read"]
    with pipeline.admin() as graph:
        assert graph.patch(f"applications/{orders['id']}", json={"appRoles": [{**role, "isEnabled": False}]}
                           ).status_code == 204
    token = _token_request(pipeline, **form).json()["access_token"]
    assert jwt.decode(token, options={"verify_signature": False}).get("roles", []) == []


def test_a_role_granted_on_one_api_is_not_in_a_token_for_another_with_the_same_role_id(pipeline):
    """Role ids are unique within an application only: two APIs may declare the same one (a copied manifest)."""
    role = {"id": str(uuid.uuid4()), "allowedMemberTypes": ["Application"], "displayName": "Data.Read",
            "value": "Data.Read", "description": "read", "isEnabled": True}
    with pipeline.admin() as graph:
        made = {}
        for name in ("granted", "twin"):
            application = graph.post("applications", json={"displayName": name, "appRoles": [role]}).json()
            made[name] = (application, graph.post("servicePrincipals", json={"appId": application["appId"]}).json())
        client = graph.get(f"servicePrincipals(appId='{pipeline.client_id}')").json()
        granted = made["granted"][1]
        assert graph.post(f"servicePrincipals/{granted['id']}/appRoleAssignedTo", json={
            "principalId": client["id"], "resourceId": granted["id"], "appRoleId": role["id"]}).status_code == 201
    for name, expected in (("granted", ["Data.Read"]), ("twin", [])):
        form = {"client_id": pipeline.client_id, "client_secret": pipeline.secret,
                "scope": f"{made[name][0]['appId']}/.default"}
        token = _token_request(pipeline, **form).json()["access_token"]
        assert jwt.decode(token, options={"verify_signature": False}).get("roles", []) == expected, name


def test_the_test_user_grant_refuses_unknown_clients_and_disabled_scopes(pipeline):
    upn = f"grace@{pipeline.store.domain}"
    seed(pipeline.store, {"users": [{"userPrincipalName": upn, "displayName": "Grace"}]})

    def scope(value: str, enabled: bool) -> dict:
        return {"id": str(uuid.uuid4()), "type": "User", "value": value, "isEnabled": enabled,
                "adminConsentDisplayName": value, "adminConsentDescription": value}

    with pipeline.admin() as graph:
        orders = graph.post("applications", json={"displayName": "orders api", "api": {
            "oauth2PermissionScopes": [scope("Orders.Read", True), scope("Orders.Write", False)]}}).json()
        assert graph.post("servicePrincipals", json={"appId": orders["appId"]}).status_code == 201
    user = {"grant_type": "urn:idamconf:emulator:user", "client_id": orders["appId"], "username": upn}
    assert _token_request(pipeline, **user, scope="Orders.Read").status_code == 200
    disabled = _token_request(pipeline, **user, scope="Orders.Write")
    assert disabled.status_code == 400 and disabled.json()["error_codes"] == [70011]
    unknown = _token_request(pipeline, **{**user, "client_id": str(uuid.uuid4())}, scope="Orders.Read")
    assert unknown.status_code == 400 and unknown.json()["error_codes"] == [700016]
