"""The emulator's ASGI application: Graph v1.0 under `/v1.0`, for in-process use or for uvicorn.

`Emulator.handle` is the one dispatcher: HTTP requests and the items of a `$batch` both go through it, so every
rule, every error shape and every injected fault applies to both alike.
"""

from __future__ import annotations

import json
import uuid

from starlette.applications import Starlette
from starlette.requests import Request as HttpRequest
from starlette.responses import Response
from starlette.routing import Route

from . import directory, governance
from .batch import run_batch
from .errors import GraphError, bad_request
from .faults import NoFaults
from .protocol import Key, RawJson, Reply, Request, split_path
from .store import Store

JSON_TYPE = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"


class Emulator:
    def __init__(self, store: Store, faults=None):
        self.store = store
        self.faults = faults or NoFaults()

    async def handle(self, request: Request) -> Reply:
        request_id = str(uuid.uuid4())
        try:
            reply = await self.faults.before(request) or await self._dispatch(request)
        except GraphError as error:
            body = error.body(request_id, request.headers.get("client-request-id", request_id))
            reply = Reply(error.status, body, dict(error.headers))
        except Exception as error:  # noqa: BLE001 - an emulator bug still answers in Graph's shape, per item
            failure = GraphError(500, "InternalServerError", f"The emulator failed: {type(error).__name__}: {error}")
            reply = Reply(500, failure.body(request_id, request.headers.get("client-request-id", request_id)))
        reply.headers.setdefault("request-id", request_id)
        reply.headers.setdefault("client-request-id", request.headers.get("client-request-id", request_id))
        return reply

    async def _dispatch(self, request: Request) -> Reply:
        _authenticate(request)
        if request.path == "$batch":
            if request.method != "POST":
                raise _method_not_allowed()
            return await run_batch(request, self.handle)
        if request.method == "GET":
            return route(self.store, request)
        with self.store.transaction():
            reply = route(self.store, request)
        return await self.faults.after(request, reply)


def _authenticate(request: Request) -> None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise GraphError(401, "InvalidAuthenticationToken", "Access token is empty.")


def _method_not_allowed() -> GraphError:
    return GraphError(405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.")


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
            raise _method_not_allowed()
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


_NESTED_BY_ID = {"owners", "resourceRoleScopes"}


_HANDLERS = {
    ("GET", "applications", ()): lambda s, r: directory.list_set(s, r, "applications"),
    ("POST", "applications", ()): directory.create_application,
    ("GET", "applications", ("{key}",)): lambda s, r, k: directory.get_one(s, r, "applications", k),
    ("PATCH", "applications", ("{key}",)): directory.update_application,
    ("DELETE", "applications", ("{key}",)): lambda s, r, k: directory.delete_application(s, k),
    ("GET", "applications", ("{key}", "owners")): directory.list_owners,
    ("POST", "applications", ("{key}", "owners", "$ref")): directory.add_owner,
    ("DELETE", "applications", ("{key}", "owners", "{id}", "$ref")):
        lambda s, r, k, owner: directory.remove_owner(s, k, owner),
    ("GET", "servicePrincipals", ()): lambda s, r: directory.list_set(s, r, "servicePrincipals"),
    ("POST", "servicePrincipals", ()): directory.create_service_principal,
    ("GET", "servicePrincipals", ("{key}",)): lambda s, r, k: directory.get_one(s, r, "servicePrincipals", k),
    ("PATCH", "servicePrincipals", ("{key}",)): directory.update_service_principal,
    ("DELETE", "servicePrincipals", ("{key}",)): lambda s, r, k: directory.delete_service_principal(s, k),
    ("GET", "users", ()): lambda s, r: directory.list_set(s, r, "users"),
    ("GET", "groups", ()): lambda s, r: directory.list_set(s, r, "groups"),
    ("GET", "groups", ("{key}",)): lambda s, r, k: directory.get_one(s, r, "groups", k),
    ("GET", "users", ("{key}",)): lambda s, r, k: directory.get_one(s, r, "users", _user_key(k)),
}


_AREAS = (  # path prefix -> that area's routing table; the directory's, at the root, last
    (("identityGovernance", "entitlementManagement"), governance.HANDLERS),
    ((), _HANDLERS),
)


def _user_key(key: Key) -> Key:
    """`/users/{id | userPrincipalName}`: Graph accepts either in the same position."""
    return Key("userPrincipalName", key.value) if key.name == "id" and "@" in key.value else key


# ------------------------------------------------------------------------------------------------------ ASGI edge
def create_app(store: Store, faults=None) -> Starlette:
    emulator = Emulator(store, faults)

    async def endpoint(http: HttpRequest) -> Response:
        request = await _read(http)
        if isinstance(request, Reply):
            return _write(request)
        return _write(await emulator.handle(request))

    methods = ["GET", "POST", "PATCH", "PUT", "DELETE"]
    app = Starlette(routes=[Route("/v1.0/{path:path}", endpoint, methods=methods)])
    app.state.emulator = emulator
    return app


async def _read(http: HttpRequest) -> Request | Reply:
    raw = await http.body()
    headers = {name.lower(): value for name, value in http.headers.items()}
    base = f"{http.url.scheme}://{http.url.netloc}/v1.0"
    request = Request(http.method, http.path_params["path"], dict(http.query_params), headers, None, base)
    if raw:
        try:
            request.body = json.loads(raw)
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
    if isinstance(reply.body, RawJson):
        content = reply.body.encode()
    else:
        content = json.dumps(reply.body, separators=(",", ":"), ensure_ascii=False).encode()
    return Response(content, status_code=reply.status, headers=headers, media_type=JSON_TYPE)
