"""Session 52's fidelity review of the emulator against Microsoft Graph v1.0's documentation
(microsoftgraph/microsoft-graph-docs-contrib, and the same descriptions in the msgraph-sdk models this project pins;
"inferred" where the docs do not say it in so many words)."""

from __future__ import annotations

import uuid

from .conftest import assert_error
from .test_app_rules import CERT, certificate

LONG_NAME = "CN=" + "payroll-signing." * 8  # 131 characters: a certificate subject longer than Graph keeps


# ------------------------------------------------------------------------------ a certificate's display name
def test_a_certificates_display_name_longer_than_90_characters_is_taken_and_kept_as_its_first_90(api):
    """keycredential.md, displayName: "with a maximum length of 90 characters. Longer values are accepted but
    shortened." -- so what a client sends is not what it reads back."""
    app = api.create_app(keyCredentials=[certificate(displayName=LONG_NAME)])
    assert [c["displayName"] for c in api.get(f"applications/{app['id']}").json()["keyCredentials"]] == \
        [LONG_NAME[:90]]
    held = api.get(f"applications/{app['id']}").json()["keyCredentials"]
    response = api.patch(f"applications/{app['id']}", json={"keyCredentials": [
        *held, certificate(displayName="x" * 91), certificate(displayName="y" * 90)]})
    assert response.status_code == 204, response.text
    assert [c["displayName"] for c in api.get(f"applications/{app['id']}").json()["keyCredentials"]] == \
        [LONG_NAME[:90], "x" * 90, "y" * 90]


def test_a_service_principals_certificate_display_name_is_shortened_as_an_applications(api):
    app = api.create_app()
    principal = api.post("servicePrincipals", json={"appId": app["appId"]}).json()
    response = api.patch(f"servicePrincipals/{principal['id']}",
                         json={"keyCredentials": [certificate(displayName=LONG_NAME)]})
    assert response.status_code == 204, response.text
    assert [c["displayName"] for c in api.get(f"servicePrincipals/{principal['id']}").json()["keyCredentials"]] == \
        [LONG_NAME[:90]]


# ------------------------------------------------------------------------------- a delegated permission grant
def _api_with_scopes(api, count: int) -> dict:
    """An API exposing `count` delegated permissions whose values are 100 characters each, and its principal."""
    scopes = [{"id": str(uuid.uuid4()), "type": "User", "value": f"{index:03d}." + "x" * 96, "isEnabled": True,
               "adminConsentDisplayName": "Scope", "adminConsentDescription": "A scope"} for index in range(count)]
    app = api.create_app(displayName="Wide API", api={"oauth2PermissionScopes": scopes})
    return api.post("servicePrincipals", json={"appId": app["appId"]}).json()


def test_a_grants_scope_of_more_than_3850_characters_is_refused_on_create_and_update(api):
    """oauth2permissiongrant.md, scope: "Must not exceed 3,850 characters in length" -- even when every value is a
    delegated permission the resource exposes."""
    resource = _api_with_scopes(api, 39)
    values = [scope["value"] for scope in resource["oauth2PermissionScopes"]]
    client = api.post("servicePrincipals", json={"appId": api.create_app()["appId"]}).json()
    body = {"clientId": client["id"], "consentType": "AllPrincipals", "resourceId": resource["id"]}
    longest = " ".join(values[:38])  # 3,837 characters
    too_long = " ".join(values)  # 3,938
    error = assert_error(api.post("oauth2PermissionGrants", json={**body, "scope": too_long}), 400,
                         "Request_BadRequest")
    assert error["message"] == "Invalid value specified for property 'scope' of resource 'OAuth2PermissionGrant'."
    assert api.get("oauth2PermissionGrants").json()["value"] == []
    made = api.post("oauth2PermissionGrants", json={**body, "scope": longest})
    assert made.status_code == 201, made.text
    assert_error(api.patch(f"oauth2PermissionGrants/{made.json()['id']}", json={"scope": too_long}), 400)
    assert api.get(f"oauth2PermissionGrants/{made.json()['id']}").json()["scope"] == longest


