"""The service provider's SAML metadata, read safely: the entity id, assertion consumer services and logout URL
it gives fill `sso.saml` (`spMetadata: {file, sha256}`), and its signing certificate must be the one pinned.

Metadata comes from outside the organisation (a vendor's download), so the file is treated as hostile:
- read confined to the configuration directory (config/confined.py) and at most `LARGEST` bytes;
- refused outright if it has a document type declaration (`<!DOCTYPE`, so no entity can be declared: no billion
  laughs, no external entity) or a processing instruction other than the XML declaration;
- parsed by lxml with `resolve_entities=False`, `no_network=True`, `load_dtd=False`, `huge_tree=False`, no comments
  or processing instructions kept: even a parser bug cannot fetch anything or expand anything;
- exactly one `EntityDescriptor` with one `SPSSODescriptor` (a second one could carry another entity's endpoints);
- the SP's signing certificate (`KeyDescriptor use="signing"`, or one without `use`) must have the SHA-256
  thumbprint pinned in the YAML, confirmed out of band, as the SP's guidance asks;
- with `signed: true`, the document must carry an enveloped XML signature that signxml verifies with that pinned
  certificate (signed metadata from a vendor that signs it).
Each refusal raises `Refused` with what is wrong and how to fix it; nothing is sent to Graph.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from ..config.confined import Unreadable, read_inside

LARGEST = 256 * 1024  # bytes: an SP's metadata is a few KB; a larger file is refused unread
MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"
POST_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
NS = {"md": MD, "ds": DS}
_DECLARATION = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
_INSTRUCTION = re.compile(rb"<\?(?!xml[\s?])", re.IGNORECASE)


class Refused(Exception):
    def __init__(self, summary: str, fix: str):
        super().__init__(summary)
        self.summary, self.fix = summary, fix


@dataclass(frozen=True)
class ServiceProvider:
    entity_id: str
    reply_urls: tuple[tuple[str, int | None, bool], ...]  # (location, index, isDefault) of each HTTP-POST ACS
    logout_url: str | None
    certificate_sha256: str


def read(root: Path | str, file: str, pinned: str, signed: bool) -> ServiceProvider:
    content = _bytes(Path(root), file)
    return parse(content, file, pinned, signed)


def parse(content: bytes, file: str, pinned: str, signed: bool) -> ServiceProvider:
    shown = f"'{file}'"
    if _DECLARATION.search(content) or _INSTRUCTION.search(content):
        raise Refused(f"{shown} declares a document type or entities (or holds a processing instruction), which "
                      "SAML metadata never needs: it could expand entities or fetch files",
                      "ask the service provider for its plain metadata, or remove the <!DOCTYPE …> part")
    root = _tree(content, shown)
    descriptor = _descriptor(root, shown)
    certificate = _signing_certificate(descriptor, shown)
    found = hashlib.sha256(certificate).hexdigest().upper()
    if found != pinned:
        raise Refused(f"{shown} has a signing certificate with SHA-256 thumbprint {found}, not the one pinned in "
                      "spMetadata.sha256", "confirm the service provider's certificate out of band; pin the new "
                      "thumbprint only once it is confirmed")
    if signed:  # what is read is what was signed (never a copy beside it: signature wrapping)
        root = _verified(content, certificate, shown)
        descriptor = _descriptor(root, shown)
    return ServiceProvider(root.get("entityID") or "", _consumers(descriptor), _logout(descriptor), found)


def _bytes(root: Path, path: str) -> bytes:
    try:
        return read_inside(root, path, LARGEST, "metadata file")
    except Unreadable as unread:
        raise Refused(unread.summary, unread.fix) from None


def _parser():
    from lxml import etree  # imported only where metadata is read

    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, remove_comments=True, remove_pis=True)


def _tree(content: bytes, shown: str):
    from lxml import etree

    try:
        root = etree.fromstring(content, _parser())
    except etree.XMLSyntaxError as error:
        raise Refused(f"{shown} is not well-formed XML (line {error.lineno})",
                      "use the metadata file exactly as the service provider published it") from None
    if root.tag != f"{{{MD}}}EntityDescriptor":
        raise Refused(f"{shown} is not one SAML EntityDescriptor (its root is {etree.QName(root).localname})",
                      "use the metadata of one service provider: an <EntityDescriptor> as the root")
    return root


def _descriptor(root, shown: str):
    nested = root.findall(f".//{{{MD}}}EntityDescriptor")
    descriptors = root.findall("md:SPSSODescriptor", NS)
    if nested or len(descriptors) != 1:
        what = "a second EntityDescriptor" if nested else f"{len(descriptors)} SPSSODescriptors"
        raise Refused(f"{shown} holds {what}: it must describe exactly one service provider",
                      "keep the one EntityDescriptor of this service provider")
    if not root.get("entityID"):
        raise Refused(f"{shown} has no entityID", "use the service provider's complete metadata")
    return descriptors[0]


def _signing_certificate(descriptor, shown: str) -> bytes:
    keys = [key for key in descriptor.findall("md:KeyDescriptor", NS) if key.get("use") in (None, "signing")]
    certificates = [c for key in keys for c in key.findall(".//ds:X509Certificate", NS)]
    if len(certificates) != 1:
        raise Refused(f"{shown} has {len(certificates)} signing certificates; idamconf pins exactly one",
                      "ask the service provider for metadata with its one current signing certificate")
    try:
        return base64.b64decode("".join((certificates[0].text or "").split()), validate=True)
    except ValueError:
        raise Refused(f"{shown} has a signing certificate that is not base64", "use the metadata as published") \
            from None


def _consumers(descriptor) -> tuple:
    found = []
    for service in descriptor.findall("md:AssertionConsumerService", NS):
        if service.get("Binding") == POST_BINDING and service.get("Location"):
            index = service.get("index")
            found.append((service.get("Location"), int(index) if (index or "").isdigit() else None,
                          service.get("isDefault") == "true"))
    return tuple(found)


def _logout(descriptor) -> str | None:
    services = descriptor.findall("md:SingleLogoutService", NS)
    return services[0].get("Location") if services else None


def _verified(content: bytes, certificate: bytes, shown: str):
    from signxml import XMLVerifier
    from signxml.exceptions import InvalidInput, InvalidSignature

    if b"Signature" not in content:
        raise Refused(f"{shown} is not signed, and spMetadata says signed: true",
                      "ask the service provider for its signed metadata (or set signed: false if it signs none)")
    pem = "-----BEGIN CERTIFICATE-----\n" + base64.b64encode(certificate).decode() + "\n-----END CERTIFICATE-----\n"
    try:
        result = XMLVerifier().verify(content, x509_cert=pem, parser=_parser())
    except (InvalidSignature, InvalidInput) as error:
        raise Refused(f"{shown} has no valid signature by the pinned certificate ({error})",
                      "use the metadata exactly as the service provider signed it") from None
    return _tree_of(result.signed_xml, shown)


def _tree_of(element, shown: str):
    if element.tag != f"{{{MD}}}EntityDescriptor":
        raise Refused(f"{shown} is signed, but not as a whole EntityDescriptor",
                      "use metadata whose signature covers the whole document")
    return element
