"""The application registration's settings, declared once each: where the file writes it, which Graph property it
sets, its JSON Schema, its default, how it compares.

Everything else follows from this table: the application schema's properties (surface/schema.py writes them into
schemas/application.schema.json; a test checks the file is up to date), the desired and the live resources' attributes
(plan/resources.py, through `desired` and `live`), what plan reads (`select`), what the plan shows on a create, and
the bodies apply sends (the changed attributes' top-level Graph properties, as they are). Adding a Graph property is a
line here and its test.

A setting the file leaves out is managed to its default, which is Graph's own unless a row says otherwise (and why):
the file is the whole truth about what it manages, and a plan of an unchanged file is empty. Graph's `null` reads as
the default.

Settings with more to them than a value -- identifier URIs (placeholders), tags (the project's tag), redirect URIs
and the access-token version (tenant rules) -- stay in plan/resources.py; they share the objects (`web`, `api`) the
table's settings go in.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Callable

from ..graph.limits import GROUP_MEMBERSHIP_CLAIMS

APPLICATION, SERVICE_PRINCIPAL = "application", "service_principal"
SP_PREFIX = "servicePrincipal."

HTTPS_URL = {"type": "string", "maxLength": 2048, "pattern": "^https://[^\\s]+$",
             "x-fix": "use an https:// URL, e.g. https://app.contoso.com/"}
WEB_URL = {"type": "string", "maxLength": 2048, "pattern": "^(https://[^\\s]*|http://localhost([:/][^\\s]*)?)$",
           "x-fix": "use an https:// URL (http:// only for localhost), e.g. https://app.contoso.com/"}
GUID = {"type": "string", "pattern": "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
        "x-fix": "use a GUID such as 8f0e3e5a-1b2c-4d6e-9a2a-0d4c9f6f3c11"}
EMAIL = {"type": "string", "maxLength": 256, "pattern": "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$",
         "x-fix": "use an e-mail address, e.g. idam-team@contoso.com"}
CLAIM = {"type": "object", "additionalProperties": False, "required": ["name"], "properties": {
    "name": {"type": "string", "minLength": 1, "maxLength": 128, "description": "The claim, e.g. email, upn, groups."},
    "essential": {"type": "boolean", "default": False,
                  "description": "Whether the client needs the claim to work well for the user's task."},
    "source": {"enum": [None, "user"], "default": None,
               "description": "Omit for the standard claim; user for a directory extension of the user."},
    "additionalProperties": {"type": "array", "uniqueItems": True, "items": {"type": "string"},
                             "description": "Claim options, e.g. [sam_account_name] or [emit_as_roles]."}}}


def _set(items: dict, description: str, examples=None) -> dict:
    schema = {"type": "array", "uniqueItems": True, "items": items, "description": description}
    return {**schema, "examples": examples} if examples else schema


def _flag(description: str, default: bool) -> dict:
    return {"type": "boolean", "default": default, "description": description}


def _claims(value):
    """optionalClaims in one normal form: each token's claims sorted by name, fields filled; no claim at all: None."""
    if not value:
        return None
    normal = {token: sorted(({"name": c.get("name"), "essential": bool(c.get("essential")), "source": c.get("source"),
                              "additionalProperties": sorted(c.get("additionalProperties") or [])}
                             for c in value.get(token) or []), key=lambda claim: (claim["name"] or "", str(claim)))
              for token in ("idToken", "accessToken", "saml2Token")}
    return normal if any(normal.values()) else None


@dataclass(frozen=True)
class Attribute:
    key: str  # where the file writes it: dotted, under servicePrincipal for the service principal's
    graph: str  # the Graph property it sets on its object, dotted
    schema: dict  # the JSON Schema of the value, with a description (and examples / x-fix)
    default: object = None  # what it is when the file leaves it out
    normal: Callable | None = None  # the normal form both sides are compared in; None: as it is (a set: sorted)
    shown: bool = True  # shown on a create in the plan, when not the default

    @property
    def on(self) -> str:
        return SERVICE_PRINCIPAL if self.key.startswith(SP_PREFIX) else APPLICATION

    @property
    def written(self) -> tuple[str, ...]:
        """The path in the application file: below `servicePrincipal` for the service principal's settings."""
        return tuple(self.key.split("."))

    def normalised(self, value):
        """`value` in the form both sides are compared in; Graph's null is the default."""
        if value is None:
            value = self.default
        if self.normal is not None:
            return self.normal(value)
        if self.schema.get("type") == "array" and isinstance(value, list):
            return sorted(dict.fromkeys(value), key=str)
        return value