# -------------------------------------------------------------------- 700 app roles and scopes, distinct ids
def _roles(count: int, start: int = 0, enabled: bool = True) -> list[dict]:
    return [{"allowedMemberTypes": ["User"], "description": "R", "displayName": f"Role {index}",
             "id": str(uuid.UUID(int=index + 1)), "isEnabled": enabled, "value": f"Role.{index}"}
            for index in range(start, start + count)]


def _scope(index: int) -> dict:
    return {"id": str(uuid.uuid4()), "type": "User", "value": f"Scope.{index}", "isEnabled": True,
            "adminConsentDisplayName": "Scope", "adminConsentDescription": "A scope"}


def test_more_than_700_app_roles_and_scopes_are_refused_with_graphs_message(api):
    """application.md, appRoles: roles and scopes "share a default limit of 700 permission definitions per
    application. Enabled and disabled definitions both count." Microsoft Entra's "App role limits" gives the
    refusal's text; 701 entries are well within the 1,200-entry manifest limit the emulator already enforced."""
    error = assert_error(api.post("applications", json={"displayName": "Wide", "appRoles": _roles(701)}), 400)
    assert error["message"] == \
        "The total count of values: 701 exceeds the set maxValuesCount limit: 700 for property: Entitlement"
    app = api.create_app(appRoles=_roles(650, enabled=False))
    error = assert_error(api.patch(f"applications/{app['id']}", json={
        "api": {"oauth2PermissionScopes": [_scope(index) for index in range(51)]}}), 400)
    assert "701 exceeds" in error["message"]
    response = api.patch(f"applications/{app['id']}", json={
        "api": {"oauth2PermissionScopes": [_scope(index) for index in range(50)]}})
    assert response.status_code == 204, response.text


def test_an_application_already_above_700_may_be_updated_without_adding_definitions(api, store):
    """"App role limits": "The count check allows updates that keep the number of definitions unchanged or reduce
    it, even when the result remains above the applicable limit ... An update that increases the count above the
    applicable limit is rejected." (An object above it is one Graph let through earlier: put in the store here.)"""
    app = api.create_app(appRoles=_roles(700, enabled=False))
    held = store.get("applications", app["id"])
    store.put("applications", {**held, "appRoles": [*held["appRoles"], *[{**role, "origin": "Application"}
                                                                       for role in _roles(2, 700, False)]]})
    assert api.patch(f"applications/{app['id']}", json={"displayName": "Renamed"}).status_code == 204
    roles = api.get(f"applications/{app['id']}").json()["appRoles"]
    assert api.patch(f"applications/{app['id']}", json={"appRoles": roles[:-1]}).status_code == 204
    assert_error(api.patch(f"applications/{app['id']}", json={"appRoles": [*roles[:-1], *_roles(2, 800)]}), 400)


def test_a_service_principal_counts_its_inherited_and_its_own_definitions(api):
    """serviceprincipal.md, appRoles: the 700 include "definitions inherited from the application and definitions
    added directly to the service principal"."""
    app = api.create_app(appRoles=_roles(690))
    principal = api.post("servicePrincipals", json={"appId": app["appId"]}).json()
    inherited = api.get(f"servicePrincipals/{principal['id']}").json()["appRoles"]
    assert len(inherited) == 690
    error = assert_error(api.patch(f"servicePrincipals/{principal['id']}", json={
        "appRoles": [*inherited, *_roles(11, 1000)]}), 400)
    assert "701 exceeds" in error["message"]


