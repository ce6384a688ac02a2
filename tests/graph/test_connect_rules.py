"""connect's own refusals, for a Target built some other way than from a validated configuration (defence in depth:
validate refuses these first): whom Microsoft Graph's certificate may come from is never the configuration's to say."""

from __future__ import annotations

import asyncio

import certifi
import httpx
import pytest

from idamconf.graph import connect
from idamconf.graph.clouds import CLOUDS

from .test_token_boundary import Recorder, stand_ins  # noqa: F401 - stand_ins: the fixture


def test_a_ca_bundle_is_refused_for_microsoft_graph_even_one_that_reads(stand_ins):  # noqa: F811
    make, credential, _ = stand_ins
    network = make(lambda request: httpx.Response(200, json={"value": []}))
    target = connect.Target("prod", CLOUDS[0].url, "workload-identity", "t", "c", ca_bundle=certifi.where())

    async def go():
        async with connect.connect(target) as client:
            await client.get_all("applications")

    with pytest.raises(connect.ConnectError, match="environment 'prod': caBundle is only for a served emulator on "
                                                   "loopback. Fix: remove caBundle"):
        asyncio.run(go())
    assert network.sent == [] and credential.scopes == []


SIGN_INS = {"client-secret": "ClientSecretCredential", "certificate": "CertificateCredential",
            "workload-identity": "WorkloadIdentityCredential"}  # the credentials that can sign in to a served emulator


@pytest.mark.parametrize("credential", SIGN_INS)
@pytest.mark.parametrize("bundle", [None, certifi.where()], ids=["system-trust", "ca-bundle"])
def test_a_served_emulators_sign_in_goes_to_its_own_origin_whatever_azure_authority_host_says(monkeypatch, bundle,
                                                                                                credential):
    """azure-identity is given the served emulator's origin as the authority, no instance discovery, and the
    environment's caBundle to trust -- only when there is one (else its own default, the system's trust store)."""
    from azure.identity import aio

    monkeypatch.setenv("IDAMCONF_PROBE_SECRET", "not-a-real-secret")
    monkeypatch.setenv(connect.FEDERATED_TOKEN_VARIABLE, "token-file")  # as a pipeline's OIDC step leaves it
    monkeypatch.setenv(connect.AUTHORITY_VARIABLE, "https://login.example.net")
    monkeypatch.setattr(aio, SIGN_INS[credential], Recorder)
    Recorder.made = []
    target = connect.Target("served", "https://127.0.0.1:8443/v1.0", credential, "t", "c",
                            "IDAMCONF_PROBE_SECRET", "c.pem", ca_bundle=bundle)

    async def go():
        async with connect.connect(target):
            pass

    asyncio.run(go())
    [made] = Recorder.made
    named = {"tenant_id": "t", "client_id": "c"} if credential == "workload-identity" else {}  # else positional
    trusted = {"connection_verify": bundle} if bundle else {}
    assert made == {**named, "authority": "https://127.0.0.1:8443", "disable_instance_discovery": True, **trusted}


def test_a_ca_bundle_that_cannot_be_read_is_one_line_naming_it_and_the_fix(tmp_path):
    missing = tmp_path / "ca.pem"
    target = connect.Target("served", "https://127.0.0.1:8443/v1.0", "emulator", ca_bundle=str(missing))

    async def go():
        async with connect.connect(target):
            pass

    with pytest.raises(connect.ConnectError) as refused:
        asyncio.run(go())
    assert str(refused.value) == (f"environment 'served': caBundle {missing} cannot be read as a PEM bundle ([Errno 2] "
                                  "No such file or directory). Fix: point it at the ca.pem that `idamconf emulator "
                                  "serve --tls` printed.")


def test_a_served_emulators_failed_sign_in_says_to_reach_its_own_origin(monkeypatch):
    """The one line of a failed sign-in names where this machine must reach: for a served emulator, its origin."""
    from azure.identity import aio

    def broken(*args, **kwargs):
        raise ValueError("the certificate is not PEM")

    monkeypatch.setattr(aio, "CertificateCredential", broken)
    target = connect.Target("served", "https://127.0.0.1:8443/v1.0", "certificate", "t", "c", certificate_path="c.pem")

    async def go():
        async with connect.connect(target):
            pass

    with pytest.raises(connect.SignInFailed) as failed:
        asyncio.run(go())
    assert str(failed.value).endswith("ValueError: the certificate is not PEM. Fix: check that c.pem holds the "
                                      "certificate with its private key, and that the certificate is registered on "
                                      "clientId c; and check that this machine can reach https://127.0.0.1:8443.")
