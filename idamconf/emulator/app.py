"""The emulator's ASGI application: Graph v1.0 under `/v1.0`, for in-process use or for uvicorn.

`Emulator.handle` is the one dispatcher: HTTP requests and the items of a `$batch` both go through it, so every
rule, every error shape and every injected fault applies to both alike. It charges each request it executes by
Graph's cost table (`x-ms-resource-unit`) and counts what it served in `Emulator.stats`, also served as JSON at
`GET /_emulator/stats` (outside `/v1.0`; `POST /_emulator/stats/reset` zeroes it; both need a bearer token, as
`/v1.0` does). Only requests addressed to a loopback name are answered (emulator/hosts: DNS rebinding).
"""

from __future__ import annotations

import json
import uuid

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request as HttpRequest
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .. import jsonread
from ..graph.cost import cost
from . import (assignments, credentials, deleted, directory, directory_query, federated, governance, grants,
               graph_permissions, logo, owners, saml, tenant)
from .batch import run_batch
from .connections import ConnectionFaults, quiet_deliberate_drops
from .errors import GraphError, bad_request, method_not_allowed
from .faults import NoFaults
from .hosts import LoopbackHostOnly
from .identity import enforcement
from .identity.endpoints import routes as identity_routes
from .keyvault import VaultHosts
from .vault_store import VaultStore, vault_path
from .protocol import Binary, Key, RawJson, Reply, Request, is_json, split_path
from .stats import Stats
from .store import Store

# How deeply a request body may nest: OData's readers have such a quota (ODataMessageQuotas.MaxNestingDepth), whose
# value in Graph is not documented; 100 is the emulator's own choice, far above any body Graph's API takes (a
# $batch of requests with bodies is under 10). Deeper, as text that is not Unicode or NaN: unreadable JSON, 400.
NESTING = 100
JSON_TYPE = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"


class Emulator:
    def __init__(self, store: Store, faults=None):
        self.store = store
        graph_permissions.ensure_in(store)
        enforcement.enforced(store)  # read once, here: a request costs no query for it
        self.faults = faults or NoFaults()
        self.stats = Stats()
        attach = getattr(self.faults, "attach", None)  # optional for a policy (see faults.py)
        if attach is not None:
            attach(store, self.stats)

    async def handle(self, request: Request) -> Reply:
        request_id = str(uuid.uuid4())
        ids = (request_id, request.headers.get("client-request-id", request_id))
        reply = await self._answer(request, ids)
        reply.headers.setdefault("request-id", ids[0])
        reply.headers.setdefault("client-request-id", ids[1])
        if request.path != "$batch":
            self.stats.replied(reply.status)
        return reply

    async def _answer(self, request: Request, ids: tuple[str, str]) -> Reply:
        """The fault policy's answer if it gives one; else the emulator's, charged by Graph's cost table and shown
        to the policy's `after` (a write's once it committed). A `$batch` envelope is neither faulted nor charged:
        each of its items is, as a request of its own."""
        try:
            _authenticate(request)
            enforcement.check(self.store, request)  # a tenant enforcing permissions (emulator/identity/)
            if request.path == "$batch":
                return await self._batch(request)
            injected = await self.faults.before(request)
        except Exception as error:  # noqa: BLE001 - GraphError, or an emulator bug: answered in Graph's shape
            return _error_reply(error, ids)
        if injected is not None:
            return injected
        units, writes = cost(request.method, request.path, request.query)
        self.stats.charged(units, writes)
        reply = self._execute(request, ids)
        if units:
            reply.headers["x-ms-resource-unit"] = str(units)
        return await self.faults.after(request, reply)

    def _execute(self, request: Request, ids: tuple[str, str]) -> Reply:
        try:
            if request.method == "GET":
                return route(self.store, request)
            with self.store.transaction():
                reply = route(self.store, request)
                enforcement.owner_of_created(self.store, request, reply)
                return reply
        except Exception as error:  # noqa: BLE001 - an emulator bug still answers in Graph's shape, per item
            return _error_reply(error, ids)

    async def _batch(self, request: Request) -> Reply:
        if request.method != "POST":
            raise method_not_allowed()
        self.stats.batches += 1
        return await run_batch(request, self._batch_item)

    async def _batch_item(self, request: Request) -> Reply:
        self.stats.batch_items += 1
        return await self.handle(request)


def _error_reply(error: Exception, ids: tuple[str, str]) -> Reply:
    if not isinstance(error, GraphError):
        error = GraphError(500, "InternalServerError", f"The emulator failed: {type(error).__name__}: {error}")
    return Reply(error.status, error.body(*ids), dict(error.headers))


def _authenticate(request: Request) -> None:
    _authenticate_headers(request.headers)


def _authenticate_headers(headers: dict[str, str]) -> None:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise GraphError(401, "InvalidAuthenticationToken", "Access token is empty.")


