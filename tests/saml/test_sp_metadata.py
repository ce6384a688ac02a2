"""Service provider metadata is read safely (saml/sp_metadata.py): what a hostile file tries is refused before it
can act, and a good file gives its entity id, reply URLs and logout URL."""

from __future__ import annotations

import pytest

from idamconf.saml import sp_metadata
from tests.bad_inputs.generate import LAUGHS, SP_CERT, SP_SHA256, sp_entity


def parse(xml: str, pinned: str = SP_SHA256, signed: bool = False):
    return sp_metadata.parse(xml.encode(), "sp.xml", pinned, signed)


def test_a_good_file_gives_the_entity_id_reply_urls_and_its_pinned_certificate():
    found = parse(sp_entity("urn:amazon:cognito:sp:eu-west-2_abc"))
    assert (found.entity_id, found.reply_urls, found.certificate_sha256) == \
        ("urn:amazon:cognito:sp:eu-west-2_abc", (("https://sp.example.com/acs", 0, True),), SP_SHA256)


def two_service_providers() -> str:
    one = sp_entity()
    start, end = one.index("<md:SPSSODescriptor"), one.index("</md:SPSSODescriptor>") + len("</md:SPSSODescriptor>")
    return one[:end] + one[start:end] + one[end:]


def two_signing_keys() -> str:
    """A second signing key beside the first: one without `use` is a signing key too (SAML metadata's default)."""
    one = sp_entity()
    start, end = one.index("<md:KeyDescriptor"), one.index("</md:KeyDescriptor>") + len("</md:KeyDescriptor>")
    return one[:end] + one[start:end].replace(' use="signing"', "") + one[end:]


SECOND = "it must describe exactly one service provider", "keep the one EntityDescriptor of this service provider"


@pytest.mark.parametrize("xml, summary, fix", [
    (LAUGHS + sp_entity("&lol9;"), "declares a document type or entities (or holds a processing instruction), which "
     "SAML metadata never needs: it could expand entities or fetch files",
     "ask the service provider for its plain metadata, or remove the <!DOCTYPE …> part"),
    ('<!DOCTYPE md [<!ENTITY x SYSTEM "http://169.254.169.254/">]>' + sp_entity("&x;"), "declares a document type",
     "ask the service provider for its plain metadata"),
    ('<?xml-stylesheet href="http://evil/"?>' + sp_entity(), "declares a document type or entities (or holds a "
     "processing instruction)",
     "ask the service provider for its plain metadata"),
    ("<md:EntitiesDescriptor xmlns:md='urn:oasis:names:tc:SAML:2.0:metadata'>" + sp_entity() + sp_entity("urn:b")
     + "</md:EntitiesDescriptor>", "is not one SAML EntityDescriptor (its root is EntitiesDescriptor)",
     "use the metadata of one service provider: an <EntityDescriptor> as the root"),
    (sp_entity().replace("</md:SPSSODescriptor>", "</md:SPSSODescriptor>" + sp_entity("urn:other")),
     f"holds a second EntityDescriptor: {SECOND[0]}", SECOND[1]),
    (two_service_providers(), f"holds 2 SPSSODescriptors: {SECOND[0]}", SECOND[1]),
    (sp_entity()[:-10], "is not well-formed XML (line 1)",
     "use the metadata file exactly as the service provider published it"),
    (sp_entity().replace('use="signing"', 'use="encryption"'), "has 0 signing certificates; idamconf pins exactly "
     "one", "ask the service provider for metadata with its one current signing certificate"),
    (two_signing_keys(), "has 2 signing certificates; idamconf pins exactly one",
     "ask the service provider for metadata with its one current signing certificate"),
    (sp_entity(""), "has no entityID", "use the service provider's complete metadata"),
    (sp_entity().replace(SP_CERT, "not*base64"), "has a signing certificate that is not base64",
     "use the metadata as published"),
])
def test_hostile_or_broken_metadata_is_refused_with_what_is_wrong_and_how_to_fix_it(xml, summary, fix):
    """What validate shows, `<file>:<line>:<column>: error: sso.saml.spMetadata.file: <summary>` and `fix: <fix>`."""
    with pytest.raises(sp_metadata.Refused) as refused:
        parse(xml)
    assert refused.value.summary.startswith(f"'sp.xml' {summary}") and refused.value.fix.startswith(fix)
    assert str(refused.value) == refused.value.summary


