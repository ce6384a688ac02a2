"""The HTTP edge of fault injection: latency and dropped connections act on a round trip, not on a Graph request
(a `$batch` of 20 is one round trip: one delay, one chance of being dropped). Every HTTP request under `/v1.0` is
counted here (`Stats.http_requests`). Latency also delays the token service's round trips (a sign-in's OpenID
configuration, its token, the keys), as the network delays a real sign-in; they are neither dropped nor counted, and
draw nothing from the faults' random sequence. The emulator's own `/_emulator/` endpoints are not delayed.

A drop starts the response and then raises `ConnectionDropped`: in-process, `httpx.ASGITransport` re-raises it to
the client (an `httpx.TransportError`); served, uvicorn closes the connection mid-response, so the client's httpx
raises `RemoteProtocolError`. uvicorn's "Exception in ASGI application" log is silenced for this deliberate case only.
"""

from __future__ import annotations

import asyncio
import logging

from .faults import ConnectionDropped, NoFaults


class ConnectionFaults:
    """ASGI middleware around the emulator's routes."""

    def __init__(self, app, emulator):
        self.app, self.emulator = app, emulator

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1.0/"):
            latency = getattr(self.emulator.faults, "latency", 0.0)
            if latency and scope["type"] == "http" and not scope["path"].startswith("/_emulator/"):  # sign-ins
                await asyncio.sleep(latency)
            await self.app(scope, receive, send)
            return
        self.emulator.stats.http_requests += 1
        connection = getattr(self.emulator.faults, "connection", NoFaults().connection)()
        if connection.latency:
            await asyncio.sleep(connection.latency)
        if connection.drop == "after":
            await self.app(scope, receive, _discard)  # executed and committed; the response is lost
        if connection.drop:
            await _drop(send, connection.drop)
        await self.app(scope, receive, send)


async def _discard(message) -> None:
    pass


async def _drop(send, when: str) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1")]})
    raise ConnectionDropped(when)


class _QuietDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], ConnectionDropped))


def quiet_deliberate_drops() -> None:
    """Keep uvicorn from logging a traceback for each emulated drop (other errors are still logged)."""
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(existing, _QuietDrops) for existing in logger.filters):
        logger.addFilter(_QuietDrops())
