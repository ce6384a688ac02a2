"""A served emulator over TLS with a pipeline application that can sign in: its secret, its certificate and its
federated credential, made through the emulator's own Graph endpoints (addPassword, keyCredentials, POST
federatedIdentityCredentials), as a tenant administrator would make them."""

from __future__ import annotations

import base64
import datetime
import ssl
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from idamconf.emulator import Store, tls
from idamconf.emulator.graph_permissions import GRAPH_APP_ID, permissions
from tests.emulator.conftest import serving

ISSUER = "https://token.actions.githubusercontent.com"
SUBJECT = "repo:contoso/identity:environment:nle"
EXCHANGE = "api://AzureADTokenExchange"


@dataclass
class Pipeline:
    base_url: str  # https://127.0.0.1:PORT/v1.0
    authority: str  # https://127.0.0.1:PORT
    ca_bundle: str
    store: Store
    tenant_id: str
    client_id: str
    object_id: str
    secret: str
    certificate: Path  # PEM: the private key and the certificate, as CertificateCredential reads it

    def admin(self) -> httpx.Client:
        """Graph as the tenant's administrator (the emulator does not enforce permissions here)."""
        return httpx.Client(base_url=self.base_url + "/", headers={"Authorization": "Bearer admin"},
                            verify=ssl.create_default_context(cafile=self.ca_bundle), trust_env=False, timeout=30)

    def grant(self, *values: str, client_id: str | None = None) -> None:
        """Grant Microsoft Graph application permissions to the pipeline, or another client (an administrator's
        consent)."""
        ids = {value: role for value, role, _, _ in permissions() if role}
        with self.admin() as graph:
            resource = graph.get(f"servicePrincipals(appId='{GRAPH_APP_ID}')").json()["id"]
            principal = graph.get(f"servicePrincipals(appId='{client_id or self.client_id}')").json()["id"]
            for value in values:
                response = graph.post(f"servicePrincipals/{resource}/appRoleAssignedTo",
                                      json={"principalId": principal, "resourceId": resource, "appRoleId": ids[value]})
                assert response.status_code == 201, response.text


def certificate_pem(directory: Path) -> tuple[Path, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pipeline")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
                   .not_valid_after(now + datetime.timedelta(days=30)).sign(key, hashes.SHA256()))
    path = directory / "pipeline.pem"
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption())
                     + certificate.public_bytes(serialization.Encoding.PEM))
    return path, certificate.public_bytes(serialization.Encoding.DER)


def register_pipeline(graph: httpx.Client, directory: Path) -> dict:
    application = graph.post("applications", json={"displayName": "pipeline"}).json()
    assert graph.post("servicePrincipals", json={"appId": application["appId"]}).status_code == 201
    secret = graph.post(f"applications/{application['id']}/addPassword", json={}).json()["secretText"]
    path, der = certificate_pem(directory)
    key = {"type": "AsymmetricX509Cert", "usage": "Verify", "key": base64.b64encode(der).decode("ascii"),
           "displayName": "CN=pipeline"}
    assert graph.patch(f"applications/{application['id']}", json={"keyCredentials": [key]}).status_code == 204
    federated = {"name": "nle", "issuer": ISSUER, "subject": SUBJECT, "audiences": [EXCHANGE]}
    assert graph.post(f"applications/{application['id']}/federatedIdentityCredentials",
                      json=federated).status_code == 201
    return {"client_id": application["appId"], "object_id": application["id"], "secret": secret,
            "certificate": path}


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory) -> Pipeline:
    directory = tmp_path_factory.mktemp("idp")
    store = Store(directory / "tenant.db")
    with serving(store, tls=tls.ensure(directory / "tls")) as served:
        authority = served.base_url.removesuffix("/v1.0")
        made = Pipeline(served.base_url, authority, str(served.tls.ca_bundle), store, store.tenant_id,
                        "", "", "", Path())
        with made.admin() as graph:
            registered = register_pipeline(graph, directory)
        made.client_id, made.object_id = registered["client_id"], registered["object_id"]
        made.secret, made.certificate = registered["secret"], registered["certificate"]
        yield made


# ---------------------------------------------------------------------------------------- idamconf, signing in
TENANT = "00000000-0000-0000-0000-00000000c001"  # examples/' local tenant, verifying contoso.com


@dataclass
class ServedProject:
    project: Path
    pipeline: Pipeline


def served_project(project: Path, credential: str, monkeypatch, granted: tuple[str, ...] | None = None):
    """A context: examples/' directory served over TLS as tenant TENANT, a registered pipeline application, and an
    environment `served` (the project's default) signing in as it with `credential`. With `granted`, the pipeline
    holds exactly those Graph application permissions and the tenant enforces them."""
    import contextlib

    from idamconf.emulator.seed import seed, seed_file
    from tests.conftest import EXAMPLES

    @contextlib.contextmanager
    def context():
        store = Store(project.parent / "served.db")
        seed(store, {"tenant": {"id": TENANT, "verifiedDomains": ["contoso.com"]}})
        seed_file(store, EXAMPLES / "emulator" / "directory.yaml")
        with serving(store, tls=tls.ensure(project.parent / "tls")) as served:
            trust = ssl.create_default_context(cafile=str(served.tls.ca_bundle))
            with httpx.Client(base_url=served.base_url + "/", headers={"Authorization": "Bearer admin"},
                              verify=trust, trust_env=False) as graph:
                registered = register_pipeline(graph, project)
            made = Pipeline(served.base_url, served.base_url.removesuffix("/v1.0"), str(served.tls.ca_bundle), store,
                            TENANT, registered["client_id"], registered["object_id"], registered["secret"],
                            registered["certificate"])
            _environment(project, made, credential, monkeypatch)
            if granted is not None:
                from idamconf.emulator.identity.enforcement import enforce
                made.grant(*granted)
                enforce(store)
            yield ServedProject(project, made)

    return context()


def _environment(project: Path, pipeline: Pipeline, credential: str, monkeypatch) -> None:
    from idamconf.emulator.identity.user_tokens import federated_token
    from tests.cli.harness import edit

    monkeypatch.setenv("IDAMCONF_SERVED_SECRET", pipeline.secret)
    token_file = project.parent / "federated-token"
    token_file.write_text(federated_token(pipeline.store, ISSUER, SUBJECT, EXCHANGE))
    monkeypatch.setenv("AZURE_FEDERATED_TOKEN_FILE", str(token_file))
    edit(project / "idamconf.yaml", "defaultEnvironment: local", "defaultEnvironment: served")
    edit(project / "idamconf.yaml", "environments:\n",
         f"environments:\n  served:\n    graphUrl: {pipeline.base_url}\n    credential: {credential}\n"
         f"    tenantId: {TENANT}\n    clientId: {pipeline.client_id}\n    verifiedDomains: [contoso.com]\n"
         f"    caBundle: {pipeline.ca_bundle}\n    clientSecretEnv: IDAMCONF_SERVED_SECRET\n"
         f"    certificatePath: {pipeline.certificate}\n")
