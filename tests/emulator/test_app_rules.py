"""Graph's documented rules on an application, each tried with raw HTTP: status and code (and the message where
Graph's is documented). docs/emulator.md's fidelity table names the test of each rule."""

from __future__ import annotations

import uuid

import pytest

from idamconf.emulator.seed import seed

from .conftest import ALICE, assert_error

V2 = {"requestedAccessTokenVersion": 2}
PERSONAL = {"signInAudience": "AzureADandPersonalMicrosoftAccount", "api": V2}
CERT = "MIIBszCCAVmgAwIBAgIUZ2V0LXJlYWwtY2VydA=="  # base64 of DER bytes (a SEQUENCE); the emulator does not parse it


@pytest.fixture
def tenant(api):
    """The emulated tenant verifies contoso.com besides its initial domain, contoso.onmicrosoft.com."""
    seed(api.store, {"tenant": {"verifiedDomains": ["contoso.com"]}})
    return api.store.tenant_id


def create(client, **body):
    body.setdefault("displayName", "app")
    return client.post("applications", json=body)


def refused(client, status: int = 400, code: str = "Request_BadRequest", **body) -> dict:
    before = len(client.get("applications").json()["value"])
    error = assert_error(create(client, **body), status, code)
    assert len(client.get("applications").json()["value"]) == before, "a refused create left an application"
    return error


def accepted(client, **body) -> dict:
    response = create(client, **body)
    assert response.status_code == 201, response.text
    return response.json()


def disable_identifier_uri_policy(api) -> None:
    response = api.patch("policies/defaultAppManagementPolicy", json={"applicationRestrictions": {"identifierUris": {
        "uriAdditionWithoutUniqueTenantIdentifier": {"state": "disabled"}}}})
    assert response.status_code == 204, response.text


# ----------------------------------------------------------------------------------------------- display name
def test_display_name_is_at_most_120_characters(api):
    refused(api, displayName="d" * 121)
    assert accepted(api, displayName="d" * 120)["displayName"] == "d" * 120


def test_display_name_is_at_most_90_characters_for_personal_accounts(api):
    refused(api, displayName="d" * 91, **PERSONAL)
    accepted(api, displayName="d" * 90, **PERSONAL)


# ------------------------------------------------------------------------------------------- identifier URIs
@pytest.mark.parametrize("uri", ["api://payroll/", "api://*.payroll", "https://contoso.com/*", "api://" + "p" * 250,
                                 ""])
def test_identifier_uri_forms_graph_refuses(api, tenant, uri):
    error = refused(api, identifierUris=[uri.replace("payroll", f"{tenant}/payroll")], api=V2)
    assert error["message"] == "Invalid value specified for property 'identifierUris' of resource 'Application'."


def test_an_api_guid_must_be_the_apps_or_the_tenants(api, tenant):
    refused(api, identifierUris=[f"api://{uuid.uuid4()}"], api=V2)
    accepted(api, identifierUris=[f"api://{tenant}"])
    app = accepted(api, displayName="second")
    assert api.patch(f"applications/{app['id']}", json={"identifierUris": [f"api://{app['appId']}"]}).status_code == 204


def test_an_https_identifier_uri_must_be_on_a_verified_domain(api, tenant):
    error = refused(api, code="HostNameNotOnVerifiedDomain", identifierUris=["https://payroll.example.com/api"],
                    api=V2)
    assert error["message"] == ("Values of identifierUris property must use a verified domain of the organization "
                                "or its subdomain: 'https://payroll.example.com/api'")
    for uri in ("https://contoso.com/payroll", "https://payroll.contoso.com", "https://contoso.onmicrosoft.com/pay"):
        accepted(api, displayName=uri, identifierUris=[uri])


