"""azure-identity's real credentials, unmodified, sign in to the served emulator over TLS; PyJWT validates what they
get against the emulator's JWKS; Entra's refusals come back as AADSTS codes."""

from __future__ import annotations

import asyncio
import ssl
import time

import httpx
import jwt
import pytest
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import CertificateCredential, ClientSecretCredential, WorkloadIdentityCredential
from azure.identity import aio

from idamconf.emulator.identity.user_tokens import federated_token
from tests.identity.conftest import EXCHANGE, ISSUER, SUBJECT

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
