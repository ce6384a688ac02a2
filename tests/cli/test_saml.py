"""SAML applications (issue 20): a file's `sso.saml` reaches Graph in Graph's order through the non-gallery
template, converges, and the emulator's federation metadata -- verified by signxml -- names the entity id, the SSO
endpoint and the certificate whose thumbprint apply printed; the typed SDK reads it all back with nothing left over;
an apply cut short after the instantiation is finished, not duplicated; validate refuses what the guidance forbids."""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import re

import httpx
import pytest
from cryptography import x509

from idamconf import clock
from idamconf.emulator import Store
from tests.emulator.conftest import serving
from tests.emulator.test_sdk_fidelity import assert_no_leftovers, sdk_run

from ..safety.wire import Rule, Scripted, graph_error
from .harness import applications, apply, faulted, idamconf, plan, tenant

pytestmark = [pytest.mark.filterwarnings("ignore:This class is deprecated:DeprecationWarning")]
OBJECT_GUID = "http://schemas.example.com/claims/objectGUID"
PUI = """\
name: pui
displayName: Provider User Interface
description: Providers sign in with SAML.
owners: [alice.admin@contoso.com]
sso:
  saml:
    entityId: PUI
    replyUrls:
      - {url: https://pui.example.com/saml/acs, index: 0, default: true}
      - {url: https://pui.example.com/saml/acs2, index: 1}
    signOnUrl: https://pui.example.com/login
    logoutUrl: https://pui.example.com/saml/logout
    relayState: /home
    userIdentifier: {attribute: http://schemas.example.com/claims/objectGUID}
    claims: [{attribute: givenName, source: user.givenname}]
    signingCertificate: {validityYears: 2}
    notificationEmails: [idam-team@contoso.com]
"""


def write(project, text: str = PUI, name: str = "pui") -> None:
    (project / "applications" / f"{name}.yaml").write_text(text, encoding="utf-8")


def printed(output: str, label: str, app: str = "pui") -> str:
    """A value apply printed for the service provider's team of `app` (examples/ has SAML applications too)."""
    block = output.split(f"\n  app.{app}\n", 1)[1]
    return re.search(rf"^\s+{re.escape(label)}\s+(\S+)$", block, re.MULTILINE).group(1)


def test_a_saml_application_is_made_in_graphs_order_and_converges(project):
    write(project)
    first = apply(project)
    assert first.code == 0, first.err
    for address in ("app.pui.saml", "app.pui.saml.claims_policy", "app.pui.saml.signing_certificate"):
        assert f"+ {address}: created" in first.out
    assert printed(first.out, "IdP entity id").startswith("https://sts.windows.net/")
    assert "\n\nSAML applications (give these to the service provider's team):\n" in first.out  # a block of its own
    again = plan(project)
    assert again.out.rstrip().endswith("No changes. The tenant matches the configuration."), again.out
    held = tenant(project)["objects"]
    [app] = [a for a in held["applications"] if a["uniqueName"] == "pui"]
    [principal] = [p for p in held["servicePrincipals"] if p["appId"] == app["appId"]]
    assert app["applicationTemplateId"] == "8adf8e6e-67b2-4cf2-a259-e3dc5476c621"
    assert "PUI" in app["identifierUris"] and app["defaultRedirectUri"] == "https://pui.example.com/saml/acs"
    assert {"uri": "https://pui.example.com/saml/acs2", "index": 1} in app["web"]["redirectUriSettings"]
    assert (principal["preferredSingleSignOnMode"], principal["loginUrl"], principal["notificationEmailAddresses"],
            principal["samlSingleSignOnSettings"]) == ("saml", "https://pui.example.com/login",
                                                       ["idam-team@contoso.com"], {"relayState": "/home"})
    [policy] = [p for p in held["claimsMappingPolicies"] if p["displayName"] == "idamconf SAML claims: pui"]
    assert OBJECT_GUID in policy["definition"][0] and "user.mail" not in policy["definition"][0]
    assert policy["isOrganizationDefault"] is False  # the application's alone: a default would apply to every one
    sent = json.loads(policy["definition"][0])["ClaimsMappingPolicy"]["ClaimsSchema"]
    assert {"Source": "user", "ID": "objectid", "SamlClaimType": OBJECT_GUID} in sent  # no name format: unspecified


