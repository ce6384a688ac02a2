"""The claims-mapping policy a SAML application's file makes (saml/claims.py), and how the plan compares it."""

from __future__ import annotations

import json

from idamconf.saml import claims
from idamconf.saml.settings import Claim, Saml

EXTENSION = "user.extension_0123456789abcdef0123456789abcdef_employeeNumber"


def saml(identifier: Claim, *more: Claim) -> Saml:
    return Saml("urn:example:sp", (), None, None, None, identifier, more, 3, (), None)


def test_the_name_id_and_the_attribute_come_from_the_identifier_and_never_from_mail():
    wanted = claims.definition(saml(Claim("objectGUID", "user.objectid", "uri")))
    schema = wanted["ClaimsMappingPolicy"]["ClaimsSchema"]
    assert schema[0] == {"Source": "user", "ID": "objectid", "SamlClaimType": claims.NAME_ID,
                         "SamlNameIdFormat": claims.PERSISTENT}
    assert schema[1] == {"Source": "user", "ID": "objectid", "SamlClaimType": "objectGUID",
                         "SamlNameFormat": "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"}
    assert "mail" not in json.dumps(wanted)


def test_a_directory_extension_is_sent_by_its_extension_id_and_names_stay_exact():
    wanted = claims.definition(saml(Claim("UID", EXTENSION), Claim("GivenName", "user.givenname")))
    schema = wanted["ClaimsMappingPolicy"]["ClaimsSchema"]
    assert schema[1] == {"Source": "user", "ExtensionID": EXTENSION.removeprefix("user."), "SamlClaimType": "UID"}
    assert schema[2]["SamlClaimType"] == "GivenName"  # case kept: SAML attribute names are case-sensitive


def test_the_tenants_definition_compares_equal_whatever_its_spacing_and_key_order():
    wanted = claims.definition(saml(Claim("objectGUID", "user.objectid")))
    text = json.dumps(wanted, indent=4, sort_keys=True)
    live = claims.attributes("idamconf SAML claims: pui", claims.parsed({"definition": [text]}), named=True)
    assert live == claims.attributes("pui", wanted)
    assert claims.parsed({"definition": ["not json"]}) is None
    assert "objectGUID <- user.objectid" in live["claims"]


def test_each_name_format_is_sent_as_its_own_urn():
    wanted = claims.definition(saml(Claim("objectGUID", "user.objectid", "basic"), Claim("givenName", "user.givenname",
                                                                                         "uri")))
    formats = [entry.get("SamlNameFormat") for entry in wanted["ClaimsMappingPolicy"]["ClaimsSchema"][1:]]
    assert formats == ["urn:oasis:names:tc:SAML:2.0:attrname-format:basic",
                       "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"]
