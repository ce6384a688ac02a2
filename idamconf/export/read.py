"""What export reads of the tenant: the applications chosen, and what their files need -- service principals, owners,
the access packages granting their roles with their policies, and the people those name -- in few requests."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from ..graph.client import BatchRequest, GraphClient, GraphRequestFailed, query
from ..graph.read import (APP_FIELDS, GOVERNANCE, OWNER_FIELDS, PACKAGE_SHAPE, PAGE, POLICY_FIELDS, SP_FIELDS,
                          EXPANDED, keeper, read_owners, tagged)
from ..record.record import PREFIX as RECORD
from .document import Tenant
from .permissions import read_apis
from .relations import read_every_relation, read_relations

# plan's fields, and what a file cannot say yet but export must mention (document._unexpressed)
FIELDS = ",".join(dict.fromkeys([*APP_FIELDS.split(","), "keyCredentials", "passwordCredentials",
                                 "requiredResourceAccess", "info"]))
ALL_PRINCIPALS_FROM = 1000  # applications: from this many, every service principal is listed rather than asked for


@dataclass(frozen=True)
class Selection:
    app_ids: tuple[str, ...] = ()
    starting: str | None = None
    tag: str | None = None
    everything: bool = False


async def read_applications(client: GraphClient, selection: Selection) -> tuple[list[dict], list[str], dict]:
    """The applications chosen (projects' records left out), the app ids asked for that are not in the tenant, and
    their owners (application id -> owners)."""
    if selection.app_ids:
        return await _by_app_id(client, selection.app_ids)
    text = (selection.starting or "").replace("'", "''")
    filters = [f"startswith(displayName,'{text}')" if selection.starting else None,
               tagged(selection.tag) if selection.tag else None]
    apps = await client.get_all(query("applications", filter=" and ".join(f for f in filters if f) or None,
                                      select=FIELDS, expand=f"owners($select={OWNER_FIELDS})", top=PAGE))
    apps = [app for app in apps if not (app.get("uniqueName") or "").startswith(RECORD)]
    owners = {app["id"]: app.pop("owners", None) or [] for app in apps}
    owners |= await read_owners(client, [app_id for app_id, found in owners.items() if len(found) >= EXPANDED])
    return apps, [], owners


async def _by_app_id(client: GraphClient, app_ids: tuple[str, ...]):
    answers = await client.batch([BatchRequest("GET", query(f"applications(appId='{app_id}')", select=FIELDS))
                                  for app_id in app_ids])
    apps, missing = [], []
    for app_id, response in zip(app_ids, answers):
        if response.ok:
            apps.append(response.body)
        elif response.status == 404:
            missing.append(app_id)
        else:
            raise GraphRequestFailed(f"GET applications(appId='{app_id}')", response.error)
    owned = await client.batch([BatchRequest("GET", query(f"applications/{app['id']}/owners", select=OWNER_FIELDS))
                                for app in apps])
    return apps, missing, {app["id"]: r.body.get("value", []) if r.ok else [] for app, r in zip(apps, owned)}


async def read_tenant(client: GraphClient, apps: list[dict], owners: dict, tenant_id: str | None) -> Tenant:
    """Service principals, packages, policies, relationships, APIs and people for `apps`: everything that does not
    need another answer first read side by side."""
    many = len(apps) >= ALL_PRINCIPALS_FROM
    principals, packages, policies, every, apis = await asyncio.gather(
        _principals(client, [app["appId"] for app in apps]),
        client.get_all(query(f"{GOVERNANCE}/accessPackages", expand="resourceRoleScopes($expand=role,scope),catalog",
                             top=PAGE), keeper(PACKAGE_SHAPE)),
        client.get_all(query(f"{GOVERNANCE}/assignmentPolicies", select=POLICY_FIELDS, expand="accessPackage",
                             top=PAGE)),
        read_every_relation(client) if many else asyncio.sleep(0),  # (None: looked up below)
        read_apis(client, apps))
    tenant = Tenant(tenant_id, {sp["appId"]: sp for sp in principals}, owners)
    ours = {sp["id"] for sp in principals}
    for package in packages:
        for principal in {(s.get("scope") or {}).get("originId") for s in package.get("resourceRoleScopes") or []}:
            if principal in ours:
                tenant.packages.setdefault(principal, []).append(package)
    for policy in policies:
        tenant.policies.setdefault((policy.get("accessPackage") or {}).get("id"), []).append(policy)
    every = every or await read_relations(client, principals)
    tenant.granted, tenant.principal_owners = ({key: value for key, value in found.items() if key in ours}
                                               for found in every)
    users = [{"userId": a["principalId"]} for found in tenant.granted.values() for a in found
             if a.get("principalType") == "User"]
    tenant.people = await _people(client, [p for found in tenant.policies.values() for p in found] +
                                  [{"specificAllowedTargets": users}])
    tenant.apis = apis
    return tenant



async def _principals(client: GraphClient, app_ids: list[str]) -> list[dict]:
    if len(app_ids) >= ALL_PRINCIPALS_FROM:
        wanted = set(app_ids)
        return [sp for sp in await client.get_all(query("servicePrincipals", select=SP_FIELDS, top=PAGE))
                if sp.get("appId") in wanted]
    answers = await client.batch([BatchRequest("GET", query(f"servicePrincipals(appId='{app_id}')", select=SP_FIELDS))
                                  for app_id in app_ids])
    return [response.body for response in answers if response.ok]


async def _people(client: GraphClient, policies: list[dict]) -> dict[str, str]:
    """User id -> user principal name, for everyone the policies name (1,000 a request, as getByIds takes)."""
    ids = sorted({subject["userId"] for policy in policies for subject in _subjects(policy) if subject.get("userId")})
    found = {}
    for start in range(0, len(ids), 1000):
        response = await client.call("POST", "directoryObjects/getByIds", {"ids": ids[start:start + 1000],
                                                                          "types": ["user"]}, repeatable=True)
        if not response.ok:
            raise GraphRequestFailed("POST directoryObjects/getByIds", response.error)
        found |= {user["id"]: user.get("userPrincipalName") for user in response.body.get("value", [])}
    return found


def _subjects(policy: dict):
    approval = policy.get("requestApprovalSettings") or {}
    for stage in approval.get("stages") or []:
        yield from stage.get("primaryApprovers") or []
    yield from (policy.get("reviewSettings") or {}).get("primaryReviewers") or []
    yield from policy.get("specificAllowedTargets") or []
