"""Service provider metadata is read safely (saml/sp_metadata.py): what a hostile file tries is refused before it
can act, and a good file gives its entity id, reply URLs and logout URL."""

from __future__ import annotations

import pytest

from idamconf.saml import sp_metadata
from tests.bad_inputs.generate import LAUGHS, SP_SHA256, sp_entity


def parse(xml: str, pinned: str = SP_SHA256, signed: bool = False):
    return sp_metadata.parse(xml.encode(), "sp.xml", pinned, signed)


def test_a_good_file_gives_the_entity_id_reply_urls_and_its_pinned_certificate():
    found = parse(sp_entity("urn:amazon:cognito:sp:eu-west-2_abc"))
    assert (found.entity_id, found.reply_urls, found.certificate_sha256) == \
        ("urn:amazon:cognito:sp:eu-west-2_abc", (("https://sp.example.com/acs", 0, True),), SP_SHA256)


@pytest.mark.parametrize("xml, refusal", [
    (LAUGHS + sp_entity("&lol9;"), "declares a document type or entities"),
    ('<!DOCTYPE md [<!ENTITY x SYSTEM "http://169.254.169.254/">]>' + sp_entity("&x;"), "declares a document type"),
    ('<?xml-stylesheet href="http://evil/"?>' + sp_entity(), "processing instruction"),
    ("<md:EntitiesDescriptor xmlns:md='urn:oasis:names:tc:SAML:2.0:metadata'>" + sp_entity() + sp_entity("urn:b")
     + "</md:EntitiesDescriptor>", "is not one SAML EntityDescriptor"),
    (sp_entity().replace("</md:SPSSODescriptor>", "</md:SPSSODescriptor>" + sp_entity("urn:other")),
     "holds a second EntityDescriptor"),
    (sp_entity()[:-10], "is not well-formed XML"),
    (sp_entity().replace('use="signing"', 'use="encryption"'), "has 0 signing certificates"),
])
def test_hostile_or_broken_metadata_is_refused_with_what_is_wrong(xml, refusal):
    with pytest.raises(sp_metadata.Refused) as refused:
        parse(xml)
    assert refusal in refused.value.summary and refused.value.fix


def test_a_certificate_other_than_the_pinned_one_or_a_missing_signature_is_refused():
    with pytest.raises(sp_metadata.Refused, match="not the one pinned"):
        parse(sp_entity(), pinned="AB" * 32)
    with pytest.raises(sp_metadata.Refused, match="is not signed, and spMetadata says signed: true"):
        parse(sp_entity(), signed=True)


def test_a_file_outside_the_configuration_or_too_large_is_not_read(tmp_path):
    root = tmp_path / "config"
    root.mkdir()
    (tmp_path / "outside.xml").write_text(sp_entity())
    with pytest.raises(sp_metadata.Refused, match="outside the configuration directory"):
        sp_metadata.read(root, "../outside.xml", SP_SHA256, False)
    (root / "big.xml").write_bytes(b" " * (sp_metadata.LARGEST + 1))
    with pytest.raises(sp_metadata.Refused, match="is larger than"):
        sp_metadata.read(root, "big.xml", SP_SHA256, False)