# ------------------------------------------------------------------- an assignment policy's review defaults
def test_a_policys_review_recommends_and_asks_for_justification_unless_told_not_to(api, users):
    """accesspackageassignmentreviewsettings.md: isRecommendationEnabled and isReviewerJustificationRequired --
    "The default value is `true`." -- for a review whose body leaves them out; sent as false, they stay false."""
    from .test_governance import catalog, package, policy_body, single_user

    made = package(api, catalog(api)["id"])
    body = policy_body(made["id"], [single_user(users[0])], [single_user(users[1])])
    response = api.post("identityGovernance/entitlementManagement/assignmentPolicies", json=body)
    assert response.status_code == 201, response.text
    review = response.json()["reviewSettings"]
    assert (review["isRecommendationEnabled"], review["isReviewerJustificationRequired"]) == (True, True)
    body["reviewSettings"].update(isRecommendationEnabled=False, isReviewerJustificationRequired=False)
    body["displayName"] = "told not to"
    review = api.post("identityGovernance/entitlementManagement/assignmentPolicies", json=body).json()["reviewSettings"]
    assert (review["isRecommendationEnabled"], review["isReviewerJustificationRequired"]) == (False, False)


# ------------------------------------------------------------------------------------ a certificate's key
def _credentials(api, path: str, select: str | None = None) -> list:
    return api.get(path, params={"$select": select} if select else None).json()["keyCredentials"]


def test_a_certificates_key_is_shown_only_by_a_single_objects_read_selecting_key_credentials(api):
    """keycredential.md, key: "Requires $select to retrieve; only available for single object requests (GET
    /applications/{applicationId}?$select=keyCredentials or GET /servicePrincipals/{servicePrincipalId}?$select=
    keyCredentials); otherwise, it's always null." -- the answer to the write, lists (with $select too), and a
    read without $select show null."""
    response = api.post("applications", json={"displayName": "Keyed", "keyCredentials": [certificate()]})
    app = response.json()
    assert [c["key"] for c in app["keyCredentials"]] == [None]
    listed = api.get("applications").json()["value"][0]["keyCredentials"]
    selected = api.get("applications", params={"$select": "id,keyCredentials"}).json()["value"][0]["keyCredentials"]
    assert [c["key"] for c in listed + selected + _credentials(api, f"applications/{app['id']}")] == [None] * 3
    assert [c["key"] for c in _credentials(api, f"applications/{app['id']}", "keyCredentials")] == [CERT]
    assert [c["key"] for c in _credentials(api, f"applications(appId='{app['appId']}')", "id,keyCredentials")] == \
        [CERT]
    principal = api.post("servicePrincipals", json={"appId": app["appId"]}).json()
    assert api.patch(f"servicePrincipals/{principal['id']}", json={"keyCredentials": [certificate()]}).status_code \
        == 204
    assert [c["key"] for c in _credentials(api, f"servicePrincipals/{principal['id']}")] == [None]
    assert [c["key"] for c in _credentials(api, f"servicePrincipals/{principal['id']}", "keyCredentials")] == [CERT]


def test_a_certificate_sent_back_as_read_keeps_its_key_and_a_removed_one_is_gone(api):
    """A client writes keyCredentials as a whole collection, sending back the certificates it read -- without their
    keys, as a read without $select shows them: they keep theirs (and their key ids)."""
    app = api.create_app(keyCredentials=[certificate(displayName="first")])
    held = _credentials(api, f"applications/{app['id']}")
    response = api.patch(f"applications/{app['id']}", json={"keyCredentials": [*held, certificate(displayName="b")]})
    assert response.status_code == 204, response.text
    both = _credentials(api, f"applications/{app['id']}", "keyCredentials")
    assert [(c["displayName"], c["key"]) for c in both] == [("first", CERT), ("b", CERT)]
    assert both[0]["keyId"] == held[0]["keyId"]
    assert api.patch(f"applications/{app['id']}", json={"keyCredentials": [both[1]]}).status_code == 204
    gone = {**held[0], "key": None}  # the first, removed, cannot come back without its key
    assert api.patch(f"applications/{app['id']}", json={"keyCredentials": [gone]}).status_code == 400