def test_the_default_policy_refuses_a_new_uri_without_a_tenant_identifier_on_a_v1_application(api, tenant):
    error = refused(api, identifierUris=["api://eucs-idam-wordpress"])
    assert error["message"] == (
        "Failed to add identifier URI api://eucs-idam-wordpress. All newly added URIs must contain a tenant verified "
        "domain, tenant ID, or app ID, as per the default tenant policy of your organization. See "
        "https://aka.ms/identifier-uri-addition-error for more information on this error.")
    refused(api, identifierUris=["urn:eucs:wordpress"])
    for uri in (f"api://{tenant}/wordpress", "api://wordpress.contoso.com/x", f"urn:eucs:{tenant}"):
        accepted(api, displayName=uri, identifierUris=[uri])


def v2_application(client, **body) -> dict:
    """A v2 application, and then its URIs: Graph spares only an application that already receives v2 tokens."""
    uris = body.pop("identifierUris", [])
    app = accepted(client, api=V2, **body)
    response = client.patch(f"applications/{app['id']}", json={"identifierUris": uris})
    assert response.status_code == 204, response.text
    return client.get(f"applications/{app['id']}").json()


def test_the_default_policy_spares_v2_applications_and_accepts_uris_without_a_scheme(api, tenant):
    for uri in ("api://eucs-idam-wordpress", "urn:eucs:wordpress", "PUI"):
        assert v2_application(api, displayName=uri, identifierUris=[uri])["identifierUris"] == [uri]


def test_a_create_or_the_write_that_moves_to_v2_is_not_spared(api, tenant):
    refused(api, identifierUris=["api://eucs-idam-wordpress"], api=V2)
    app = accepted(api)
    assert_error(api.patch(f"applications/{app['id']}", json={"api": V2, "identifierUris": ["api://eucs-idam"]}), 400)
    assert api.patch(f"applications/{app['id']}", json={"api": V2}).status_code == 204
    assert api.patch(f"applications/{app['id']}", json={"identifierUris": ["api://eucs-idam"]}).status_code == 204


def test_a_policy_that_does_not_exclude_v2_applications_applies_to_them(api, tenant):
    response = api.patch("policies/defaultAppManagementPolicy", json={"applicationRestrictions": {"identifierUris": {
        "uriAdditionWithoutUniqueTenantIdentifier": {"excludeAppsReceivingV2Tokens": False}}}})
    assert response.status_code == 204, response.text
    app = accepted(api, api=V2)
    assert_error(api.patch(f"applications/{app['id']}", json={"identifierUris": ["api://eucs-idam"]}), 400)
    assert "excludeAppsReceivingV2Tokens" not in str(api.get("policies/defaultAppManagementPolicy").json())


def test_with_the_policy_off_any_unique_uri_is_accepted(api, tenant):
    disable_identifier_uri_policy(api)
    for uri in ("api://eucs-idam-wordpress", "urn:oasis:names:tc:SAML:2.0:entity", "PUI"):
        accepted(api, displayName=uri, identifierUris=[uri])


def test_the_policy_checks_only_the_uris_a_write_adds(api, tenant):
    disable_identifier_uri_policy(api)
    app = accepted(api, identifierUris=["api://legacy"])
    assert api.patch("policies/defaultAppManagementPolicy", json={"applicationRestrictions": {"identifierUris": {
        "uriAdditionWithoutUniqueTenantIdentifier": {"state": "enabled"}}}}).status_code == 204
    assert api.patch(f"applications/{app['id']}", json={"displayName": "renamed"}).status_code == 204
    keep = {"identifierUris": ["api://legacy", f"api://{app['appId']}"]}
    assert api.patch(f"applications/{app['id']}", json=keep).status_code == 204
    assert_error(api.patch(f"applications/{app['id']}", json={"identifierUris": ["api://legacy", "api://other"]}),
                 400, "Request_BadRequest")


def test_a_v2_application_with_such_uris_cannot_go_back_to_v1_tokens(api, tenant):
    app = v2_application(api, identifierUris=["api://payroll"])
    assert_error(api.patch(f"applications/{app['id']}", json={"api": {"requestedAccessTokenVersion": 1}}), 400)
    assert api.get(f"applications/{app['id']}").json()["api"]["requestedAccessTokenVersion"] == 2
    compliant = accepted(api, displayName="compliant", identifierUris=[f"api://{tenant}/x"], api=V2)
    assert api.patch(f"applications/{compliant['id']}", json={"api": {"requestedAccessTokenVersion": 1}}
                     ).status_code == 204


