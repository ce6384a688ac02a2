"""Deciding what a refused write means by reading the tenant, not by the refusal's text.

Graph documents no answer for an application already in a catalog (a repeated `adminAdd` whose first answer was
lost), one not in it (a repeated `adminRemove`), a role scope a package already has, an owner added twice (its
reported text, "One or more added object references already exist …", is Graph's but not in its reference), or a
write naming an object this apply created moments ago that replication has not shown yet. The emulator's texts for
these are its own (docs/emulator.md, "Error texts idamconf relies on"), so idamconf never reads them: when such a
write is refused, it looks. If the write's effect is already there (`done`), it is done; if something the write
needs is not visible yet (`ready`), replication is behind what this apply created, and the write is sent again --
polled for up to the retry policy's settle time, as a "not found" is (graph/client.py); otherwise Graph's refusal
stands.
"""

from __future__ import annotations

import time

from .graph.client import Response, query

GOV = "identityGovernance/entitlementManagement"


def not_replicated(error, settle: float) -> str:
    """The message of a write still refused once replication had time to catch up."""
    return (f"{error} -- still so after waiting {settle:.0f} s for Graph to replicate what this apply created; run "
            "apply again to finish")


async def write_checked(chain, method: str, path: str, body, *, done=None, ready=(), **rules) -> Response:
    """`chain.send` a write, deciding a refusal by reading state (see the module's notes). `done()` and each of
    `ready` are reads returning True or False. Raises StepFailed when the refusal stands. With `done`, a refusal is
    looked at until settle time whatever `ready` would say (the effect may be there but not visible yet): `ready`
    is for writes without `done`, and is refused beside it (its reads would decide nothing)."""
    if done is not None and ready:
        raise TypeError("write_checked: `ready` decides nothing beside `done`")
    from .apply_access import StepFailed

    policy, started, attempt, refused_when_ready = chain.client.policy, time.monotonic(), 0, False
    while True:
        response = await chain.send(method, path, body, ok_if=lambda answer: True, **rules)  # 404s waited out
        if response.ok or (done is not None and await done()):
            return response
        if response.status not in (400, 404, 409):  # a refusal that says nothing of the state (403, 5xx ...)
            raise StepFailed(response.error)
        waiting = [check for check in ready if not await check()]
        if not waiting and done is None:  # all there now: it may have become visible since; one more try decides
            if refused_when_ready:
                raise StepFailed(response.error)
            refused_when_ready = True
            continue
        # Something the write needs is not visible yet -- or its effect is there but not visible yet (a repeat
        # refused on the write primary while the replica read by `done` lags): look again until settle time.
        if time.monotonic() - started >= policy.settle:
            raise StepFailed(not_replicated(response.error, policy.settle))
        attempt += 1
        await chain.client.pause(policy.poll(attempt))


# ------------------------------------------------------------------------------------------------------- reads
async def _read(chain, path: str) -> Response:
    """A GET whose refusal is an answer, not a failure: a 404 means "not there (yet, or any more)" and is returned at
    once -- never waited out as a write's "not found" is (`settle`): the caller's loop decides whether to look again."""
    return await chain.send("GET", path, ok_if=lambda answer: True, settle=False)


def visible(chain, path: str):
    """A read: whether the object at `path` can be read (a 404 is not yet, or no longer)."""
    async def check() -> bool:
        return (await _read(chain, query(path, select="id"))).ok
    return check


async def catalog_resource(chain, catalog_id: str, service_principal_id: str) -> dict | None:
    """The catalog's resource for the service principal (or group), as Graph has it now (never cached)."""
    found = await _read(chain, query(f"{GOV}/catalogs/{catalog_id}/resources",
                                     filter=f"originId eq '{service_principal_id}'"))
    value = (found.body or {}).get("value") if found.ok else None
    return value[0] if value else None


def in_catalog(chain, catalog_id: str, service_principal_id: str, wanted: bool = True):
    """A read: whether the application is (`wanted`) or is not in the catalog."""
    async def check() -> bool:
        return (await catalog_resource(chain, catalog_id, service_principal_id) is not None) == wanted
    return check


def grants_role(chain, package_id: str, role_id: str):
    """A read: whether the access package already has a role scope for this app role."""
    async def check() -> bool:
        found = await _read(chain, query(f"{GOV}/accessPackages/{package_id}",
                                         expand="resourceRoleScopes($expand=role,scope)"))
        scopes = (found.body or {}).get("resourceRoleScopes") or [] if found.ok else []
        return any(str((scope.get("role") or {}).get("originId")).lower() == role_id.lower() for scope in scopes)
    return check


def owned_by(chain, holder: str, owner_id: str):
    """A read: whether the directory object already owns the object at `holder` (applications/{id} or
    servicePrincipals/{id})."""
    async def check() -> bool:
        found = await _read(chain, query(f"{holder}/owners", select="id"))
        return found.ok and any(owner.get("id") == owner_id for owner in (found.body or {}).get("value") or [])
    return check