def route(store: Store, request: Request) -> Reply:
    """Graph's URL space for the resources the emulator serves: each area's paths go to its routing table."""
    parts, handlers = _area(split_path(request.path))
    if not parts or not any(name == parts[0] for _, name, _ in handlers):
        segment = parts[0] if parts else ""
        raise GraphError(400, "BadRequest", f"Resource not found for the segment '{segment}'.")
    if len(parts) > 1 and isinstance(parts[1], str):
        parts[1] = Key("id", parts[1])
    handler = handlers.get((request.method, parts[0], _shape(parts)))
    if handler is None:
        if any(shape == _shape(parts) and name == parts[0] for _, name, shape in handlers):
            raise method_not_allowed()
        raise GraphError(400, "BadRequest", f"Resource not found for the segment '{parts[-1]}'.")
    return handler(store, request, *[part for part in parts[1:] if isinstance(part, Key)], *_ids(parts))


def _area(parts: list) -> tuple[list, dict]:
    """The routing table for a path, and the path below the area's prefix."""
    for prefix, handlers in _AREAS:
        if tuple(parts[:len(prefix)]) == prefix:
            return parts[len(prefix):], handlers
    raise AssertionError("the directory area has the empty prefix")


def _shape(parts: list) -> tuple:
    """The URL's shape with keys abstracted: ("applications", Key, "owners", "$ref") -> ("{key}", "owners", "$ref")."""
    shape = []
    for index, part in enumerate(parts[1:], start=1):
        if isinstance(part, Key):
            shape.append("{key}")
        elif index == 3 and parts[2] in _NESTED_BY_ID and part != "$ref":
            shape.append("{id}")
        else:
            shape.append(part)
    return tuple(shape)


def _ids(parts: list) -> list[str]:
    """The id of a member of a nested collection: `owners/{id}/$ref`, `resourceRoleScopes/{id}`."""
    member = parts[3] if len(parts) > 3 and parts[2] in _NESTED_BY_ID else "$ref"
    return [member] if isinstance(member, str) and member != "$ref" else []


_NESTED_BY_ID = {"owners", "resourceRoleScopes", "appRoleAssignedTo", "appRoleAssignments",
                 "federatedIdentityCredentials", "claimsMappingPolicies"}


_HANDLERS = {
    ("GET", "applications", ()): lambda s, r: directory.list_set(s, r, "applications"),
    ("POST", "applications", ()): directory.create_application,
    ("GET", "applications", ("{key}",)): lambda s, r, k: directory.get_one(s, r, "applications", k),
    ("PATCH", "applications", ("{key}",)): directory.update_application,
    ("DELETE", "applications", ("{key}",)): lambda s, r, k: directory.delete_application(s, k),
    **owners.HANDLERS,  # {applications|servicePrincipals}/{id}/owners
    ("POST", "applications", ("{key}", "addPassword")): credentials.add_password,
    ("POST", "applications", ("{key}", "removePassword")): credentials.remove_password,
    ("GET", "servicePrincipals", ()): lambda s, r: directory.list_set(s, r, "servicePrincipals"),
    ("POST", "servicePrincipals", ()): directory.create_service_principal,
    ("GET", "servicePrincipals", ("{key}",)): lambda s, r, k: directory.get_one(s, r, "servicePrincipals", k),
    ("PATCH", "servicePrincipals", ("{key}",)): directory.update_service_principal,
    ("DELETE", "servicePrincipals", ("{key}",)): lambda s, r, k: directory.delete_service_principal(s, k),
    ("GET", "users", ()): lambda s, r: directory.list_set(s, r, "users"),
    ("GET", "groups", ()): lambda s, r: directory.list_set(s, r, "groups"),
    ("GET", "groups", ("{key}",)): lambda s, r, k: directory.get_one(s, r, "groups", k),
    ("GET", "users", ("{key}",)): lambda s, r, k: directory.get_one(s, r, "users", directory.user_key(k)),
    ("GET", "directoryObjects", ("{key}",)): directory_query.directory_object,
    ("POST", "directoryObjects", ("{key}",)): directory_query.directory_object_action,
    **tenant.HANDLERS,  # /policies/defaultAppManagementPolicy, /domains, /organization
    **assignments.HANDLERS,  # servicePrincipals/{id}/appRoleAssignedTo, {users|groups|…}/{id}/appRoleAssignments
    **grants.HANDLERS,  # oauth2PermissionGrants
    **logo.HANDLERS,  # applications/{id}/logo
    **federated.HANDLERS,  # applications/{id}/federatedIdentityCredentials
    **saml.HANDLERS,  # applicationTemplates/{id}/instantiate, servicePrincipals/{id}/addTokenSigningCertificate, …
}


