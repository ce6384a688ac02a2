"""Which objects an apply may write: the project's, and nothing else -- whatever a plan says.

`Ownership` is consulted by `GraphClient.call` before every write it sends (graph/client.py): a write is allowed only
to an object this run read as the project's (tagged `idamconf:<project>`, case-insensitively as Graph compares it;
a package granting a role of one of its applications, that package's policies and role scopes), or to one it
created itself in this run, or by a name the configuration claims and no other project holds. Any write it does not
recognise is refused: the allow-list is of write shapes, not of exceptions. It is the second line of defence: apply
runs only a plan it computed itself from the configuration and a fresh read of the tenant (plan/saved.py), so a
refusal here means a bug in idamconf or an object that changed hands between the read and the write.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

GOV = "identityGovernance/entitlementManagement/"
_APP_BY_NAME = re.compile(r"^applications\(uniqueName='((?:[^']|'')*)'\)$")
_SP_BY_APP_ID = re.compile(r"^servicePrincipals\(appId='([^']*)'\)$")
SAML_POLICIES = "policies/claimsMappingPolicies"
SAML_POLICY_PREFIX = "idamconf SAML claims: "  # saml/claims.PREFIX


class NotOurs(Exception):
    """A write to an object that is not the project's: refused before it is sent."""


@dataclass
class Ownership:
    tag: str  # idamconf:<project>
    names: set[str] = field(default_factory=set)  # uniqueNames the project holds or claims
    applications: set[str] = field(default_factory=set)  # object ids
    app_ids: set[str] = field(default_factory=set)  # appIds
    service_principals: set[str] = field(default_factory=set)
    packages: set[str] = field(default_factory=set)
    policies: set[str] = field(default_factory=set)
    grants: set[str] = field(default_factory=set)  # delegated permission grants whose client is the project's
    catalogs: set[str] = field(default_factory=set)  # catalogs whose settings the project file declares
    groups: set[str] = field(default_factory=set)  # groups the project's packages grant (put in catalogs)
    claims_policies: set[str] = field(default_factory=set)  # claims-mapping policies of its SAML applications
    assignments: set[str] = field(default_factory=set)  # people's assignments to its packages (being removed)

    @classmethod
    def of(cls, tag: str, live: dict, claimed: set[str]) -> "Ownership":
        """From a survey's live resources (read as the project's) and the names the configuration claims."""
        owned = cls(tag, set(claimed))
        for resource in live.values():
            owned.learn(resource.ids)
            if resource.kind == "application":
                owned.names.add(resource.application)
        return owned

    def learn(self, ids: dict) -> None:
        """Ids of objects that are the project's (as a live resource or a creation names them)."""
        for key, into in (("id", self.applications), ("appId", self.app_ids),
                          ("servicePrincipalId", self.service_principals), ("packageId", self.packages),
                          ("policyId", self.policies), ("declaredCatalogId", self.catalogs),
                          ("groupId", self.groups), ("claimsPolicyId", self.claims_policies)):
            if isinstance(ids.get(key), str):
                into.add(ids[key].lower())
        if isinstance(ids.get("grantId"), str):
            self.grants.add(ids["grantId"])  # not a GUID: Graph's grant ids are case-sensitive

    # ---------------------------------------------------------------------------------------------- before
    def check(self, method: str, path: str, body) -> None:
        """Raise `NotOurs` unless this write touches only the project's objects."""
        route = path.split("?", 1)[0].strip("/")
        if not self._allowed(method, route, body if isinstance(body, dict) else {}):
            raise NotOurs(f"{method} {route}: refused before it was sent -- it would change an object that is not "
                          f"project {self.tag.split(':', 1)[1]}'s (not read as such by this apply, nor created by it)")

    def _allowed(self, method: str, route: str, body: dict) -> bool:
        if route.startswith(GOV):
            return self._governance(method, route[len(GOV):].split("/"), body)
        if route.startswith(("applicationTemplates/", SAML_POLICIES)):
            return _saml(method, route, self.claims_policies)
        if route.startswith(("oauth2PermissionGrants", "servicePrincipals/")):
            parts = route.split("/")
            return self._consent(method, parts, body) or self._service_principal(method, parts, body)
        if match := _APP_BY_NAME.match(route):
            return method == "PATCH" and match.group(1).replace("''", "'") in self.names
        if match := _SP_BY_APP_ID.match(route):
            return method == "PATCH" and match.group(1).lower() in self.app_ids
        parts = route.split("/")
        if parts[:2] == ["directory", "deletedItems"]:  # the project's deleted application, or its service
            return method == "POST" and parts[3:] == ["restore"] and (  # principal, restored (plan/restore.py)
                parts[2].lower() in self.applications or parts[2].lower() in self.service_principals)
        if parts[0] != "applications" or len(parts) < 2 or parts[1].lower() not in self.applications:
            return False
        return (method, len(parts)) in {("PATCH", 2), ("DELETE", 2)} or \
            parts[2:3] == ["owners"] and (method, len(parts)) in {("POST", 4), ("DELETE", 5)} and parts[-1] == "$ref" \
            or parts[2:] == ["logo"] and method == "PUT" \
            or _federated_credential(method, parts) \
            or parts[2:] in (["addPassword"], ["removePassword"]) and method == "POST"  # apply_secrets.py

    def _consent(self, method: str, parts: list[str], body: dict) -> bool:
        """A consent held by one of the project's service principals: an app role assignment on its side
        (`servicePrincipals/{ours}/appRoleAssignments`), or a delegated grant whose client it is."""
        if parts[0] == "oauth2PermissionGrants":
            if len(parts) == 1:
                return method == "POST" and _text(body, "clientId") in self.service_principals
            return len(parts) == 2 and method in ("PATCH", "DELETE") and parts[1] in self.grants
        if len(parts) < 3 or parts[1].lower() not in self.service_principals or parts[2] != "appRoleAssignments":
            return False
        if len(parts) == 3:
            return method == "POST" and _text(body, "principalId") == parts[1].lower()
        return len(parts) == 4 and method == "DELETE"

    def _service_principal(self, method: str, parts: list[str], body: dict) -> bool:
        """On one of the project's service principals: its user owners added and removed (as an application's), and
        its own roles granted (a body naming it as the resource) and taken back. Never the object itself: it is
        written by appId upsert only."""
        if len(parts) < 3 or parts[1].lower() not in self.service_principals:
            return False
        relation, rest = parts[2], parts[3:]
        if relation == "owners":
            return method == "POST" and rest == ["$ref"] or method == "DELETE" and len(rest) == 2 and rest[1] == "$ref"
        if relation == "addTokenSigningCertificate":  # saml/apply.py
            return method == "POST" and not rest
        if relation == "claimsMappingPolicies":
            return method == "POST" and rest == ["$ref"] or method == "DELETE" and len(rest) == 2 and rest[1] == "$ref"
        if relation == "appRoleAssignedTo":
            resource = body.get("resourceId")
            return method == "POST" and not rest and isinstance(resource, str) and resource.lower() == parts[1].lower() \
                or method == "DELETE" and len(rest) == 1
        return False

    def _governance(self, method: str, parts: list[str], body: dict) -> bool:
        collection, rest = parts[0], parts[1:]
        if collection == "catalogs":
            # a new catalog; one whose settings the project file declares (plan/catalogs.py) is updated; none deleted
            return method == "POST" and not rest or method == "PATCH" and len(rest) == 1 and \
                rest[0].lower() in self.catalogs
        if collection == "resourceRequests":
            return method == "POST" and not rest and (_origin(body, "resource") in self.service_principals
                                                      or _origin(body, "resource") in self.groups)
        if collection == "accessPackages":
            if not rest:
                return method == "POST"  # a new package
            if rest[0].lower() not in self.packages:
                return False
            if len(rest) == 1:
                return method in ("PATCH", "DELETE")
            return rest[1] == "resourceRoleScopes" and (
                method == "POST" and len(rest) == 2 and (_origin(body, "scope") in self.service_principals
                                                         or _origin(body, "scope") in self.groups)
                or method == "DELETE" and len(rest) == 3)
        if collection == "assignmentPolicies":
            if not rest:
                return method == "POST" and _package(body) in self.packages
            return len(rest) == 1 and method in ("PUT", "DELETE") and rest[0].lower() in self.policies
        if collection == "assignmentRequests":  # only removals, of assignments to the project's packages
            assignment = body.get("assignment") if isinstance(body.get("assignment"), dict) else {}
            return method == "POST" and not rest and body.get("requestType") == "adminRemove" and \
                _text(assignment, "id") in self.assignments
        return False

    # ----------------------------------------------------------------------------------------------- after
    def observe(self, method: str, path: str, body, response) -> None:
        """Learn what a write allowed here created (or found again after a lost answer), and the ids of an
        application or service principal read by a name the project holds and carrying its tag."""
        if not response.ok or not isinstance(response.body, dict):
            return
        route = path.split("?", 1)[0].strip("/")
        made = response.body
        if method == "GET" and route not in ("oauth2PermissionGrants", SAML_POLICIES) and \
                not self._ours_by_key(route, made):
            return
        if route.startswith("applications("):
            self.learn({"id": made.get("id"), "appId": made.get("appId")})
        elif route.startswith("servicePrincipals("):
            self.learn({"servicePrincipalId": made.get("id")})
        elif route.startswith(("applicationTemplates/", SAML_POLICIES)):
            self._saml_made(made)
        elif method == "POST" and route == GOV + "accessPackages":
            self.learn({"packageId": made.get("id")})
        elif method == "POST" and route == GOV + "assignmentPolicies":
            self.learn({"policyId": made.get("id")})
        elif route == "oauth2PermissionGrants":  # a grant made, or found by its client: the project's if it is
            grants = made.get("value") if "value" in made else [made]
            for grant in grants if isinstance(grants, list) else []:
                if isinstance(grant, dict) and _text(grant, "clientId") in self.service_principals:
                    self.learn({"grantId": grant.get("id")})

    def _ours_by_key(self, route: str, found: dict) -> bool:
        tags = {tag.lower() for tag in found.get("tags") or [] if isinstance(tag, str)}
        if (match := _APP_BY_NAME.match(route)) and match.group(1).replace("''", "'") in self.names:
            return self.tag.lower() in tags
        if match := _SP_BY_APP_ID.match(route):
            return match.group(1).lower() in self.app_ids
        return False

    def grant_group(self, group_id: str) -> None:
        """A group a package of the project grants, put in its catalog (apply_packages.py): the plan apply runs was
        made from the configuration, which names the group. Only its place in catalogs is ever written."""
        self.learn({"groupId": group_id})

    def _saml_made(self, made: dict) -> None:
        """An application instantiated from the template (with its service principal), or a claims-mapping policy
        created or listed under a name of the project's SAML applications (saml/claims.py)."""
        if isinstance(made.get("application"), dict) and isinstance(made.get("servicePrincipal"), dict):
            self.learn({"id": made["application"].get("id"), "appId": made["application"].get("appId"),
                        "servicePrincipalId": made["servicePrincipal"].get("id")})
        for policy in made.get("value") if isinstance(made.get("value"), list) else [made]:
            name = policy.get("displayName") if isinstance(policy, dict) else None
            if isinstance(name, str) and name.startswith(SAML_POLICY_PREFIX) and \
                    name[len(SAML_POLICY_PREFIX):] in self.names:
                self.learn({"claimsPolicyId": policy.get("id")})

    def assigned(self, package_id: str, assignment_ids) -> None:
        """The assignments to one of the project's packages (read by it, to be removed before the package is
        deleted: apply_access.delete_packages); nothing is learned of another's package."""
        if package_id.lower() in self.packages:
            self.assignments.update(str(found).lower() for found in assignment_ids)

    def adopt_policy(self, package_id: str, policy_id: str) -> None:
        """A policy found by its name on one of the project's packages (a lost answer's, or one a package the plan
        takes back already had: workflow._restoring): the project's, as the package is; nothing of another's."""
        if package_id.lower() not in self.packages:
            return
        self.learn({"policyId": policy_id})

    def adopt_package(self, package_id: str) -> None:
        """An empty package of the project's name in its catalog, which apply verified holds nothing of another's:
        the shell a cut-short apply of the project left behind."""
        self.learn({"packageId": package_id})


