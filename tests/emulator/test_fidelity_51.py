"""Session 51's fidelity review of the emulator against Microsoft Graph v1.0's documentation
(microsoftgraph/microsoft-graph-docs-contrib; "inferred" where the docs do not say it in so many words)."""

from __future__ import annotations

import uuid

import pytest

from .conftest import assert_error


def _role(value: str, **fields) -> dict:
    return {"allowedMemberTypes": ["User", "Application"], "description": value, "displayName": value,
            "id": str(uuid.uuid4()), "isEnabled": True, "value": value, **fields}


# --------------------------------------------------------------------------- an application's roles and `origin`
def test_an_applications_roles_may_carry_their_own_origin_as_graphs_tutorial_sends_them(api):
    """concepts/tutorial-applications-basics.md ("Create app roles on an application object") PATCHes
    `/v1.0/applications/{id}` with a role carrying `"origin": "Application"`; roles read back (with their origin)
    and sent back with one added are what an SDK user does (msgraph-sdk-dotnet 2043: the PATCH applied). Both are
    taken, and the roles are stored as without the origin."""
    app = api.create_app(appRoles=[_role("Survey.Read", origin="Application")])
    read = api.get(f"applications/{app['id']}").json()["appRoles"]
    assert [(role["value"], role["origin"]) for role in read] == [("Survey.Read", "Application")]
    response = api.patch(f"applications/{app['id']}", json={"appRoles": [*read, _role("Survey.Write")]})
    assert response.status_code == 204, response.text
    assert [role["value"] for role in api.get(f"applications/{app['id']}").json()["appRoles"]] == \
        ["Survey.Read", "Survey.Write"]


def test_an_applications_role_with_another_origin_is_refused_as_read_only(api):
    """approle.md: `origin` is "Read-only": a role of the application cannot be made the service principal's, nor
    given an origin Graph does not know -- refused 400 as on a service principal, nothing written."""
    app = api.create_app(appRoles=[_role("Survey.Read")])
    for origin in ("ServicePrincipal", "application", None, 7):
        response = api.patch(f"applications/{app['id']}", json={"appRoles": [_role("Other", origin=origin)]})
        assert "read-only" in assert_error(response, 400, "Request_BadRequest")["message"], origin
        assert_error(api.post("applications", json={"displayName": "A", "appRoles": [_role("X", origin=origin)]}),
                     400)
    assert [role["value"] for role in api.get(f"applications/{app['id']}").json()["appRoles"]] == ["Survey.Read"]


# ------------------------------------------------------------------------- complex values of their declared types
NOT_OF_THEIR_TYPE = [
    ({"web": {"homePageUrl": 5}}, "web"),  # webapplication.md: String
    ({"web": {"logoutUrl": ["https://contoso.com/logout"]}}, "web"),
    ({"web": {"redirectUris": "https://contoso.com/signin"}}, "web"),  # String collection, not one string
    ({"web": {"implicitGrantSettings": "on"}}, "web"),
    ({"web": {"implicitGrantSettings": {"enableIdTokenIssuance": "true"}}}, "web"),  # Boolean
    ({"spa": {"redirectUris": "https://contoso.com/spa"}}, "spa"),
    ({"publicClient": {"redirectUris": "http://localhost"}}, "publicClient"),
    ({"publicClient": {"redirectUris": ["http://localhost", 5]}}, "publicClient"),
    ({"info": {"marketingUrl": 5}}, "info"),  # informationalurl.md: String
    ({"parentalControlSettings": {"countriesBlockedForMinors": "DE"}}, "parentalControlSettings"),
    ({"parentalControlSettings": {"countriesBlockedForMinors": ["DE", 49]}}, "parentalControlSettings"),
    ({"parentalControlSettings": {"legalAgeGroupRule": "AllowEveryone"}}, "parentalControlSettings"),  # "one of"
    ({"appRoles": [_role("Reader", description=5)]}, "description"),  # approle.md: String
    ({"appRoles": [_role("Reader", isEnabled="false")]}, "isEnabled"),  # Boolean: "false" would have enabled it
]


