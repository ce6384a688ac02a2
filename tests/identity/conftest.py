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

    def grant(self, *values: str) -> None:
        """Grant Microsoft Graph application permissions to the pipeline (an administrator's consent)."""
        ids = {value: role for value, role, _, _ in permissions() if role}
        with self.admin() as graph:
            resource = graph.get(f"servicePrincipals(appId='{GRAPH_APP_ID}')").json()["id"]
            principal = graph.get(f"servicePrincipals(appId='{self.client_id}')").json()["id"]
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
