"""Public certificates an application signs in with (Graph's `keyCredentials`), each a file of the configuration
pinned by its thumbprint, as the organisation checks thumbprints out of band:

    certificates:
      - file: certificates/payroll-2026.cer        # .cer, .pem or .crt (DER or PEM), in the configuration directory
        sha256: 5E:0B:…                            # checked against the file before any request
        sha1: 9A3F…                                # optional: the thumbprint the Entra portal shows
        displayName: payroll 2026                  # optional: the certificate's subject (its first 90 characters,
                                                   # all Graph keeps) by default

The file is read confined to the configuration directory, as a logo is (config/confined.py), by `validate` (so by
every command, before any request), by `plan` and by `apply`. Refused, each at its line and column: a thumbprint
that differs from the file's, an expired certificate, a file carrying a private key (only the public part may be in
a repository), a file holding no certificate or more than one.

Each certificate is a resource (`app.payroll.certificate[payroll 2026]`) shown by display name, key id, thumbprint
and validity -- never the certificate's bytes. Its key id is derived from the application's key and the SHA-1
thumbprint (uuid5, `KEY_NAMESPACE`), so the plan shows it before it exists and recognises the certificates idamconf
added: those are managed (one the file no longer names is removed, with --allow-delete); any other certificate of
the application (added in the portal, by another tool) is kept and left out of the plan. Graph takes
`keyCredentials` as a whole collection: apply reads it (with the keys, which only a read of one application
returns) and writes it back with its changes (apply_credentials.py).
"""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from .. import clock
from ..clock import graph_time
from ..config.confined import Unreadable, read_inside
from ..config.model import Location
from ..config.yamlfile import Document, render_path
from ..graph import limits
from ..diagnostics import Diagnostic

KEY = "certificates"
KIND = "certificate"
# Never change it: key ids derived from it mark the certificates idamconf added, in every tenant.
KEY_NAMESPACE = uuid.UUID("4d856f8f-99e9-4cf1-9f6d-a55067e3d0d1")
LARGEST = 64 * 1024  # bytes: a certificate is a few KB; more is not one
PEM_CERTIFICATE = b"-----BEGIN CERTIFICATE-----"


@dataclass(frozen=True)
class Certificate:
    file: str
    sha256: str  # the pin, as upper-case hexadecimal without separators
    sha1: str | None = None
    display_name: str | None = None
    location: Location | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Facts:
    """What the file says: its DER bytes (Graph's `key`), thumbprints, subject and validity."""

    der: bytes
    sha256: str
    sha1: str
    subject: str
    start: _dt.datetime
    end: _dt.datetime


class Refused(Exception):
    """A certificate idamconf will not send: (what is wrong, how to fix it, the key of its entry at fault)."""

    def __init__(self, summary: str, fix: str, at: str = "file"):
        super().__init__(summary)
        self.summary, self.fix, self.at = summary, fix, at


def thumbprint(text: str) -> str:
    return text.replace(":", "").replace(" ", "").upper()


def certificates_of(raw: dict, location: Location) -> tuple[Certificate, ...]:
    return tuple(Certificate(entry["file"], thumbprint(entry["sha256"]),
                             thumbprint(entry["sha1"]) if entry.get("sha1") else None, entry.get("displayName"),
                             location.at(KEY, index))
                 for index, entry in enumerate(raw.get(KEY) or []))


# ------------------------------------------------------------------------------------------------- the file
def read_certificate(root: Path | str, certificate: Certificate, now: _dt.datetime | None = None,
                     check_pin: bool = True) -> Facts:
    """The certificate's facts once every check passed; raises `Refused`. `check_pin`: False where the caller
    compares the thumbprint with one it holds (apply, with the plan's)."""
    facts = _parsed(_bytes(Path(root), certificate.file), certificate.file)
    now = now or clock.now()  # the one clock: tests move it to see a pinned certificate expire
    shown = f"'{certificate.file}'"
    if check_pin and facts.sha256 != certificate.sha256:
        raise Refused(f"{shown} has SHA-256 thumbprint {facts.sha256}, not the one pinned here",
                      "check the certificate you were given: a thumbprint that differs is another certificate; "
                      "pin the new one only once it is confirmed out of band", "sha256")
    if check_pin and certificate.sha1 and facts.sha1 != certificate.sha1:
        raise Refused(f"{shown} has SHA-1 thumbprint {facts.sha1}, not the one pinned here",
                      "check the certificate you were given (the portal shows the SHA-1 thumbprint)", "sha1")
    if facts.end <= now:
        raise Refused(f"{shown} expired on {moment(facts.end)}", "ask for a new certificate and pin it")
    return facts


def _bytes(root: Path, path: str) -> bytes:
    try:
        return read_inside(root, path, LARGEST, "certificate file")
    except Unreadable as unread:
        raise Refused(unread.summary, unread.fix) from None