def test_an_existing_application_that_becomes_a_saml_one_gets_its_entity_id_and_converges(project):
    """The tenant's identifier-URI policy spares an entity id such as PUI only once the service principal is in SAML
    mode: an application made without `sso` and given it later has its service principal put in SAML mode before
    the application's write adds the entity id (found by a property test, session 37: the apply was refused)."""
    write(project, PUI.split("sso:")[0])
    assert apply(project).code == 0
    held = tenant(project)["objects"]
    [app] = [a for a in held["applications"] if a["uniqueName"] == "pui"]
    assert "PUI" not in app["identifierUris"]
    write(project)
    done = apply(project)
    assert done.code == 0, done.out + done.err
    assert "+ app.pui.saml.signing_certificate: created" in done.out
    again = plan(project, "--detailed-exitcode")
    assert again.code == 0, again.out
    held = tenant(project)["objects"]
    [app] = [a for a in held["applications"] if a["uniqueName"] == "pui"]
    [principal] = [p for p in held["servicePrincipals"] if p["appId"] == app["appId"]]
    assert "PUI" in app["identifierUris"] and principal["preferredSingleSignOnMode"] == "saml"


def test_signxml_verifies_the_emulators_metadata_and_its_certificate_is_the_one_apply_printed(project):
    from signxml import XMLVerifier

    write(project)
    first = apply(project)
    thumbprint = printed(first.out, "signing certificate thumbprint (SHA-1)")
    app_id = re.search(r"appid=([0-9a-f-]{36})", printed(first.out, "IdP metadata URL")).group(1)
    with serving(Store(project / ".idamconf" / "local.db")) as emulator:
        origin, tenant_id = emulator.base_url.removesuffix("/v1.0"), emulator.store.tenant_id
        served = httpx.get(f"{origin}/{tenant_id}/federationmetadata/2007-06/federationmetadata.xml",
                           params={"appid": app_id}, trust_env=False)
    assert served.status_code == 200, served.text
    signed = re.search(rb'<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>([^<]+)<',
                       served.content).group(1)  # the IdP's certificate, as a service provider reads it
    der = base64.b64decode(signed)
    pem = "-----BEGIN CERTIFICATE-----\n" + signed.decode() + "\n-----END CERTIFICATE-----\n"
    verified = XMLVerifier().verify(served.content, x509_cert=pem).signed_xml  # raises unless the signature holds
    md = "{urn:oasis:names:tc:SAML:2.0:metadata}"
    assert verified.get("entityID") == f"https://sts.windows.net/{tenant_id}/"
    locations = {e.get("Location") for e in verified.iter(f"{md}SingleSignOnService")}
    assert locations == {f"{origin}/{tenant_id}/saml2"}
    assert hashlib.sha1(der).hexdigest().upper() == thumbprint
    certificate = x509.load_der_x509_certificate(der)  # as Entra makes them: RSA 2048, signed with SHA-256
    assert certificate.public_key().key_size == 2048 and certificate.signature_hash_algorithm.name == "sha256"
    tampered = served.content.replace(b"saml2", b"saml3", 1)
    with pytest.raises(Exception):
        XMLVerifier().verify(tampered, x509_cert=pem)


def test_the_typed_sdk_reads_the_service_principal_policy_and_keys_with_nothing_left_over(project):
    write(project)
    assert apply(project).code == 0
    app = next(a for a in tenant(project)["objects"]["applications"] if a["uniqueName"] == "pui")

    async def read(client):
        found = await client.service_principals.get()
        principal = next(p for p in found.value if p.app_id == app["appId"])
        policies = await client.service_principals.by_service_principal_id(principal.id).claims_mapping_policies.get()
        listed = await client.policies.claims_mapping_policies.get()
        return principal, policies.value, listed.value

    with serving(Store(project / ".idamconf" / "local.db")) as emulator:
        principal, assigned, listed = sdk_run(emulator.base_url, read)
    assert_no_leftovers(principal, *assigned, *listed)
    assert principal.preferred_single_sign_on_mode == "saml"
    assert principal.saml_single_sign_on_settings.relay_state == "/home"
    assert sorted(k.usage for k in principal.key_credentials) == ["Sign", "Verify"]
    assert principal.preferred_token_signing_key_thumbprint
    assert [p.display_name for p in assigned] == ["idamconf SAML claims: pui"]


