"""Entity shapes exactly as Graph v1.0 returns them, and the rules Graph enforces on writes.

Field names are Graph's: the SDK's typed models must parse every object with an empty `additional_data`
(tests/emulator/test_sdk_fidelity.py checks this). Server-generated fields are filled here; writable fields are
the ones a client may send.
"""

from __future__ import annotations

import datetime as _dt
import re
import uuid
from dataclasses import dataclass

from ..graph import limits
from . import value_types
from .errors import GraphError, bad_request

# Graph's appRole.value: at most 120 characters from this set; no spaces (resources/approle.md).
ROLE_VALUE = re.compile(r"^[0-9A-Za-z:!#$%&'()*+,\-./;<=>?@\[\]^_`{|}~]{1,120}$")
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
MEMBER_TYPES = {"User", "Application"}
AUDIENCES = {"AzureADMyOrg", "AzureADMultipleOrgs", "AzureADandPersonalMicrosoftAccount", "PersonalMicrosoftAccount"}
# Strings Graph takes only from a list (graph/limits.py [claims]; signInAudience: application.md), each refused with
# 400 Request_BadRequest otherwise: property -> the values it takes.
ENUMERATED = {"signInAudience": AUDIENCES, "groupMembershipClaims": frozenset(limits.GROUP_MEMBERSHIP_CLAIMS)}


def now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def precise_time(moment: _dt.datetime | None = None) -> str:
    """Graph's form for the times it records: `2021-09-09T19:50:29.3086381Z` (seven fractional digits, UTC)."""
    moment = moment or _dt.datetime.now(_dt.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}0Z"


def application_defaults() -> dict:
    return {
        "id": None, "deletedDateTime": None, "appId": None, "applicationTemplateId": None,
        "disabledByMicrosoftStatus": None, "createdDateTime": None, "displayName": None, "description": None,
        "groupMembershipClaims": None, "identifierUris": [], "isDeviceOnlyAuthSupported": None,
        "isFallbackPublicClient": None, "nativeAuthenticationApisEnabled": None, "notes": None,
        "publisherDomain": None, "serviceManagementReference": None, "signInAudience": "AzureADMyOrg",
        "tags": [], "tokenEncryptionKeyId": None, "uniqueName": None, "samlMetadataUrl": None,
        "defaultRedirectUri": None, "certification": None, "optionalClaims": None,
        "requestSignatureVerification": None, "servicePrincipalLockConfiguration": None, "addIns": [],
        "api": {
            "acceptMappedClaims": None, "knownClientApplications": [], "requestedAccessTokenVersion": None,
            "oauth2PermissionScopes": [], "preAuthorizedApplications": [],
        },
        "appRoles": [],
        "info": {"logoUrl": None, "marketingUrl": None, "privacyStatementUrl": None, "supportUrl": None,
                 "termsOfServiceUrl": None},
        "keyCredentials": [],
        "parentalControlSettings": {"countriesBlockedForMinors": [], "legalAgeGroupRule": "Allow"},
        "passwordCredentials": [], "publicClient": {"redirectUris": []}, "requiredResourceAccess": [],
        "verifiedPublisher": {"displayName": None, "verifiedPublisherId": None, "addedDateTime": None},
        "web": {
            "homePageUrl": None, "logoutUrl": None, "redirectUris": [],
            "implicitGrantSettings": {"enableAccessTokenIssuance": False, "enableIdTokenIssuance": False},
            "redirectUriSettings": [],
        },
        "spa": {"redirectUris": []},
    }


def service_principal_defaults() -> dict:
    return {
        "id": None, "deletedDateTime": None, "accountEnabled": True, "alternativeNames": [],
        "appDisplayName": None, "appDescription": None, "appId": None, "applicationTemplateId": None,
        "appOwnerOrganizationId": None, "appRoleAssignmentRequired": False, "description": None,
        "disabledByMicrosoftStatus": None, "displayName": None, "homepage": None, "loginUrl": None,
        "logoutUrl": None, "notes": None, "notificationEmailAddresses": [], "preferredSingleSignOnMode": None,
        "preferredTokenSigningKeyThumbprint": None, "replyUrls": [], "servicePrincipalNames": [],
        "servicePrincipalType": "Application", "signInAudience": "AzureADMyOrg", "tags": [],
        "tokenEncryptionKeyId": None, "samlSingleSignOnSettings": None, "addIns": [], "appRoles": [],
        "info": {"logoUrl": None, "marketingUrl": None, "privacyStatementUrl": None, "supportUrl": None,
                 "termsOfServiceUrl": None},
        "keyCredentials": [], "oauth2PermissionScopes": [], "passwordCredentials": [],
        "resourceSpecificApplicationPermissions": [],
        "verifiedPublisher": {"displayName": None, "verifiedPublisherId": None, "addedDateTime": None},
    }