def _parsed(content: bytes, path: str) -> Facts:
    from cryptography import x509  # imported only where certificates are read (`--help` stays quick)

    if b"PRIVATE KEY" in content:  # never repeated: not even a line of it is shown
        raise Refused(f"'{path}' carries a private key", "keep only the public certificate in the configuration "
                      "(openssl x509 -in FILE -out public.cer); the private key belongs in a vault, and this one must "
                      "be treated as exposed: replace it")
    try:
        if PEM_CERTIFICATE in content:
            found = x509.load_pem_x509_certificates(content)
            if len(found) != 1:
                raise Refused(f"'{path}' holds {len(found)} certificates", "keep one certificate per file")
            certificate = found[0]
        else:
            certificate = x509.load_der_x509_certificate(content)
    except ValueError:
        raise Refused(f"'{path}' is not an X.509 certificate (PEM or DER)",
                      "name the public certificate (.cer, .pem or .crt)") from None
    der = certificate.public_bytes(_der())
    return Facts(der, hashlib.sha256(der).hexdigest().upper(), hashlib.sha1(der).hexdigest().upper(),
                 certificate.subject.rfc4514_string(), certificate.not_valid_before_utc,
                 certificate.not_valid_after_utc)


def _der():
    from cryptography.hazmat.primitives.serialization import Encoding

    return Encoding.DER


def moment(when: _dt.datetime) -> str:
    return when.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def check(root: str, document: Document, certificates) -> list[Diagnostic]:
    """Every certificate of one application document, as `validate` checks it."""
    problems, pins = [], {}
    for index, certificate in enumerate(certificates):
        try:
            read_certificate(root, certificate)
        except Refused as refusal:
            problems.append(document.diagnostic((KEY, index, refusal.at), refusal.summary, refusal.fix))
        first = pins.setdefault(certificate.sha256, index)  # one certificate, one key id: a second is dropped
        if first != index:
            problems.append(document.diagnostic((KEY, index, "sha256"), f"the certificate is also pinned by "
                                                f"{render_path((KEY, first))}", "name each certificate once"))
    return problems


# ------------------------------------------------------------------------------------------------------- plan
def key_id(application: str, sha1: str) -> str:
    return str(uuid.uuid5(KEY_NAMESPACE, f"{application}/{sha1}"))


def attributes(display_name, key: str, sha1: str, start: str | None, end: str | None) -> dict:
    return {"displayName": display_name, "keyId": key, "thumbprint": sha1, "startDateTime": start,
            "endDateTime": end}


def desired(root: str, application: str, certificates, address: str) -> tuple[list[tuple], list[Diagnostic]]:
    """(kind, address, attributes, identity, ids) of the certificates a file names, or why one cannot be sent."""
    made, problems = [], []
    for certificate in certificates:
        try:
            facts = read_certificate(root, certificate)
        except Refused as refusal:  # validate read it: it changed since
            where = certificate.location or Location("")
            problems.append(Diagnostic(refusal.summary, refusal.fix, where.file, where.line, where.column))
            continue
        key = key_id(application, facts.sha1)
        # as Graph keeps it: a subject longer than its 90 characters shortened (graph/limits.py [keys])
        name = (certificate.display_name or facts.subject)[:limits.KEY_DISPLAY_NAME]
        made.append((KIND, f"{address}.{KIND}[{name}]", attributes(name, key, facts.sha1, moment(facts.start),
                                                                  moment(facts.end)), key, {"file": certificate.file}))
    return made, problems


def live(app: dict, address: str, ids: dict) -> list[tuple]:
    """The certificates of an application as Graph returned it that idamconf added (their key id says so)."""
    made = []
    for credential in app.get("keyCredentials") or []:
        sha1 = thumbprint_of(credential)
        key = str(credential.get("keyId")).lower()
        if sha1 is None or key != key_id(app["uniqueName"], sha1):
            continue  # not idamconf's: kept as it is
        name = credential.get("displayName")
        made.append((KIND, f"{address}.{KIND}[{name}]", attributes(name, key, sha1,
                                                                  _normal(credential.get("startDateTime")),
                                                                  _normal(credential.get("endDateTime"))), key, ids))
    return made


def thumbprint_of(credential: dict) -> str | None:
    """The SHA-1 thumbprint a keyCredential carries as its customKeyIdentifier (as idamconf writes it), if any."""
    return _sha1(credential.get("customKeyIdentifier"))


def _sha1(identifier) -> str | None:
    try:
        raw = base64.b64decode(identifier or "", validate=True)
    except ValueError:
        return None
    return raw.hex().upper() if len(raw) == 20 else None


def _normal(when) -> str | None:
    if not when:
        return None
    try:
        return moment(graph_time(when))
    except ValueError:
        return str(when)


def graph_body(facts: Facts, change_after: dict) -> dict:
    """The keyCredential Graph is sent for a certificate to add: its public DER bytes, and the key id and
    thumbprint (as customKeyIdentifier) that mark it as idamconf's."""
    return {"type": "AsymmetricX509Cert", "usage": "Verify", "key": base64.b64encode(facts.der).decode("ascii"),
            "keyId": change_after["keyId"], "displayName": change_after["displayName"],
            "customKeyIdentifier": base64.b64encode(bytes.fromhex(facts.sha1)).decode("ascii"),
            "startDateTime": change_after["startDateTime"], "endDateTime": change_after["endDateTime"]}
