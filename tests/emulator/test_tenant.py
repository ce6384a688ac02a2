"""The emulated tenant's own settings: its default app-management policy, its verified domains, and the seed file
that sets them; over raw HTTP, in-process and served."""

from __future__ import annotations

import pytest

from idamconf.emulator import Store
from idamconf.emulator.seed import SeedError, seed, seed_file

from .conftest import assert_error, serving

POLICY = "policies/defaultAppManagementPolicy"
RESTRICTION = ("applicationRestrictions", "identifierUris", "uriAdditionWithoutUniqueTenantIdentifier")


def restriction(policy: dict) -> dict:
    for name in RESTRICTION:
        policy = policy[name]
    return policy


def test_the_default_policy_is_on_with_the_identifier_uri_restriction_as_microsoft_ships_it(api):
    response = api.get(POLICY)
    assert response.status_code == 200
    policy = response.json()
    assert policy["@odata.context"].endswith("/$metadata#policies/defaultAppManagementPolicy/$entity")
    assert policy["id"] == "00000000-0000-0000-0000-000000000000" and policy["isEnabled"] is True
    assert restriction(policy)["state"] == "enabled" and restriction(policy)["isStateSetByMicrosoft"] is True
    assert policy["applicationRestrictions"]["identifierUris"]["nonDefaultUriAddition"] is None
    assert policy["servicePrincipalRestrictions"] == {"passwordCredentials": [], "keyCredentials": []}


def test_patch_switches_the_restriction_and_records_that_the_tenant_set_it(api):
    body = {"applicationRestrictions": {"identifierUris": {"uriAdditionWithoutUniqueTenantIdentifier": {
        "state": "disabled"}}}}
    assert api.patch(POLICY, json=body).status_code == 204
    policy = api.get(POLICY).json()
    assert restriction(policy)["state"] == "disabled" and restriction(policy)["isStateSetByMicrosoft"] is False
    assert policy["isEnabled"] is True
    assert api.post("applications", json={"displayName": "a", "identifierUris": ["api://a"]}).status_code == 201


def test_a_disabled_policy_enforces_nothing(api):
    assert api.patch(POLICY, json={"isEnabled": False}).status_code == 204
    assert api.post("applications", json={"displayName": "a", "identifierUris": ["api://a"]}).status_code == 201


SOMETIMES = {"identifierUris": {"uriAdditionWithoutUniqueTenantIdentifier": {"state": "sometimes"}}}
PASSWORDS = {"passwordCredentials": [{"restrictionType": "passwordAddition", "state": "enabled"}]}


@pytest.mark.parametrize("body", [{"colour": "red"}, {"isEnabled": "yes"}, {"id": "x"},
                                  {"applicationRestrictions": SOMETIMES}, {"applicationRestrictions": PASSWORDS}])
def test_patch_refuses_what_the_policy_does_not_hold(api, body):
    assert_error(api.patch(POLICY, json=body), 400, "Request_BadRequest")
    assert restriction(api.get(POLICY).json())["state"] == "enabled"


def _restriction_change(**fields) -> dict:
    return {"applicationRestrictions": {"identifierUris": {"uriAdditionWithoutUniqueTenantIdentifier": fields}}}


@pytest.mark.parametrize("body, message", [
    ({"isEnabled": None}, "Invalid value specified for property 'isEnabled': 'None'."),
    (_restriction_change(restrictForAppsCreatedAfterDateTime="soon"),
     "Invalid value specified for property 'restrictForAppsCreatedAfterDateTime': 'soon'."),
    (_restriction_change(isStateSetByMicrosoft=True),
     "Property 'isStateSetByMicrosoft' is read-only and cannot be set.")])
def test_each_refusal_of_a_patch_names_its_own_fault(api, body, message):
    """A boolean is never null; a date-time starts with its year; who set the state is the service's to say."""
    assert assert_error(api.patch(POLICY, json=body), 400, "Request_BadRequest")["message"] == message
    assert restriction(api.get(POLICY).json())["state"] == "enabled"


def test_other_policies_are_not_served(api):
    assert_error(api.get("policies/tokenLifetimePolicies"), 400)


def test_domains_and_organization_list_the_verified_domains(api):
    seed(api.store, {"tenant": {"verifiedDomains": ["contoso.com", "fabrikam.com"]}})
    domains = api.get("domains").json()["value"]
    assert [d["id"] for d in domains] == ["contoso.onmicrosoft.com", "contoso.com", "fabrikam.com"]
    assert all(d["isVerified"] for d in domains) and [d["isInitial"] for d in domains] == [True, False, False]
    assert api.get("domains/contoso.com").json()["id"] == "contoso.com"
    assert_error(api.get("domains/example.com"), 404, "Request_ResourceNotFound")
    organization = api.get("organization").json()["value"]
    assert [o["id"] for o in organization] == [api.store.tenant_id]
    assert [d["name"] for d in organization[0]["verifiedDomains"]] == [d["id"] for d in domains]
    assert api.get(f"organization/{api.store.tenant_id}").json()["id"] == api.store.tenant_id


def test_the_seed_file_sets_the_tenant(tmp_path):
    path = tmp_path / "seed.yaml"
    path.write_text("tenant:\n  id: 3F1C0000-0000-4000-8000-0000000000AA\n  verifiedDomains: [contoso.com]\n"
                    "  defaultAppManagementPolicy:\n    applicationRestrictions:\n      identifierUris:\n"
                    "        uriAdditionWithoutUniqueTenantIdentifier: {state: disabled}\n")
    store = Store()
    seed_file(store, path)
    assert store.tenant_id == "3f1c0000-0000-4000-8000-0000000000aa"
    with serving(store) as served:
        import httpx

        with httpx.Client(base_url=served.base_url + "/", headers={"Authorization": "Bearer t"},
                          trust_env=False) as http:
            assert restriction(http.get(POLICY).json())["state"] == "disabled"
            assert [d["id"] for d in http.get("domains").json()["value"]][-1] == "contoso.com"
            created = http.post("applications", json={"displayName": "a", "identifierUris": ["api://a"]})
            assert created.status_code == 201, created.text


@pytest.mark.parametrize("tenant,message", [({"id": "not-a-guid"}, "tenant.id"),
                                            ({"verifiedDomains": "contoso.com"}, "tenant.verifiedDomains"),
                                            ({"colour": "red"}, "unknown field"),
                                            ({"defaultAppManagementPolicy": {"isEnabled": "no"}},
                                             "defaultAppManagementPolicy")])
def test_a_bad_tenant_block_is_a_seed_error(api, tenant, message):
    with pytest.raises(SeedError, match=message):
        seed(api.store, {"tenant": tenant})


def test_served_probes_answer_as_in_process(http):
    """The same rules over a real socket: the hidden probes use `idamconf emulator serve`."""
    assert http.get(POLICY).json()["isEnabled"] is True
    refused = http.post("applications", json={"displayName": "a", "identifierUris": ["api://eucs-idam-wordpress"]})
    assert refused.status_code == 400 and refused.json()["error"]["message"].startswith("Failed to add identifier URI")
    unverified = http.post("applications", json={"displayName": "a", "identifierUris": ["https://example.com/a"]})
    assert unverified.status_code == 400 and unverified.json()["error"]["code"] == "HostNameNotOnVerifiedDomain"
    personal = http.post("applications", json={"displayName": "a", "signInAudience": "PersonalMicrosoftAccount"})
    assert personal.status_code == 400 and personal.json()["error"]["code"] == "InvalidAccessTokenVersion"