def test_an_apply_cut_short_after_the_instantiation_is_finished_not_duplicated(project):
    """The template instantiated (an apply killed right after it, under the name it gives an application until it
    claims it): the next apply finds that application and claims it rather than instantiating another."""
    write(project)
    assert plan(project).code in (0, 2)  # the embedded tenant, seeded
    with serving(Store(project / ".idamconf" / "local.db")) as emulator:
        made = httpx.post(f"{emulator.base_url}/applicationTemplates/8adf8e6e-67b2-4cf2-a259-e3dc5476c621/instantiate",
                          json={"displayName": "idamconf:eucs-idam:pui (being made)"}, trust_env=False,
                          headers={"Authorization": "Bearer cut-short"})
    assert made.status_code == 201, made.text
    assert apply(project).code == 0
    named = [a for a in tenant(project)["objects"]["applications"] if a["displayName"] == "Provider User Interface"]
    assert [(a["id"], a["uniqueName"]) for a in named] == [(made.json()["application"]["id"], "pui")]
    assert plan(project).out.rstrip().endswith("No changes. The tenant matches the configuration.")


@pytest.mark.parametrize("change, expected", [
    ("userIdentifier: {attribute: http://schemas.example.com/claims/objectGUID}",
     "userIdentifier: {attribute: id, source: user.mail}"),
    ("userIdentifier: {attribute: http://schemas.example.com/claims/objectGUID}",
     "userIdentifier: {attribute: http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress}"),
])
def test_an_identifier_from_an_email_address_or_upn_is_refused(project, change, expected):
    write(project, PUI.replace(change, expected))
    result = idamconf("validate", "-C", str(project))
    assert result.code == 1
    assert re.search(r"applications/pui\.yaml:\d+:\d+: .*(e-mail address or UPN|e-mail or UPN claim type)",
                     result.err), result.err


def test_a_guid_that_is_not_rfc_4122_is_refused_at_its_place(project):
    write(project, PUI + "appRoles:\n  - {displayName: User, id: 00000000-0000-0000-0000-222222222222}\n")
    result = idamconf("validate", "-C", str(project))
    assert result.code == 1
    assert re.search(r"applications/pui\.yaml:\d+:\d+: .*00000000-0000-0000-0000-222222222222 is not an RFC 4122",
                     result.err), result.err


def test_a_token_lifetime_or_a_certificate_longer_than_three_years_is_refused(project):
    write(project, PUI.replace("signingCertificate: {validityYears: 2}",
                               "signingCertificate: {validityYears: 5}\n    tokenLifetime: PT8H"))
    result = idamconf("validate", "-C", str(project))
    assert result.code == 1
    assert "tokenLifetime" in result.err and "validityYears" in result.err
    linted = idamconf("lint", "-C", str(project))
    assert "security.token-lifetime" in linted.out + linted.err


def test_signed_sp_metadata_fills_the_entity_id_and_reply_urls_once_its_pinned_certificate_verifies_it(project):
    from signxml import XMLSigner

    from tests.bad_inputs.generate import sp_entity

    key, pem, sha256 = _service_provider_key()
    xml = sp_entity("urn:amazon:cognito:sp:eu-west-2_abc123").replace(
        re.search(r"<ds:X509Certificate>([^<]+)<", sp_entity()).group(1), "".join(pem.splitlines()[1:-1]))
    from lxml import etree

    signed = XMLSigner(c14n_algorithm="http://www.w3.org/2001/10/xml-exc-c14n#").sign(
        etree.fromstring(xml.encode()), key=key, cert=pem)
    (project / "saml").mkdir()
    (project / "saml" / "sp.xml").write_bytes(etree.tostring(signed))
    pinned = f"    spMetadata: {{file: saml/sp.xml, sha256: {sha256}, signed: true}}\n"
    write(project, PUI.split("    entityId")[0] + pinned)
    shown = plan(project)
    assert shown.code == 0, shown.err
    assert '"urn:amazon:cognito:sp:eu-west-2_abc123"' in shown.out and "https://sp.example.com/acs" in shown.out
    (project / "saml" / "sp.xml").write_bytes(etree.tostring(signed).replace(b"https://sp.example.com/acs",
                                                                               b"https://evil.example.com/acs"))
    refused = plan(project)
    assert refused.code == 1 and "has no valid signature by the pinned certificate" in refused.err, refused.err