def user_defaults() -> dict:
    return {
        "id": None, "businessPhones": [], "displayName": None, "givenName": None, "jobTitle": None,
        "mail": None, "mobilePhone": None, "officeLocation": None, "preferredLanguage": None, "surname": None,
        "userPrincipalName": None,
    }


def group_defaults() -> dict:
    return {
        "id": None, "deletedDateTime": None, "classification": None, "createdDateTime": None, "description": None,
        "displayName": None, "expirationDateTime": None, "groupTypes": [], "isAssignableToRole": None, "mail": None,
        "mailEnabled": False, "mailNickname": None, "membershipRule": None, "membershipRuleProcessingState": None,
        "onPremisesDomainName": None, "onPremisesLastSyncDateTime": None, "onPremisesNetBiosName": None,
        "onPremisesSamAccountName": None, "onPremisesSecurityIdentifier": None, "onPremisesSyncEnabled": None,
        "preferredDataLocation": None, "preferredLanguage": None, "proxyAddresses": [], "renewedDateTime": None,
        "resourceBehaviorOptions": [], "resourceProvisioningOptions": [], "securityEnabled": True,
        "securityIdentifier": None, "theme": None, "visibility": None, "onPremisesProvisioningErrors": [],
        "serviceProvisioningErrors": [],
    }


@dataclass(frozen=True)
class EntitySet:
    """One top-level collection: its stored kind, OData type, full property set and what `$filter` allows on it."""

    name: str
    odata_type: str
    properties: frozenset[str]
    writable: frozenset[str]
    filterable: dict
    guids: frozenset = frozenset()  # properties of type Edm.Guid: `$filter` compares them with unquoted GUIDs


APPLICATION_READ_ONLY = {"id", "deletedDateTime", "appId", "createdDateTime", "publisherDomain",
                         "disabledByMicrosoftStatus", "passwordCredentials"}
SP_READ_ONLY = {"id", "deletedDateTime", "appDisplayName", "appOwnerOrganizationId", "applicationTemplateId",
                "disabledByMicrosoftStatus", "passwordCredentials",
                "signInAudience",  # serviceprincipal.md: "Read-only." (its application's)
                "servicePrincipalType",  # serviceprincipal.md: "set by Microsoft Entra ID internally"
                "appDescription"}  # (inferred) its application's description, mirrored

# Applications' and service principals' displayName: `ge` and `le` too (their resource pages), without the advanced
# query parameters (concepts/aad-advanced-queries.md: only ne, not, endsWith need them); users' and groups' not.
RANGED_NAME = {"eq", "startswith", "in", "ge", "le"}

ENTITY_SETS = {
    "applications": EntitySet(
        "applications", "microsoft.graph.application", frozenset(application_defaults()),
        frozenset(application_defaults()) - APPLICATION_READ_ONLY,
        {"displayName": RANGED_NAME, "appId": {"eq", "in"}, "id": {"eq", "in"},
         "uniqueName": {"eq"}, "tags": {"any"}, "identifierUris": {"any"}, "applicationTemplateId": {"eq"}},
    ),
    "servicePrincipals": EntitySet(
        "servicePrincipals", "microsoft.graph.servicePrincipal", frozenset(service_principal_defaults()),
        frozenset(service_principal_defaults()) - SP_READ_ONLY,
        # appId: `startsWith` too (servicePrincipal.md), unlike an application's (application.md: `eq` alone)
        {"displayName": RANGED_NAME, "appId": {"eq", "in", "startswith"}, "id": {"eq", "in"}, "tags": {"any"}},
    ),
    "groups": EntitySet(
        "groups", "microsoft.graph.group", frozenset(group_defaults()), frozenset(),
        {"displayName": {"eq", "startswith", "in"}, "id": {"eq", "in"}, "mailNickname": {"eq"}},
    ),
    "users": EntitySet(
        "users", "microsoft.graph.user", frozenset(user_defaults()), frozenset(),
        {"userPrincipalName": {"eq", "in", "startswith"}, "displayName": {"eq", "startswith", "in"},
         "id": {"eq", "in"}, "mail": {"eq", "startswith"}},
    ),
}


def check_writable(body: dict, entity: EntitySet) -> None:
    """Graph refuses properties a type does not declare, and read-only ones."""
    for name in body:
        if name.startswith("@odata."):
            continue
        if name not in entity.properties:
            raise bad_request(
                f"The property '{name}' does not exist on type '{entity.odata_type}'. Make sure to only use property "
                "names that are defined by the type or mark the type as open type."
            )
        if name not in entity.writable:
            raise bad_request(f"Property '{name}' is read-only and cannot be set.")