def test_the_non_default_uri_restriction_allows_only_the_default_forms(api, tenant):
    response = api.patch("policies/defaultAppManagementPolicy", json={"applicationRestrictions": {"identifierUris": {
        "nonDefaultUriAddition": {"state": "enabled"}}}})
    assert response.status_code == 204, response.text
    app = accepted(api)
    assert_error(api.patch(f"applications/{app['id']}", json={"identifierUris": [f"api://{tenant}/x"]}), 400)
    for uri in (f"api://{app['appId']}", f"api://{tenant}/{app['appId']}"):
        assert api.patch(f"applications/{app['id']}", json={"identifierUris": [uri]}).status_code == 204


def test_a_multi_tenant_application_needs_a_verified_or_own_host_for_api_uris(api, tenant):
    multi = {"signInAudience": "AzureADMultipleOrgs", "api": V2}
    error = refused(api, code="HostNameNotOnVerifiedDomain", identifierUris=["api://payroll"], **multi)
    assert error["message"].endswith(": 'payroll'")
    accepted(api, displayName="verified", identifierUris=["api://payroll.contoso.com/x"], **multi)
    single = v2_application(api, displayName="single", identifierUris=["api://payroll"])
    assert_error(api.patch(f"applications/{single['id']}", json={"signInAudience": "AzureADMultipleOrgs"}), 400,
                 "HostNameNotOnVerifiedDomain")


def test_personal_account_identifier_uri_limits(api, tenant):
    refused(api, identifierUris=[f"api://{tenant}/" + "x" * 90], **PERSONAL)  # over 120 characters
    refused(api, identifierUris=[f"urn:{tenant}:x"], **PERSONAL)
    refused(api, identifierUris=[f"api://{tenant}/x?y=1"], **PERSONAL)
    refused(api, identifierUris=[f"api://{tenant}/x{n}" for n in range(51)], **PERSONAL)
    accepted(api, identifierUris=[f"api://{tenant}/x{n}" for n in range(50)], **PERSONAL)


# ------------------------------------------------------------------------------------------------------- api
@pytest.mark.parametrize("audience", ["AzureADandPersonalMicrosoftAccount", "PersonalMicrosoftAccount"])
@pytest.mark.parametrize("version", [None, 1])
def test_personal_accounts_need_v2_access_tokens(api, audience, version):
    body = {"signInAudience": audience} if version is None else {"signInAudience": audience,
                                                                  "api": {"requestedAccessTokenVersion": version}}
    error = refused(api, code="InvalidAccessTokenVersion", **body)
    assert error["message"] == "One or more properties contains invalid values."


def test_becoming_personal_needs_v2_in_the_same_or_an_earlier_write(api):
    app = accepted(api)
    assert_error(api.patch(f"applications/{app['id']}", json={"signInAudience": "PersonalMicrosoftAccount"}), 400,
                 "InvalidAccessTokenVersion")
    assert api.patch(f"applications/{app['id']}", json={"signInAudience": "PersonalMicrosoftAccount", "api": V2}
                     ).status_code == 204


@pytest.mark.parametrize("api_body", [{"requestedAccessTokenVersion": 3}, {"colour": "red"},
                                      {"knownClientApplications": ["not-a-guid"]},
                                      {"oauth2PermissionScopes": [{"id": "x", "value": "read"}]}])
def test_invalid_api_settings(api, api_body):
    refused(api, api=api_body)


def test_personal_account_applications_have_no_app_roles(api):
    role = {"id": str(uuid.uuid4()), "displayName": "Reader", "value": "Reader", "allowedMemberTypes": ["User"]}
    refused(api, appRoles=[role], **PERSONAL)


# ------------------------------------------------------------------------------------------------ redirect URIs
@pytest.mark.parametrize("platform,uri", [
    ("web", "https://app.contoso.com/" + "x" * 240), ("web", "http://app.contoso.com/signin"),
    ("spa", "ms-app://spa"), *(("web", f"https://app.contoso.com/a{c}b") for c in "!$'(),;")])