def _saml(method: str, route: str, claims_policies: set[str]) -> bool:
    """The non-gallery template instantiated (a create, like an upsert's), a claims-mapping policy created, or one of
    the project's updated (saml/apply.py)."""
    parts = route.split("/")
    if parts[0] == "applicationTemplates":
        return method == "POST" and len(parts) == 3 and parts[2] == "instantiate"
    return method == "POST" and len(parts) == 2 or method == "PATCH" and len(parts) == 3 and \
        parts[2].lower() in claims_policies


def _federated_credential(method: str, parts: list[str]) -> bool:
    """An upsert or removal of one of the application's federated credentials, by name (apply_credentials.py)."""
    return len(parts) == 3 and parts[2].startswith("federatedIdentityCredentials(") and method in ("PATCH", "DELETE")


def _text(body: dict, name: str) -> str:
    value = body.get(name)
    return value.lower() if isinstance(value, str) else ""


def _origin(body: dict, part: str) -> str:
    value = (body.get(part) or {}).get("originId") if isinstance(body.get(part), dict) else None
    return value.lower() if isinstance(value, str) else ""


def _package(body: dict) -> str:
    value = (body.get("accessPackage") or {}).get("id") if isinstance(body.get("accessPackage"), dict) else None
    return value.lower() if isinstance(value, str) else ""