def check_enumerated(body: dict) -> None:
    """A string Graph takes from a list (ENUMERATED) is one of them; null is left to check_not_null's rules."""
    for name, allowed in ENUMERATED.items():
        if body.get(name) is not None and body[name] not in allowed:
            raise bad_request(f"Invalid value specified for property '{name}': '{body[name]}'.")


def check_types(body: dict, defaults: dict) -> None:
    """Values must have the shape Graph declares: strings, collections of strings, or complex objects."""
    for name, value in body.items():
        if value is None or name.startswith("@odata."):
            continue
        default = defaults.get(name)
        expected = list if isinstance(default, list) else dict if isinstance(default, dict) else None
        if expected is None and name in STRING_PROPERTIES:
            expected = str
        if expected is not None and not isinstance(value, expected):
            raise bad_request(f"Invalid value specified for property '{name}': expected "
                              f"{ {list: 'a collection', dict: 'an object', str: 'a string'}[expected] }.")
        if name == "tags" or name == "identifierUris":
            if not all(isinstance(item, str) for item in value):
                raise bad_request(f"Invalid value specified for property '{name}': expected a collection of strings.")
    if body.get("displayName", "x") in ("", None) and "displayName" in body:
        raise bad_request("Property 'displayName' cannot be empty.")


STRING_PROPERTIES = {"displayName", "description", "signInAudience", "uniqueName", "notes", "groupMembershipClaims",
                     "serviceManagementReference", "defaultRedirectUri", "tokenEncryptionKeyId", "homepage",
                     "loginUrl", "logoutUrl", "preferredSingleSignOnMode", "appDescription"}
BOOLEAN_PROPERTIES = {"isDeviceOnlyAuthSupported", "isFallbackPublicClient", "accountEnabled",
                      "appRoleAssignmentRequired"}
# Complex properties by OData type, for unknown nested properties (refused as Graph refuses them at the top level).
NESTED_TYPES = {"api": "apiApplication", "web": "webApplication", "spa": "spaApplication",
                "publicClient": "publicClientApplication", "info": "informationalUrl",
                "parentalControlSettings": "parentalControlSettings", "implicitGrantSettings": "implicitGrantSettings",
                "verifiedPublisher": "verifiedPublisher"}


def check_nested(body: dict, defaults: dict, resource: str = "Application", top: str | None = None) -> None:
    """Complex values hold only the properties their type declares, each of its declared type (value_types.py: a
    wrong one named by the `resource`'s property holding it, `top`), and booleans are booleans."""
    for name, value in body.items():
        default = defaults.get(name)
        if name == "optionalClaims" and value is not None:  # (none by default: its type is checked here)
            check_optional_claims(value)
        if name in BOOLEAN_PROPERTIES and value is not None and not isinstance(value, bool):
            raise bad_request(f"Invalid value specified for property '{name}': expected a boolean.")
        if not (isinstance(default, dict) and isinstance(value, dict) and name in NESTED_TYPES):
            continue
        unknown = sorted(key for key in value if key not in default and not key.startswith("@odata."))
        if unknown:
            raise bad_request(f"The property '{unknown[0]}' does not exist on type "
                              f"'microsoft.graph.{NESTED_TYPES[name]}'.")
        value_types.check_values(value, NESTED_TYPES[name], top or name, resource)
        check_nested(value, default, resource, top or name)


# optionalclaims.md: three collections of optionalClaim (optionalclaim.md), each property of its declared type
OPTIONAL_CLAIM_TYPES = {"name": str, "source": str, "essential": bool, "additionalProperties": list}


def check_optional_claims(value) -> None:
    """An application's `optionalClaims`, refused where its value is not of the type Graph declares (the token
    endpoint reads the access token's: emulator/identity/claims.py)."""
    if not isinstance(value, dict):
        raise bad_request("Invalid value specified for property 'optionalClaims': expected an object.")
    for token, claims in value.items():
        if token.startswith("@odata."):
            continue
        if token not in ("accessToken", "idToken", "saml2Token"):
            raise bad_request(f"The property '{token}' does not exist on type 'microsoft.graph.optionalClaims'.")
        if claims is not None and not (isinstance(claims, list) and all(isinstance(c, dict) for c in claims)):
            raise bad_request(f"Invalid value specified for property '{token}' of resource 'OptionalClaims'.")
        for claim in claims or ():
            for key, item in claim.items():
                expected = OPTIONAL_CLAIM_TYPES.get(key)
                if expected is None and not key.startswith("@odata."):
                    raise bad_request(f"The property '{key}' does not exist on type 'microsoft.graph.optionalClaim'.")
                if expected is not None and item is not None and (not isinstance(item, expected) or expected is list
                                                                  and not all(isinstance(i, str) for i in item)):
                    raise bad_request(f"Invalid value specified for property '{key}' of resource 'OptionalClaim'.")