def test_redirect_uri_forms_graph_refuses(api, platform, uri):
    error = refused(api, **{platform: {"redirectUris": [uri]}})
    assert error["message"] == f"Invalid value specified for property '{platform}' of resource 'Application'."


def test_redirect_uris_graph_accepts(api):
    accepted(api, web={"redirectUris": ["https://*.contoso.com/signin", "http://localhost:5000/x",
                                        "https://app.contoso.com/cb?idp=1"]},
             spa={"redirectUris": ["http://127.0.0.1/spa"]}, publicClient={"redirectUris": ["msal0://auth"]})


def test_at_most_256_redirect_uris_across_platforms(api):
    web = [f"https://app.contoso.com/{n}" for n in range(200)]
    refused(api, web={"redirectUris": web}, spa={"redirectUris": [f"https://spa.contoso.com/{n}" for n in range(57)]})
    accepted(api, web={"redirectUris": web}, spa={"redirectUris": [f"https://spa.contoso.com/{n}" for n in range(56)]})


def test_personal_account_redirect_uri_limits(api):
    refused(api, web={"redirectUris": ["https://*.contoso.com/signin"]}, **PERSONAL)
    refused(api, web={"redirectUris": ["https://app.contoso.com/cb?idp=1"]}, **PERSONAL)
    refused(api, web={"redirectUris": [f"https://app.contoso.com/{n}" for n in range(101)]}, **PERSONAL)
    accepted(api, web={"redirectUris": [f"https://app.contoso.com/{n}" for n in range(100)]}, **PERSONAL)


# ---------------------------------------------------------------------------------- tags, owners, certificates
@pytest.mark.parametrize("tags", [["   "], [""], ["t" * 257], ["hr", "hr"]])
def test_tags_graph_refuses(api, tags):
    error = refused(api, tags=tags)
    assert error["message"] == "Invalid value specified for property 'tags' of resource 'Application'."


def test_at_most_100_owners(api):
    app = accepted(api)
    people = [{"userPrincipalName": f"user{n}@contoso.com"} for n in range(101)]
    users = api.seed_users(*people)
    for user in users[:100]:
        reference = {"@odata.id": f"https://graph.microsoft.com/v1.0/directoryObjects/{user['id']}"}
        assert api.post(f"applications/{app['id']}/owners/$ref", json=reference).status_code == 204
    reference = {"@odata.id": f"https://graph.microsoft.com/v1.0/directoryObjects/{users[100]['id']}"}
    assert_error(api.post(f"applications/{app['id']}/owners/$ref", json=reference), 400, "Request_BadRequest")
    assert len(api.store.targets("owners", app["id"])) == 100
    again = {"@odata.id": f"https://graph.microsoft.com/v1.0/directoryObjects/{users[0]['id']}"}
    error = assert_error(api.post(f"applications/{app['id']}/owners/$ref", json=again), 400)
    assert error["message"].startswith("One or more added object references already exist")  # not the limit


def certificate(**fields) -> dict:
    return {"type": "AsymmetricX509Cert", "usage": "Verify", "key": CERT, **fields}


@pytest.mark.parametrize("credential", [certificate(type="Password"), certificate(usage="Encrypt"),
                                        certificate(colour="red"), certificate(keyId="not-a-guid"),
                                        certificate(key=None), certificate(startDateTime="2030-01-01T00:00:00Z",
                                                                            endDateTime="2029-01-01T00:00:00Z")])
def test_key_credentials_graph_refuses(api, credential):
    refused(api, keyCredentials=[credential])


def test_a_key_that_is_not_base64_is_refused_as_graph_refuses_it(api):
    error = refused(api, keyCredentials=[certificate(key="MIID_not-base64")])
    assert error["message"] == "Cannot convert the literal 'MIID_not-base64' to the expected type 'Edm.Binary'."


def test_a_certificate_is_accepted(api):
    app = accepted(api, keyCredentials=[certificate(displayName="CN=payroll", startDateTime="2026-01-01T00:00:00Z",
                                                    endDateTime="2027-01-01T00:00:00Z")])
    assert app["keyCredentials"][0]["usage"] == "Verify"


