"""Applying access packages: catalog -> the app's place in it -> package -> role scope -> policy, and back.

Creation runs in that order and deletion in the reverse. Entitlement management has no upsert, so every create is
preceded by a look-up by stable name (catalog and package by display name, the app in a catalog by its service
principal, a policy by its package): a create whose response was lost, or an apply killed half-way, never leaves a
duplicate behind.
"""

from __future__ import annotations

import asyncio
import time

from .apply_recovery import grants_role, in_catalog, visible, write_checked
from .graph import read_package_assignments as package_assignments
from .graph.client import GraphFailure, GraphRequestFailed, GraphUnavailable, Response, query
from .plan import left_behind
from .plan.catalogs import catalog_body
from .plan.policy_body import policy_body
from .plan.restore import EMPTIED
from .plan.model import TAKE_BACK, Action, Plan

GOV = "identityGovernance/entitlementManagement"
SYSTEM = "AadApplication"


class StepFailed(Exception):
    """A step of an application's chain failed; the rest of that chain is skipped. `change`: the change whose step
    it was, when the step knows (reported as the failed one; else the chain's first unfinished change is)."""

    def __init__(self, failure: GraphFailure | str, change=None):
        super().__init__(str(failure))
        self.change = change


def _quoted(value: str) -> str:
    return value.replace("'", "''")


async def ensure_catalogs(client, plan: Plan, outcome, report) -> dict[str, str]:
    """Catalog display name -> id, creating the missing ones. A failure is recorded; chains needing it then fail."""
    ids = {c.after["displayName"]: c.ids["catalogId"] for c in plan.changes
           if c.kind == "catalog" and c.action is Action.NOOP}
    for change in (c for c in plan.changes if c.kind == "catalog" and c.action is Action.UPDATE):
        ids[change.after["displayName"]] = change.ids["catalogId"]
        updated = await client.call("PATCH", f"{GOV}/catalogs/{change.ids['catalogId']}",
                                    catalog_body(change.after, plan.project))
        if updated.ok:
            outcome.done.append(change)
            report(change, "updated")
        else:  # its packages can still be made: the catalog exists
            outcome.failed.append((change, str(updated.error)))
    for change in (c for c in plan.changes if c.kind == "catalog" and c.action is Action.CREATE):
        name = change.after["displayName"]
        async def find(name=name):
            found = await client.call("GET", query(f"{GOV}/catalogs", filter=f"displayName eq '{_quoted(name)}'"))
            return Response(200, found.body["value"][0]) if found.ok and found.body.get("value") else None

        found = await find()
        if found is not None:
            ids[name] = found.body["id"]
        else:
            created = await client.call("POST", f"{GOV}/catalogs", catalog_body(change.after, plan.project),
                                        find=find)
            if not created.ok:
                outcome.failed.append((change, str(created.error)))
                continue
            ids[name] = created.body["id"]
        outcome.done.append(change)
        report(change, "created")
    return ids


async def delete_packages(chain, gone: list, scope_kind: str) -> None:
    """Packages taken apart as Graph requires: the assignments people hold to them ("You cannot delete an access
    package if it has any accessPackageAssignment", accesspackage-delete.md: a package the configuration removes
    takes its assignments with it, as the plan says), their policies, then their role scopes (changes of
    `scope_kind`: a package on a role's `role_scope`, a package of its own's `grant`s), then the packages -- waited
    for while Graph still removes the assignments (it does so after answering the requests). Each step is safe to
    repeat (an object already gone is done). Before its policies and role scopes go, each package is described as
    being removed, so that an apply stopped before the package itself went leaves one the next plan finds
    (plan/left_behind.py)."""
    packages = [c for c in gone if c.kind == "access_package"]
    for change in packages:
        await _for(change, _unassign(chain, change.ids["packageId"]))
    for change in packages:  # before anything else goes: a package left with no role scope is found by no plan
        await _for(change, _unassigned(chain, change.ids["packageId"]))
    for change in packages:  # ... but by what it says of itself (plan/left_behind.py)
        saying = left_behind.description(chain.project, change.application)
        if change.before.get("description") != saying:
            await _for(change, chain.send("PATCH", f"{GOV}/accessPackages/{change.ids['packageId']}",
                                          {"description": saying}, ok_if=_missing, settle=False))
    for kind, path in (("policy", lambda ids: f"assignmentPolicies/{ids['policyId']}"),
                       (scope_kind, lambda ids: f"accessPackages/{ids['packageId']}/resourceRoleScopes/"
                                                f"{ids['roleScopeId']}")):
        for change in (c for c in gone if c.kind == kind):
            await chain.send("DELETE", f"{GOV}/{path(change.ids)}", ok_if=_missing, settle=False)
            chain.finish([change], "destroyed")
    for change in packages:
        path = f"{GOV}/accessPackages/{change.ids['packageId']}"
        await write_checked(chain, "DELETE", path, None, done=_gone(chain, path), settle=False)
        chain.finish([change], "destroyed")


