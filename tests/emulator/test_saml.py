"""SAML single sign-on in the emulator (emulator/saml.py), with Graph's rules: only the non-gallery template, the
tenant's identifier-URI policy sparing a SAML application only once its service principal is in SAML mode (why
apply sets the mode before the entity id), signing certificates of at most three years named CN=…, one claims
policy per service principal, and a federation metadata document only for an application with a preferred key."""

from __future__ import annotations

import datetime as dt

import pytest

from .conftest import assert_error

NON_GALLERY = "8adf8e6e-67b2-4cf2-a259-e3dc5476c621"
ELSEWHERE = "00000000-0000-4000-8000-000000000000"  # no template, tenant or policy of this emulator's
DEFINITION = ['{"ClaimsMappingPolicy":{"Version":1,"IncludeBasicClaimSet":"true","ClaimsSchema":[]}}']


def instantiate(api, name: str = "PUI") -> dict:
    made = api.post(f"applicationTemplates/{NON_GALLERY}/instantiate", json={"displayName": name})
    assert made.status_code == 201, made.text
    return made.json()


def test_only_the_non_gallery_template_is_instantiated_with_its_service_principal(api):
    made = instantiate(api)
    assert made["application"]["applicationTemplateId"] == NON_GALLERY
    assert made["servicePrincipal"]["appId"] == made["application"]["appId"]
    assert "WindowsAzureActiveDirectoryCustomSingleSignOnApplication" in made["servicePrincipal"]["tags"]
    assert {(role["displayName"], role["value"], role["isEnabled"]) for role in made["application"]["appRoles"]} == \
        {("User", None, True), ("msiam_access", None, True)}
    assert_error(api.post(f"applicationTemplates/{ELSEWHERE}/instantiate",
                          json={"displayName": "x"}), 404)
    assert_error(api.post(f"applicationTemplates/{NON_GALLERY}/instantiate", json={}), 400)
    upper = api.post(f"applicationTemplates/{NON_GALLERY.upper()}/instantiate", json={"displayName": "x"})
    assert upper.status_code == 201 and upper.json()["application"]["applicationTemplateId"] == NON_GALLERY


def test_a_plain_entity_id_is_refused_until_the_service_principal_is_in_saml_mode(api):
    made = instantiate(api)
    app, app_id = made["application"]["id"], made["application"]["appId"]
    assert_error(api.patch(f"applications/{app}", json={"identifierUris": ["PUI"]}), 400)
    assert api.patch(f"servicePrincipals(appId='{app_id}')", json={"preferredSingleSignOnMode": "saml"}
                     ).status_code == 204
    assert api.patch(f"applications/{app}", json={"identifierUris": ["PUI"]}).status_code == 204