@pytest.mark.parametrize("body, name", NOT_OF_THEIR_TYPE)
def test_a_nested_value_not_of_its_declared_type_is_refused(api, body, name):
    """The resource pages declare each nested property's type (String, Boolean, String collection); a value of
    another JSON type -- which Graph's reader does not take as the property's value -- is refused 400 on create
    and on update, nothing written. They were stored as sent, and read back in a shape the SDK's models do not
    declare."""
    created = api.post("applications", json={"displayName": "Orders", **body})
    resource = "AppRole" if "appRoles" in body else "Application"  # Graph's form: the top-level property named
    assert assert_error(created, 400, "Request_BadRequest")["message"] == \
        f"Invalid value specified for property '{name}' of resource '{resource}'."
    app = api.create_app(displayName="Orders")
    assert_error(api.patch(f"applications/{app['id']}", json=body), 400, "Request_BadRequest")
    assert api.get(f"applications/{app['id']}").json()["web"]["redirectUris"] == []
    assert len(api.get("applications").json()["value"]) == 1


def test_a_service_principals_informational_urls_are_strings(api):
    app = api.create_app(displayName="Orders")
    principal = api.post("servicePrincipals", json={"appId": app["appId"]}).json()
    response = api.patch(f"servicePrincipals/{principal['id']}", json={"info": {"supportUrl": True}})
    assert assert_error(response, 400, "Request_BadRequest")["message"] == \
        "Invalid value specified for property 'info' of resource 'ServicePrincipal'."


@pytest.mark.parametrize("rule", ["Allow", "RequireConsentForPrivacyServices", "RequireConsentForMinors",
                                  "RequireConsentForKids", "BlockMinors"])