TABLE: tuple[Attribute, ...] = (
    # ----------------------------------------------------------------------------------------------- application
    Attribute("notes", "notes", {"type": "string", "maxLength": 1024, "description":
              "Notes for whoever manages the application: its purpose, who to ask.",
              "examples": ["Blog for the communications team. Managed by idamconf."]}),
    Attribute("serviceManagementReference", "serviceManagementReference", {"type": "string", "maxLength": 128,
              "description": "The ticket or service record that asked for the application, e.g. IDAM-1234.",
              "examples": ["IDAM-1234"]}),
    Attribute("info.marketingUrl", "info.marketingUrl", {**HTTPS_URL, "description": "The application's marketing page."}),
    Attribute("info.privacyStatementUrl", "info.privacyStatementUrl",
              {**HTTPS_URL, "description": "The application's privacy statement."}),
    Attribute("info.supportUrl", "info.supportUrl", {**HTTPS_URL, "description": "Where users get support."}),
    Attribute("info.termsOfServiceUrl", "info.termsOfServiceUrl",
              {**HTTPS_URL, "description": "The application's terms of service."}),
    Attribute("web.homePageUrl", "web.homePageUrl", {**WEB_URL, "description": "The application's home page."}),
    Attribute("web.logoutUrl", "web.logoutUrl",
              {**WEB_URL, "description": "Where Entra ID sends a front-channel sign-out request."}),
    Attribute("web.implicitGrantSettings.enableIdTokenIssuance", "web.implicitGrantSettings.enableIdTokenIssuance",
              _flag("Whether ID tokens may be issued by the implicit flow (hybrid and implicit sign-in).", False),
              False),
    Attribute("web.implicitGrantSettings.enableAccessTokenIssuance",
              "web.implicitGrantSettings.enableAccessTokenIssuance",
              _flag("Whether access tokens may be issued by the implicit flow. Prefer the authorisation-code flow.",
                    False), False),
    Attribute("publicClient.redirectUris", "publicClient.redirectUris", _set(
        {"type": "string", "minLength": 1, "maxLength": 256, "pattern": "^[a-zA-Z][a-zA-Z0-9+.-]*:[^\\s]+$",
         "x-fix": "use the URI the mobile or desktop client listens on, e.g. msal<client id>://auth or "
                  "http://localhost"},
        "Redirect URIs of mobile and desktop clients (public clients).", [["http://localhost"]]), []),
    Attribute("isFallbackPublicClient", "isFallbackPublicClient",
              _flag("Whether the application is a public client (mobile or desktop) when Entra ID cannot tell.", False),
              False),
    Attribute("groupMembershipClaims", "groupMembershipClaims", {
        "enum": [None, *GROUP_MEMBERSHIP_CLAIMS], "description": "Which groups tokens carry in the groups claim: None, "
        "SecurityGroup, All, DirectoryRole or ApplicationGroup (the groups assigned to the application)."}),
    Attribute("optionalClaims", "optionalClaims", {"type": "object", "additionalProperties": False,
              "description": "Claims added to the application's tokens, by token.",
              "properties": {token: {"type": "array", "items": CLAIM, "description": f"Claims in {what}."}
                             for token, what in (("idToken", "ID tokens"), ("accessToken", "access tokens"),
                                                 ("saml2Token", "SAML tokens"))}}, None, _claims),
    Attribute("api.acceptMappedClaims", "api.acceptMappedClaims",
              _flag("Whether the API accepts claims mapped by a claims-mapping policy without a custom signing key.",
                    False), False),
    Attribute("api.knownClientApplications", "api.knownClientApplications", _set(
        GUID, "Client applications (their app ids) whose consent also consents to this API: a combined consent."),
        []),
    # ----------------------------------------------------------------------------------------- service principal
    Attribute("servicePrincipal.appRoleAssignmentRequired", "appRoleAssignmentRequired",
              _flag("Whether only users and groups assigned to the application may sign in to it (and get tokens "
                    "for it). Default true: the organisation's rule (176 of its 192 applications), and the safe "
                    "choice -- Graph's own default, false, admits every user of the tenant.", True), True),
    Attribute("servicePrincipal.accountEnabled", "accountEnabled",
              _flag("Whether users can sign in to the application at all.", True), True),
    Attribute("servicePrincipal.loginUrl", "loginUrl",
              {**HTTPS_URL, "description": "Where a sign-in from My Apps starts (service-provider-initiated)."}),
    Attribute("servicePrincipal.notificationEmailAddresses", "notificationEmailAddresses", _set(
        EMAIL, "Who is told when the application's SAML signing certificate nears its expiry.",
        [["idam-team@contoso.com"]]), []),
    Attribute("servicePrincipal.preferredSingleSignOnMode", "preferredSingleSignOnMode", {"enum": [
        None, "saml", "oidc", "password", "notSupported"], "description": "The single sign-on mode My Apps uses: "
        "saml, oidc, password, or none (omit)."}),
)

# The service principal's tags are the application's (its own and the project's tag) and these: what the portal's
# settings for enterprise applications are, as tags. `tags` adds any others.
HIDE_APP = "HideApp"
INTEGRATED_APP = "WindowsAzureActiveDirectoryIntegratedApp"
SP_TAG_SETTINGS = (
    Attribute("servicePrincipal.hideFromUsers", "", _flag(
        "Whether the application is hidden from users in My Apps and Office (the service principal's HideApp tag).",
        False), False),
    Attribute("servicePrincipal.tags", "", _set({"type": "string", "minLength": 1, "maxLength": 256},
              "More tags for the service principal alone. Default: WindowsAzureActiveDirectoryIntegratedApp, which "
              "lists it under Enterprise applications, as the portal does for the applications it registers.",
              [[INTEGRATED_APP]]), [INTEGRATED_APP]),
)

OBJECTS = {  # descriptions of the objects the table's settings go in (for the schema)
    "info": "Links shown with the application: marketing, privacy statement, support, terms of service.",
    "web": "Web platform settings.",
    "web.implicitGrantSettings": "The implicit grant flow (hybrid sign-in): off unless an old client needs it.",
    "publicClient": "Mobile and desktop (public client) settings.",
    "api": "Web API settings.",
    "servicePrincipal": "The enterprise application (service principal): who may use the application and how it "
                        "shows to them.",
}


@cache
def rows(on: str) -> tuple[Attribute, ...]:
    return tuple(attribute for attribute in TABLE if attribute.on == on)
