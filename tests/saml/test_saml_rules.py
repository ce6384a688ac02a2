"""What validate refuses in `sso.saml` (saml/rules.py), each form of each rule: users are matched by an immutable
identifier, never an e-mail address or UPN, in whatever case the file writes them; every GUID is RFC 4122 in both
its variant and its version; an attribute is sent once; reply URL indexes are unique; spMetadata replaces what it
fills. Each at its line, exit code 1, nothing written."""

from __future__ import annotations

import pytest

from tests.cli.harness import idamconf

SP = """\
name: sp
displayName: Service Provider
description: Signs in with SAML.
owners: [alice.admin@contoso.com, bob.ops@contoso.com]
sso:
  saml:
    entityId: urn:example:sp
    replyUrls:
      - {url: https://sp.example.com/saml/acs, index: 0, default: true}
      - {url: https://sp.example.com/saml/acs2, index: 1}
    userIdentifier: {attribute: http://schemas.example.com/claims/objectGUID}
    claims: [{attribute: givenName, source: user.givenname}]
"""
APP = "applications/sp.yaml"


def validate(project, text: str):
    (project / APP).write_text(text, encoding="utf-8")
    return idamconf("validate", "-C", str(project))


def test_the_service_provider_as_written_is_valid(project):
    result = validate(project, SP)
    assert result.code == 0, result.err


@pytest.mark.parametrize("source", ["user.userprincipalname", "user.mail", "user.onpremisesuserprincipalname",
                                    "user.proxyaddresses", "User.Mail", "USER.USERPRINCIPALNAME"])
def test_an_identifier_from_any_email_or_upn_source_is_refused_in_any_case(project, source):
    result = validate(project, SP.replace("objectGUID}", f"objectGUID, source: {source}}}"))
    assert result.code == 1
    assert (f"{APP}:11:87: error: sso.saml.userIdentifier.source: the user identifier comes from {source}, an e-mail "
            "address or UPN, which changes") in result.err, result.err
    assert not (project / ".idamconf").exists()


@pytest.mark.parametrize("attribute", ["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/EmailAddress",
                                       "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/UPN", "Email", "UPN",
                                       "urn:oid:UserPrincipalName/upn"])
def test_an_identifier_sent_as_an_email_or_upn_claim_type_is_refused_in_any_case(project, attribute):
    result = validate(project, SP.replace("http://schemas.example.com/claims/objectGUID", attribute))
    assert result.code == 1
    assert (f"error: sso.saml.userIdentifier.attribute: the user identifier's attribute '{attribute}' is an e-mail or "
            "UPN claim type") in result.err, result.err


@pytest.mark.parametrize("guid, refused", [
    ("00000000-0000-4000-8000-222222222222", False),  # version 4, variant 10xx: RFC 4122
    ("00000000-0000-0000-8000-222222222222", True),   # the variant is RFC 4122's, the version (0) is none of its
    ("00000000-0000-4000-c000-222222222222", True),   # version 4, but Microsoft's variant (110x)
])
def test_a_guid_must_have_both_the_variant_and_a_version_rfc_4122_defines(project, guid, refused):
    result = validate(project, SP + f"appRoles:\n  - {{displayName: User, id: {guid}}}\n")
    assert (f"{guid} is not an RFC 4122 GUID" in result.err) is refused, result.err
    assert result.code == (1 if refused else 0), result.err


@pytest.mark.parametrize("claims, index", [
    ("[{attribute: givenName, source: user.givenname}, {attribute: givenName, source: user.surname}]", 1),
    ("[{attribute: http://schemas.example.com/claims/objectGUID, source: user.surname}]", 0),
])
def test_an_attribute_is_sent_once(project, claims, index):
    result = validate(project, SP.replace("[{attribute: givenName, source: user.givenname}]", claims))
    assert result.code == 1
    assert f"error: sso.saml.claims[{index}].attribute: attribute '" in result.err
    assert "is sent twice (by the user identifier or another claim)" in result.err


def test_two_reply_urls_with_one_index_are_refused(project):
    result = validate(project, SP.replace("acs2, index: 1}", "acs2, index: 0}"))
    assert result.code == 1
    assert f"{APP}:10:56: error: sso.saml.replyUrls[1].index: index 0 is given to two reply URLs" in result.err


@pytest.mark.parametrize("written", ["entityId", "replyUrls"])
def test_sp_metadata_beside_what_it_fills_is_refused(project, written):
    metadata = "    spMetadata: {file: saml/sp.xml, sha256: " + "AB" * 32 + "}\n"
    kept = {"entityId": "    entityId: urn:example:sp\n",
            "replyUrls": "    replyUrls:\n      - {url: https://sp.example.com/saml/acs, index: 0, default: true}\n"}
    text = SP.split("    entityId")[0] + metadata + kept[written] + SP.split("      - {url: https://sp.example.com/saml/acs2, index: 1}\n")[1]
    result = validate(project, text)
    assert result.code == 1
    assert f"error: sso.saml.{written}: {written} is given both here and by spMetadata" in result.err, result.err