# ---------------------------------------------------------------------------------- permissions and manifest
def access(count: int, kind: str = "Scope") -> list:
    return [{"id": str(uuid.uuid4()), "type": kind} for _ in range(count)]


@pytest.mark.parametrize("required", [
    [{"resourceAppId": "00000003-0000-0000-c000-000000000000", "resourceAccess": [{"id": "x", "type": "Scope"}]}],
    [{"resourceAppId": "00000003-0000-0000-c000-000000000000", "resourceAccess": access(1, "Delegated")}],
    [{"resourceAccess": access(1)}],
    [{"resourceAppId": str(uuid.uuid4()), "resourceAccess": access(1)} for _ in range(51)],
    [{"resourceAppId": str(uuid.uuid4()), "resourceAccess": access(201)} for _ in range(2)]])
def test_required_resource_access_graph_refuses(api, required):
    refused(api, requiredResourceAccess=required)


def test_an_application_requests_at_most_400_permissions_and_200_for_personal_accounts(api):
    """Graph's documented totals, at their edges: 400 across an application's APIs, 200 with a personal-account
    audience (validate refuses what Graph would, from the same rule: its numbers are pinned here)."""
    def spread(total: int) -> list:  # over 20 APIs, 30 at most of one (the personal-account limit per API)
        return [{"resourceAppId": str(uuid.uuid4()), "resourceAccess": access(total // 20 + (n < total % 20))}
                for n in range(20)]
    accepted(api, requiredResourceAccess=spread(400))
    refused(api, requiredResourceAccess=spread(401))
    accepted(api, requiredResourceAccess=spread(200), **PERSONAL)
    refused(api, requiredResourceAccess=spread(201), **PERSONAL)


def test_personal_accounts_request_at_most_30_permissions_of_one_api(api):
    one_api = [{"resourceAppId": "00000003-0000-0000-c000-000000000000", "resourceAccess": access(31)}]
    refused(api, requiredResourceAccess=one_api, **PERSONAL)
    accepted(api, requiredResourceAccess=one_api)


def test_the_manifest_holds_at_most_1200_entries(api, tenant):
    tags = [f"t{n}" for n in range(1100)]
    error = refused(api, tags=tags, web={"redirectUris": [f"https://app.contoso.com/{n}" for n in range(101)]})
    assert error["message"].startswith("The size of the manifest has exceeded its limit.")


# ---------------------------------------------------------------------------------------- service principals
@pytest.mark.parametrize("body", [{"tags": ["  "]}, {"preferredSingleSignOnMode": "kerberos"},
                                  {"keyCredentials": [certificate(usage="Encrypt")]},
                                  {"replyUrls": ["http://app.contoso.com/"]}, {"notificationEmailAddresses": [1]},
                                  {"appRoleAssignmentRequired": "yes"}, {"info": {"colour": "red"}}])
def test_service_principal_bodies_graph_refuses(api, body):
    app = accepted(api)
    assert_error(api.post("servicePrincipals", json={"appId": app["appId"], **body}), 400, "Request_BadRequest")
    created = api.post("servicePrincipals", json={"appId": app["appId"]})
    assert created.status_code == 201
    assert_error(api.patch(f"servicePrincipals/{created.json()['id']}", json=body), 400, "Request_BadRequest")


def test_a_saml_application_is_spared_by_the_default_policy(api, tenant):
    app = accepted(api)
    sp = api.post("servicePrincipals", json={"appId": app["appId"], "preferredSingleSignOnMode": "saml"})
    assert sp.status_code == 201
    assert api.patch(f"applications/{app['id']}", json={"identifierUris": ["urn:contoso:saml"]}).status_code == 204


def test_a_seeded_application_obeys_the_rules(api):
    from idamconf.emulator.seed import SeedError

    with pytest.raises(SeedError, match="Failed to add identifier URI"):
        seed(api.store, {"applications": [{"displayName": "legacy", "identifierUris": ["api://legacy"]}]})
    seed(api.store, {"users": [ALICE]})
