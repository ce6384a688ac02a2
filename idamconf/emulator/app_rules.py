"""Graph's rules on an application as a write would leave it, with Graph's status, code and message.

`check_application(store, before, after)` runs after a create or update is merged and before it is stored: the
whole application is checked (Graph refuses, say, a change of signInAudience that other properties do not allow
yet), the tenant-dependent identifier URI rules only for the URIs the write adds, as Graph documents. The rules
themselves, with their sources, are in graph/uri_rules.py and graph/limits.py, shared with `validate`.

Where Graph's wording is documented or reported it is used: HostNameNotOnVerifiedDomain,
the app-management policy's "Failed to add identifier URI …", the manifest limit, Edm.Binary, and "Invalid value
specified for property '<name>' of resource 'Application'." (Graph's answer for an invalid web, reported in
msgraph-sdk-powershell issue 3149). Codes Graph does not document are Request_BadRequest (inferred); the fidelity
table in docs/emulator.md lists which is which. The `api` (token version, exposed scopes, pre-authorized clients)
is checked by api_rules.py.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from ..graph import limits, uri_rules
from . import api_rules, tenant
from .entities import GUID, new_id
from .errors import GraphError, bad_request, invalid

KEY_TYPES = {"AsymmetricX509Cert", "Symmetric", "X509CertAndPassword"}
KEY_USAGES = {"Verify", "Sign"}
KEY_FIELDS = {"customKeyIdentifier", "displayName", "endDateTime", "key", "keyId", "startDateTime", "type", "usage",
              "@odata.type"}
POLICY_MESSAGES = {
    "uriAdditionWithoutUniqueTenantIdentifier": "All newly added URIs must contain a tenant verified domain, tenant "
                                                "ID, or app ID, as per the default tenant policy of your organization.",
    "nonDefaultUriAddition": "All newly added URIs must be api://{appId} or api://{tenantId}/{appId}, as per the "
                             "default tenant policy of your organization (inferred wording).",
}


# Documented lengths (application.md: description "The maximum allowed size is 1,024 characters";
# serviceprincipal.md: description and notes "Maximum allowed size is 1024 characters"); the refusal's wording is
# Graph's answer for an invalid value (inferred for these).
LONGEST = {"Application": {"description": 1024}, "ServicePrincipal": {"description": 1024, "notes": 1024}}
NOT_NULLABLE = ("accountEnabled", "appRoleAssignmentRequired")  # serviceprincipal-update.md: "Not nullable."


def _lengths(after: dict, resource: str) -> None:
    for name, longest in LONGEST[resource].items():
        if isinstance(after.get(name), str) and len(after[name]) > longest:
            raise invalid(name, resource)


def check_application(store, before: dict | None, after: dict) -> None:
    audience = after["signInAudience"]
    if len(after["displayName"] or "") > limits.display_name_limit(audience):
        raise invalid("displayName")
    _lengths(after, "Application")
    check_tags(after["tags"])
    api_rules.check_api(after, before)
    _check_definitions(before, after, lambda doc: ((doc or {}).get("api") or {}).get("oauth2PermissionScopes"))
    if uri_rules.personal(audience) and after["appRoles"]:
        raise invalid("appRoles")  # [accounts]: app roles are not supported for personal-account audiences
    _check_redirect_uris(after, audience)
    _check_saml_reply_settings(before, after)
    check_key_credentials(after["keyCredentials"], (before or {}).get("keyCredentials") or [])
    _check_permissions(after["requiredResourceAccess"], audience)
    _check_identifier_uris(store, before, after)
    if limits.manifest_entries(after) > limits.MANIFEST_ENTRIES:
        raise bad_request("The size of the manifest has exceeded its limit. Please reduce the number of values and "
                          "retry your request.")


def _check_definitions(before: dict | None, after: dict, scopes_of) -> None:
    """At most 700 app roles and scopes (distinct ids) -- unless the write does not add to a count already above
    (graph/limits.py [definitions]: Graph's documented message; its status and code are inferred)."""
    def count(doc: dict | None) -> int:
        return limits.permission_definitions((doc or {}).get("appRoles") or [], scopes_of(doc) or [])

    problem = limits.definitions_problem(count(before), count(after))
    if problem:
        raise bad_request(problem)


def check_tags(tags: list, resource: str = "Application") -> None:
    if any(limits.tag_problem(tag) for tag in tags) or len(set(tags)) != len(tags):
        raise invalid("tags", resource)


# ---------------------------------------------------------------------------------------------- redirect URIs
def _check_redirect_uris(application: dict, audience: str) -> None:
    seen = 0
    for platform in uri_rules.PLATFORMS:
        uris = (application.get(platform) or {}).get("redirectUris") or []
        if not all(isinstance(uri, str) for uri in uris):
            raise invalid(platform)
        seen += len(uris)
        if seen > uri_rules.redirect_count_limit(audience):
            raise invalid(platform)
        if any(uri_rules.redirect_uri_problem(uri, platform, audience) for uri in uris):
            raise invalid(platform)


def _check_saml_reply_settings(before: dict | None, after: dict) -> None:
    """application.md, defaultRedirectUri: "The value must match one of the configured redirect URIs for the
    application" -- checked when a write sets it (whether a write removing the URI it names is refused is not
    documented: docs/emulator.md's open questions); redirectUriSettings, index: "The index is unique across all the
    redirectUris for the application" (null is no index). The wording is Graph's general form (inferred)."""
    default = after.get("defaultRedirectUri")
    configured = {uri for platform in uri_rules.PLATFORMS for uri in (after.get(platform) or {}).get("redirectUris")
                  or []}
    if default is not None and default != (before or {}).get("defaultRedirectUri") and default not in configured:
        raise invalid("defaultRedirectUri")
    indexes = [setting["index"] for setting in (after.get("web") or {}).get("redirectUriSettings") or []
               if setting.get("index") is not None]
    if len(set(indexes)) != len(indexes):
        raise invalid("web")


# -------------------------------------------------------------------------------------------- key credentials
def check_key_credentials(credentials: list, previous: list, resource: str = "Application") -> None:
    """Certificates: known fields, a documented type and usage, the key as base64 (Graph: 'Cannot convert the
    literal … to the expected type Edm.Binary', reported in msgraph-sdk-powershell issue 2056), an end after the
    start. A credential already held may come back without its key (reads never show it)."""
    held = {str(credential.get("keyId")).lower() for credential in previous}
    for credential in credentials:
        if not isinstance(credential, dict) or set(credential) - KEY_FIELDS or \
                credential.get("type") not in KEY_TYPES or credential.get("usage") not in KEY_USAGES:
            raise invalid("keyCredentials", resource)
        if credential.get("keyId") is not None and not GUID.match(str(credential["keyId"])):
            raise invalid("keyCredentials", resource)
        for name in ("key", "customKeyIdentifier"):
            if credential.get(name) is not None:
                _binary(credential[name])
        if credential.get("key") is None and str(credential.get("keyId")).lower() not in held:
            raise invalid("keyCredentials", resource)
        start, end = credential.get("startDateTime"), credential.get("endDateTime")
        if start and end and str(end) <= str(start):
            raise invalid("keyCredentials", resource)


def stored_key_credentials(credentials: list) -> list:
    """The certificates as Graph keeps them, once checked (resources/keycredential.md): a displayName longer than
    90 characters shortened to its first 90 ("Longer values are accepted but shortened"); a customKeyIdentifier not
    sent is the certificate's SHA-1 thumbprint ("When not provided in the payload, defaults to the thumbprint of the
    certificate"); a keyId not sent is a new GUID (inferred: Graph identifies each credential by it)."""
    return [_stored_key_credential(credential) for credential in credentials]


def _stored_key_credential(credential: dict) -> dict:
    stored = {**credential, "keyId": credential.get("keyId") or new_id()}
    if isinstance(stored.get("displayName"), str):
        stored["displayName"] = stored["displayName"][:limits.KEY_DISPLAY_NAME]
    if stored.get("customKeyIdentifier") is None and stored.get("key") is not None:
        thumbprint = hashlib.sha1(base64.b64decode(stored["key"])).digest()
        stored["customKeyIdentifier"] = base64.b64encode(thumbprint).decode("ascii")
    return stored


def _binary(value) -> None:
    try:
        if not isinstance(value, str):
            raise ValueError
        base64.b64decode(value, validate=True)
    except (ValueError, binascii.Error):
        shown = str(value)[:50]
        raise bad_request(f"Cannot convert the literal '{shown}' to the expected type 'Edm.Binary'.") from None


def _check_permissions(required: list, audience: str) -> None:
    for entry in required:
        accesses = entry.get("resourceAccess") if isinstance(entry, dict) else None
        if not isinstance(entry, dict) or not isinstance(entry.get("resourceAppId"), str) or \
                not isinstance(accesses, list) or not all(
                    isinstance(access, dict) and GUID.match(str(access.get("id"))) and
                    access.get("type") in ("Scope", "Role") for access in accesses):
            raise invalid("requiredResourceAccess")
    if limits.permissions_problem(audience, required):
        raise invalid("requiredResourceAccess")


# ------------------------------------------------------------------------------------------- identifier URIs
def _check_identifier_uris(store, before: dict | None, after: dict) -> None:
    uris, audience = after["identifierUris"], after["signInAudience"]
    limit = uri_rules.identifier_uri_count_limit(audience)
    if (limit is not None and len(uris) > limit) or any(uri_rules.identifier_uri_shape(u, audience) for u in uris):
        raise invalid("identifierUris")
    known = tenant.tenant(store)
    held = {uri.lower() for uri in (before or {}).get("identifierUris") or []}
    saml = _saml(store, after)
    for uri in uris:
        problem = uri_rules.identifier_uri_tenant(uri, audience, after["appId"], known)
        if problem == "unverified-host" and saml and uri.lower().startswith("https://"):
            continue  # a SAML service provider's entity id is on its own domain (https, as Graph's tutorial shows)
        if problem == "multi-tenant-host" or (problem and uri.lower() not in held):
            raise _tenant_refusal(problem, uri)
    _check_policy(store, before, after, known)


def _tenant_refusal(problem: str, uri: str) -> GraphError:
    if problem == "guid":
        return invalid("identifierUris")  # (inferred code and wording) [patterns]
    shown = uri if problem == "unverified-host" else uri_rules.Uri.parse(uri).host
    return GraphError(400, "HostNameNotOnVerifiedDomain", "Values of identifierUris property must use a verified "
                      f"domain of the organization or its subdomain: '{shown}'")


def _check_policy(store, before: dict | None, after: dict, known) -> None:
    """The default app-management policy's identifier URI restrictions, on the URIs this write adds -- or on all of
    them when the application becomes subject to a restriction (a v2 application going back to v1 tokens).

    An application is spared only if it is exempt both before and after the write: a create is never spared (so a
    v2 application gets such URIs in an update after its create) and neither is the write that moves it to v2
    tokens, as users of real tenants report ("requestedAccessTokenVersion = 2 before identifierUris", two writes);
    the write that moves it back to v1 is checked on all its URIs (Microsoft Entra, "Restrictions on identifier
    URIs": it cannot go back while it holds URIs the restriction refuses)."""
    document = tenant.policy(store)
    if not document.get("isEnabled"):
        return
    restrictions = (document.get("applicationRestrictions") or {}).get("identifierUris") or {}
    for name, allowed in (("uriAdditionWithoutUniqueTenantIdentifier",
                           lambda uri: uri_rules.has_tenant_identifier(uri, after["appId"], known)),
                          ("nonDefaultUriAddition",
                           lambda uri: uri_rules.is_default_uri(uri, after["appId"], known.id))):
        restriction = restrictions.get(name)
        if not restriction or restriction.get("state") != "enabled" or \
                (before is not None and _exempt(store, restriction, before) and _exempt(store, restriction, after)):
            continue
        held = set() if before is None or _exempt(store, restriction, before) else \
            {uri.lower() for uri in before["identifierUris"]}
        for uri in after["identifierUris"]:
            if uri.lower() not in held and not allowed(uri):
                raise bad_request(f"Failed to add identifier URI {uri}. {POLICY_MESSAGES[name]} See "
                                  "https://aka.ms/identifier-uri-addition-error for more information on this error.")


def _exempt(store, restriction: dict, application: dict) -> bool:
    """A v2-token application, a SAML one (its service principal's preferredSingleSignOnMode), or one created before
    the restriction's date, when the restriction says so [policy]."""
    if restriction.get(tenant.NOT_SERVED) and (application.get("api") or {}).get("requestedAccessTokenVersion") == 2:
        return True
    after = restriction.get("restrictForAppsCreatedAfterDateTime")
    if after and application.get("createdDateTime") and application["createdDateTime"] < after:
        return True
    return bool(restriction.get("excludeSaml")) and _saml(store, application)


def _saml(store, application: dict) -> bool:
    """Whether the application signs people in with SAML: its service principal's preferredSingleSignOnMode. Such an
    application's identifier URI is its service provider's entity id, on the provider's own domain: Graph's SAML
    tutorial sets `https://signin.aws.amazon.com/saml` once the mode is saml and is answered 204
    (concepts/application-saml-sso-configure-api.md), where an https URI on an unverified domain is refused with
    HostNameNotOnVerifiedDomain otherwise -- and users report that refusal until the mode has reached the
    application (inferred: the mode is read from the service principal as written)."""
    if not application.get("appId"):
        return False
    principal = store.find("servicePrincipals", "appId", application["appId"], primary=True)
    return bool(principal) and principal.get("preferredSingleSignOnMode") == "saml"


# ---------------------------------------------------------------------------------------- service principals
SSO_MODES = {None, "password", "saml", "notSupported", "oidc"}
STRING_COLLECTIONS = ("alternativeNames", "notificationEmailAddresses", "replyUrls", "servicePrincipalNames")


def check_service_principal(after: dict, before: dict | None) -> None:
    """A service principal's writable properties: tags and certificates as an application's, a documented single
    sign-on mode, collections of strings, reply URLs as an application's web redirect URIs."""
    check_tags(after["tags"], "ServicePrincipal")
    _check_definitions(before, after, lambda doc: (doc or {}).get("oauth2PermissionScopes"))
    _lengths(after, "ServicePrincipal")
    for name in NOT_NULLABLE:
        if after.get(name) is None:
            raise invalid(name, "ServicePrincipal")
    if after.get("preferredSingleSignOnMode") not in SSO_MODES:
        raise invalid("preferredSingleSignOnMode", "ServicePrincipal")
    check_key_credentials(after["keyCredentials"], (before or {}).get("keyCredentials") or [], "ServicePrincipal")
    for name in STRING_COLLECTIONS:
        if not all(isinstance(item, str) and item for item in after.get(name) or []):
            raise invalid(name, "ServicePrincipal")
    if any(uri_rules.redirect_uri_problem(uri, "web", after.get("signInAudience")) for uri in after["replyUrls"]):
        raise invalid("replyUrls", "ServicePrincipal")