async def _for(change, step) -> None:
    """`step`, whose failure is `change`'s (the package's, not whatever change its chain has not finished first)."""
    try:
        await step
    except StepFailed as error:
        raise StepFailed(str(error), change) from None


async def _assignments(chain, package_id: str) -> list[dict]:
    """The package's assignments not over yet (graph/read_package_assignments.current); a refused read fails the
    step (the application's chain reports it and goes on with the others)."""
    try:
        return await package_assignments.current(chain.client, package_id)
    except GraphRequestFailed as error:
        raise StepFailed(error.failure) from None


async def _unassign(chain, package_id: str) -> None:
    """An administrator's removal (`adminRemove`) of every assignment to the package that is not over yet. A removal
    asked twice (a repeated apply) is refused or answered alike: `_unassigned` decides."""
    current = await _assignments(chain, package_id)
    if chain.client.ownership is not None:
        chain.client.ownership.assigned(package_id, [assignment["id"] for assignment in current])
    for assignment in current:
        await chain.send("POST", f"{GOV}/assignmentRequests", {"requestType": "adminRemove",
                                                                "assignment": {"id": assignment["id"]}},
                         ok_if=lambda response: response.status in (400, 404, 409), settle=False)


async def _unassigned(chain, package_id: str) -> None:
    """Wait until Graph has removed every assignment to the package (it does so after answering the requests), up to
    the settle time; then the package's policies, role scopes and itself may go. Nothing is deleted while anyone is
    still assigned: an apply that stops here leaves the package whole, and the next one finds and finishes it."""
    policy, started, attempt = chain.client.policy, time.monotonic(), 0
    while await _assignments(chain, package_id):
        if time.monotonic() - started >= policy.settle:
            raise StepFailed(f"access package {package_id} still has assignments {policy.settle:.0f} s after their "
                             "removal was asked: run apply again to finish")
        attempt += 1
        await chain.client.pause(policy.poll(attempt))


def _gone(chain, path: str):
    """A read: whether the object at `path` is gone (a 404)."""
    seen = visible(chain, path)

    async def check() -> bool:
        return not await seen()
    return check


async def teardown(chain) -> None:
    """Deletions, in reverse dependency order: policy, role scope, package, the app's place in the catalog."""
    gone = [c for c in chain.changes if c.action is Action.DELETE]
    await delete_packages(chain, gone, "role_scope")
    for change in (c for c in gone if c.kind == "catalog_resource"):
        catalog_id, sp = change.ids["catalogId"], change.ids["servicePrincipalId"]
        await write_checked(chain, "POST", f"{GOV}/resourceRequests", resource_request("adminRemove", catalog_id, sp),
                            repeatable=True, done=in_catalog(chain, catalog_id, sp, wanted=False))
        chain.finish([change], "destroyed")


def taken_names(changes) -> frozenset[tuple[str, str]]:
    """(catalog, name), folded as Graph compares them, that the plan's packages take: the names of those it creates
    and the new names of those it renames."""
    return frozenset(_named(c.after) for c in changes if c.kind == "access_package" and
                     (c.action is Action.CREATE or c.action is Action.UPDATE and _renamed(c)))