def test_a_certificate_other_than_the_pinned_one_or_a_missing_signature_is_refused():
    with pytest.raises(sp_metadata.Refused) as refused:
        parse(sp_entity(), pinned="AB" * 32)
    assert (refused.value.summary, refused.value.fix) == (
        f"'sp.xml' has a signing certificate with SHA-256 thumbprint {SP_SHA256}, not the one pinned in "
        "spMetadata.sha256", "confirm the service provider's certificate out of band; pin the new thumbprint only "
        "once it is confirmed")
    for entity in ("urn:example:sp", "urn:example:e-signature-sp"):  # the word in a name is no signature
        with pytest.raises(sp_metadata.Refused) as refused:
            parse(sp_entity(entity), signed=True)
        assert (refused.value.summary, refused.value.fix) == (
            "'sp.xml' is not signed, and spMetadata says signed: true",
            "ask the service provider for its signed metadata (or set signed: false if it signs none)")


def test_a_file_outside_the_configuration_or_too_large_is_not_read(tmp_path):
    root = tmp_path / "config"
    root.mkdir()
    (tmp_path / "outside.xml").write_text(sp_entity())
    with pytest.raises(sp_metadata.Refused) as refused:
        sp_metadata.read(root, "../outside.xml", SP_SHA256, False)
    assert (refused.value.summary, refused.value.fix) == (
        "'../outside.xml' is outside the configuration directory (an absolute path, '..' or a link leading out)",
        "copy the metadata file into the configuration directory and name it by its path")
    (root / "big.xml").write_bytes(b" " * (sp_metadata.LARGEST + 1))
    with pytest.raises(sp_metadata.Refused) as refused:
        sp_metadata.read(root, "big.xml", SP_SHA256, False)
    assert (refused.value.summary, refused.value.fix) == (
        "'big.xml' is larger than a metadata file should be (262145 bytes, at most 262144)",
        "check that the path names the metadata file itself (a single one, as its issuer gave it), not an archive, a "
        "bundle or another file")


def test_a_comment_inside_the_certificate_is_no_part_of_it():
    """XML's text of an element leaves its comments out: a certificate an exporter annotated mid-way is the same
    certificate, and matches its pin (a parser keeping comments would read only the part before one)."""
    annotated = sp_entity().replace(SP_CERT, SP_CERT[:40] + "<!-- exported by the SP's console -->" + SP_CERT[40:])
    assert parse(annotated).certificate_sha256 == SP_SHA256


def test_metadata_nested_deeper_than_the_parsers_limit_is_refused():
    """A document nested hundreds of elements deep (a parser bomb, never real metadata) is refused as not
    well-formed: the parser keeps its default limits (no huge_tree)."""
    deep = sp_entity().replace("</md:SPSSODescriptor>", "</md:SPSSODescriptor>" + "<md:Extensions>" * 300
                               + "</md:Extensions>" * 300)
    with pytest.raises(sp_metadata.Refused) as refused:
        parse(deep)
    assert refused.value.summary == "'sp.xml' is not well-formed XML (line 1)"


def _signed(reference: str | None = None) -> tuple[bytes, str]:
    """sp_entity's metadata with a certificate of its own, signed (the whole document, or the element whose ID is
    `reference`) by that certificate's key; and the certificate's pin."""
    import hashlib

    from cryptography.hazmat.primitives import serialization
    from lxml import etree
    from signxml import XMLSigner

    from tests.cli.test_certificates import certificate as made

    certificate, key = made("sp.example.com", days=30)  # an EC key, as signxml's ecdsa-sha256 needs
    pem = certificate.public_bytes(serialization.Encoding.PEM).decode()
    xml = sp_entity().replace(SP_CERT, "".join(pem.splitlines()[1:-1])).replace(
        "<md:SPSSODescriptor ", '<md:SPSSODescriptor ID="sp1" ')
    signed = XMLSigner(signature_algorithm="ecdsa-sha256", c14n_algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"
                       ).sign(etree.fromstring(xml.encode()), key=key, cert=pem, reference_uri=reference)
    pin = hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest().upper()
    return etree.tostring(signed), pin


def test_signed_metadata_is_read_only_as_signed_whole_by_the_pinned_certificate():
    whole, pin = _signed()
    assert sp_metadata.parse(whole, "sp.xml", pin, True).reply_urls == (("https://sp.example.com/acs", 0, True),)
    with pytest.raises(sp_metadata.Refused) as refused:  # a changed reply URL: the signature no longer holds
        sp_metadata.parse(whole.replace(b"https://sp.example.com/acs", b"https://evil.example.com/acs"), "sp.xml",
                          pin, True)
    assert refused.value.summary.startswith("'sp.xml' has no valid signature by the pinned certificate (")
    assert refused.value.fix == "use the metadata exactly as the service provider signed it"
    part, pin = _signed(reference="sp1")  # only the SPSSODescriptor signed: what is around it could be anything
    with pytest.raises(sp_metadata.Refused) as refused:
        sp_metadata.parse(part, "sp.xml", pin, True)
    assert (refused.value.summary, refused.value.fix) == ("'sp.xml' is signed, but not as a whole EntityDescriptor",
                                                          "use metadata whose signature covers the whole document")
