"""Session 53's fidelity review of the emulator against Microsoft Graph v1.0's documentation
(microsoftgraph/microsoft-graph-docs-contrib, api-reference/v1.0/, and the same descriptions in the msgraph-sdk models
this project pins), on the requests idamconf sends for SAML applications: each test is a write the emulator took and
Graph's documentation refuses."""

from __future__ import annotations

import datetime as dt

import pytest

from idamconf import clock

from .conftest import assert_error
from .test_saml import instantiate

@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    """The clock these tests move is put back after each (monkeypatch restores its offset)."""
    monkeypatch.setattr(clock, "_offset", dt.timedelta(0))


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


# ------------------------------------------------------------------------------ a token-signing certificate
def next_date_three_years_from_which_hold_no_29_february() -> dt.datetime:
    """The first day from today on whose three calendar years are 1,095 days (no 29 February falls in them): the
    clock moved there shows a three-year certificate counted in days of 365.25 running a day past three years."""
    day = clock.now().replace(hour=12, minute=0, second=0, microsecond=0)
    while (day.month, day.day) == (2, 29) or (day.replace(year=day.year + 3) - day).days != 3 * 365:
        day += dt.timedelta(days=1)
    return day


def move_the_clock_to(day: dt.datetime) -> None:
    clock.advance(seconds=(day - clock.now()).total_seconds())


def _graph(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_signing_certificate_ends_at_most_three_calendar_years_after_it_is_made(api):
    """serviceprincipal-addtokensigningcertificate.md: "The endDateTime can be up to three years after the
    certificate is created" -- three years, not 3 x 366 days, which the emulator took: a day past three years was
    accepted whenever no 29 February fell in them."""
    move_the_clock_to(next_date_three_years_from_which_hold_no_29_february())
    principal = instantiate(api)["servicePrincipal"]["id"]
    now = clock.now().replace(microsecond=0)
    day_past = api.post(f"servicePrincipals/{principal}/addTokenSigningCertificate",
                        json={"displayName": "CN=PUI", "endDateTime": _graph(now + dt.timedelta(days=1096))})
    error = assert_error(day_past, 400, "Request_BadRequest")
    assert "endDateTime" in error["message"]
    three_years = now.replace(year=now.year + 3)
    added = api.post(f"servicePrincipals/{principal}/addTokenSigningCertificate",
                     json={"displayName": "CN=PUI", "endDateTime": _graph(three_years)})
    assert added.status_code == 200, added.text
    assert added.json()["endDateTime"] == _graph(three_years)


def test_a_signing_certificate_without_an_end_lasts_three_calendar_years_by_idamconfs_clock(api):
    """The same page: "If not supplied, the default is three years from the time of creation" -- from the time the
    emulator's clock (idamconf/clock.py, which tests move) says, as its other dates are."""
    move_the_clock_to(next_date_three_years_from_which_hold_no_29_february())
    principal = instantiate(api)["servicePrincipal"]["id"]
    added = api.post(f"servicePrincipals/{principal}/addTokenSigningCertificate", json={"displayName": "CN=PUI"})
    assert added.status_code == 200, added.text
    start = dt.datetime.fromisoformat(added.json()["startDateTime"].replace("Z", "+00:00"))
    assert abs((start - clock.now()).total_seconds()) < 60
    assert added.json()["endDateTime"] == _graph(start.replace(year=start.year + 3))


def test_a_certificate_made_on_29_february_ends_on_28_february_three_years_on(api):
    """Years counted as calendar years (clock.years_later, shared by a password's default two): from 29 February
    to 28 February, never past three years into 1 March (inferred: .NET's AddYears, which Graph runs on, does so)."""
    assert clock.years_later(dt.datetime(2028, 2, 29, 9, tzinfo=dt.timezone.utc), 3) == \
        dt.datetime(2031, 2, 28, 9, tzinfo=dt.timezone.utc)
    move_the_clock_to(dt.datetime(2028, 2, 29, 9, tzinfo=dt.timezone.utc) if clock.now().year < 2028 else
                      dt.datetime(clock.now().year + 4 - clock.now().year % 4, 2, 29, 9, tzinfo=dt.timezone.utc))
    principal = instantiate(api)["servicePrincipal"]["id"]
    added = api.post(f"servicePrincipals/{principal}/addTokenSigningCertificate", json={"displayName": "CN=PUI"})
    assert added.status_code == 200, added.text
    assert added.json()["startDateTime"][5:10] == "02-29" and added.json()["endDateTime"][5:10] == "02-28"