# ------------------------------------------------------------------------------------------------------ app roles
CANNOT_UPDATE_ENABLED = "Permission (scope or role) cannot be deleted or updated unless disabled first."


def check_app_roles(roles: list, previous: list) -> list:
    """Graph's rules for an application's `appRoles`, given the collection it replaces. Returns the roles as stored."""
    if not isinstance(roles, list):
        raise bad_request("Invalid value for property 'appRoles': expected a collection.")
    seen_ids, seen_values, stored = set(), set(), []
    for role in roles:
        role = _check_role(role)
        if role["id"].lower() in seen_ids or (role["value"] is not None and role["value"] in seen_values):
            raise duplicate_value("appRoles")
        seen_ids.add(role["id"].lower())
        seen_values.add(role["value"])
        stored.append(role)
    check_enabled_unchanged(stored, previous)
    return stored


def check_application_roles(roles, previous: list) -> list:
    """An application's `appRoles` as written: a role may carry its own origin, `Application` -- approle.md calls
    `origin` read-only and says it "must not be included in any POST or PATCH requests", yet Graph's v1.0 tutorial
    (concepts/tutorial-applications-basics.md, "Create app roles on an application object") PATCHes an application
    with `"origin": "Application"`, and SDK users who send the roles back as read report the PATCH applied
    (msgraph-sdk-dotnet 2043). Any other origin is refused as read-only, as on a service principal."""
    if isinstance(roles, list):
        roles = [{k: v for k, v in role.items() if k != "origin"}
                 if isinstance(role, dict) and role.get("origin") == "Application" else role for role in roles]
    return check_app_roles(roles, previous)


def _check_role(role: dict) -> dict:
    if not isinstance(role, dict):
        raise bad_request("Invalid value for property 'appRoles': expected objects.")
    unknown = set(role) - {"allowedMemberTypes", "description", "displayName", "id", "isEnabled", "value",
                           "@odata.type"}
    if unknown:  # `origin` too, but an application's own (check_application_roles): approle.md, "Read-only".
        raise bad_request(
            f"The property '{sorted(unknown)[0]}' does not exist on type 'microsoft.graph.appRole' or is read-only."
        )
    role_id = role.get("id")
    if not isinstance(role_id, str) or not GUID.match(role_id):
        raise bad_request(f"Invalid value specified for property 'id' of resource 'AppRole': '{role_id}'.")
    members = role.get("allowedMemberTypes")
    if not members or not isinstance(members, list) or not all(isinstance(m, str) and m in MEMBER_TYPES
                                                                for m in members):
        raise bad_request("Invalid value specified for property 'allowedMemberTypes' of resource 'AppRole'.")
    value = role.get("value")
    if value is not None and (not isinstance(value, str) or not ROLE_VALUE.match(value) or value.startswith(".")):
        raise bad_request(f"Invalid value specified for property 'value' of resource 'AppRole': '{value}'.")
    if not isinstance(role.get("displayName"), str) or not role["displayName"]:
        raise bad_request("Property 'displayName' of resource 'AppRole' is required.")
    for name, declared in (("description", str), ("isEnabled", bool)):  # approle.md: String, Boolean
        if role.get(name) is not None and not isinstance(role[name], declared):
            raise value_types.invalid(name, "AppRole")
    return {
        "allowedMemberTypes": list(members), "description": role.get("description"),
        # a GUID (Edm.Guid) is kept, and returned, in lower case whatever case it was sent in
        "displayName": role["displayName"], "id": role_id.lower(), "isEnabled": bool(role.get("isEnabled", True)),
        "origin": "Application", "value": value,
    }


def check_enabled_unchanged(items: list, previous: list) -> None:
    """An enabled role or delegated permission (scope) is changed or removed only once disabled."""
    new_by_id = {str(item["id"]).lower(): item for item in items}
    for old in previous:
        if not old.get("isEnabled", True):
            continue
        new = new_by_id.get(str(old["id"]).lower())
        if new is None or _without_enabled(new) != _without_enabled(old):
            raise GraphError(400, "CannotDeleteOrUpdateEnabledEntitlement", CANNOT_UPDATE_ENABLED)


def duplicate_value(target: str) -> GraphError:
    """Graph's answer to a collection with a repeated id or value (`appRoles`, and scopes as roles)."""
    message = "Request contains a property with duplicate values."
    return GraphError(400, "DuplicateValue", message, [{"code": "DuplicateValue", "message": message,
                                                          "target": target}])


def _without_enabled(role: dict) -> dict:
    """What a client changes of a role: all but `isEnabled`, and `origin`, which the service sets (a service
    principal's own role is checked before its origin is given: principal_roles.py)."""
    return {key: value for key, value in role.items() if key not in ("isEnabled", "origin")}


def new_id() -> str:
    return str(uuid.uuid4())