_AREAS = (  # path prefix -> that area's routing table; the directory's, at the root, last
    (("identityGovernance", "entitlementManagement"), governance.HANDLERS),
    (("policies",), saml.POLICY_HANDLERS),  # claimsMappingPolicies, defaultAppManagementPolicy
    (("directory",), deleted.HANDLERS),  # directory/deletedItems
    ((), _HANDLERS),
)


# ------------------------------------------------------------------------------------------------------ ASGI edge
def create_app(store: Store, faults=None) -> Starlette:
    emulator = Emulator(store, faults)

    async def endpoint(http: HttpRequest) -> Response:
        request = await _read(http)
        if isinstance(request, Reply):
            return _write(request)
        return _write(await emulator.handle(request))

    async def stats(http: HttpRequest) -> Response:
        return JSONResponse(emulator.stats.as_json())

    async def reset_stats(http: HttpRequest) -> Response:
        emulator.stats.reset()
        return Response(status_code=204)

    async def federation_metadata(http: HttpRequest) -> Response:  # Entra's login endpoint: no token (saml.py)
        folder, file = http.path_params["folder"].lower(), http.path_params["file"].lower()
        authority = f"{http.url.scheme}://{http.url.netloc}"
        found = (folder, file) == ("federationmetadata", "federationmetadata.xml") and saml.federation_metadata(
            emulator.store, http.path_params["tenant"], http.query_params.get("appid", ""), authority)
        return Response(found, media_type="application/samlmetadata+xml") if found else Response(status_code=404)

    methods = ["GET", "POST", "PATCH", "PUT", "DELETE"]
    routes = [Route("/v1.0/{path:path}", endpoint, methods=methods),
              Route("/{tenant}/{folder}/2007-06/{file}", federation_metadata, methods=["GET"]),  # in any case
              Route("/_emulator/stats", _authenticated(stats), methods=["GET"]),
              Route("/_emulator/stats/reset", _authenticated(reset_stats), methods=["POST"]),
              *identity_routes(store)]  # the tenant's identity provider (emulator/identity/)
    # Outermost first: a request not addressed to a loopback name is answered before anything else sees it.
    # The tenant's Key Vault (emulator/keyvault.py) answers requests addressed to a vault's host, in its own file.
    vaults = VaultStore(vault_path(store.path))
    app = Starlette(routes=routes, middleware=[Middleware(LoopbackHostOnly),
                                               Middleware(VaultHosts, vaults=vaults, tenant_id=lambda: store.tenant_id),
                                               Middleware(ConnectionFaults, emulator=emulator)])
    app.state.emulator, app.state.vaults = emulator, vaults
    quiet_deliberate_drops()
    return app


def _authenticated(endpoint):
    """The emulator's own endpoints (`/_emulator/*`) ask for what `/v1.0` asks for: a bearer token."""
    async def guarded(http: HttpRequest) -> Response:
        try:
            _authenticate_headers({name.lower(): value for name, value in http.headers.items()})
        except GraphError as error:
            request_id = str(uuid.uuid4())
            return _write(_error_reply(error, (request_id, http.headers.get("client-request-id", request_id))))
        return await endpoint(http)

    return guarded


async def _read(http: HttpRequest) -> Request | Reply:
    raw = await http.body()
    headers = {name.lower(): value for name, value in http.headers.items()}
    base = f"{http.url.scheme}://{http.url.netloc}/v1.0"
    request = Request(http.method, http.path_params["path"], dict(http.query_params), headers, None, base)
    if raw and not is_json(headers.get("content-type", "")):
        request.body = Binary(raw, headers["content-type"].split(";", 1)[0].strip().lower())
    elif raw:
        try:
            request.body = jsonread.loads(raw, standard=True)  # nested past the recursion limit: a ValueError too
            if not jsonread.well_formed(request.body, NESTING):
                raise ValueError("nested too deeply, or text that is not Unicode")
        except (ValueError, UnicodeDecodeError):
            error = bad_request("Unable to read JSON request payload. Please ensure Content-Type header is set.")
            request_id, client_id = str(uuid.uuid4()), headers.get("client-request-id", "")
            return Reply(400, error.body(request_id, client_id or request_id),
                         {"request-id": request_id, "client-request-id": client_id or request_id})
    return request


def _write(reply: Reply) -> Response:
    headers = dict(reply.headers)
    if reply.body is None:
        return Response(status_code=reply.status, headers=headers)
    if isinstance(reply.body, Binary):
        return Response(reply.body.content, status_code=reply.status, headers=headers,
                        media_type=reply.body.content_type)
    if isinstance(reply.body, RawJson):
        content = reply.body.encode()
    else:
        content = json.dumps(reply.body, separators=(",", ":"), ensure_ascii=False).encode()
    return Response(content, status_code=reply.status, headers=headers, media_type=JSON_TYPE)