def _days_on(days: int) -> str:
    return (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize("body", [{"displayName": "no CN"},
                                  {"displayName": "CN=x", "endDateTime": "2099-01-01T00:00:00Z"},
                                  {"displayName": "CN=x", "endDateTime": _days_on(3 * 366 + 30)},
                                  {"displayName": "CN=x", "endDateTime": "2001-01-01T00:00:00Z"},
                                  {"displayName": "CN=x", "endDateTime": _days_on(30)[:-1]},  # no time zone
                                  {"displayName": "CN=" + "x" * 65}])  # a common name X.509 cannot hold: not a 500
def test_a_signing_certificate_is_named_cn_and_lasts_at_most_three_years(api, body):
    principal = instantiate(api)["servicePrincipal"]["id"]
    assert_error(api.post(f"servicePrincipals/{principal}/addTokenSigningCertificate", json=body), 400)


def test_a_signing_certificate_without_an_end_lasts_three_years(api):
    principal = instantiate(api)["servicePrincipal"]["id"]
    added = api.post(f"servicePrincipals/{principal}/addTokenSigningCertificate", json={"displayName": "CN=PUI"})
    assert added.status_code == 200, added.text
    start, end = (dt.datetime.fromisoformat(added.json()[name].replace("Z", "+00:00"))
                  for name in ("startDateTime", "endDateTime"))
    assert end == start.replace(year=start.year + 3)  # three calendar years (test_fidelity_53.py)


def test_a_signing_certificate_is_kept_as_graph_keeps_it_and_signs_the_metadata(api):
    made = instantiate(api)
    principal, app_id = made["servicePrincipal"]["id"], made["application"]["appId"]
    origin = "http://emulator.localhost"
    assert api.request("GET", f"{origin}/{api.store.tenant_id}/federationmetadata/2007-06/federationmetadata.xml",
                       params={"appid": app_id}).status_code == 404  # no preferred key yet
    added = api.post(f"servicePrincipals/{principal}/addTokenSigningCertificate", json={"displayName": "CN=PUI"})
    assert added.status_code == 200, added.text
    certificate = added.json()
    held = api.get(f"servicePrincipals/{principal}").json()
    assert sorted(k["usage"] for k in held["keyCredentials"]) == ["Sign", "Verify"]
    assert {k["customKeyIdentifier"] for k in held["keyCredentials"]} == {certificate["customKeyIdentifier"]}
    [password] = held["passwordCredentials"]
    assert password["keyId"] == next(k["keyId"] for k in held["keyCredentials"] if k["usage"] == "Sign")
    assert api.patch(f"servicePrincipals/{principal}", json={
        "preferredTokenSigningKeyThumbprint": certificate["thumbprint"]}).status_code == 204
    served = api.request("GET", f"{origin}/{api.store.tenant_id}/federationmetadata/2007-06/federationmetadata.xml",
                         params={"appid": app_id})
    assert served.status_code == 200 and b"<ds:SignatureValue>" in served.content
    elsewhere = api.request("GET", f"{origin}/{ELSEWHERE}/federationmetadata/2007-06/federationmetadata.xml",
                            params={"appid": app_id})
    assert elsewhere.status_code == 404  # the application is not another tenant's
    assert api.patch(f"servicePrincipals/{principal}", json={"keyCredentials": []}).status_code == 204
    assert api.request("GET", f"{origin}/{api.store.tenant_id}/federationmetadata/2007-06/federationmetadata.xml",
                       params={"appid": app_id}).status_code == 404  # the preferred key's certificate is gone


def test_one_claims_policy_per_service_principal(api):
    principal = instantiate(api)["servicePrincipal"]["id"]
    first, second = (api.post("policies/claimsMappingPolicies", json={"displayName": name, "definition": DEFINITION})
                     .json()["id"] for name in ("one", "two"))
    holder = f"servicePrincipals/{principal}/claimsMappingPolicies"
    reference = {"@odata.id": f"https://graph.microsoft.com/v1.0/policies/claimsMappingPolicies/{first}"}
    assert api.post(f"{holder}/$ref", json=reference).status_code == 204
    assert_error(api.post(f"{holder}/$ref", json=reference), 400)
    assert_error(api.post(f"{holder}/$ref", json={"@odata.id": f"x/{second}"}), 409)
    assert [p["id"] for p in api.get(holder).json()["value"]] == [first]
    assert api.delete(f"{holder}/{first.upper()}/$ref").status_code == 204
    assert_error(api.delete(f"{holder}/{first}/$ref"), 404)  # no longer assigned
    assert_error(api.post(f"{holder}/$ref", json={"@odata.id": f"x/{ELSEWHERE}"}), 404)
    assert_error(api.post("policies/claimsMappingPolicies", json={"displayName": "bad", "definition": ["{"]}), 400)
    listed = api.get("policies/claimsMappingPolicies", params={"$filter": "displayName eq 'two'"}).json()["value"]
    assert [p["id"] for p in listed] == [second]
    assert api.get("policies/defaultAppManagementPolicy").status_code == 200  # still served beside them


@pytest.mark.parametrize("body", [
    {"definition": DEFINITION},  # no displayName
    {"displayName": " ", "definition": DEFINITION},
    {"displayName": "x", "definition": DEFINITION, "colour": "red"},
    {"displayName": "x", "definition": DEFINITION * 2},
    {"displayName": "x", "definition": ['{"ClaimsMappingPolicy":{"ClaimsSchema":{}}}']},
])
def test_what_a_claims_policy_may_not_be(api, body):
    assert_error(api.post("policies/claimsMappingPolicies", json=body), 400, "Request_BadRequest")
    assert api.get("policies/claimsMappingPolicies").json()["value"] == []


def test_a_claims_policy_is_read_by_its_id_in_any_case_and_patched_by_the_same_rules(api):
    made = api.post("policies/claimsMappingPolicies", json={"displayName": "one", "definition": DEFINITION}).json()
    url = f"policies/claimsMappingPolicies/{made['id'].upper()}"
    assert api.get(url).json()["displayName"] == "one"
    assert_error(api.patch(url, json={"definition": ["{"]}), 400, "Request_BadRequest")
    assert api.get(url).json()["definition"] == DEFINITION


def test_the_served_metadatas_signature_comes_first_as_the_saml_metadata_schema_orders_it(api):
    """saml-schema-metadata-2.0.xsd: an EntityDescriptor is a sequence of ds:Signature?, Extensions?, then its role
    descriptors. A signature after the IDPSSODescriptor is not valid metadata, and a service provider that checks
    the schema (as OpenSAML-based ones do) refuses the document; signxml must still verify it where it now is."""
    from lxml import etree
    from signxml import XMLVerifier

    made = instantiate(api)
    principal, app_id = made["servicePrincipal"]["id"], made["application"]["appId"]
    thumbprint = api.post(f"servicePrincipals/{principal}/addTokenSigningCertificate",
                          json={"displayName": "CN=PUI"}).json()["thumbprint"]
    assert api.patch(f"servicePrincipals/{principal}",
                     json={"preferredTokenSigningKeyThumbprint": thumbprint}).status_code == 204
    served = api.request("GET", f"http://emulator.localhost/{api.store.tenant_id}/federationmetadata/2007-06/"
                         "federationmetadata.xml", params={"appid": app_id})
    assert served.status_code == 200, served.text
    children = [child.tag for child in etree.fromstring(served.content)]
    assert children == ["{http://www.w3.org/2000/09/xmldsig#}Signature",
                        "{urn:oasis:names:tc:SAML:2.0:metadata}IDPSSODescriptor"]
    certificate = etree.fromstring(served.content).findtext(  # the IdP's signing certificate, as published
        "{urn:oasis:names:tc:SAML:2.0:metadata}IDPSSODescriptor/{urn:oasis:names:tc:SAML:2.0:metadata}KeyDescriptor//"
        "{http://www.w3.org/2000/09/xmldsig#}X509Certificate")
    pem = "-----BEGIN CERTIFICATE-----\n" + certificate + "\n-----END CERTIFICATE-----\n"
    verified = XMLVerifier().verify(served.content, x509_cert=pem).signed_xml
    assert verified.find("{urn:oasis:names:tc:SAML:2.0:metadata}IDPSSODescriptor") is not None
