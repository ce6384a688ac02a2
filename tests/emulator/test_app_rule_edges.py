"""Graph's rules on an application's URIs at their edges, with raw HTTP (graph/uri_rules.py, which validate applies
too): each limit's own value is accepted and one more is refused; a verified domain covers its subdomains and no
other host that merely ends with its name; both personal-account audiences are held to the personal rules."""

from __future__ import annotations

import pytest

from idamconf.emulator.seed import seed

from .conftest import assert_error
from .test_app_rules import PERSONAL, V2, accepted, certificate, refused


@pytest.fixture
def tenant(api):
    seed(api.store, {"tenant": {"verifiedDomains": ["contoso.com"]}})
    return api.store.tenant_id


def _uri(tenant: str, length: int) -> str:
    head = f"api://{tenant}/"
    return head + "x" * (length - len(head))


def test_a_redirect_uri_of_256_characters_is_accepted_and_257_refused(api):
    head = "https://app.contoso.com/"
    accepted(api, web={"redirectUris": [head + "x" * (256 - len(head))]})
    refused(api, web={"redirectUris": [head + "x" * (257 - len(head))]})


@pytest.mark.parametrize("body, longest", [({"api": V2}, 255), (PERSONAL, 120)])
def test_an_identifier_uri_at_its_audiences_limit_is_accepted_and_one_more_refused(api, tenant, body, longest):
    accepted(api, identifierUris=[_uri(tenant, longest)], **body)
    refused(api, identifierUris=[_uri(tenant, longest + 1)], **body)


def test_a_verified_domain_covers_its_subdomains_and_no_host_merely_ending_with_its_name(api, tenant):
    accepted(api, identifierUris=["https://payroll.contoso.com/api"], api=V2)
    refused(api, code="HostNameNotOnVerifiedDomain", identifierUris=["https://notcontoso.com/api"], api=V2)
    refused(api, code="HostNameNotOnVerifiedDomain", identifierUris=["https://payroll.notcontoso.com/api"], api=V2)


def test_an_http_identifier_uri_must_be_on_a_verified_domain_too(api, tenant):
    refused(api, code="HostNameNotOnVerifiedDomain", identifierUris=["http://payroll.example.com/api"], api=V2)


@pytest.mark.parametrize("audience", ["AzureADandPersonalMicrosoftAccount", "PersonalMicrosoftAccount"])
def test_both_personal_audiences_refuse_wildcards_and_queries_in_redirect_uris(api, audience):
    personal = {**PERSONAL, "signInAudience": audience}
    refused(api, web={"redirectUris": ["https://*.contoso.com/signin"]}, **personal)
    refused(api, web={"redirectUris": ["https://app.contoso.com/cb?idp=1"]}, **personal)
    accepted(api, web={"redirectUris": ["https://app.contoso.com/cb"]}, **personal)


def test_http_is_for_loopback_only(api):
    accepted(api, web={"redirectUris": ["http://localhost:5000/x", "http://127.0.0.1/cb"]})
    refused(api, web={"redirectUris": ["http://app.contoso.com/signin"]})
    refused(api, spa={"redirectUris": ["ms-app://spa"]})


def test_a_uri_without_a_host_holds_a_verified_domain_among_its_parts(api, tenant):
    """The default policy asks a new URI of a v1 application for the tenant id, the app id or a verified domain:
    in urn:contoso.com:payroll the verified domain is one of the parts."""
    accepted(api, identifierUris=["urn:contoso.com:payroll"])
    refused(api, identifierUris=["urn:notcontoso.com:payroll"])


@pytest.mark.parametrize("uri", ["api://{tenant}/payroll?x=1", "api://{tenant}/payroll#x", "urn:{tenant}:payroll"])
def test_a_personal_account_identifier_uri_has_no_query_fragment_or_urn(api, tenant, uri):
    refused(api, identifierUris=[uri.format(tenant=tenant)], **PERSONAL)
    accepted(api, identifierUris=[f"api://{tenant}/payroll"], **PERSONAL)


# ------------------------------------------------------------------ session 38: rules found unguarded by a sweep
def test_a_redirect_uri_that_is_not_a_string_is_refused(api):
    error = refused(api, web={"redirectUris": ["https://app.contoso.com/signin", 5]})
    assert error["message"] == "Invalid value specified for property 'web' of resource 'Application'."


def test_a_certificate_must_end_after_it_starts_not_at_the_same_instant(api):
    at = "2030-01-01T00:00:00Z"
    refused(api, keyCredentials=[certificate(startDateTime=at, endDateTime=at)])
    accepted(api, keyCredentials=[certificate(startDateTime=at, endDateTime="2030-01-01T00:00:01Z")])


def test_a_key_with_characters_outside_base64_is_refused_even_when_the_rest_decodes(api):
    """`MIIB$szCC` decodes as `MIIBszCC` once the `$` is dropped; Graph's Edm.Binary refuses it whole."""
    error = refused(api, keyCredentials=[certificate(key="MIIB$szCC")])
    assert error["message"] == "Cannot convert the literal 'MIIB$szCC' to the expected type 'Edm.Binary'."


def _restriction(api, **fields) -> None:
    response = api.patch("policies/defaultAppManagementPolicy", json={"applicationRestrictions": {"identifierUris": {
        "uriAdditionWithoutUniqueTenantIdentifier": fields}}})
    assert response.status_code == 204, response.text


def test_a_uri_held_in_capitals_before_the_policy_is_kept_by_later_writes(api, tenant):
    """Identifier URIs compare without case: a legacy URI written with capitals is one the application holds, not
    one a later write adds."""
    _restriction(api, state="disabled")
    app = accepted(api, identifierUris=["api://Legacy-Payroll"])
    _restriction(api, state="enabled")
    assert api.patch(f"applications/{app['id']}", json={"displayName": "renamed"}).status_code == 204
    assert api.get(f"applications/{app['id']}").json()["identifierUris"] == ["api://Legacy-Payroll"]


def test_an_application_created_at_the_restrictions_date_is_restricted(api, tenant):
    """restrictForAppsCreatedAfterDateTime: the date from which the restriction applies -- an application created
    at that very instant is held to it; one created before it is not."""
    app = accepted(api)
    created = api.get(f"applications/{app['id']}").json()["createdDateTime"]
    _restriction(api, restrictForAppsCreatedAfterDateTime=created)
    assert_error(api.patch(f"applications/{app['id']}", json={"identifierUris": ["api://eucs-idam"]}), 400)
    _restriction(api, restrictForAppsCreatedAfterDateTime="2099-01-01T00:00:00Z")
    assert api.patch(f"applications/{app['id']}", json={"identifierUris": ["api://eucs-idam"]}).status_code == 204


@pytest.mark.parametrize("name", ["alternativeNames", "notificationEmailAddresses", "replyUrls",
                                  "servicePrincipalNames"])
def test_a_service_principals_collections_hold_no_empty_string(api, name):
    app = accepted(api)
    assert_error(api.post("servicePrincipals", json={"appId": app["appId"], name: [""]}), 400, "Request_BadRequest")


def test_accept_mapped_claims_is_a_boolean(api):
    error = refused(api, api={"acceptMappedClaims": "yes"})
    assert error["message"] == "Invalid value specified for property 'acceptMappedClaims' of resource 'ApiApplication'."
    assert accepted(api, api={"acceptMappedClaims": True})["api"]["acceptMappedClaims"] is True
