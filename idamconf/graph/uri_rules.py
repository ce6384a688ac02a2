"""Graph's documented rules on an application's URIs, as pure functions: the emulator refuses a request that breaks
one, as Graph does, and `validate` refuses the configuration that would send it, before any request.

Each function names the problem it finds (a key of `URI_PROBLEMS`) or None; the emulator and `validate` word it
each their own way (Graph's answer; a diagnostic with a fix). The sources, one per rule:
- [patterns] Microsoft Entra, "Restrictions on identifier URIs" and the app manifest reference (the secure patterns,
  "a GUID ... must match either the app ID or the tenant ID", "must not end with a slash").
- [accounts] Microsoft Entra, "Validation differences by supported account types" (lengths, counts, schemes,
  wildcards, query strings by signInAudience).
- [verified] Microsoft Entra, "Breaking changes", October 2021: an https identifier URI must be on a verified domain
  (400, HostNameNotOnVerifiedDomain); multi-tenant applications likewise for the host of api:// URIs.
- [policy] Graph, identifierUriConfiguration: uriAdditionWithoutUniqueTenantIdentifier (a new URI must contain the
  tenant id, the app id or a verified domain) and nonDefaultUriAddition (only api://{appId} or
  api://{tenantId}/{appId}).
- [reply] Microsoft Entra, "Redirect URI (reply URL) restrictions and limitations".
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from ..quick_init import quick_init

PERSONAL = frozenset({"AzureADandPersonalMicrosoftAccount", "PersonalMicrosoftAccount"})
MULTI_TENANT = PERSONAL | {"AzureADMultipleOrgs"}
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
LOOPBACK = frozenset({"localhost", "127.0.0.1"})
REDIRECT_FORBIDDEN = "!$'(),;"  # [reply]

URI_PROBLEMS = {  # key -> what is wrong, for people
    "empty": "is empty",
    "length": "is longer than {limit} characters",
    "trailing-slash": "ends with a slash",
    "wildcard": "contains a wildcard (*)",
    "personal-urn": "uses the urn: scheme, which personal-account applications cannot use",
    "personal-query": "has a query string or fragment, which personal-account applications cannot use",
    "guid": "names a GUID that is neither the application's id nor the tenant's",
    "unverified-host": "is on a host that is not a verified domain of the tenant",
    "multi-tenant-host": "is not on a verified domain, the app id or the tenant id, as a multi-tenant application's "
                         "must be",
    "no-tenant-identifier": "contains neither the tenant id, the app id nor a verified domain, as the tenant's "
                            "default app-management policy requires of a new URI on an application with v1 tokens",
    "not-default": "is not api://{appId} or api://{tenantId}/{appId}, as the tenant's policy requires",
    "characters": "contains one of the characters " + " ".join(REDIRECT_FORBIDDEN),
    "scheme": "must use https (http only for localhost)",
    "personal-wildcard": "contains a wildcard (*), which personal-account applications cannot use",
}


@quick_init
@dataclass(frozen=True, slots=True)
class Tenant:
    """What the rules need to know of a tenant: its id and its verified domains (lower case)."""

    id: str
    verified_domains: tuple[str, ...] = ()

    def verifies(self, host: str) -> bool:
        """A verified domain, or a subdomain of one [patterns]."""
        host = host.lower()
        return any(host == domain or host.endswith("." + domain) for domain in self.verified_domains)


@quick_init
@dataclass(frozen=True, slots=True)
class Uri:
    """An identifier URI taken apart: `scheme://host/path`, or a URI without an authority (urn:…, PUI)."""

    text: str
    scheme: str  # lower case; "" when there is none
    host: str | None  # None without "://"
    segments: tuple[str, ...]  # the path's (or, without an authority, the rest's) parts, split at / and :

    @classmethod
    def parse(cls, text: str) -> "Uri":
        return _parsed(text)


@functools.lru_cache(maxsize=4096)  # a file's URIs are taken apart by several rules, in each environment
def _parsed(text: str) -> Uri:
    scheme, found, rest = text.partition("://")
    if not found:
        head, colon, tail = text.partition(":")
        return Uri(text, head.lower() if colon else "", None, tuple(_PARTS.split(tail if colon else text)))
    authority = _AUTHORITY_END.split(rest, maxsplit=1)[0]
    host = authority.rpartition("@")[2].split(":")[0]
    path = _PATH_END.split(rest[len(authority):], maxsplit=1)[0]
    return Uri(text, scheme.lower(), host, tuple(part for part in path.split("/") if part))


_PARTS, _AUTHORITY_END, _PATH_END = re.compile(r"[/:]"), re.compile(r"[/?#]"), re.compile(r"[?#]")


def personal(audience: str | None) -> bool:
    return audience in PERSONAL


def identifier_uri_limit(audience: str | None) -> int:
    return 120 if personal(audience) else 255  # [accounts]


def identifier_uri_count_limit(audience: str | None) -> int | None:
    return 50 if personal(audience) else None  # [accounts]; others: the manifest's overall limit only


def identifier_uri_shape(text: str, audience: str | None) -> str | None:
    """The problem with any identifier URI's form, whoever adds it and whatever the tenant [patterns, accounts]."""
    if not text:
        return "empty"
    if len(text) > identifier_uri_limit(audience):
        return "length"
    if text.endswith("/"):
        return "trailing-slash"
    if "*" in text:
        return "wildcard"
    uri = Uri.parse(text)
    if personal(audience) and uri.scheme == "urn":
        return "personal-urn"
    if personal(audience) and ("?" in text or "#" in text):
        return "personal-query"
    return None


