"""Duplicates and orphans in an emulated tenant, read straight from its SQLite state (idamconf/emulator/store.py).

Nothing here goes through Graph or idamconf: the `objects` table (kind, id, doc JSON) and the `links` table
(relation, source, target) are read as they are, replication lag or not. Relations, as governance.py keeps them:
    catalogPackages  catalog -> access package        catalogResources    catalog -> catalog resource
    originResources  service principal -> resource    packagePolicies     access package -> assignment policy
    roleScopes       access package -> role scope     resourceRoleScopes  resource -> role scope
    roleScopeRole    role scope -> app role id
`check(path)` returns a `Findings`: what it counted, and every duplicate and orphan by name.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Findings:
    counts: dict[str, int] = field(default_factory=dict)
    duplicates: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.duplicates and not self.orphans


@dataclass
class Tenant:
    objects: dict[str, dict[str, dict]]  # kind -> storage key -> document
    links: dict[str, list[tuple[str, str]]]  # relation -> [(source, target)]
    tenant_id: str = ""

    def own_service_principals(self) -> dict[str, dict]:
        """The service principals of this tenant's applications: not those of applications another tenant owns
        (Microsoft Graph's, in every tenant), which have no application here by design."""
        return {key: sp for key, sp in self.kind("servicePrincipals").items()
                if sp.get("appOwnerOrganizationId") in (None, self.tenant_id)}

    def kind(self, name: str) -> dict[str, dict]:
        return self.objects.get(name, {})

    def targets(self, relation: str) -> dict[str, list[str]]:
        by_source: dict[str, list[str]] = defaultdict(list)
        for source, target in self.links.get(relation, []):
            by_source[source].append(target)
        return by_source

    def sources(self, relation: str) -> dict[str, list[str]]:
        by_target: dict[str, list[str]] = defaultdict(list)
        for source, target in self.links.get(relation, []):
            by_target[target].append(source)
        return by_target


def read_tenant(path: Path) -> Tenant:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        objects: dict[str, dict[str, dict]] = defaultdict(dict)
        for kind, key, doc in db.execute("SELECT kind, id, doc FROM objects"):
            objects[kind][key] = json.loads(doc)
        links: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for relation, source, target in db.execute("SELECT relation, source, target FROM links"):
            links[relation].append((source, target))
        tenant_id = (db.execute("SELECT value FROM meta WHERE key = 'tenantId'").fetchone() or ("",))[0]
    finally:
        db.close()
    return Tenant(dict(objects), dict(links), tenant_id)


def check(path: Path) -> Findings:
    tenant = read_tenant(path)
    findings = Findings(counts={kind: len(tenant.kind(kind)) for kind in (
        "applications", "servicePrincipals", "catalogs", "accessPackageResources", "accessPackages",
        "resourceRoleScopes", "assignmentPolicies")})
    # projects' records (idamconf/record/) are applications too, counted apart: one per project, never more
    findings.counts["records"] = sum(1 for app in tenant.kind("applications").values()
                                     if (app.get("uniqueName") or "").startswith("idamconf.project."))
    findings.counts["applications"] -= findings.counts["records"]
    findings.counts["servicePrincipals"] = len(tenant.own_service_principals())
    _duplicates(tenant, findings.duplicates)
    _orphans(tenant, findings.orphans)
    return findings


def _twice(label: str, keys) -> list[str]:
    return [f"{label} {key!r} x{count}" for key, count in Counter(keys).items() if count > 1]


def _duplicates(tenant: Tenant, found: list[str]) -> None:
    found += _twice("application uniqueName", [a.get("uniqueName") for a in tenant.kind("applications").values()
                                               if a.get("uniqueName")])
    found += _twice("service principal for appId", [s.get("appId") for s in tenant.kind("servicePrincipals").values()])
    found += _twice("catalog displayName", [c.get("displayName") for c in tenant.kind("catalogs").values()])
    packages = tenant.kind("accessPackages")
    for catalog, members in tenant.targets("catalogPackages").items():
        found += _twice(f"access package displayName in catalog {catalog}",
                        [packages[p].get("displayName") for p in members if p in packages])
    resources = tenant.kind("accessPackageResources")
    for catalog, members in tenant.targets("catalogResources").items():
        found += _twice(f"catalog resource for service principal in catalog {catalog}",
                        [resources[r].get("originId") for r in members if r in resources])
    for package, policies in tenant.targets("packagePolicies").items():
        if len(policies) > 1:
            found.append(f"access package {package} has {len(policies)} assignment policies")
    role_of = {scope: roles[0] for scope, roles in tenant.targets("roleScopeRole").items()}
    for package, scopes in tenant.targets("roleScopes").items():
        found += _twice(f"role scope of access package {package} for app role", [role_of.get(s) for s in scopes])


def _orphans(tenant: Tenant, found: list[str]) -> None:
    app_ids = {a.get("appId") for a in tenant.kind("applications").values()}
    service_principals = tenant.kind("servicePrincipals")
    found += [f"service principal {key} (appId {sp.get('appId')}) has no application"
              for key, sp in tenant.own_service_principals().items() if sp.get("appId") not in app_ids]
    in_catalog = tenant.sources("catalogResources")
    for key, resource in tenant.kind("accessPackageResources").items():
        group = resource.get("originSystem") == "AadGroup"  # a group a package grants membership of
        if resource.get("originId") not in (tenant.kind("groups") if group else service_principals):
            what = "group" if group else "service principal"
            found.append(f"catalog resource {key}: its {what} {resource.get('originId')} is gone")
        if not any(c in tenant.kind("catalogs") for c in in_catalog.get(key, [])):
            found.append(f"catalog resource {key} is in no catalog")
    _package_orphans(tenant, found)


def _package_orphans(tenant: Tenant, found: list[str]) -> None:
    packages = tenant.kind("accessPackages")
    policies_of, scopes_of = tenant.targets("packagePolicies"), tenant.targets("roleScopes")
    catalog_of = tenant.sources("catalogPackages")
    for key in packages:
        if not [p for p in policies_of.get(key, []) if p in tenant.kind("assignmentPolicies")]:
            found.append(f"access package {key} has no assignment policy")
        if not [s for s in scopes_of.get(key, []) if s in tenant.kind("resourceRoleScopes")]:
            found.append(f"access package {key} has no role scope")
        if not [c for c in catalog_of.get(key, []) if c in tenant.kind("catalogs")]:
            found.append(f"access package {key} is in no catalog")
    package_of_policy = tenant.sources("packagePolicies")
    for key in tenant.kind("assignmentPolicies"):
        if not [p for p in package_of_policy.get(key, []) if p in packages]:
            found.append(f"assignment policy {key} belongs to no access package")
    package_of_scope, resource_of_scope = tenant.sources("roleScopes"), tenant.sources("resourceRoleScopes")
    for key in tenant.kind("resourceRoleScopes"):
        if not [p for p in package_of_scope.get(key, []) if p in packages]:
            found.append(f"role scope {key} belongs to no access package")
        if not [r for r in resource_of_scope.get(key, []) if r in tenant.kind("accessPackageResources")]:
            found.append(f"role scope {key} is on no catalog resource")