async def let_go(chain, taken: frozenset) -> None:
    """Packages on roles that the plan renames and whose names another package of the plan takes (`taken_names`) are
    first renamed to a name of their own, before any package is built: Graph refuses a name another package of the
    catalog has (409), so two packages swapping names, or a name moving round a cycle, or a new package taking the
    name a renamed one gives up, could not otherwise be done in one apply -- whichever went first was refused.
    Only a package on a role is renamed so: a plan knows it by its role scope whatever its name, so an apply stopped
    after this step leaves a package the next plan still finds, and renames. (A package of its own is known by its
    name: validate refuses a change in which one's former name is given to another package -- config/semantics.py.)
    The build then renames each to the name the file gives it, as planned."""
    for change in chain.changes:
        if change.kind == "access_package" and "roleId" in change.ids and change.action is Action.UPDATE and \
                _renamed(change) and _named(change.before) in taken:
            await _for(change, chain.send("PATCH", f"{GOV}/accessPackages/{change.ids['packageId']}",
                                          {"displayName": in_passing(change.before["displayName"],
                                                                     change.ids["packageId"])}))


def in_passing(name: str, package_id: str) -> str:
    """The name a package holds between the two renames of `let_go`: its own (it has its id), and said to be
    passing; as long as the file's names can be (256 characters)."""
    suffix = f" (renaming {package_id})"
    return name[:256 - len(suffix)] + suffix


def _named(attributes: dict) -> tuple[str, str]:
    return attributes["catalog"].casefold(), attributes["displayName"].casefold()


def _renamed(change) -> bool:
    return _named(change.before) != _named(change.after)


async def build(chain, catalogs: dict[str, str], principal) -> None:
    """Creations and updates, in dependency order, for every role of the application that has a package.

    `principal` completes when the application's service principal exists. Joining catalogs waits for it; each
    package is created (or updated) at once, side by side with the others, saying that the project is making it, and
    links its role once the application is in the catalog, then takes the file's description, then gets its policy
    -- last, so that a package cut short is an empty shell idamconf recognises and finishes (or, if the file no
    longer wants it under its name, deletes: plan/left_behind.py), never one that looks like another team's."""
    kinds = ("catalog_resource", "access_package", "role_scope", "policy")
    pending = [c for c in chain.changes if c.kind in kinds and c.action is not Action.DELETE]
    if not any(c.action is not Action.NOOP for c in pending):
        return
    builder = _Builder(chain, catalogs)

    async def join() -> None:
        await principal
        for change in (c for c in pending if c.kind == "catalog_resource" and c.action is Action.CREATE):
            await builder.join_catalog(change)

    joined = asyncio.ensure_future(join())
    packages = [builder.package(sorted((c for c in pending if c.kind != "catalog_resource" and _identity(c) == identity),
                                       key=lambda c: kinds.index(c.kind)), joined)
                for identity in dict.fromkeys(_identity(c) for c in pending if c.kind != "catalog_resource")]
    results = await asyncio.gather(joined, *packages, return_exceptions=True)
    failures = [result for result in results if isinstance(result, BaseException)]
    if failures:
        raise failures[0]


def _identity(change) -> tuple:
    return change.ids["roleId"], change.ids["catalog"]


