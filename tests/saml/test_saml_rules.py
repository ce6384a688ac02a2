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


EMAIL_OR_UPN = "an e-mail address or UPN, which changes"
CHANGES_OR_SHARED = "which can change or be shared by two people"


@pytest.mark.parametrize("source, said", [
    *((source, EMAIL_OR_UPN) for source in ("user.userprincipalname", "user.mail", "user.onpremisesuserprincipalname",
                                            "user.proxyaddresses", "User.Mail", "USER.USERPRINCIPALNAME",
                                            "user.othermail", "user.othermails")),  # (othermail: the policy's name)
    # a display name is neither immutable nor one person's (two John Smiths): passed validate and lint until
    # session 51's review, which refused only e-mail and UPN sources
    *((source, CHANGES_OR_SHARED) for source in ("user.displayname", "user.givenname", "user.department",
                                                 "user.onpremisessamaccountname", "user.employeeid")),
])
def test_an_identifier_from_a_source_that_changes_or_is_shared_is_refused_in_any_case(project, source, said):
    """Users are matched by an immutable identifier, never by e-mail or UPN, nor by any value two people can share."""
    result = validate(project, SP.replace("objectGUID}", f"objectGUID, source: {source}}}"))
    assert result.code == 1
    assert (f"{APP}:11:87: error: sso.saml.userIdentifier.source: the user identifier comes from {source}, "
            f"{said}") in result.err, result.err
    assert not (project / ".idamconf").exists()


@pytest.mark.parametrize("source", ["user.objectid", "user.onpremisesimmutableid", "user.onpremisessecurityidentifier",
                                    "user.extension_0123456789abcdef0123456789abcdef_staffNumber"])
def test_an_identifier_from_an_immutable_source_is_valid(project, source):
    result = validate(project, SP.replace("objectGUID}", f"objectGUID, source: {source}}}"))
    assert result.code == 0, result.err


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


@pytest.mark.parametrize("source", ["department", "user.given-name", "user.givenname.x", "xuser.givenname"])
def test_a_source_that_is_no_user_attribute_is_refused(project, source):
    result = validate(project, SP.replace("source: user.givenname}", f"source: {source}}}"))
    assert result.code == 1
    assert f"error: sso.saml.claims[0].source: '{source}' is not a user attribute Entra can send" in result.err, \
        result.err


def test_a_source_with_a_line_break_after_it_is_refused(project):
    """`"user.mail\\n"` is user.mail to the e-mail rule, and no source Entra knows: both are said."""
    result = validate(project, SP.replace("objectGUID}", 'objectGUID, source: "user.mail\\n"}'))
    assert result.code == 1
    assert "error: sso.saml.userIdentifier.source: the user identifier comes from user.mail\\n, an e-mail" in result.err
    assert "error: sso.saml.userIdentifier.source: 'user.mail\\n' is not a user attribute Entra can send" in \
        result.err, result.err


@pytest.mark.parametrize("attribute", ["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier",
                                       "HTTP://SCHEMAS.XMLSOAP.ORG/ws/2005/05/identity/claims/NameIdentifier"])
def test_a_claim_that_would_be_a_second_name_id_is_refused(project, attribute):
    """The NameID is the user identifier's, from its immutable source: a claim of its type would send another,
    from any source (user.mail here)."""
    result = validate(project, SP.replace("claims: [{attribute: givenName, source: user.givenname}]",
                                          f"claims: [{{attribute: '{attribute}', source: user.mail}}]"))
    assert result.code == 1
    assert ("error: sso.saml.claims[0].attribute: a claim of type nameidentifier would be a second NameID beside the "
            "user identifier's") in result.err, result.err


def test_a_directory_extension_is_a_source(project):
    extension = "user.extension_" + "0123456789abcdef" * 2 + "_costCentre"
    result = validate(project, SP.replace("source: user.givenname}", f"source: {extension}}}"))
    assert result.code == 0, result.err


@pytest.mark.parametrize("entity, problem", [("urn:example:sp/", "ends with a slash"),
                                             ("urn:example:*", "contains a wildcard (*)")])
def test_an_entity_id_graph_would_refuse_is_refused(project, entity, problem):
    result = validate(project, SP.replace("entityId: urn:example:sp", f"entityId: '{entity}'"))
    assert result.code == 1
    assert f"error: sso.saml.entityId: Graph would refuse entity id '{entity}': it {problem}" in result.err, result.err


def test_without_an_entity_id_or_reply_urls_or_their_metadata_nothing_is_valid(project):
    result = validate(project, SP.replace("    entityId: urn:example:sp\n", "").replace(
        "    replyUrls:\n      - {url: https://sp.example.com/saml/acs, index: 0, default: true}\n"
        "      - {url: https://sp.example.com/saml/acs2, index: 1}\n", ""))
    assert result.code == 1
    assert "sso.saml gives no entityId" in result.err and "sso.saml gives no replyUrls" in result.err


def test_a_reply_url_graph_would_refuse_is_refused(project):
    result = validate(project, SP.replace("https://sp.example.com/saml/acs2", "'https://sp.example.com/saml/a,b'"))
    assert result.code == 1
    assert ("error: sso.saml.replyUrls[1].url: Graph would refuse reply URL 'https://sp.example.com/saml/a,b': it "
            "contains one of the characters") in result.err, result.err


@pytest.mark.parametrize("setting, written", [
    ("servicePrincipal:\n  loginUrl: https://sp.example.com/login\n", "servicePrincipal.loginUrl"),
    ("servicePrincipal:\n  preferredSingleSignOnMode: saml\n", "servicePrincipal.preferredSingleSignOnMode"),
    ("web:\n  logoutUrl: https://sp.example.com/logout\n", "web.logoutUrl"),
])
def test_a_setting_sso_saml_sets_is_not_written_again(project, setting, written):
    result = validate(project, SP + setting)
    assert result.code == 1
    assert f"error: {written}: {written} is set by sso.saml" in result.err, result.err