def _service_provider_key():
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sp.example.com")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=30))
                   .sign(key, hashes.SHA256()))
    pem = certificate.public_bytes(serialization.Encoding.PEM).decode()
    der = certificate.public_bytes(serialization.Encoding.DER)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return private, pem, hashlib.sha256(der).hexdigest().upper()


def test_saml_metadata_writes_the_idp_metadata_with_the_certificate_apply_printed(project, tmp_path, monkeypatch):
    write(project)
    first = apply(project)
    out = tmp_path / "pui-idp.xml"
    written = idamconf("saml", "metadata", "pui", "-C", str(project), "--out", str(out))
    assert written.code == 0, written.err
    document = out.read_bytes()
    der = base64.b64decode(re.search(rb"<ds:X509Certificate>([^<]+)<", document).group(1))
    assert hashlib.sha1(der).hexdigest().upper() == printed(first.out, "signing certificate thumbprint (SHA-1)")
    assert printed(first.out, "IdP entity id").encode() in document
    assert printed(first.out, "sign-on URL").encode() in document
    from lxml import etree

    md, bindings = "{urn:oasis:names:tc:SAML:2.0:metadata}", "urn:oasis:names:tc:SAML:2.0:bindings:"
    idp = etree.fromstring(document).find(f"{md}IDPSSODescriptor")
    assert [key.get("use") for key in idp.iter(f"{md}KeyDescriptor")] == ["signing"]  # what SPs verify with
    assert {(sso.get("Binding"), sso.get("Location")) for sso in idp.iter(f"{md}SingleSignOnService")} == {
        (f"{bindings}HTTP-Redirect", printed(first.out, "sign-on URL")),
        (f"{bindings}HTTP-POST", printed(first.out, "sign-on URL"))}  # both bindings Entra offers
    other = idamconf("saml", "metadata", "wordpress", "-C", str(project))
    assert other.code == 1 and "'wordpress' is not a SAML application" in other.err
    assert "fix: name one whose file has sso.saml: ccms-provider-portal, pui" in other.err, other.err
    addressed = idamconf("saml", "metadata", "app.pui", "-C", str(project))  # as apply prints it
    assert addressed.code == 0 and addressed.out.encode().strip() == document.strip(), addressed.err
    refusing = Scripted([Rule(lambda request: request.path == "organization",
                              graph_error(403, "Authorization_RequestDenied"))])
    faulted(monkeypatch, refusing)
    refused = idamconf("saml", "metadata", "pui", "-C", str(project), "--out", str(tmp_path / "refused.xml"))
    assert refused.code == 1 and "the tenant: " in refused.err and not (tmp_path / "refused.xml").exists()
    refusing.rules = []
    app_id, store = applications(project)["pui"]["appId"], Store(project / ".idamconf" / "local.db")
    with store.transaction():  # the certificate listed without its public key: nothing a service provider can check
        from idamconf.emulator import certificate_keys

        principal = store.find("servicePrincipals", "appId", app_id)
        store.put("servicePrincipals", {**principal, "keyCredentials": [
            {**key, "key": None} for key in principal["keyCredentials"]]})
        for kept in store.select(certificate_keys.KIND, {"owner": principal["id"]}, primary=True):
            store.delete(certificate_keys.KIND, kept["id"])  # the keys are kept apart from the object
    store.close()
    keyless = idamconf("saml", "metadata", "pui", "-C", str(project), "--out", str(tmp_path / "keyless.xml"))
    assert keyless.code == 1 and "no preferred token-signing certificate yet" in keyless.err