def identifier_uri_tenant(text: str, audience: str | None, app_id: str, tenant: Tenant) -> str | None:
    """The problem with an identifier URI in this tenant: a GUID host of someone else's, an unverified https host,
    a multi-tenant application's api:// host that is not verified [patterns, verified]."""
    uri = Uri.parse(text)
    own = {app_id.lower(), tenant.id.lower()}
    if uri.scheme == "api" and GUID.match(uri.host or "") and uri.host.lower() not in own:
        return "guid"
    if uri.scheme in ("http", "https") and not tenant.verifies(uri.host or ""):
        return "unverified-host"
    if audience in MULTI_TENANT and uri.scheme == "api" and (uri.host or "").lower() not in own and \
            not tenant.verifies(uri.host or ""):
        return "multi-tenant-host"
    return None


def has_tenant_identifier(text: str, app_id: str, tenant: Tenant) -> bool:
    """Whether a URI contains the tenant id, the app id or a verified domain: api://{tenantId}/x, api://{appId}/x,
    scheme://x/{tenantId}, https://{verified domain}/x, scheme://sub.{verified domain}/x [policy]."""
    uri = Uri.parse(text)
    own = {app_id.lower(), tenant.id.lower()}
    if uri.host is not None and (uri.host.lower() in own or tenant.verifies(uri.host)):
        return True
    return any(part.lower() in own or (uri.host is None and tenant.verifies(part)) for part in uri.segments)


def is_default_uri(text: str, app_id: str, tenant_id: str) -> bool:
    """api://{appId} or api://{tenantId}/{appId} [policy: nonDefaultUriAddition]."""
    lowered = text.lower()
    return lowered in (f"api://{app_id}".lower(), f"api://{tenant_id}/{app_id}".lower())


# ------------------------------------------------------------------------------------------------ redirect URIs
REDIRECT_LENGTH = 256  # [reply] each URI
PLATFORMS = ("web", "spa", "publicClient")


def redirect_count_limit(audience: str | None) -> int:
    """Across the web, spa and publicClient platforms [reply]."""
    return 100 if personal(audience) else 256


def redirect_uri_problem(text: str, platform: str, audience: str | None) -> str | None:
    if not text:
        return "empty"
    if len(text) > REDIRECT_LENGTH:
        return "length"
    if any(character in text for character in REDIRECT_FORBIDDEN):
        return "characters"
    uri = Uri.parse(text)
    if uri.scheme == "http" and (uri.host or "").lower() not in LOOPBACK:
        return "scheme"
    if platform == "spa" and uri.scheme != "https" and uri.scheme != "http":
        return "scheme"  # a single-page application is redirected to by a browser: an http(s) URL
    if personal(audience) and "*" in text:
        return "personal-wildcard"
    if personal(audience) and "?" in text:
        return "personal-query"
    return None
