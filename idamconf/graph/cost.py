"""What a request costs against Microsoft Graph's Identity and access throttling budgets: resource units and writes.

Graph's documented table (microsoft-graph-docs-contrib, concepts/throttling-limits.md, "Identity and access service
limits"): the listed paths have their own base cost; any other identity GET costs 1 resource unit and no write;
any other identity POST, PATCH, PUT or DELETE costs 1 resource unit and 1 write. `$select` takes 1 off, `$expand`
adds 1, `$top` under 20 takes 1 off, and a cost is never below 1. A listed path is matched exactly: `GET
applications` is the collection (2), `GET applications/{id}` is any other identity GET (1). A cost that applies to a
`me/` path applies to the same path under `users/{id | userPrincipalName}/`. Paths outside the identity service (entitlement management under
`identityGovernance/`, `$batch` itself) are not in that table: they cost nothing here.

Not modelled: the higher cost of writing applications whose signInAudience includes personal Microsoft accounts, and
the +4 for creating a user in an Azure AD B2C tenant.

A pure function, shared by the emulator (which throttles by it) and the client (which can pace itself by it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlsplit

from . import paths

IDENTITY_ROOTS = frozenset({
    "applications", "servicePrincipals", "users", "groups", "directoryObjects", "me", "contracts", "domains",
    "getObjectsById", "isMemberOf", "oauth2PermissionGrants", "subscribedSkus",
})
WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})

# (method, path) -> (resource units, writes); "{id}" stands for any one segment (an id or a key like (appId='…')).
BASE_COSTS = {
    ("GET", "applications"): (2, 0),
    ("GET", "applications/{id}/extensionProperties"): (2, 0),
    ("GET", "contracts"): (3, 0),
    ("POST", "directoryObjects/getByIds"): (3, 0),
    ("GET", "domains/{id}/domainNameReferences"): (4, 0),
    ("POST", "getObjectsById"): (3, 0),
    ("GET", "groups/{id}/members"): (3, 0),
    ("GET", "groups/{id}/transitiveMembers"): (5, 0),
    ("POST", "isMemberOf"): (4, 0),
    ("POST", "me/checkMemberGroups"): (4, 0),
    ("POST", "me/checkMemberObjects"): (4, 0),
    ("POST", "me/getMemberGroups"): (2, 0),
    ("POST", "me/getMemberObjects"): (2, 0),
    ("GET", "me/licenseDetails"): (2, 0),
    ("GET", "me/memberOf"): (2, 0),
    ("GET", "me/ownedObjects"): (2, 0),
    ("GET", "me/transitiveMemberOf"): (2, 0),
    ("GET", "oauth2PermissionGrants"): (2, 0),
    ("GET", "oauth2PermissionGrants/{id}"): (2, 0),
    ("GET", "servicePrincipals/{id}/appRoleAssignments"): (2, 0),
    ("GET", "subscribedSkus"): (3, 0),
    ("GET", "users"): (2, 0),
}
_PATTERNS: dict[tuple[str, int], list] = {}  # (method, number of segments) -> [(segments, costs)]
for (_method, _path), _costs in BASE_COSTS.items():
    _PATTERNS.setdefault((_method, _path.count("/") + 1), []).append((tuple(_path.split("/")), _costs))
_KEYED = re.compile(r"^(\w+)(\(.*\))$", re.S)


def cost(method: str, path: str, query: Mapping[str, str] | str | None = None) -> tuple[int, int]:
    """(resource units, writes) of one request. `path` is relative to the version (`applications/{id}`) or a full
    URL; `query` is the query options as a mapping or a query string (default: the URL's own)."""
    method, path = method.upper(), str(path)
    if "://" in path:
        url = urlsplit(path)
        path, url_query = url.path, url.query
    else:
        path, _, url_query = path.partition("?") if query is None else (path, "", "")
    segments = _segments(path)
    if not segments or segments[0] not in IDENTITY_ROOTS:
        return 0, 0
    base = _base_cost(method, segments)
    options = _options(url_query if query is None else query)
    units = base[0] - ("$select" in options) + ("$expand" in options) - _small_top(options.get("$top"))
    return max(units, 1), base[1]


def _base_cost(method: str, segments: list[str]) -> tuple[int, int]:
    candidates = [segments]
    if segments[0] == "users" and len(segments) > 2:
        candidates.append(["me", *segments[2:]])
    for candidate in candidates:
        for pattern, costs in _PATTERNS.get((method, len(candidate)), ()):
            if all(p in ("{id}", s) for p, s in zip(pattern, candidate)):
                return costs
    return (1, 1) if method in WRITE_METHODS else (1, 0)


def _segments(path: str) -> list[str]:
    """`/v1.0/applications(appId='x')/owners` -> ["applications", "(appId='x')", "owners"]."""
    parts = paths.segments(path)
    if parts and parts[0] in ("v1.0", "beta"):
        parts = parts[1:]
    segments: list[str] = []
    for part in parts:
        keyed = _KEYED.match(part)
        segments += [keyed.group(1), keyed.group(2)] if keyed else [part.removeprefix("microsoft.graph.")]
    return segments


def _options(query: Mapping[str, str] | str) -> Mapping[str, str]:
    return dict(parse_qsl(query, keep_blank_values=True)) if isinstance(query, str) else query


def _small_top(raw: str | None) -> bool:
    return raw is not None and raw.strip().isdigit() and int(raw) < 20