def test_saml_metadata_of_an_application_not_made_in_the_environment_says_why(project):
    write(project)
    missing = idamconf("saml", "metadata", "pui", "-C", str(project))
    assert missing.code == 1 and "application pui (has apply created it?)" in missing.err
    write(project, PUI + "environments: [devl]\n")
    elsewhere = idamconf("saml", "metadata", "pui", "-C", str(project))
    assert elsewhere.code == 1 and "'pui' is not a SAML application of this configuration in local" in elsewhere.err


@pytest.mark.usefixtures("applied")
def test_the_organisations_saml_definitions_keep_their_entity_ids_per_environment_and_converge(project):
    """examples/: PUI (PUI-NLE in nle) and Cognito's urn: entity id, roles without a value, the custom SSO tag,
    notification e-mails and assignment required, all in the plan and all converged by one apply."""
    from idamconf.config.load import load_configuration

    apps = {app.name: app for app in load_configuration(project).applications}
    assert [apps["pui"].for_environment(env).saml.entity_id for env in ("local", "nle", "live")] == \
        ["PUI", "PUI-NLE", "PUI"]
    assert apps["ccms-provider-portal"].saml.entity_id.startswith("urn:amazon:cognito:sp:")
    again = plan(project)
    assert again.out.rstrip().endswith("No changes. The tenant matches the configuration."), again.out
    held = tenant(project)["objects"]
    for name, entity in (("pui", "PUI"), ("ccms-provider-portal", "urn:amazon:cognito:sp:eu-west-2_Ab12Cd34E")):
        [app] = [a for a in held["applications"] if a["uniqueName"] == name]
        [principal] = [p for p in held["servicePrincipals"] if p["appId"] == app["appId"]]
        assert entity in app["identifierUris"]
        assert {role["displayName"]: role["value"] for role in app["appRoles"]} == {"User": None, "msiam_access": None}
        assert "WindowsAzureActiveDirectoryCustomSingleSignOnApplication" in principal["tags"]
        assert principal["appRoleAssignmentRequired"] is True and principal["notificationEmailAddresses"]
        assert principal["preferredSingleSignOnMode"] == "saml" and principal["preferredTokenSigningKeyThumbprint"]


def test_the_merged_pull_requests_apply_report_carries_the_hand_over(project):
    """After a merge the pipeline applies with nobody at its terminal: the Markdown report (the merged pull request's
    comment) gives the service provider's team the same facts, each in a code span, in one row per application."""
    write(project)
    report = idamconf("apply", "-C", str(project), "--auto-approve", "--format", "markdown")
    assert report.code == 0, report.err
    section = report.out.split("#### SAML applications (give these to the service provider's team)\n", 1)[1]
    [row] = [line for line in section.splitlines() if line.startswith("| `app.pui` |")]
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[2] == "`https://sts.windows.net/00000000-0000-0000-0000-00000000c001/`"
    assert re.fullmatch(r"`[0-9A-F]{40}`", cells[4]), cells
    assert "| `app.ccms-provider-portal` |" in section  # examples/ has two more


