"""Graph's documented limits on an application and on an access review, as pure functions shared by the emulator
and `validate` (see uri_rules.py for the URIs). Sources:
- [accounts] Microsoft Entra, "Validation differences by supported account types": display name at most 120
  characters (90 for personal-account audiences); tags of 1 to 256 characters without whitespace-only or duplicate
  ones; requiredResourceAccess at most 50 APIs and 400 permissions (200, and 30 per API, for personal accounts);
  app roles not supported for personal-account audiences.
- [manifest] Microsoft Entra, app manifest reference: requestedAccessTokenVersion must be 2 for personal-account
  audiences (Graph: 400 InvalidAccessTokenVersion, for PersonalMicrosoftAccount too: microsoft-graph-docs-contrib
  issue 1122); at most 1,200 entries across an application's collections.
- [scopes] An exposed scope's value is at most 120 characters (permissionScope; 40 for personal-account audiences,
  which may expose at most 100 scopes [accounts]), unique among the application's scopes and its app roles' values.
- [limits] Microsoft Entra, "Service limits and restrictions": at most 100 owners of an application.
- [keys] keyCredential (resources/keycredential.md): displayName "with a maximum length of 90 characters. Longer
  values are accepted but shortened": Graph keeps the first 90.
- [definitions] application.md and serviceprincipal.md, appRoles: "App roles and exposed delegated permission scopes
  ... share a default limit of 700 permission definitions" per application (per service principal, its inherited
  and its own); "Enabled and disabled definitions both count". Microsoft Entra, "App role limits" (entra-docs,
  howto-add-app-roles-in-apps.md): each distinct id counts once; an update that keeps or reduces the count is
  allowed even above the limit, one that increases it above is rejected ("The total count of values: 701 exceeds
  the set maxValuesCount limit: 700 for property: Entitlement").
- [grants] oAuth2PermissionGrant `scope`, the space-separated delegated permissions granted: "Must not exceed 3,850
  characters in length" (resources/oauth2permissiongrant.md as Microsoft Learn serves it, and the description of
  `scope` in the msgraph-sdk models this project pins).
- [logo] Graph's application resource: `logo` is a stream, "the main logo for the application", uploaded with
  `PUT /applications/{id}/logo`; Graph's pages document no size or format. Microsoft Entra's page on an
  application's properties does: the logo is a .png, .jpg or .bmp "less than 100 KB" (215x215 pixels). Applied
  here: PNG, JPEG or GIF (what the issue and terraform-provider-azuread's `logo_image` accept; BMP is refused:
  stricter than Graph is safe) of at most 100,000 bytes (the stricter reading of "100 KB"), recognised by their
  leading bytes, not by a file name.
- [claims] Graph's application resource (api-reference/v1.0/resources/application.md): groupMembershipClaims takes
  "one of the following valid string values": None, SecurityGroup, All; the app manifest reference adds
  DirectoryRole and ApplicationGroup (the groups assigned to the application), which the portal writes, alone or
  beside SecurityGroup. Any other string is refused (400).
- [expand] Graph's query parameters (concepts/query-parameters.md, expand): an expanded relationship of a directory
  object gives at most 20 objects, and no link to the rest; read whole, it is asked for on its own.
- [x509] RFC 5280, appendix A.1: a certificate's common name is at most 64 characters (ub-common-name). Graph's
  addTokenSigningCertificate takes the name as `CN=` and the common name (serviceprincipal-addtokensigningcertificate
  .md) and documents no length of its own: a longer one is refused (*inferred*; no certificate can hold it).
- [reviews] Graph, accessPackageAssignmentReviewSettings / patternedRecurrence: reviews recur weekly or
  absoluteMonthly. That a review may not stay open longer than its recurrence interval is Graph's refusal as users
  report it, not documented in so many words; the interval is counted short (a month as 28 days, February's), so
  a review never overlaps the next.
"""

from __future__ import annotations

from .uri_rules import personal

DISPLAY_NAME = 120
DISPLAY_NAME_PERSONAL = 90
TAG_LENGTH = 256
OWNERS = 100
KEY_DISPLAY_NAME = 90  # [keys]
GRANT_SCOPE = 3850  # [grants]
PERMISSION_DEFINITIONS = 700  # [definitions]
MANIFEST_ENTRIES = 1200
MANIFEST_COLLECTIONS = ("appRoles", "keyCredentials", "identifierUris", "requiredResourceAccess",
                        "passwordCredentials", "tags")
