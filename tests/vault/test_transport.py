"""Where secrets go (vault/): the transport refuses any origin but its vault's; a served emulator's vault is reached
over TLS with the environment's CA alone, and never over plain http; the local file sink writes mode 0600."""

from __future__ import annotations

import asyncio
import datetime as _dt
import json
import stat
from types import SimpleNamespace

import httpx
import pytest
from azure.core.rest import HttpRequest

from idamconf.emulator import Store
from idamconf.emulator.tls import ensure
from idamconf.vault.file_sink import FileSink
from idamconf.vault.sinks import VaultError
from idamconf.vault.transport import OutsideTheVault, VaultTransport
from idamconf.vault.vaults import Vaults
from tests.emulator.conftest import serving

VAULT = "https://contoso-expenses.vault.azure.net"
EXPIRES = _dt.datetime(2030, 1, 1, tzinfo=_dt.timezone.utc)


def served_target(base_url: str, ca_bundle=None):
    return SimpleNamespace(embedded=False, credential="emulator", graph_url=base_url, ca_bundle=ca_bundle,
                           environment="served", tenant_id=None)


def test_the_transport_refuses_any_origin_but_the_vaults():
    sent = []
    client = httpx.AsyncClient(transport=httpx.MockTransport(lambda request: sent.append(request) or
                                                             httpx.Response(200)))
    transport = VaultTransport(client, httpx.URL(VAULT))
    for elsewhere in ("https://evil.example/secrets/x", "http://contoso-expenses.vault.azure.net/secrets/x",
                      "https://contoso-expenses.vault.azure.net:8443/secrets/x",
                      "https://other.vault.azure.net/secrets/x"):
        with pytest.raises(OutsideTheVault) as refused:
            asyncio.run(transport.send(HttpRequest("PUT", elsewhere, json={"value": "v"})))
        url = httpx.URL(elsewhere)
        assert str(refused.value) == (f"a request to {url.scheme}://{url.host} was refused: this client writes to "
                                      "contoso-expenses.vault.azure.net only")
    assert sent == []
    asyncio.run(transport.send(HttpRequest("GET", f"{VAULT}/secrets/x/versions")))
    assert [str(request.url) for request in sent] == [f"{VAULT}/secrets/x/versions"]


def test_a_served_emulators_vault_over_tls_with_its_ca(tmp_path, monkeypatch):
    """Reached directly, whatever proxy the environment names (a laptop's HTTPS_PROXY): the vault is on loopback."""
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")  # nothing listens there
    tls = ensure(tmp_path / "tls")
    with serving(Store(), tls=tls) as emulator:
        vaults = Vaults(served_target(emulator.base_url, str(tls.ca_bundle)), SimpleNamespace(secret_files=None),
                        tmp_path, "eucs-idam")

        async def go():
            sink = vaults.sink(VAULT, "expenses-client-secret")
            await sink.write("value", "k1", EXPIRES, {"application": "expenses"})
            try:
                return await sink.key_ids()
            finally:
                await vaults.close()

        assert asyncio.run(go()) == {"k1"}  # written, then listed back by the emulator's vault


def test_without_the_emulators_ca_the_vault_is_not_trusted(tmp_path):
    tls = ensure(tmp_path / "tls")
    with serving(Store(), tls=tls) as emulator:
        vaults = Vaults(served_target(emulator.base_url), SimpleNamespace(secret_files=None), tmp_path)

        async def go():
            try:
                await vaults.sink(VAULT, "s").write("value", "k1", EXPIRES, {})
            finally:
                await vaults.close()

        with pytest.raises(VaultError, match="CERTIFICATE_VERIFY_FAILED|certificate verify failed"):
            asyncio.run(go())


def test_a_served_emulator_over_plain_http_gets_no_secret(tmp_path):
    vaults = Vaults(served_target("http://127.0.0.1:8931/v1.0"), SimpleNamespace(secret_files=None), tmp_path)
    with pytest.raises(VaultError) as refused:
        vaults.sink(VAULT, "s")
    assert str(refused.value) == ("environment 'served': the emulator's Key Vault is served over https only (Key "
                                  "Vault's clients refuse anything else): serve it with `idamconf emulator serve "
                                  "--tls` and set the environment's caBundle")


def test_the_file_sink_writes_the_value_and_the_key_ids_mode_0600(tmp_path):
    sink = FileSink(tmp_path / "home" / "secrets", "expenses-client-secret")  # made, parents and all, 0700

    async def go():
        await sink.write("first", "K1", EXPIRES, {"application": "expenses"})
        await sink.write("second", "K2", EXPIRES, {"application": "expenses", "keyId": "K2"})
        return await sink.key_ids()

    assert asyncio.run(go()) == {"k1", "k2"}
    assert sink.value_file.read_text() == "second" and "second" not in sink.keys_file.read_text()
    for path in (sink.value_file, sink.keys_file):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(sink.value_file.parent.stat().st_mode) == 0o700
    assert json.loads(sink.keys_file.read_text()) == {  # what a developer's tooling and the crash check read
        "keyIds": ["k1", "k2"], "newest": "k2", "expires": "2030-01-01T00:00:00+00:00",
        "tags": {"application": "expenses", "keyId": "K2"}}
    assert sink.keys_file.read_text().startswith('{\n  "keyIds": [\n    "k1",\n')  # and a person opening the file