def test_sp_metadata_gives_graph_its_post_consumers_and_its_first_logout_url(project):
    """Of the metadata's assertion consumer services, only HTTP-POST ones with a location become reply URLs (Entra
    ID posts its responses: a redirect binding is not one); one without an index has none; the first
    SingleLogoutService is the application's logout URL -- as Graph holds them after apply."""
    from tests.bad_inputs.generate import SP_SHA256, sp_entity

    post, redirect = (f"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-{binding}" for binding in ("POST", "Redirect"))
    services = (f'<md:SingleLogoutService Binding="{redirect}" Location="https://sp.example.com/slo"/>'
                f'<md:SingleLogoutService Binding="{post}" Location="https://sp.example.com/slo-post"/>'
                f'<md:AssertionConsumerService Binding="{redirect}" Location="https://sp.example.com/by-redirect" '
                'index="1"/>'
                f'<md:AssertionConsumerService Binding="{post}" Location="https://sp.example.com/acs-without-index"/>')
    xml = sp_entity().replace("</md:KeyDescriptor>", "</md:KeyDescriptor>" + services)
    (project / "saml").mkdir()
    (project / "saml" / "sp.xml").write_text(xml)
    write(project, PUI.split("    entityId")[0] + f"    spMetadata: {{file: saml/sp.xml, sha256: {SP_SHA256}}}\n")
    result = apply(project)
    assert result.code == 0, result.err
    [pui] = [a for a in tenant(project)["objects"]["applications"] if a.get("uniqueName") == "pui"]
    assert pui["identifierUris"] == ["urn:example:sp"]
    assert pui["web"]["logoutUrl"] == "https://sp.example.com/slo"
    assert sorted(pui["web"]["redirectUris"]) == ["https://sp.example.com/acs",
                                                  "https://sp.example.com/acs-without-index"]
    assert sorted((s["uri"], s["index"]) for s in pui["web"]["redirectUriSettings"]) == [
        ("https://sp.example.com/acs", 0), ("https://sp.example.com/acs-without-index", None)]


@pytest.mark.parametrize("what", ["application", "service principal", "claims-mapping policies"])
def test_graph_refusing_a_saml_read_stops_the_plan_saying_which(project, monkeypatch, what):
    """Never taken as "nothing there": an empty answer would plan the application's SAML settings over again."""
    from idamconf.emulator import embedded

    from ..safety.wire import Rule, Scripted, graph_error

    write(project)
    assert apply(project).code == 0
    app = applications(project)["pui"]
    path = {"application": f"applications/{app['id']}",
            "service principal": f"servicePrincipals(appId='{app['appId']}')",
            "claims-mapping policies": f"servicePrincipals(appId='{app['appId']}')/claimsMappingPolicies"}[what]
    faults = Scripted([Rule(lambda request: request.method == "GET" and request.path == path,
                            graph_error(403, "Authorization_RequestDenied"))])
    real_open = embedded.open_app
    monkeypatch.setattr(embedded, "open_app", lambda state, seed=None, _=None, tenant=None:
                        real_open(state, seed, faults, tenant))
    result = plan(project)
    assert ("GET", path) in faults.received
    assert result.code == 1 and "Plan:" not in result.out, result.out
    assert f"the SAML {what} of application {app['id']}: " in result.err and "Authorization_RequestDenied" in result.err


def test_a_saml_application_of_the_longest_name_gets_a_signing_certificate_whose_name_x509_holds(project):
    """Its certificate was asked for as `CN=idamconf <name> SAML signing`: for a name of more than 42 characters a
    common name longer than the 64 characters X.509 allows (RFC 5280's ub-common-name), which no certificate can
    hold (the emulator failed, 500). The name is cut to fit, and apply converges."""
    longest = "n" * 64  # the longest application name validate accepts
    (project / "applications" / "pui.yaml").unlink()
    write(project, PUI.replace("name: pui", f"name: {longest}"), name=longest)
    result = apply(project)
    assert result.code == 0, result.err
    held = tenant(project)["objects"]
    [app] = [a for a in held["applications"] if a["uniqueName"] == longest]
    [principal] = [p for p in held["servicePrincipals"] if p["appId"] == app["appId"]]
    [signing] = [key for key in principal["keyCredentials"] if key["usage"] == "Verify"]
    assert signing["displayName"].startswith(f"CN=idamconf {longest[:20]}"), signing["displayName"]
    assert len(signing["displayName"]) <= len("CN=") + 64, signing["displayName"]
    assert plan(project).out.rstrip().endswith("No changes. The tenant matches the configuration.")


def test_a_signing_certificate_the_file_says_nothing_of_is_valid_three_years(project):
    """Graph's most, and the documented default: a service provider re-imports the certificate as seldom as can be."""
    write(project, PUI.replace("    signingCertificate: {validityYears: 2}\n", ""))
    assert apply(project).code == 0
    held = tenant(project)["objects"]
    [app] = [a for a in held["applications"] if a["uniqueName"] == "pui"]
    [principal] = [p for p in held["servicePrincipals"] if p["appId"] == app["appId"]]
    [signing] = [key for key in principal["keyCredentials"] if key["usage"] == "Verify"]
    start, end = (datetime.date.fromisoformat(signing[name][:10]) for name in ("startDateTime", "endDateTime"))
    assert 3 * 365 <= (end - start).days <= 3 * 366, (start, end)


