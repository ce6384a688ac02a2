"""The emulator answers only requests addressed to a loopback name: a defence against DNS rebinding.

A web page the engineer opens could make a name of its own resolve to 127.0.0.1 and, as that origin, read and change
the tenant `idamconf emulator serve` holds (any bearer token is accepted). The browser still sends the page's name in
`Host`, so a request whose `Host` is not a loopback name -- `localhost`, a name under `.localhost` (RFC 6761: always
loopback; the embedded emulator's own is `emulator.localhost`), or a loopback address -- is answered 400 in Graph's
error shape, whatever its path.
"""

from __future__ import annotations

import ipaddress
import json
import uuid

from .errors import GraphError

_REFUSED = GraphError(400, "Request_BadRequest", "The emulator answers only requests addressed to this machine by a "
                                                 "loopback name (Host: localhost, 127.0.0.1 or [::1], with or "
                                                 "without the port).")


def loopback_host(value: str) -> bool:
    """Whether a `Host` header names this machine: a loopback name or address, with or without a port."""
    host, port = _split(value.strip().lower())
    if port and not port.isdigit():
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _split(value: str) -> tuple[str, str]:
    """Host and port ("" when none; something not a number when the text after the host is not a port)."""
    if value.startswith("["):  # an IPv6 address: [::1]:8931
        host, _, rest = value[1:].partition("]")
        return host, rest[1:] if rest.startswith(":") or not rest else "?"
    host, _, port = value.partition(":")
    return host, port


class LoopbackHostOnly:
    """ASGI middleware: requests with a `Host` that is not a loopback name get Graph's 400, and go no further."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or loopback_host(_host(scope)):
            await self.app(scope, receive, send)
            return
        request_id = str(uuid.uuid4())
        body = json.dumps(_REFUSED.body(request_id, request_id)).encode()
        await send({"type": "http.response.start", "status": _REFUSED.status,
                    "headers": [(b"content-type", b"application/json"), (b"request-id", request_id.encode()),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def _host(scope) -> str:
    hosts = [value for name, value in scope.get("headers", ()) if name.lower() == b"host"]
    return hosts[0].decode("latin-1") if len(hosts) == 1 else ""  # none, or two: not one loopback name