RESOURCE_APIS = 50
PERMISSIONS = 400
PERMISSIONS_PERSONAL = 200
PERMISSIONS_PER_API_PERSONAL = 30
TOKEN_VERSIONS = (None, 1, 2)
DAYS_IN = {"weekly": 7, "absoluteMonthly": 28}
SCOPE_VALUE = 120  # [scopes]
SCOPE_VALUE_PERSONAL = 40
SCOPES_PERSONAL = 100
GROUP_MEMBERSHIP_CLAIMS = ("None", "SecurityGroup", "All", "DirectoryRole", "ApplicationGroup",  # [claims]
                           "SecurityGroup, DirectoryRole", "SecurityGroup, ApplicationGroup")
LOGO_BYTES = 100_000
COMMON_NAME = 64  # [x509]
EXPANDED = 20  # the most objects Graph gives of an expanded directory relationship (owners, members) [expand]
LOGO_SIGNATURES = {"image/png": (b"\x89PNG\r\n\x1a\n",), "image/jpeg": (b"\xff\xd8\xff",),
                   "image/gif": (b"GIF87a", b"GIF89a")}


def display_name_limit(audience: str | None) -> int:
    return DISPLAY_NAME_PERSONAL if personal(audience) else DISPLAY_NAME


def scope_value_limit(audience: str | None) -> int:
    return SCOPE_VALUE_PERSONAL if personal(audience) else SCOPE_VALUE


def tag_problem(tag: str) -> str | None:
    if not 1 <= len(tag) <= TAG_LENGTH:
        return f"must be 1 to {TAG_LENGTH} characters"
    if not tag.strip():
        return "is only whitespace"
    return None


def token_version_problem(audience: str | None, version) -> str | None:
    """What is wrong with api.requestedAccessTokenVersion for this audience [manifest]."""
    if version not in TOKEN_VERSIONS or isinstance(version, bool):
        return "must be 1, 2 or null"
    if personal(audience) and version != 2:
        return "must be 2 for an application that personal Microsoft accounts sign in to"
    return None


def permissions_problem(audience: str | None, required: list[dict]) -> str | None:
    """requiredResourceAccess counts [accounts]; `required` as Graph takes it."""
    if len(required) > RESOURCE_APIS:
        return f"names more than {RESOURCE_APIS} APIs"
    counts = [len(entry.get("resourceAccess") or []) for entry in required]
    limit = PERMISSIONS_PERSONAL if personal(audience) else PERMISSIONS
    if sum(counts) > limit:
        return f"requests more than {limit} permissions"
    if personal(audience) and any(count > PERMISSIONS_PER_API_PERSONAL for count in counts):
        return f"requests more than {PERMISSIONS_PER_API_PERSONAL} permissions of one API"
    return None


def permission_definitions(roles: list, scopes: list) -> int:
    """App roles and exposed scopes as Graph counts them against its 700 [definitions]: each distinct id once."""
    return len({str(item.get("id")).lower() for item in [*roles, *scopes] if isinstance(item, dict)})


def definitions_problem(before: int, after: int) -> str | None:
    """Graph's refusal of a write taking an object's definitions from `before` to `after` [definitions]."""
    if after > PERMISSION_DEFINITIONS and after > before:
        return (f"The total count of values: {after} exceeds the set maxValuesCount limit: {PERMISSION_DEFINITIONS} "
                "for property: Entitlement")
    return None


def manifest_entries(application: dict) -> int:
    """Entries across the collections the manifest limit counts [manifest]."""
    web, spa, public = (application.get(name) or {} for name in ("web", "spa", "publicClient"))
    api = application.get("api") or {}
    collections = [application.get(name) or [] for name in MANIFEST_COLLECTIONS]
    collections += [web.get("redirectUris") or [], spa.get("redirectUris") or [], public.get("redirectUris") or [],
                    api.get("oauth2PermissionScopes") or [], api.get("knownClientApplications") or [],
                    api.get("preAuthorizedApplications") or []]
    return sum(len(collection) for collection in collections)


def logo_type(image: bytes) -> str | None:
    """The image type a logo's leading bytes show (`image/png`, `image/jpeg`, `image/gif`), or None [logo]."""
    return next((kind for kind, starts in LOGO_SIGNATURES.items() if image.startswith(starts)), None)


def logo_problem(image: bytes, size: int | None = None) -> str | None:
    """What is wrong with a logo's bytes [logo]; `size`: the whole file's, when `image` is only its beginning."""
    size = len(image) if size is None else size
    if logo_type(image) is None:
        return "is not a PNG, JPEG or GIF image"
    if size > LOGO_BYTES:
        return f"is {size:,} bytes: a logo is at most {LOGO_BYTES:,} bytes (100 KB)"
    return None


def review_period_days(pattern: str, interval: int) -> int:
    """The shortest time between two reviews of this recurrence [reviews]."""
    return DAYS_IN[pattern] * interval