def test_a_tenants_vault_gets_the_real_client_over_the_confined_transport(tmp_path):
    """Nothing is sent: the client for a tenant's environment is the SDK's SecretClient for exactly the vault the
    file names, signed in as Graph is, over the transport that refuses any other origin."""
    target = SimpleNamespace(embedded=False, credential="default", graph_url="https://graph.microsoft.com/v1.0",
                             ca_bundle=None, environment="live", tenant_id="00000000-0000-0000-0000-00000000f001",
                             client_id=None, client_secret_env=None, certificate_path=None)
    vaults = Vaults(target, SimpleNamespace(secret_files=str(tmp_path / "ignored")), tmp_path)
    sink = vaults.sink(VAULT + "/", "expenses-client-secret")
    assert not isinstance(sink, FileSink)  # secretFiles is for emulators only, whatever a file says
    assert sink.client.vault_url == VAULT
    transport = sink.client._client._client._pipeline._transport
    assert isinstance(transport, VaultTransport) and transport.origin == httpx.URL(VAULT)
    asyncio.run(vaults.close())


def test_a_served_vault_that_never_answers_fails_the_write_after_the_timeout(tmp_path, monkeypatch):
    """A vault that accepts the connection and then says nothing (a hung emulator) fails the write once the timeout
    has passed (here a tiny one), rather than holding apply until someone stops it."""
    import socket

    from idamconf.vault import vaults as vaults_module

    monkeypatch.setattr(vaults_module, "TIMEOUT", httpx.Timeout(0.2))
    with socket.socket() as listener:  # the kernel accepts the connection; nobody ever answers on it
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        vaults = Vaults(served_target(f"https://127.0.0.1:{listener.getsockname()[1]}/v1.0"),
                        SimpleNamespace(secret_files=None), tmp_path)

        async def go():
            try:
                await vaults.sink(VAULT, "s").write("value", "k1", EXPIRES, {})
            finally:
                await vaults.close()

        with pytest.raises(VaultError, match="^writing secret s to https://contoso-expenses.vault.azure.net failed: "
                                             "ConnectTimeout"):
            asyncio.run(go())


def test_a_served_vault_must_prove_it_is_the_vault_not_only_the_loopback_address(tmp_path):
    """The served emulator's vault is reached at its loopback address, but its certificate is checked against the
    vault's name: a server there with a certificate for the loopback address alone (another local service, trusted
    through the same CA) gets no secret."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    tls = ensure(tmp_path / "tls")
    ca = x509.load_pem_x509_certificate(tls.ca_bundle.read_bytes())
    ca_key = serialization.load_pem_private_key((tmp_path / "tls" / "ca-key.pem").read_bytes(), password=None)
    key, now = ec.generate_private_key(ec.SECP256R1()), datetime.datetime.now(datetime.timezone.utc)
    loopback_only = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME,
                                                                                          "localhost")]))
                     .issuer_name(ca.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
                     .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
                     .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                                 x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                                    critical=False)
                     .sign(ca_key, hashes.SHA256()))
    tls.certificate.write_bytes(loopback_only.public_bytes(serialization.Encoding.PEM) + tls.ca_bundle.read_bytes())
    tls.private_key.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                  serialization.NoEncryption()))
    with serving(Store(), tls=tls) as emulator:
        vaults = Vaults(served_target(emulator.base_url, str(tls.ca_bundle)), SimpleNamespace(secret_files=None),
                        tmp_path)

        async def go():
            try:
                await vaults.sink(VAULT, "expenses-client-secret").write("value", "k1", EXPIRES, {})
            finally:
                await vaults.close()

        with pytest.raises(VaultError, match="certificate verify failed: Hostname mismatch"):
            asyncio.run(go())


class _ToLoopback:
    """httpx transport: each request sent to `port` on 127.0.0.1 instead of its host, over plain TCP, with what the
    client gave it otherwise (its timeouts above all)."""

    def __init__(self, port: int):
        self.port, self.inner = port, httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request):
        request.url = request.url.copy_with(scheme="http", host="127.0.0.1", port=self.port)
        return await self.inner.handle_async_request(request)

    async def aclose(self):
        await self.inner.aclose()


def test_a_tenants_vault_that_never_answers_fails_the_write_after_the_timeout(tmp_path, monkeypatch):
    """A tenant's Key Vault that accepts the connection and never answers fails the write once the timeout has passed
    (a tiny one here), rather than holding apply until someone stops it. The tenant's vault is stood in for by a
    loopback socket nobody answers on: the client and its timeouts are the ones made for the tenant's vault."""
    import socket

    from idamconf.vault import vaults as vaults_module

    monkeypatch.setattr(vaults_module, "TIMEOUT", httpx.Timeout(0.2))
    target = SimpleNamespace(embedded=False, credential="default", graph_url="https://graph.microsoft.com/v1.0",
                             ca_bundle=None, environment="live", tenant_id="00000000-0000-0000-0000-00000000f001",
                             client_id=None, client_secret_env=None, certificate_path=None)
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        vaults = Vaults(target, SimpleNamespace(secret_files=None), tmp_path)
        sink = vaults.sink(VAULT, "s")
        transport = sink.client._client._client._pipeline._transport
        transport.client._transport = _ToLoopback(listener.getsockname()[1])

        async def go():
            try:  # Key Vault's client first asks without a token, for the vault's challenge: no sign-in is tried
                await asyncio.wait_for(sink.write("value", "k1", EXPIRES, {}), 10)
            finally:
                await vaults.close()

        with pytest.raises(VaultError) as refused:
            asyncio.run(go())
        # httpx's ReadTimeout says nothing more: the failure is named by its kind alone
        assert str(refused.value) == "writing secret s to https://contoso-expenses.vault.azure.net failed: ReadTimeout"