def test_a_three_year_signing_certificate_ends_three_calendar_years_on_by_idamconfs_clock(project, monkeypatch):
    """Graph takes a token-signing certificate ending "up to three years after the certificate is created"
    (serviceprincipal-addtokensigningcertificate.md): apply asked for 3 x 365.25 days, rounded to 1,096 -- a day past
    three years when no 29 February falls in them (from 1 March 2028, for one) -- and from the machine's time
    rather than idamconf's clock, which the emulator reads. Now three calendar years from idamconf's clock."""
    from tests.emulator.test_fidelity_53 import move_the_clock_to, next_date_three_years_from_which_hold_no_29_february

    monkeypatch.setattr(clock, "_offset", datetime.timedelta(0))
    move_the_clock_to(next_date_three_years_from_which_hold_no_29_february())
    write(project, PUI.replace("    signingCertificate: {validityYears: 2}\n", ""))
    applied = apply(project)
    assert applied.code == 0, applied.err
    again = plan(project)
    assert again.out.rstrip().endswith("No changes. The tenant matches the configuration."), again.out
    held = tenant(project)["objects"]
    [app] = [a for a in held["applications"] if a["uniqueName"] == "pui"]
    [principal] = [p for p in held["servicePrincipals"] if p["appId"] == app["appId"]]
    [signing] = [key for key in principal["keyCredentials"] if key["usage"] == "Verify"]
    start, end = (clock.graph_time(signing[name]) for name in ("startDateTime", "endDateTime"))
    assert start.date() == clock.now().date() and end.date() == start.replace(year=start.year + 3).date(), (start, end)


def test_a_pinned_thumbprint_in_lower_case_with_colons_is_the_same_pin(project):
    """As `openssl x509 -fingerprint` and other tools print it: the certificate is the pinned one whatever the form."""
    from tests.bad_inputs.generate import SP_SHA256, sp_entity

    (project / "saml").mkdir()
    (project / "saml" / "sp.xml").write_text(sp_entity("urn:example:pinned"))
    pin = ":".join(SP_SHA256[i:i + 2] for i in range(0, 64, 2)).lower()
    write(project, PUI.split("    entityId")[0] + f"    spMetadata: {{file: saml/sp.xml, sha256: '{pin}'}}\n")
    shown = plan(project)
    assert shown.code == 0, shown.err
    assert '"urn:example:pinned"' in shown.out


def test_an_expired_signing_certificate_is_planned_again(project):
    """An expired certificate signs nothing an SP accepts: the tenant holding only that one gets a new one."""
    write(project)
    assert apply(project).code == 0
    app = applications(project)["pui"]
    store = Store(project / ".idamconf" / "local.db")
    try:
        principal = store.find("servicePrincipals", "appId", app["appId"])
        expired = [{**key, "startDateTime": "2018-01-01T00:00:00Z", "endDateTime": "2020-01-01T00:00:00Z"}
                   for key in principal["keyCredentials"]]  # two years, as the file asks: only the expiry differs
        store.put("servicePrincipals", {**principal, "keyCredentials": expired})
    finally:
        store.close()
    again = plan(project)
    assert again.code == 0 and "+ app.pui.saml.signing_certificate" in again.out, again.out


def test_a_signing_certificate_expires_by_idamconfs_clock_as_the_emulators_does(project, monkeypatch):
    """Plans and the emulator read one clock (idamconf/clock.py): once it passes the certificate's end (three years,
    the default), the plan makes a new one, as it does for client secrets -- not only once the machine's does."""
    monkeypatch.setattr(clock, "_offset", datetime.timedelta(0))
    write(project)
    assert apply(project).code == 0
    assert "No changes" in plan(project).out  # converged: the certificate is in use
    clock.advance(days=3 * 366)
    again = plan(project)
    assert again.code == 0 and "+ app.pui.saml.signing_certificate" in again.out, again.out


