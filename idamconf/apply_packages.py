"""Applying access packages of their own (plan/packages.py): taken apart before any application's chain releases
anything, and built after every chain has run -- a package may grant roles of several applications, whose service
principals (and places in catalogs) their own chains make.

Teardown: policies, grants (role scopes), packages, then the group resources no package uses any more. Build: the
groups' places in catalogs, then each package side by side with the others -- the package (found again by name in its
catalog before a create, as packages on roles are: apply_access._Builder), its new grants, its policies, last. Every
write is safe to repeat: a group or application already in the catalog, a role scope already on the package, are
found by reading (apply_recovery.py), so an apply cut short is finished by the next.
"""

from __future__ import annotations

import asyncio
import time

from .apply_access import GOV, StepFailed, _Builder, delete_packages, resource_request as request
from .apply_recovery import catalog_resource, grants_role, in_catalog, write_checked
from .graph.client import GraphUnavailable
from .plan.model import Action, Change

APPLICATION, GROUP = "AadApplication", "AadGroup"


def owns(change: Change) -> bool:
    """Whether a change is a package of its own's (or a group resource), applied here rather than in a chain."""
    return "package" in change.ids or change.kind == "group_resource"


async def teardown(chain) -> None:
    """What the plan takes away, in reverse dependency order. `chain`: apply._ApplicationChain of these changes."""
    gone = [c for c in chain.changes if c.action is Action.DELETE]
    try:
        await delete_packages(chain, gone, "grant")
        for change in (c for c in gone if c.kind == "group_resource"):
            catalog_id, group_id = change.ids["catalogId"], change.ids["groupId"]
            await write_checked(chain, "POST", f"{GOV}/resourceRequests",
                                request("adminRemove", catalog_id, group_id, GROUP), repeatable=True,
                                done=in_catalog(chain, catalog_id, group_id, wanted=False))
            chain.finish([change], "destroyed")
    except (StepFailed, GraphUnavailable) as error:
        chain.failed = True
        chain.fail(error)


async def build(chain, chains: dict, known: dict) -> None:
    """Creations and updates, once every application's chain has run. `chains`: application key -> its chain (for
    the service principals they made); `known`: application key -> the ids the plan knows."""
    if chain.failed or not any(c.action not in (Action.NOOP, Action.DELETE) for c in chain.changes):
        return
    builder = _Packages(chain, chains, known)
    try:
        for change in (c for c in chain.changes if c.kind == "group_resource" and c.action is Action.CREATE):
            if chain.client.ownership is not None:
                chain.client.ownership.grant_group(change.ids["groupId"])
            await builder.resource(builder.catalog_id(change.after["catalog"]), change.ids["groupId"], GROUP)
            chain.finish([change], "added")
    except (StepFailed, GraphUnavailable) as error:
        chain.failed = True
        chain.fail(error)
        return
    packages: dict[str, list[Change]] = {}
    for change in (c for c in chain.changes if "package" in c.ids and c.action is not Action.DELETE):
        packages.setdefault(change.ids["package"], []).append(change)
    await asyncio.gather(*(builder.package(changes) for changes in packages.values()))


class _Packages(_Builder):
    def __init__(self, chain, chains: dict, known: dict):
        super().__init__(chain, chain.catalogs)
        self.chains, self.known = chains, known

    def service_principal_of(self, application: str) -> str:
        ids = dict(self.known.get(application) or {})
        if application in self.chains:
            ids.update(self.chains[application].ids)
        if not ids.get("servicePrincipalId"):
            raise StepFailed(f"application {application} has no service principal (see its own errors)")
        return ids["servicePrincipalId"]

    async def package(self, changes: list[Change]) -> None:
        """One package: itself, its new grants, its policies; a failure stops this package only, and is the failed
        step's (`step`: a new package is done only once it grants, and is described as the file says)."""
        package = step = next(c for c in changes if c.kind == "access_package")
        try:
            catalog_id = package.ids.get("catalogId") or self.catalog_id(package.after["catalog"])
            package_id = await self._package(package, catalog_id)
            for step in (c for c in changes if c.kind == "grant" and c.action is Action.CREATE):
                await self._grant(step, package_id, catalog_id)
            step = package
            await self._described(package, package_id)  # (described as being made until it grants)
            for step in (c for c in changes if c.kind == "policy" and c.action is not Action.NOOP):
                await self._policy(step, package_id)
        except (StepFailed, GraphUnavailable) as error:
            finished = {id(change) for change in self.chain.outcome.done}
            failed = [c for c in changes if id(c) not in finished and c.action is not Action.NOOP]
            if failed:
                first = step if any(c is step for c in failed) else failed[0]
                self.chain.outcome.failed.append((first, str(error)))
                self.chain.outcome.skipped.extend(c for c in failed if c is not first)

    async def _grant(self, change: Change, package_id: str, catalog_id: str) -> None:
        group = change.ids.get("groupId")
        if group and self.chain.client.ownership is not None:
            self.chain.client.ownership.grant_group(group)
        system, origin = (GROUP, group) if group else (APPLICATION, self.service_principal_of(change.ids["roleOf"]))
        resource = await self.resource(catalog_id, origin, system)
        role_id = change.ids["originId"]
        body = {"role": {"originId": role_id, "originSystem": system, "resource": {"id": resource["id"]}},
                "scope": {"originId": origin, "originSystem": system, "isRootScope": True}}
        await write_checked(self.chain, "POST", f"{GOV}/accessPackages/{package_id}/resourceRoleScopes", body,
                            repeatable=True, done=grants_role(self.chain, package_id, role_id))
        self.chain.finish([change], "created")

    async def resource(self, catalog_id: str, origin: str, system: str) -> dict:
        """The catalog's resource for an application's service principal or a group, added if it is missing and
        waited for while replication catches up."""
        found = await catalog_resource(self.chain, catalog_id, origin)
        if found is not None:
            return found
        await write_checked(self.chain, "POST", f"{GOV}/resourceRequests",
                            request("adminAdd", catalog_id, origin, system), repeatable=True,
                            done=in_catalog(self.chain, catalog_id, origin))
        started, attempt = time.monotonic(), 0
        while (found := await catalog_resource(self.chain, catalog_id, origin)) is None:
            if time.monotonic() - started > self.chain.client.policy.settle:
                raise StepFailed(f"{origin} was added to the catalog but cannot be read there yet; run apply again")
            attempt += 1
            await self.chain.client.pause(self.chain.client.policy.poll(attempt))
        return found

