"""Reading what API permissions and consents need: each API's service principal once, and the consents to it.

- An API named by display name or application id: its service principal (with its app roles and delegated
  permissions, which name the permissions' ids), one look-up each, all in `$batch`es (`find_apis`). A configuration
  naming Microsoft Graph and two more APIs costs one `$batch`.
- The consents the project's applications hold, read from each API's side, so that their number does not grow with
  the project's: the API's `appRoleAssignedTo` (application permissions granted, to any client; the project's are
  kept) and the `oauth2PermissionGrants` naming it as resource for all principals (an administrator's delegated
  consents). Two lists per API, read side by side (`read_consents`), whatever the number of applications: reading
  them per client would cost two requests per application (at 1,000 applications, 100 `$batch`es more).
  A user's own consent (`consentType: Principal`) is never read nor touched.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from .client import BatchRequest, GraphClient, GraphRequestFailed, query
from .read import PAGE

API_FIELDS = "id,appId,displayName,appRoles,oauth2PermissionScopes"
ASSIGNMENT_FIELDS = "id,appRoleId,principalId,principalType,resourceId"
GRANT_FIELDS = "id,clientId,consentType,resourceId,scope"


def _quoted(value: str) -> str:
    return value.replace("'", "''")


def api_lookup(reference: str, by_app_id: bool) -> str:
    """The list request finding an API's service principal by application id or by display name (a list, not a
    GET by key: "none" and "several" are answers, not errors)."""
    name = "appId" if by_app_id else "displayName"
    return query("servicePrincipals", filter=f"{name} eq '{_quoted(reference)}'", select=API_FIELDS)


async def find_apis(client: GraphClient, references: dict[str, bool]) -> dict[str, list[dict]]:
    """reference -> the service principals it names (none, one, or several of one display name). `references`:
    each reference -> whether it is an application id."""
    names = list(references)
    answers = await client.batch([BatchRequest("GET", api_lookup(name, references[name])) for name in names])
    found = {}
    for name, response in zip(names, answers):
        if not response.ok:
            raise GraphRequestFailed(f"GET the service principal of API {name}", response.error)
        found[name] = response.body.get("value") or []
    return found


@dataclass
class Consents:
    assignments: list[dict] = field(default_factory=list)  # application permissions granted to service principals
    grants: list[dict] = field(default_factory=list)  # delegated permissions granted for all principals


async def read_consents(client: GraphClient, api_ids: list[str]) -> Consents:
    """The consents to the APIs (service principal object ids) `api_ids`, to clients that are service principals."""
    def assigned(api_id: str):
        return client.get_all(query(f"servicePrincipals/{api_id}/appRoleAssignedTo", select=ASSIGNMENT_FIELDS,
                                    top=PAGE))

    def granted(api_id: str):
        return client.get_all(query("oauth2PermissionGrants", select=GRANT_FIELDS, top=PAGE,
                                    filter=f"resourceId eq '{api_id}' and consentType eq 'AllPrincipals'"))

    lists = await asyncio.gather(*(assigned(api_id) for api_id in api_ids), *(granted(api_id) for api_id in api_ids))
    consents = Consents()
    for listed in lists[:len(api_ids)]:
        consents.assignments += [a for a in listed if a.get("principalType") == "ServicePrincipal"]
    for listed in lists[len(api_ids):]:
        consents.grants += listed
    return consents
