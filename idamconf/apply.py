"""Carry out a plan against Graph, in the order Graph needs, with writes that are safe to repeat.

Per application, one chain: the application by `uniqueName` upsert (a repeated create never duplicates), roles
disabled in a request of their own before they change or go, the final `appRoles` collection, the service principal
by `appId` upsert, owners added and removed. Applications' chains run concurrently; deletions run last. A failed
step stops only its own application's chain; what was done stays done and the next apply finishes the rest.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

from . import apply_access, apply_assignments, apply_credentials, apply_exposed, apply_logo, apply_packages, \
    apply_permissions, apply_restore
from .apply_access import StepFailed
from .apply_recovery import not_replicated, owned_by, write_checked
from .graph.client import GraphClient, GraphUnavailable, Response, not_yet_visible, query
from .plan.model import DISABLE_FIRST, RESTORE, Action, Change, Plan
from .plan.placeholders import deferred_identifier_uris, resolve_app_id
from .saml import apply as apply_saml



@dataclass
class Outcome:
    done: list[Change] = field(default_factory=list)
    failed: list[tuple[Change, str]] = field(default_factory=list)
    skipped: list[Change] = field(default_factory=list)
    # Each application created, by address: its ids as Graph gave them -- id (object id), appId (client id) and, once
    # its service principal exists, servicePrincipalId. What the team that asked for it needs.
    created: dict[str, dict] = field(default_factory=dict)
    # Each SAML application written, by name: what its service provider's team needs (saml/apply.py)
    saml: dict[str, dict] = field(default_factory=dict)

    def count(self, action: Action) -> int:
        return sum(1 for change in self.done if change.action is action and change.counted)

    def result(self, change: Change) -> str:
        """What became of one change: done, failed, skipped (an earlier step of its application failed) or not done
        (apply stopped before it, e.g. at --timeout)."""
        def among(changes) -> bool:
            return any(other.address == change.address and other == change for other in changes)

        if among(self.done):
            return "done"
        if among(failed for failed, _ in self.failed):
            return "failed"
        return "skipped" if among(self.skipped) else "not done"


async def apply_plan(client: GraphClient, plan: Plan, report=lambda change, verb: None,
                     root: Path | None = None, vaults=None) -> Outcome:
    """`root`: the configuration directory, where files the plan names are read (a logo); `vaults`: where new
    client secrets go (vault/vaults.Vaults)."""
    outcome = Outcome()
    catalogs = await apply_access.ensure_catalogs(client, plan, outcome, report)
    by_app: dict[str, list[Change]] = {}
    own = _ApplicationChain(client, "", [c for c in plan.changes if apply_packages.owns(c)], outcome, report,
                            catalogs, project=plan.project)  # packages of their own: before and after every chain
    # (apply_packages.py)
    for change in plan.changes:  # unchanged roles too: Graph takes appRoles as a whole collection
        if change.kind != "catalog" and not (change.kind == "application" and change.action is Action.DELETE) \
                and not apply_packages.owns(change):
            by_app.setdefault(change.application, []).append(change)
    taken = apply_access.taken_names(plan.changes)
    chains = {name: _ApplicationChain(client, name, changes, outcome, report, catalogs, root, vaults, plan.project,
                                      taken)
              for name, changes in by_app.items() if any(change.action is not Action.NOOP for change in changes)}
    # Releases before claims, so that one apply completes when a package name, an identifier URI or an application
    # name moves: first every access-package teardown (and the package names others take let go: `taken`), then the
    # applications that leave, then the applications that give up identifier URIs, then the rest. Packages of their
    # own go first: they may use any application's roles.
    await apply_packages.teardown(own)
    await asyncio.gather(*(chain.release() for chain in chains.values()))
    for change in plan.deletions:
        if change.kind != "application":
            continue
        if chains.get(change.application) and chains[change.application].failed:
            outcome.skipped.append(change)  # its access packages are not all gone yet: deleting it would orphan them
        else:
            await _ApplicationChain(client, change.application, [change], outcome, report).delete(change)
    releasing = {c.application for c in plan.changes if c.kind == "application" and c.action is Action.UPDATE
                 and set(c.before["identifierUris"]) - set(c.after["identifierUris"])}
    for wave in (releasing, chains.keys() - releasing):
        await asyncio.gather(*(chains[name].run() for name in wave))
    await apply_exposed.late_clients(chains)  # clients created by this apply, pre-authorised once they exist
    known = _known_ids(plan)
    await apply_permissions.grant(chains, known)  # consents name two chains' objects: after them all
    await apply_packages.build(own, chains, known)  # likewise a package granting several applications' roles
    return outcome


def _known_ids(plan: Plan) -> dict[str, dict]:
    """Application name -> the ids the plan knows of it (id, appId, servicePrincipalId)."""
    known: dict[str, dict] = {}
    for change in plan.changes:
        known.setdefault(change.application, {}).update(
            {key: value for key, value in change.ids.items() if key in ("id", "appId", "servicePrincipalId")})
    return known


class _ApplicationChain:
    def __init__(self, client: GraphClient, name: str, changes: list[Change], outcome: Outcome, report,
                 catalogs: dict | None = None, root: Path | None = None, vaults=None, project: str = "",
                 taken: frozenset = frozenset()):
        self.client, self.name, self.changes, self.outcome, self.report = client, name, changes, outcome, report
        self.catalogs, self.root, self.vaults, self.project = catalogs or {}, root, vaults, project
        self.taken = taken  # (catalog, name) the plan's packages take (apply_access.taken_names)
        self.failed = False
        self.ids: dict = {}
        for change in changes:
            self.ids.update({key: value for key, value in change.ids.items()
                             if key in ("id", "appId", "servicePrincipalId")})

    def of(self, kind: str, reason: str | None = "any") -> list[Change]:
        return [c for c in self.changes if c.kind == kind and (reason == "any" or c.reason == reason)]

    async def release(self) -> None:
        """Access packages, role scopes, policies, catalog places and role assignments this application gives up, and
        the names of its packages that others take."""
        await self._steps([lambda: apply_access.teardown(self), lambda: apply_assignments.release(self),
                           lambda: apply_access.let_go(self, self.taken)])

    async def run(self) -> None:
        """The application first; then, side by side, what depends only on it: its service principal (and then its
        place in catalogs), its owners, and its access packages (each waiting for the service principal's place in
        the catalog before it links the role)."""
        if self.failed:
            return  # what is left depends on what failed
        await self._steps([self.restore_application, self.adopt_application, lambda: apply_saml.instantiate(self),
                           self.upsert_application,
                           lambda: apply_permissions.withdraw(self), self.disable_roles,
                           lambda: apply_exposed.disable_scopes(self), self.write_roles_and_attributes,
                           lambda: apply_permissions.request(self)])
        if self.failed:
            return
        principal = asyncio.ensure_future(self.upsert_service_principal())
        results = await asyncio.gather(principal, self.owners(), apply_access.build(self, self.catalogs, principal),
                                       apply_assignments.build(self, principal), apply_logo.upload(self, self.root),
                                       apply_credentials.write(self), apply_saml.write(self, principal),
                                       return_exceptions=True)
        self._failed_with([result for result in results if isinstance(result, BaseException)])

    async def _steps(self, steps) -> None:
        try:
            for step in steps:
                await step()
        except (StepFailed, GraphUnavailable) as error:
            self.failed = True
            self.fail(error)

    def _failed_with(self, errors: list[BaseException]) -> None:
        """The first failure of steps that ran side by side is reported; the changes they left undone are skipped."""
        for error in errors:
            if not isinstance(error, (StepFailed, GraphUnavailable)):
                raise error
        if errors:
            self.failed = True
            self.fail(errors[0])

    def fail(self, error: Exception) -> None:
        """The change whose step failed is reported failed -- the one the error names (`StepFailed.change`), else the
        chain's first unfinished one -- and the rest unfinished are skipped."""
        finished = {id(change) for change in self.outcome.done}
        failed = [c for c in self.changes if id(c) not in finished and c.action is not Action.NOOP]
        named = getattr(error, "change", None)
        if named is not None and any(c is named for c in failed):
            failed = [named] + [c for c in failed if c is not named]
        if failed:
            self.outcome.failed.append((failed[0], str(error)))
            self.outcome.skipped.extend(failed[1:])

    def finish(self, changes: list[Change], verb: str) -> None:
        for change in changes:
            self.outcome.done.append(change)
            self.report(change, verb)

    async def send(self, method: str, path: str, body=None, headers=None, ok_if=lambda r: False, **rules) -> Response:
        """One request through `GraphClient.call` (batched, retried; `rules` say how a lost answer is recovered).
        Everything the chain addresses exists or was just created, so "not found" is waited out (`settle`) unless
        the step says it means "already gone"."""
        rules = {"settle": True, **rules}
        response = await self.client.call(method, path, body, headers, **rules)
        if not response.ok and not ok_if(response):
            if rules["settle"] and not_yet_visible(response):
                raise StepFailed(not_replicated(response.error, self.client.policy.settle))
            raise StepFailed(response.error)
        return response

    # -------------------------------------------------------------------------------------------------- steps
    async def upsert_application(self) -> None:
        created = [c for c in self.of("application") if c.action is Action.CREATE]
        if not created:
            return
        roles = [c for c in self.of("role") if c.action is Action.CREATE]
        after = created[0].after
        later = deferred_identifier_uris(after)
        body = apply_exposed.with_api(self, {**after, "identifierUris": [
            uri for uri in after["identifierUris"] if uri not in later], "appRoles": [c.after for c in roles],
            **apply_permissions.on_create(self)})
        response = await self.send("PATCH", f"applications(uniqueName='{self.name}')", body,
                                   {"Prefer": "create-if-missing"})
        if response.status == 201:
            self.ids = {"id": response.body["id"], "appId": response.body["appId"]}
        else:  # 204: it already existed (a repeated apply after a lost response); the PATCH brought it up to date
            found = await self.send("GET", query(f"applications(uniqueName='{self.name}')",
                                                 select="id,appId,tags"), settle=True)
            self.ids = {"id": found.body["id"], "appId": found.body["appId"]}
        self.outcome.created[created[0].address] = self.ids  # the service principal's id joins it when made
        if later:  # now that the app id is known (plan/placeholders.py); the next plan finds them set
            uris = sorted(resolve_app_id(uri, self.ids["appId"]) for uri in after["identifierUris"])
            await self.send("PATCH", f"applications/{self.ids['id']}", {"identifierUris": uris})
        self.finish(created + roles, "created")
        apply_exposed.finished(self)

    async def restore_application(self) -> None:
        """The project's application back from deleted items (plan/restore.py), its id and appId as they were, then
        its service principal, which Graph restores apart and only once the application is back; the updates that
        follow make them match the file (apply_restore.py: what a 404 means)."""
        for change in self.of("application", RESTORE) + self.of("service_principal", RESTORE):
            await apply_restore.restore(self, change)

    async def adopt_application(self) -> None:
        """An existing application becomes the project's: its uniqueName (set once: Graph never changes it) and the
        project's tag, first and together, so that an apply cut short after it leaves an application the next plan
        reads as the project's (plan/adoption.py)."""
        for change in self.of("application"):
            if change.action is Action.ADOPT:
                await self.send("PATCH", f"applications/{self.ids['id']}", {"uniqueName": self.name,
                                                                            "tags": change.after["tags"]})

    async def disable_roles(self) -> None:
        steps = self.of("role", DISABLE_FIRST)
        if not steps:
            return
        disabled = {c.before["id"] for c in steps}
        live = [c.before for c in self.of("role") if c.before is not None and c.reason != DISABLE_FIRST]
        roles = [{**role, "isEnabled": False} if role["id"] in disabled else role for role in live]
        await self.send("PATCH", f"applications/{self.ids['id']}", {"appRoles": roles})
        self.finish(steps, "disabled")

    async def write_roles_and_attributes(self) -> None:
        app = [c for c in self.of("application") if c.action in (Action.UPDATE, Action.ADOPT)]
        roles = [c for c in self.of("role") if c.reason != DISABLE_FIRST and c.action is not Action.NOOP]
        exposed = apply_exposed.pending(self)
        if not app and not roles and not exposed or any(c.action is Action.CREATE for c in self.of("application")):
            return
        body = {attribute.path.split(".")[0]: app[0].after[attribute.path.split(".")[0]]
                for attribute in app[0].attributes if attribute.path != "uniqueName"} if app else {}
        if roles:
            body["appRoles"] = [c.after for c in self.of("role") if c.after is not None and c.reason != DISABLE_FIRST]
        body = apply_logo.with_marker(self, apply_exposed.with_api(self, body))
        # one write unless the token version moves: then a value can move between a role and a scope at once
        moving = app and any(a.path == "api.requestedAccessTokenVersion" for a in app[0].attributes)
        for part in token_version_in_order(body) if moving else [body]:
            if part:  # (a restore changing nothing else writes nothing more)
                await self.send("PATCH", f"applications/{self.ids['id']}", part)
        apply_exposed.finished(self)
        self.finish(app, "adopted" if app and app[0].action is Action.ADOPT else
                    "restored" if app and app[0].reason == RESTORE else "updated")
        self.finish([c for c in roles if c.action is Action.CREATE], "created")
        self.finish([c for c in roles if c.action is Action.UPDATE], "updated")
        self.finish([c for c in roles if c.action is Action.DELETE], "removed")

    async def upsert_service_principal(self) -> None:
        for change in self.of("service_principal"):
            if change.action is Action.NOOP:
                continue
            response = await self.send("PATCH", f"servicePrincipals(appId='{self.ids['appId']}')", change.after,
                                       {"Prefer": "create-if-missing"})
            if response.status == 201:
                self.ids["servicePrincipalId"] = response.body["id"]
            elif change.action is Action.CREATE and "servicePrincipalId" not in self.ids:  # made by a lost answer
                found = await self.send("GET", query(f"servicePrincipals(appId='{self.ids['appId']}')", select="id"))
                self.ids["servicePrincipalId"] = found.body["id"]
            self.finish([change], "created" if change.action is Action.CREATE else
                        "restored" if change.reason == RESTORE else "updated")

    async def owners(self) -> None:
        changes = [change for change in self.of("owner") if change.action is not Action.NOOP]
        if changes:  # (a chain may be only an application's teardown: no ids then)
            await self.change_owners(changes, f"applications/{self.ids['id']}")

    async def change_owners(self, changes: list[Change], holder: str) -> None:
        """Owners added and removed, of the object at `holder` (the application, or its service principal)."""
        for change in changes:
            owner = change.ids["userId"]
            if change.action is Action.CREATE:
                reference = {"@odata.id": f"{self.client.base_url}/directoryObjects/{owner}"}
                await write_checked(self, "POST", f"{holder}/owners/$ref", reference, repeatable=True,
                                    done=owned_by(self, holder, owner))
                self.finish([change], "added")
            elif change.action is Action.DELETE:
                await self.send("DELETE", f"{holder}/owners/{owner}/$ref", ok_if=lambda r: r.status == 404,
                                settle=False)
                self.finish([change], "removed")

    async def service_principal_id(self) -> str:
        """The object id of the application's service principal: from the plan or its creation, else read."""
        if "servicePrincipalId" not in self.ids:
            found = await self.send("GET", query(f"servicePrincipals(appId='{self.ids['appId']}')", select="id"),
                                    settle=True)
            self.ids["servicePrincipalId"] = found.body["id"]
        return self.ids["servicePrincipalId"]

    async def delete(self, change: Change) -> None:
        try:
            await self.send("DELETE", f"applications/{change.ids['id']}", ok_if=lambda r: r.status == 404,
                            settle=False)
            self.finish([change], "destroyed")
        except (StepFailed, GraphUnavailable) as error:
            self.outcome.failed.append((change, str(error)))


def token_version_in_order(body: dict) -> list[dict]:
    """An update as the PATCHes Graph takes: a change of access token version in a write of its own when other
    properties change too -- first when moving to v2 (a personal-account audience, or identifier URIs the tenant's
    policy spares only on v2 applications, need it already), last when moving back to v1."""
    if "api" not in body or len(body) == 1:
        return [body]
    version, rest = {"api": body["api"]}, {name: value for name, value in body.items() if name != "api"}
    return [version, rest] if body["api"].get("requestedAccessTokenVersion") == 2 else [rest, version]

