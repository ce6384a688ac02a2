"""The one HTTP transport the Key Vault SDK is given: azure-core's transport interface over an httpx client -- the
HTTP stack idamconf already uses for Graph -- confined to one vault's origin.

- **Confined**: every request must go to the vault the transport was made for (scheme, host and port); anything
  else (a redirect, a link) is refused before it is sent, as graph/origin.py does for Graph: the bearer token and
  the secret's value go to that vault alone.
- **The emulator**: in-process, the httpx client runs over the emulator's ASGI app (no socket at all); served, a
  vault's host `<vault>.vault.localhost` is reached at the emulator's loopback address, with the vault's host as the
  TLS server name and Host header -- RFC 6761 makes every `.localhost` name loopback, whether or not this machine's
  resolver knows it -- and the emulator's CA (an environment's caBundle) as the only trust.
"""

from __future__ import annotations

import httpx
from azure.core.pipeline.transport import AsyncHttpTransport
from azure.core.rest._http_response_impl_async import AsyncHttpResponseImpl
from azure.core.utils import CaseInsensitiveDict


class OutsideTheVault(Exception):
    """A request for somewhere other than the vault: never sent."""


class VaultTransport(AsyncHttpTransport):
    def __init__(self, client: httpx.AsyncClient, origin: httpx.URL, connect_to: str | None = None):
        """`origin`: the vault's scheme, host and port; `connect_to`: the loopback address a served emulator's
        vault host is reached at (None: the host itself)."""
        self.client, self.origin, self.connect_to = client, origin, connect_to

    async def send(self, request, **kwargs) -> AsyncHttpResponseImpl:
        url = httpx.URL(request.url)
        if (url.scheme, url.host, url.port) != (self.origin.scheme, self.origin.host, self.origin.port):
            raise OutsideTheVault(f"a request to {url.scheme}://{url.host} was refused: this client writes to "
                                  f"{self.origin.host} only")
        headers = dict(request.headers)
        extensions = {}
        if self.connect_to:
            headers["Host"] = url.netloc.decode("ascii")
            extensions["sni_hostname"] = url.host
            url = url.copy_with(host=self.connect_to)
        response = await self.client.request(request.method, url, headers=headers, content=request.body or b"",
                                             extensions=extensions)
        return _response(request, response)

    async def open(self) -> None:
        return None

    async def close(self) -> None:
        await self.client.aclose()

    async def __aenter__(self):
        return self

    async def __aexit__(self, *args) -> None:
        return None  # closed by its owner (vault/sinks.py), once, after every secret is written


def _response(request, response: httpx.Response) -> AsyncHttpResponseImpl:
    """azure-core's response for httpx's, read whole (the secrets API's answers are small JSON documents)."""
    answer = AsyncHttpResponseImpl(request=request, internal_response=response, status_code=response.status_code,
                                   reason=response.reason_phrase, content_type=response.headers.get("content-type"),
                                   headers=CaseInsensitiveDict(response.headers), stream_download_generator=None)
    answer._content = response.content
    answer._is_stream_consumed = True
    return answer