class _Builder:
    def __init__(self, chain, catalogs: dict[str, str]):
        self.chain, self.catalogs = chain, catalogs
        self.resources: dict[str, dict] = {}
        self.made: set[str] = set()  # ids of the packages this run created

    def catalog_id(self, name: str) -> str:
        if name not in self.catalogs:
            raise StepFailed(f"catalog '{name}' could not be created")
        return self.catalogs[name]

    async def service_principal(self) -> str:
        return await self.chain.service_principal_id()

    async def resource(self, catalog_id: str, expected: bool = False) -> dict | None:
        """The application's resource in the catalog; `expected`: it was just added, so wait out replication."""
        started, attempt = time.monotonic(), 0
        while catalog_id not in self.resources:
            sp = await self.service_principal()
            found = await self.chain.send("GET", query(f"{GOV}/catalogs/{catalog_id}/resources",
                                                       filter=f"originId eq '{sp}'", expand="roles,scopes"))
            if found.body.get("value"):
                self.resources[catalog_id] = found.body["value"][0]
            elif not expected or time.monotonic() - started > self.chain.client.policy.settle:
                break
            else:
                attempt += 1
                await self.chain.client.pause(self.chain.client.policy.poll(attempt))
        return self.resources.get(catalog_id)

    async def join_catalog(self, change) -> None:
        catalog_id = self.catalog_id(change.after["catalog"])
        if await self.resource(catalog_id) is None:
            sp = await self.service_principal()
            await write_checked(self.chain, "POST", f"{GOV}/resourceRequests",
                                resource_request("adminAdd", catalog_id, sp), repeatable=True,
                                done=in_catalog(self.chain, catalog_id, sp))
        self.chain.finish([change], "added")

    async def package(self, changes: list, joined) -> None:
        by_kind = {change.kind: change for change in changes if change.kind != "policy"}
        package = by_kind["access_package"]
        catalog_id = self.catalog_id(package.after["catalog"])
        package_id = await self._package(package, catalog_id)
        await joined
        scope = by_kind.get("role_scope")
        if scope is not None and scope.action is Action.CREATE:
            try:
                await self._role_scope(scope, package_id, catalog_id)
            except (StepFailed, GraphUnavailable) as error:
                await self._taken_back(package, package_id)
                if isinstance(error, StepFailed) and error.change is None:
                    raise StepFailed(str(error), scope) from None  # the role scope's failure, as it was
                raise
        await _for(package, self._described(package, package_id))
        for policy in (c for c in changes if c.kind == "policy" and c.action is not Action.NOOP):
            await self._policy(policy, package_id)  # one at a time: a lost answer is found again by name

    async def _taken_back(self, change, package_id: str) -> None:
        """A package this run created whose role could not be linked is deleted again (best effort), as a client
        secret the vault would not take is: a package is known for the project's by its role scope, and one left
        without it is found again only by its name, or by what it says of itself (it is being made: plan/
        left_behind.py, what covers an apply killed here since session 49) -- so it goes at once rather than wait
        for the next plan (a review's finding, session 47). One an earlier apply left stays for the next apply to
        finish, as before."""
        if package_id not in self.made:
            return
        try:
            path = f"{GOV}/accessPackages/{package_id}"
            await self.chain.send("DELETE", path, ok_if=_missing, settle=False)
        except (StepFailed, GraphUnavailable):
            return  # left as an empty shell, which the next apply finishes as before
        if change in self.chain.outcome.done:
            self.chain.outcome.done.remove(change)

    async def _package(self, change, catalog_id: str) -> str:
        body = {"displayName": change.after["displayName"], "description": change.after["description"],
                "isHidden": change.after.get("isHidden", False)}
        if change.action is Action.NOOP:
            return change.ids["packageId"]
        if change.action is Action.UPDATE and change.reason != TAKE_BACK:  # (a take-back is found, as a create's)
            await self.chain.send("PATCH", f"{GOV}/accessPackages/{change.ids['packageId']}", body)
            self.chain.finish([change], "updated")
            return change.ids["packageId"]
        async def find() -> Response | None:
            """The package of this name in this catalog that grants nothing yet: the project's own, created by a
            request whose answer was lost or by an apply cut short (Graph compares names case-insensitively)."""
            found = await self.chain.send("GET", query(f"{GOV}/accessPackages", expand="resourceRoleScopes,catalog",
                                                       filter=f"displayName eq '{_quoted(body['displayName'])}'"))
            same = [p for p in found.body.get("value", []) if (p.get("catalog") or {}).get("id") == catalog_id]
            if any(p.get("resourceRoleScopes") for p in same):
                raise StepFailed(f"access package '{body['displayName']}' now exists in this catalog and grants "
                                 "another role: it is not this project's. Run plan again.")
            return Response(200, same[0]) if same else None

        found = await find()
        if found is not None and found.body["id"] != change.ids.get(EMPTIED) and \
                await self._has_policy(found.body["id"]):  # (emptied: plan/restore's take-back, the plan's word)
            raise StepFailed(f"access package '{body['displayName']}' now exists in this catalog with a policy of its "
                             "own: it is not this project's. Run plan again.")
        body["description"] = left_behind.making(self.chain.project, change.application)  # until it grants: below
        if found is not None:  # the empty shell an apply of ours left when it was cut short: finish it
            package_id = found.body["id"]
            if self.chain.client.ownership is not None:
                self.chain.client.ownership.adopt_package(package_id)
            if any(found.body.get(name) != value for name, value in body.items()):
                await self.chain.send("PATCH", f"{GOV}/accessPackages/{package_id}", body)
        else:
            created = await write_checked(self.chain, "POST", f"{GOV}/accessPackages",
                                          {**body, "catalog": {"id": catalog_id}}, find=find,
                                          ready=(visible(self.chain, f"{GOV}/catalogs/{catalog_id}"),))
            package_id = created.body["id"]
            self.made.add(package_id)
        return package_id

    async def _described(self, change, package_id: str) -> None:
        """A package this run created (or took as a shell, or took back) gets the file's description once it grants
        what it is for, and is done. Until then it says that the project is making it (plan/left_behind.py): an apply stopped
        between its create and its role scope -- killed, say -- leaves an empty package that only its name would
        have told for the project's, and the file may rename it, or drop it, before the next apply (session 49);
        described so, the next plan finds it whatever the file names, and deletes it or takes it."""
        if change.action is Action.CREATE or change.reason == TAKE_BACK:
            await self.chain.send("PATCH", f"{GOV}/accessPackages/{package_id}",
                                  {"description": change.after["description"]})
            taken = change.reason == TAKE_BACK and package_id not in self.made  # (not if it had gone meanwhile)
            self.chain.finish([change], "taken back" if taken else "created")

    async def _has_policy(self, package_id: str) -> bool:
        found = await self.chain.send("GET", query(f"{GOV}/assignmentPolicies",
                                                   filter=f"accessPackage/id eq '{package_id}'", select="id"))
        return bool(found.body.get("value"))

    async def _role_scope(self, change, package_id: str, catalog_id: str) -> None:
        resource = await self.resource(catalog_id, expected=True)
        if resource is None:
            raise StepFailed(f"the application is not in catalog {change.after['catalog']}")
        sp, role_id = await self.service_principal(), change.ids["roleId"]
        body = {"role": {"originId": role_id, "originSystem": SYSTEM, "resource": {"id": resource["id"]}},
                "scope": {"originId": sp, "originSystem": SYSTEM, "isRootScope": True}}
        await write_checked(self.chain, "POST", f"{GOV}/accessPackages/{package_id}/resourceRoleScopes", body,
                            repeatable=True, done=grants_role(self.chain, package_id, role_id))
        self.chain.finish([change], "created")

    async def _policy(self, change, package_id: str) -> None:
        name = change.after["displayName"].casefold()

        async def find() -> Response | None:
            """The package's policy of this name (Graph compares names in any case), made by a request whose answer
            was lost."""
            found = await self.chain.send("GET", query(f"{GOV}/assignmentPolicies",
                                                       filter=f"accessPackage/id eq '{package_id}'"))
            same = [p for p in found.body.get("value", []) if (p.get("displayName") or "").casefold() == name]
            return Response(200, same[0]) if same else None

        policy_id = change.ids.get("policyId")
        if policy_id is None:
            found = await find()
            policy_id = found.body["id"] if found is not None else None
            if policy_id is not None and self.chain.client.ownership is not None:
                self.chain.client.ownership.adopt_policy(package_id, policy_id)
        body = policy_body(change.after, change.ids, package_id)
        if policy_id is None:
            await write_checked(self.chain, "POST", f"{GOV}/assignmentPolicies", body, find=find,
                                ready=(visible(self.chain, f"{GOV}/accessPackages/{package_id}"),))
        else:
            await self.chain.send("PUT", f"{GOV}/assignmentPolicies/{policy_id}", body)
        self.chain.finish([change], "created" if change.action is Action.CREATE else "updated")


def _missing(response) -> bool:
    return response.status == 404


def resource_request(kind: str, catalog_id: str, origin_id: str, system: str = SYSTEM) -> dict:
    """A resource request adding (`adminAdd`) or removing (`adminRemove`) an application's service principal (or,
    with `system` AadGroup, a group) in a catalog."""
    return {"requestType": kind, "resource": {"originId": origin_id, "originSystem": system},
            "catalog": {"id": catalog_id}}
