"""The declared type of each property of the complex types an application or service principal is written with, as
their resource pages give them, and the check that a written value has it.

Sources (microsoft-graph-docs-contrib, api-reference/v1.0/resources/): informationalurl.md (its URLs, String),
webapplication.md (homePageUrl and logoutUrl String, redirectUris String collection, implicitGrantSettings),
implicitgrantsettings.md (enableAccessTokenIssuance and enableIdTokenIssuance, Boolean), spaapplication.md and
publicclientapplication.md (redirectUris, String collection), redirectUriSettings (a webApplication's
`redirectUriSettings`, each `uri` String and `index` Int32 and nothing else: the pinned msgraph-sdk's
RedirectUriSettings model; its page is beta/resources/redirecturisettings.md), parentalcontrolsettings.md
(countriesBlockedForMinors String collection; legalAgeGroupRule a String that "can be set to one of the following
values": Allow, RequireConsentForPrivacyServices, RequireConsentForMinors, RequireConsentForKids, BlockMinors).
Graph reads a request body by these declarations: a value of another JSON type is not a value of the property (a
number for a URL, the text "true" for a Boolean, one string for a collection). Null is left as the writes take it
elsewhere. The refusal's wording is Graph's reported answer for an invalid `web` ("Invalid value specified for
property 'web' of resource 'Application'.", msgraph-sdk-powershell issue 3149), naming the top-level property; the
code, Request_BadRequest, is inferred.
"""

from __future__ import annotations

from .errors import bad_request

STRINGS = "a collection of strings"  # (markers: the other declarations are Python types)
URI_SETTINGS = "a collection of redirectUriSettings"
LEGAL_AGE_GROUP_RULES = {"Allow", "RequireConsentForPrivacyServices", "RequireConsentForMinors",
                         "RequireConsentForKids", "BlockMinors"}
DECLARED = {
    "informationalUrl": {"logoUrl": str, "marketingUrl": str, "privacyStatementUrl": str, "supportUrl": str,
                         "termsOfServiceUrl": str},
    "webApplication": {"homePageUrl": str, "logoutUrl": str, "redirectUris": STRINGS, "implicitGrantSettings": dict,
                       "redirectUriSettings": URI_SETTINGS},
    "implicitGrantSettings": {"enableAccessTokenIssuance": bool, "enableIdTokenIssuance": bool},
    "spaApplication": {"redirectUris": STRINGS},
    "publicClientApplication": {"redirectUris": STRINGS},
    "parentalControlSettings": {"countriesBlockedForMinors": STRINGS, "legalAgeGroupRule": str},
}


def check_values(value: dict, type_name: str, holder: str, resource: str) -> None:
    """Each property `value` (a complex value of type `type_name`) declares has a value of its declared type; a
    wrong one is refused naming the `resource`'s property that holds it, `holder` (`web` for a redirect URI), as
    Graph's reported answer does."""
    for name, declared in DECLARED.get(type_name, {}).items():
        item = value.get(name)
        if item is not None and not _is(item, declared):
            raise invalid(holder, resource)
    if type_name == "parentalControlSettings" and value.get("legalAgeGroupRule") not in {None, *LEGAL_AGE_GROUP_RULES}:
        raise invalid(holder, resource)


def _is(item, declared) -> bool:
    if declared == STRINGS:
        return isinstance(item, list) and all(isinstance(entry, str) for entry in item)
    if declared == URI_SETTINGS:
        return isinstance(item, list) and all(_uri_setting(entry) for entry in item)
    return isinstance(item, declared)


def _uri_setting(entry) -> bool:
    """One redirectUriSettings: a `uri` String, an `index` Int32 (a JSON true is not one), either null."""
    declared = {"uri", "index"}
    return isinstance(entry, dict) and not {name for name in entry if not name.startswith("@odata.")} - declared \
        and isinstance(entry.get("uri"), (str, type(None))) and \
        (entry.get("index") is None or type(entry["index"]) is int and -2 ** 31 <= entry["index"] < 2 ** 31)


def invalid(name: str, resource: str):
    return bad_request(f"Invalid value specified for property '{name}' of resource '{resource}'.")


# The collections the resource pages call "Not nullable" (application.md and application-update.md's request body;
# serviceprincipal.md): a null for one is not a value Graph takes -- `[]` empties it. (appRoles, "Not nullable" on
# both, is refused by its own check.)
NOT_NULLABLE_COLLECTIONS = {
    "Application": ("identifierUris", "keyCredentials", "requiredResourceAccess", "tags"),
    "ServicePrincipal": ("keyCredentials", "oauth2PermissionScopes", "replyUrls", "servicePrincipalNames", "tags"),
}


def check_not_null(body: dict, resource: str) -> None:
    """A write of `resource` (`Application`, `ServicePrincipal`) sends no null for a collection that is not nullable
    (the wording inferred, as for the nested values above)."""
    for name in NOT_NULLABLE_COLLECTIONS[resource]:
        if name in body and body[name] is None:
            raise invalid(name, resource)
