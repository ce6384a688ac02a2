"""The HTTP client talks to one origin: the target's Graph. Nothing else is ever sent a request, let alone a token.

`validate` allows only Microsoft Graph's endpoints (or loopback, for an emulator) as `graphUrl` (graph/clouds), but a
URL also arrives from the other side: an `@odata.nextLink` is followed as given, and msgraph-core's redirect handler
follows `Location`. So `GraphClient` refuses a full URL whose scheme, host and port are not the target's own before
asking for a token; the transport under the SDK's middleware refuses every such request before it is sent (a
redirect's included); and kiota's `AllowedHostsValidator` (graph/connect) keeps the token off any other host as a
third, independent line.
"""

from __future__ import annotations

import httpx


class ForeignOrigin(Exception):
    """A request to somewhere other than the target's Graph: refused, never sent."""


def origin_of(url: httpx.URL) -> tuple[str, str, int | None]:
    """Scheme, host and port, the port made explicit (https://h and https://h:443 are one origin)."""
    port = url.port or {"https": 443, "http": 80}.get(url.scheme)
    return url.scheme, url.host.lower(), port


def shown(origin: tuple[str, str, int | None]) -> str:
    scheme, host, port = origin
    host = f"[{host}]" if ":" in host else host
    return f"{scheme}://{host}:{port}"


def refuse_foreign(url: httpx.URL | str, origin: tuple[str, str, int | None]) -> None:
    """Raises `ForeignOrigin` unless `url` is at `origin`."""
    try:
        found = origin_of(url if isinstance(url, httpx.URL) else httpx.URL(url))  # parsed once, not again
    except httpx.InvalidURL:
        raise ForeignOrigin(f"refused to send a request to a malformed URL: this environment's Graph is "
                            f"{shown(origin)}") from None
    if found != origin:
        raise ForeignOrigin(f"refused to send a request to {shown(found)}: this environment's Graph is "
                            f"{shown(origin)}, and nothing else is ever sent a request (an @odata.nextLink or a "
                            "redirect pointed elsewhere)")


def own_prefix(base_url: str) -> str | None:
    """`scheme://authority/` as `base_url` writes it. A URL that starts with it is at `base_url`'s origin: its
    authority ends at that "/" and holds no userinfo. So an @odata.nextLink of Graph's own is known to be at the
    origin without being parsed (httpx takes ~0.5 ms for a long one); any other is parsed and checked
    (`refuse_foreign`). None when the authority holds userinfo or base_url has no path."""
    scheme, found, rest = base_url.partition("://")
    authority, slash, _ = rest.partition("/")
    if not found or not slash or not authority or "@" in authority or scheme not in ("http", "https"):
        return None
    return f"{scheme}://{authority}/"


class OriginGuard(httpx.AsyncBaseTransport):
    """A transport that passes on only requests to `origin` (see `origin_of`)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, origin: tuple[str, str, int | None]):
        self.inner = inner
        self.origin = origin

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        refuse_foreign(request.url, self.origin)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def confine(client: httpx.AsyncClient, base_url: str) -> httpx.AsyncClient:
    """`client`, every one of whose transports -- the default and those httpx mounted for proxies named in the
    environment -- passes on only requests to `base_url`'s origin. Done before msgraph-core puts its middleware
    pipeline on top of the same transports (GraphClientFactory wraps `_transport` and `_mounts` likewise), so
    every request the pipeline sends, a redirect's included, goes through the guard."""
    origin = origin_of(httpx.URL(base_url))
    client._transport = OriginGuard(client._transport, origin)
    client._mounts = {pattern: None if transport is None else OriginGuard(transport, origin)
                      for pattern, transport in client._mounts.items()}
    return client
