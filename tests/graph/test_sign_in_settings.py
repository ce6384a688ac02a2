"""What an environment's settings make of the connection, as the other side sees them:

- azure-identity is asked to sign in as the environment says -- its tenantId, its clientId, the secret from the
  variable it names, the certificate at its path, the cloud's authority -- for every credential;
- a sign-in that fails, or a credential that cannot be made, is one line naming the environment, the credential,
  what went wrong, and the fix with the environment's own settings in it;
- the tokens stay where they belong: azure-identity's token is given only for the cloud's Graph host, the emulator's
  fixed token only for the emulator's host, and a claims challenge from Graph reaches azure-identity;
- a Graph that does not answer is given up on (60 s to answer, 10 s to connect) rather than waited for for ever;
- the embedded emulator's tenant is the one the environment declares (its tenantId and verifiedDomains).

azure-identity's classes are replaced by recorders: nothing signs in, nothing leaves the machine.
"""

from __future__ import annotations

import asyncio
import base64

import httpx
import pytest
from azure.identity import aio

from idamconf.graph import connect
from idamconf.graph.clouds import CLOUDS
from tests.cli.harness import add_environment, edit, plan
from tests.safety.graph_view import graph

from .test_token_boundary import StandInCredential

TENANT, CLIENT = "00000000-0000-0000-0000-0000000ab001", "00000000-0000-0000-0000-0000000ab002"
GLOBAL = CLOUDS[0]


class Made:
    """An azure-identity credential class: records what it was made with."""

    made: list[tuple[str, tuple, dict]] = []

    def __init__(self, name: str):
        self.name = name

    def __call__(self, *args, **kwargs):
        Made.made.append((self.name, args, kwargs))
        return StandInCredential()


@pytest.fixture
def recorded(monkeypatch):
    Made.made = []
    for name in ("DefaultAzureCredential", "ClientSecretCredential", "CertificateCredential",
                 "WorkloadIdentityCredential"):
        monkeypatch.setattr(aio, name, Made(name))
    monkeypatch.delenv(connect.AUTHORITY_VARIABLE, raising=False)
    monkeypatch.setenv("IDAMCONF_PROBE_SECRET", "the-secret-value")
    monkeypatch.setenv(connect.FEDERATED_TOKEN_VARIABLE, "/var/run/token")
    return Made.made


def probe(credential: str, **settings) -> connect.Target:
    values = {"tenant_id": TENANT, "client_id": CLIENT, "client_secret_env": "IDAMCONF_PROBE_SECRET",
              "certificate_path": "certs/idamconf.pem"} | settings
    return connect.Target("probe", GLOBAL.url, credential, **values)


EXPECTED = {
    "default": ("DefaultAzureCredential", (), {"authority": GLOBAL.authority}),
    "client-secret": ("ClientSecretCredential", (TENANT, CLIENT, "the-secret-value"), {"authority": GLOBAL.authority}),
    "certificate": ("CertificateCredential", (TENANT, CLIENT, "certs/idamconf.pem"), {"authority": GLOBAL.authority}),
    "workload-identity": ("WorkloadIdentityCredential", (), {"tenant_id": TENANT, "client_id": CLIENT,
                                                             "authority": GLOBAL.authority}),
}


@pytest.mark.parametrize("credential", EXPECTED)
def test_each_credential_signs_in_as_the_environment_says(recorded, credential):
    connect._credential(probe(credential), GLOBAL)
    assert recorded == [EXPECTED[credential]]


def test_a_client_secret_environment_without_its_variable_says_which_setting_is_missing(recorded):
    with pytest.raises(connect.ConnectError) as refused:
        connect._credential(probe("client-secret", client_secret_env=None), GLOBAL)
    assert str(refused.value) == (
        "environment 'probe': the client secret is read from the environment variable (clientSecretEnv not set), "
        "which is empty. Fill it from the vault in the pipeline.")
    assert recorded == []


def test_an_unknown_credential_is_refused_by_name(recorded):
    with pytest.raises(connect.ConnectError) as refused:
        connect._credential(probe("password"), GLOBAL)
    assert str(refused.value) == "environment 'probe': unknown credential 'password'."
    assert recorded == []


# ------------------------------------------------------------------------------------------ failures, one line each
FIXES = {
    "default": "sign in first (`az login`), or set the variables azure-identity's DefaultAzureCredential reads "
               "(AZURE_CLIENT_ID, AZURE_TENANT_ID and a secret, certificate or federated token file)",
    "client-secret": f"check that the secret in IDAMCONF_PROBE_SECRET is current (client secrets expire) and belongs "
                     f"to clientId {CLIENT}",
    "certificate": f"check that certs/idamconf.pem holds the certificate with its private key, and that the "
                   f"certificate is registered on clientId {CLIENT}",
}


