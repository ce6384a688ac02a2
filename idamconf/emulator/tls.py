"""TLS for `idamconf emulator serve --tls`: the emulator's own certificate authority and its server certificate.

Clients that insist on https (azure-identity's authorities, azure-keyvault-secrets, anything a service team points at
a "real" endpoint) talk to the served emulator unchanged once they trust its CA: the CA's certificate is a PEM bundle
on disk, given to them through `SSL_CERT_FILE` (httpx, Python's ssl), `REQUESTS_CA_BUNDLE` (requests), or an
environment's `caBundle` setting (idamconf itself).

Decisions:
- One CA per state file, kept beside it (`STATE.tls/`), so a bundle a user exported once stays valid across restarts
  of the same emulated tenant; the server certificate is re-issued from it whenever it is missing, expires within a
  week, or no longer names every loopback host. The CA's key stays (mode 0600) only to re-issue that certificate.
- The CA may sign only leaf certificates for loopback names (a name constraint), so a bundle that leaks from a
  laptop cannot be used to impersonate any real host to whoever trusts it.
- ECDSA P-256: small, fast to make, and accepted by every TLS stack the clients use.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

# The names a client may use for a served emulator (graph/clouds accepts exactly these hosts).
LOOPBACK_NAMES = ("localhost",)
LOOPBACK_ADDRESSES = ("127.0.0.1", "::1")
# The emulated Key Vault's hosts, <vault>.vault.localhost (emulator/keyvault.py): under `localhost`, so inside the
# CA's name constraint; named by the server certificate alone.
VAULT_NAMES = ("*.vault.localhost",)
CA_YEARS = 5
SERVER_DAYS = 90
RENEW_WITHIN = datetime.timedelta(days=7)


@dataclass(frozen=True)
class TlsFiles:
    """The PEM files uvicorn serves with, and the bundle clients trust."""

    ca_bundle: Path  # the CA's certificate: what SSL_CERT_FILE / REQUESTS_CA_BUNDLE / caBundle point at
    certificate: Path  # the server's certificate, then the CA's (a full chain)
    private_key: Path  # the server's key, mode 0600


def directory_for(state: Path) -> Path:
    return state.with_name(state.name + ".tls")


def ensure(directory: Path, now: datetime.datetime | None = None) -> TlsFiles:
    """The emulator's TLS files in `directory`, made or renewed as needed (see the module's decisions)."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    files = TlsFiles(directory / "ca.pem", directory / "server.pem", directory / "server-key.pem")
    ca_key_path = directory / "ca-key.pem"
    if not (files.ca_bundle.exists() and ca_key_path.exists()) or _expiring(files.ca_bundle, now):
        ca_key = ec.generate_private_key(ec.SECP256R1())
        _write(ca_key_path, _key_pem(ca_key), private=True)
        _write(files.ca_bundle, _authority(ca_key, now).public_bytes(serialization.Encoding.PEM))
        files.certificate.unlink(missing_ok=True)
    if not files.certificate.exists() or _expiring(files.certificate, now) or not _names_all(files.certificate):
        ca_key = serialization.load_pem_private_key(ca_key_path.read_bytes(), password=None)
        ca = x509.load_pem_x509_certificate(files.ca_bundle.read_bytes())
        key = ec.generate_private_key(ec.SECP256R1())
        leaf = _server_certificate(key, ca, ca_key, now)
        _write(files.private_key, _key_pem(key), private=True)
        _write(files.certificate, leaf.public_bytes(serialization.Encoding.PEM) + files.ca_bundle.read_bytes())
    return files


def _authority(key, now: datetime.datetime) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "idamconf emulator CA"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "idamconf (offline; not a real authority)")])
    permitted = [x509.DNSName(host) for host in LOOPBACK_NAMES] + [
        x509.IPAddress(ipaddress.ip_network(address)) for address in LOOPBACK_ADDRESSES]
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=365 * CA_YEARS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.NameConstraints(permitted_subtrees=permitted, excluded_subtrees=None), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))


def _server_certificate(key, ca: x509.Certificate, ca_key, now: datetime.datetime) -> x509.Certificate:
    names = [x509.DNSName(host) for host in LOOPBACK_NAMES + VAULT_NAMES] + [
        x509.IPAddress(ipaddress.ip_address(address)) for address in LOOPBACK_ADDRESSES]
    return (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
            .issuer_name(ca.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(min(now + datetime.timedelta(days=SERVER_DAYS), ca.not_valid_after_utc))
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))


def _expiring(path: Path, now: datetime.datetime) -> bool:
    certificate = x509.load_pem_x509_certificate(path.read_bytes())
    return certificate.not_valid_after_utc - now < RENEW_WITHIN


def _names_all(path: Path) -> bool:
    certificate = x509.load_pem_x509_certificate(path.read_bytes())
    names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    have = {str(value) for value in names.get_values_for_type(x509.DNSName)}
    have |= {str(value) for value in names.get_values_for_type(x509.IPAddress)}
    return have >= set(LOOPBACK_NAMES) | set(VAULT_NAMES) | set(LOOPBACK_ADDRESSES)


def _key_pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _write(path: Path, content: bytes, private: bool = False) -> None:
    """Written whole (a temporary file renamed over), a private key readable by its owner only from the start."""
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)
    os.replace(temporary, path)