def test_values_of_their_declared_types_are_taken(api, rule):
    """What the pages declare is taken: each documented legal age group rule, Booleans, string collections."""
    body = {"displayName": "Orders", "parentalControlSettings": {"countriesBlockedForMinors": ["DE"],
                                                                 "legalAgeGroupRule": rule},
            "web": {"homePageUrl": "https://contoso.com/", "redirectUris": ["https://contoso.com/signin"],
                    "implicitGrantSettings": {"enableIdTokenIssuance": True, "enableAccessTokenIssuance": False}},
            "info": {"marketingUrl": "https://contoso.com/about"}, "publicClient": {"redirectUris": []},
            "appRoles": [_role("Reader", description=None, isEnabled=False)]}
    created = api.post("applications", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["parentalControlSettings"]["legalAgeGroupRule"] == rule


# ------------------------------------------------------------------------------------- collections not nullable
@pytest.mark.parametrize("name", ["identifierUris", "keyCredentials", "requiredResourceAccess", "tags"])
def test_a_null_for_an_applications_collection_that_is_not_nullable_is_refused(api, name):
    """application-update.md's request body: identifierUris, keyCredentials, requiredResourceAccess and tags are
    "Not nullable" -- `[]` empties one; a null is refused 400 on create and on update, the collection kept (the
    emulator took a null as `[]`)."""
    assert_error(api.post("applications", json={"displayName": "Orders", name: None}), 400, "Request_BadRequest")
    app = api.create_app(displayName="Orders", tags=["team:orders"])
    response = api.patch(f"applications/{app['id']}", json={name: None})
    assert assert_error(response, 400, "Request_BadRequest")["message"] == \
        f"Invalid value specified for property '{name}' of resource 'Application'."
    assert api.get(f"applications/{app['id']}").json()["tags"] == ["team:orders"]
    assert api.patch(f"applications/{app['id']}", json={name: []}).status_code == 204


@pytest.mark.parametrize("name", ["keyCredentials", "oauth2PermissionScopes", "replyUrls", "servicePrincipalNames",
                                  "tags"])
def test_a_null_for_a_service_principals_collection_that_is_not_nullable_is_refused(api, name):
    """serviceprincipal.md: keyCredentials, oauth2PermissionScopes, replyUrls, servicePrincipalNames and tags are
    "Not nullable"; alternativeNames and notificationEmailAddresses are not said to be, and take a null."""
    app = api.create_app(displayName="Orders")
    principal = api.post("servicePrincipals", json={"appId": app["appId"], "tags": ["team:orders"]}).json()
    response = api.patch(f"servicePrincipals/{principal['id']}", json={name: None})
    assert assert_error(response, 400, "Request_BadRequest")["message"] == \
        f"Invalid value specified for property '{name}' of resource 'ServicePrincipal'."
    assert api.get(f"servicePrincipals/{principal['id']}").json()["tags"] == ["team:orders"]
    assert api.patch(f"servicePrincipals/{principal['id']}", json={"notificationEmailAddresses": None}).status_code \
        == 204


# ----------------------------------------------------------------------- Graph's known limits on `in` and `eq`
@pytest.mark.parametrize("entity_set", ["applications", "servicePrincipals", "users", "groups"])
def test_an_in_of_more_than_15_values_is_refused_on_directory_objects(api, entity_set):
    """Graph's known issues: "When using the `in` operator, the request is limited to 15 expressions in the filter
    clause by default" (the advanced query parameters, which lift it, are not served). 15 values are taken; 16 are
    refused 400 `Request_UnsupportedQuery` -- a client splitting its names into 16s worked against the emulator."""
    names = [f"Orders {number}" for number in range(16)]
    api.create_app(displayName="Orders 3")
    taken = api.get(entity_set, params={"$filter": "displayName in (" + ",".join(f"'{n}'" for n in names[:15]) + ")"})
    assert taken.status_code == 200, taken.text
    if entity_set == "applications":
        assert [app["displayName"] for app in taken.json()["value"]] == ["Orders 3"]
    too_many = "displayName in (" + ",".join(f"'{name}'" for name in names) + ")"
    assert_error(api.get(entity_set, params={"$filter": too_many}), 400, "Request_UnsupportedQuery")


@pytest.mark.parametrize("clause", ["displayName eq '{}'", "tags/any(t:t eq '{}')"])
def test_an_eq_value_of_more_than_120_characters_is_refused_on_directory_objects(api, clause):
    """Graph's known issues: "When filtering using the `eq` operator, the maximum limit of the value to match is 120
    characters ... even for properties like displayName on directory objects". The value counts as matched (a
    quote written `''` is one character): 120 are taken, 121 refused 400 `Request_UnsupportedQuery`."""
    longest = "x" * 59 + "''" + "y" * 60  # 120 characters once the quote is read
    found = api.get("applications", params={"$filter": clause.format(longest)})
    assert found.status_code == 200 and found.json()["value"] == [], found.text
    assert_error(api.get("applications", params={"$filter": clause.format("x" * 121)}), 400,
                 "Request_UnsupportedQuery")


def test_the_limits_are_those_of_directory_objects(api):
    """The known issue places the `eq` limit on directory objects; a delegated permission grant is not one, and
    its filter is not held to it (the emulator's choice, for want of a source)."""
    found = api.get("oauth2PermissionGrants", params={"$filter": f"clientId eq '{'c' * 121}'"})
    assert found.status_code == 200, found.text



# ------------------------------------------------------------------------------------- an application's upsert
def test_an_application_upsert_must_carry_its_display_name_even_when_it_updates(api):
    """application-upsert.md: with `Prefer: create-if-missing`, "The request body must contain displayName, which is
    a required property" -- whether the application is then created (201) or updated (204). An upsert without it
    is refused 400 when the application exists too (it was taken, 204); a plain PATCH by the key (no Prefer) is an
    update and needs none."""
    path, upsert = "applications(uniqueName='orders-api')", {"Prefer": "create-if-missing"}
    assert api.patch(path, json={"displayName": "Orders"}, headers=upsert).status_code == 201
    refused = api.patch(path, json={"notes": "on call: team orders"}, headers=upsert)
    assert "displayName" in assert_error(refused, 400, "Request_BadRequest")["message"]
    assert api.get(path).json()["notes"] is None
    assert api.patch(path, json={"displayName": "Orders", "notes": "on call"}, headers=upsert).status_code == 204
    assert api.patch(path, json={"notes": "on call: team orders"}).status_code == 204
    assert api.get(path).json()["notes"] == "on call: team orders"