@pytest.mark.parametrize("credential", FIXES)
def test_a_credential_that_cannot_be_made_is_one_line_with_the_fix_for_these_settings(monkeypatch, recorded,
                                                                                       credential):
    def broken(*args, **kwargs):
        raise ValueError("the certificate is not PEM.\nsecond line, never shown")

    monkeypatch.setattr(aio, EXPECTED[credential][0], broken)
    with pytest.raises(connect.SignInFailed) as failed:
        connect._credential(probe(credential), GLOBAL)
    assert str(failed.value) == (
        f"signing in to Entra ID failed for environment 'probe' (credential {credential}): ValueError: the "
        f"certificate is not PEM. Fix: {FIXES[credential]}; and check that this machine can reach "
        f"{GLOBAL.authority}.")


def test_an_error_without_a_message_is_named_by_its_kind(monkeypatch, recorded):
    def broken(*args, **kwargs):
        raise OSError()

    monkeypatch.setattr(aio, "CertificateCredential", broken)
    with pytest.raises(connect.SignInFailed, match=r"\(credential certificate\): OSError: OSError\. Fix: "):
        connect._credential(probe("certificate"), GLOBAL)


def test_a_missing_certificate_file_is_one_line_from_the_cli(project):
    add_environment(project, "  corp:\n"
         f"    graphUrl: {GLOBAL.url}\n    tenantId: {TENANT}\n    clientId: {CLIENT}\n"
         "    credential: certificate\n    certificatePath: certs/missing.pem\n")
    result = plan(project, "-e", "corp")
    assert result.code == 1 and result.out == ""
    assert result.err == (
        "error: signing in to Entra ID failed for environment 'corp' (credential certificate): FileNotFoundError: "
        "[Errno 2] No such file or directory: 'certs/missing.pem'. Fix: check that certs/missing.pem holds the certificate with its "
        f"private key, and that the certificate is registered on clientId {CLIENT}; and check that this machine can "
        f"reach {GLOBAL.authority}.\n")


# ------------------------------------------------------------------------------------------------ where tokens go
def token_for(target: connect.Target, url: str, context: dict | None = None) -> str:
    provider = connect._auth_provider(target).access_token_provider
    return asyncio.run(provider.get_authorization_token(url, context or {}))


def test_azure_identitys_token_is_given_only_for_the_clouds_graph(recorded):
    assert token_for(probe("default"), "https://evil.example/v1.0/applications") == ""
    assert token_for(probe("default"), "https://graph.microsoft.com/v1.0/applications") == "tenant-token-must-stay-" \
                                                                                            "with-graph"


def test_a_claims_challenge_from_graph_reaches_azure_identity(recorded, monkeypatch):
    """Continuous access evaluation: Graph's 401 carries claims, and the token asked for again must carry them."""
    asked = []

    async def get_token(self, *scopes, **options):
        asked.append(options.get("claims"))
        return await original(self, *scopes, **options)

    original = StandInCredential.get_token
    monkeypatch.setattr(StandInCredential, "get_token", get_token)
    challenge = base64.b64encode(b'{"access_token":{}}').decode()  # as Graph's WWW-Authenticate carries it
    token_for(probe("default"), "https://graph.microsoft.com/v1.0/me", {"claims": challenge})
    assert asked == ['{"access_token":{}}']


def test_the_emulators_token_is_given_only_for_the_emulators_host():
    served = connect.Target("served", "http://127.0.0.1:8931/v1.0", "emulator")
    assert token_for(served, "http://127.0.0.1:8931/v1.0/applications") != ""
    assert token_for(served, "https://graph.microsoft.com/v1.0/applications") == ""
    assert token_for(served, "http://localhost:8931/v1.0/applications") == ""


# ---------------------------------------------------------------------------------------------------- time-outs
@pytest.mark.parametrize("graph_url", [GLOBAL.url, "http://127.0.0.1:8931/v1.0"])
def test_a_graph_that_does_not_answer_is_given_up_on(graph_url):
    """60 s for an answer (a large `$batch` takes seconds), 10 s to connect; never without a limit. GraphClient then
    retries by its own rules (tests/safety/test_retries.py)."""
    client = connect._http_client(connect.Target("probe", graph_url, "default"))
    try:
        assert client.timeout == httpx.Timeout(60.0, connect=10.0)
    finally:
        asyncio.run(client.aclose())


# ----------------------------------------------------------------------------------------------- embedded tenant
def test_the_embedded_emulators_tenant_is_the_one_the_environment_declares(project):
    edit(project / "idamconf.yaml", "    tenantId: 00000000-0000-0000-0000-00000000c001\n    verifiedDomains: "
         "[contoso.com]\n", "    tenantId: 00000000-0000-0000-0000-00000000e001\n    verifiedDomains: "
         "[contoso.com, fabrikam.example]\n")
    assert plan(project).code == 0
    organization = graph(project, "GET", "organization")["value"][0]
    assert organization["id"] == "00000000-0000-0000-0000-00000000e001"
    assert {"contoso.com", "fabrikam.example"} <= {domain["name"] for domain in organization["verifiedDomains"]}