def test_a_certificates_key_id_and_identifier_are_given_when_not_sent(api):
    """keycredential.md, customKeyIdentifier: "When not provided in the payload, defaults to the thumbprint of the
    certificate" (its SHA-1, as binary); a keyId not sent is given one (inferred: each credential has its GUID)."""
    import base64
    import hashlib

    [made] = api.create_app(keyCredentials=[certificate()])["keyCredentials"]
    assert base64.b64decode(made["customKeyIdentifier"]) == hashlib.sha1(base64.b64decode(CERT)).digest()
    assert uuid.UUID(made["keyId"])
    [given] = api.create_app(keyCredentials=[certificate(customKeyIdentifier="AAEC")])["keyCredentials"]
    assert given["customKeyIdentifier"] == "AAEC"


# ------------------------------------------------------------------------------ a service principal's tags
def test_a_service_principals_tags_are_its_own_and_its_applications(api):
    """serviceprincipal.md, tags: "The value is the union of strings set here and on the associated application
    entity's tags property"; application.md, tags: "Strings added here will also appear in the tags property of any
    associated service principals." -- on a read and in a `$filter` alike, whenever either side changes."""
    app = api.create_app(tags=["team:blue"])
    principal = api.post("servicePrincipals", json={"appId": app["appId"], "tags": ["HideApp"]}).json()
    assert sorted(principal["tags"]) == ["HideApp", "team:blue"]

    def tags() -> list:
        return sorted(api.get(f"servicePrincipals/{principal['id']}").json()["tags"])

    assert api.patch(f"applications/{app['id']}", json={"tags": ["team:blue", "added:later"]}).status_code == 204
    assert tags() == ["HideApp", "added:later", "team:blue"]
    found = api.get("servicePrincipals", params={"$filter": "tags/any(t:t eq 'added:later')"}).json()["value"]
    assert [sp["id"] for sp in found] == [principal["id"]]
    assert api.patch(f"servicePrincipals/{principal['id']}", json={"tags": ["own"]}).status_code == 204
    assert tags() == ["added:later", "own", "team:blue"]  # the application's stay: written here or not
    assert api.patch(f"applications/{app['id']}", json={"tags": []}).status_code == 204
    assert tags() == ["own"]  # the application's are gone with it; its own stay


# --------------------------------------------------------------- a service principal's delegated permissions
def test_a_service_principals_enabled_scope_is_removed_or_changed_only_once_disabled(api):
    """serviceprincipal-update.md: oauth2PermissionScopes is writable, "see the oauth2PermissionScopes property
    definition on the application resource"; permissionScope, isEnabled: "To delete a permission, this property must
    first be set to false." -- as on the application (Graph's refusal: CannotDeleteOrUpdateEnabledEntitlement)."""
    scope = {**_scope(1), "value": "Orders.Read"}
    app = api.create_app(api={"oauth2PermissionScopes": [scope]})
    principal = api.post("servicePrincipals", json={"appId": app["appId"]}).json()
    path = f"servicePrincipals/{principal['id']}"
    held = api.get(path).json()["oauth2PermissionScopes"]
    for scopes in ([], [{**held[0], "value": "Orders.ReadAll"}]):
        error = assert_error(api.patch(path, json={"oauth2PermissionScopes": scopes}), 400,
                             "CannotDeleteOrUpdateEnabledEntitlement")
        assert error["message"] == "Permission (scope or role) cannot be deleted or updated unless disabled first."
    assert [s["value"] for s in api.get(path).json()["oauth2PermissionScopes"]] == ["Orders.Read"]
    assert_error(api.patch(path, json={"oauth2PermissionScopes": [*held, {**_scope(2), "value": "has space"}]}), 400)
    assert api.patch(path, json={"oauth2PermissionScopes": [{**held[0], "isEnabled": False}]}).status_code == 204
    assert api.patch(path, json={"oauth2PermissionScopes": []}).status_code == 204
    assert api.get(path).json()["oauth2PermissionScopes"] == []
