"""Session 53's fidelity review of the emulator against Microsoft Graph v1.0's documentation
(microsoftgraph/microsoft-graph-docs-contrib, api-reference/v1.0/, and the same descriptions in the msgraph-sdk models
this project pins), on the requests idamconf sends for SAML applications: each test is a write the emulator took and
Graph's documentation refuses."""

from __future__ import annotations

import pytest

from .conftest import assert_error
from .test_saml import instantiate

ACS = "https://pui.example.com/saml/acs"
ACS2 = "https://pui.example.com/saml/acs2"


def _saml_application(api) -> dict:
    """An application of the non-gallery template, in SAML mode, with two reply URLs."""
    made = instantiate(api)
    app = made["application"]
    assert api.patch(f"servicePrincipals(appId='{app['appId']}')",
                     json={"preferredSingleSignOnMode": "saml"}).status_code == 204
    assert api.patch(f"applications/{app['id']}", json={"web": {"redirectUris": [ACS, ACS2]}}).status_code == 204
    return made


# ------------------------------------------------------------------------------------- the default reply URL
def test_a_default_redirect_uri_that_is_not_one_of_the_applications_redirect_uris_is_refused(api):
    """application.md, defaultRedirectUri: "The value must match one of the configured redirect URIs for the
    application." The emulator stored any string."""
    app = _saml_application(api)["application"]
    for elsewhere in ("https://pui.example.com/saml/other", "not a URI", ACS.upper()):
        error = assert_error(api.patch(f"applications/{app['id']}", json={"defaultRedirectUri": elsewhere}), 400,
                             "Request_BadRequest")
        assert error["message"] == "Invalid value specified for property 'defaultRedirectUri' of resource " \
                                   "'Application'."
    assert api.get(f"applications/{app['id']}?$select=defaultRedirectUri").json()["defaultRedirectUri"] is None
    assert api.patch(f"applications/{app['id']}", json={"defaultRedirectUri": ACS2}).status_code == 204
    added = "https://pui.example.com/saml/acs3"  # a redirect URI added by the same write is one of them
    assert api.patch(f"applications/{app['id']}", json={"defaultRedirectUri": added, "web": {
        "redirectUris": [ACS, ACS2, added]}}).status_code == 204
    assert api.patch(f"applications/{app['id']}", json={"defaultRedirectUri": None}).status_code == 204


def test_a_default_redirect_uri_is_checked_on_create_and_upsert_too(api):
    assert_error(api.post("applications", json={"displayName": "PUI", "defaultRedirectUri": ACS}), 400)
    upsert = api.patch("applications(uniqueName='pui')", headers={"Prefer": "create-if-missing"},
                       json={"displayName": "PUI", "defaultRedirectUri": ACS})
    assert_error(upsert, 400, "Request_BadRequest")
    made = api.post("applications", json={"displayName": "PUI", "defaultRedirectUri": ACS,
                                          "web": {"redirectUris": [ACS]}})
    assert made.status_code == 201 and made.json()["defaultRedirectUri"] == ACS


# ----------------------------------------------------------------------------------------------- ACS indexes
def test_an_acs_index_given_to_two_redirect_uris_is_refused(api):
    """redirectUriSettings (the pinned msgraph-sdk's RedirectUriSettings; api-reference/beta/resources/
    redirecturisettings.md), index: "The index is unique across all the redirectUris for the application." The
    emulator stored two URIs under one index."""
    app = _saml_application(api)["application"]
    twice = [{"uri": ACS, "index": 1}, {"uri": ACS2, "index": 1}]
    error = assert_error(api.patch(f"applications/{app['id']}", json={"web": {"redirectUriSettings": twice}}), 400,
                         "Request_BadRequest")
    assert error["message"] == "Invalid value specified for property 'web' of resource 'Application'."
    assert api.get(f"applications/{app['id']}?$select=web").json()["web"]["redirectUriSettings"] == []
    apart = [{"uri": ACS, "index": 0}, {"uri": ACS2, "index": 1}]
    assert api.patch(f"applications/{app['id']}", json={"web": {"redirectUriSettings": apart}}).status_code == 204
    unindexed = [{"uri": ACS, "index": None}, {"uri": ACS2, "index": None}]  # "Defaults to null": no index at all
    assert api.patch(f"applications/{app['id']}", json={"web": {"redirectUriSettings": unindexed}}).status_code == 204


@pytest.mark.parametrize("setting", [{"uri": ACS, "index": "1"}, {"uri": ACS, "index": True},
                                     {"uri": ACS, "index": 1.5}, {"uri": 7, "index": 1}, {"uri": ACS, "place": 1},
                                     "https://pui.example.com/saml/acs"])
def test_an_acs_setting_of_other_types_than_declared_is_refused(api, setting):
    """redirectUriSettings: `uri` String, `index` Int32 -- and nothing else."""
    app = _saml_application(api)["application"]
    assert_error(api.patch(f"applications/{app['id']}", json={"web": {"redirectUriSettings": [setting]}}), 400,
                 "Request_BadRequest")