def test_a_saml_application_whose_service_principal_is_gone_has_every_saml_step_planned_again(project):
    """Deleted in the portal, say: while it waits in deleted items it is restored, with the signing certificate its
    service provider trusts (session 49); deleted for good, nothing of its SAML settings is there, which is no
    error: every SAML step is planned again."""
    write(project)
    assert apply(project).code == 0
    app = applications(project)["pui"]
    admin = {"Authorization": "Bearer admin"}
    with serving(Store(project / ".idamconf" / "local.db")) as emulator:
        principal = emulator.store.find("servicePrincipals", "appId", app["appId"])
        gone = httpx.delete(f"{emulator.base_url}/servicePrincipals/{principal['id']}", trust_env=False,
                            headers=admin)
    assert gone.status_code == 204, gone.text
    again = plan(project)
    assert again.code == 0, again.err
    assert f"~ app.pui.service_principal  (restore {principal['id']} from deleted items" in again.out, again.out
    assert "app.pui.saml.signing_certificate" not in again.out, again.out  # it comes back with the restore
    with serving(Store(project / ".idamconf" / "local.db")) as emulator:
        purged = httpx.delete(f"{emulator.base_url}/directory/deletedItems/{principal['id']}", trust_env=False,
                              headers=admin)
    assert purged.status_code == 204, purged.text
    again = plan(project)
    assert again.code == 0, again.err
    for address in ("app.pui.saml", "app.pui.saml.claims_policy", "app.pui.saml.signing_certificate"):
        assert f"+ {address}" in again.out, again.out


def test_an_entity_id_on_the_service_providers_own_domain_is_validated_applied_and_converges(project):
    """A SAML service provider names itself by a URL of its own (`https://signin.aws.amazon.com/saml` in Graph's
    SAML tutorial, answered 204 once the application is in SAML mode), not on the tenant's verified domains: validate
    and the emulator take it for a SAML application, and refuse it for any other, as Graph does."""
    entity = "https://sp.vendor.example/saml/metadata"
    write(project, PUI.replace("entityId: PUI", f"entityId: {entity}"))
    assert idamconf("validate", "-C", str(project)).code == 0
    first = apply(project)
    assert first.code == 0, first.err
    again = plan(project)
    assert again.out.rstrip().endswith("No changes. The tenant matches the configuration."), again.out
    [app] = [a for a in tenant(project)["objects"]["applications"] if a["uniqueName"] == "pui"]
    assert entity in app["identifierUris"]
    exported = project / "applications" / "exported.yaml"  # as `idamconf export` writes an adopted SAML application
    claimed = ("name: exported\ndisplayName: Exported\nowners: [alice.admin@contoso.com, bob.ops@contoso.com]\n"
               "identifierUris: ['https://sp.other-vendor.example/saml']\n"
               "servicePrincipal: {preferredSingleSignOnMode: saml}\n")
    exported.write_text(claimed + "appId: 6f1c3b2a-1d4e-4f5a-9b8c-7d6e5f4a3b2c\n", encoding="utf-8")
    assert idamconf("validate", "-C", str(project)).code == 0  # adopted: it exists, in SAML mode
    exported.write_text(claimed, encoding="utf-8")  # new: its URIs would reach Graph before its service principal
    assert "is on a host that is not a verified domain" in idamconf("validate", "-C", str(project)).err
    exported.write_text(claimed.replace("https://", "http://") + "appId: 6f1c3b2a-1d4e-4f5a-9b8c-7d6e5f4a3b2c\n",
                        encoding="utf-8")
    assert idamconf("validate", "-C", str(project)).code == 1  # http: never
    exported.unlink()
    (project / "applications" / "api.yaml").write_text(
        "name: api\ndisplayName: API\nowners: [alice.admin@contoso.com, bob.ops@contoso.com]\n"
        f"identifierUris: ['{entity}/api']\n", encoding="utf-8")
    refused = idamconf("validate", "-C", str(project))
    assert refused.code == 1 and "is on a host that is not a verified domain of the tenant" in refused.err, refused.err
