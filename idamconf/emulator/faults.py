"""Where fault injection plugs in: throttling, 5xx, dropped connections, latency, replication lag.

Every request the emulator handles -- top-level or an item inside `$batch` -- passes `before` (which may answer
instead of the emulator, e.g. 429 with Retry-After) and `after` (which sees the reply of a committed write).
`NoFaults` is the default; the fault-injection issue supplies seeded policies behind the same two methods.
"""

from __future__ import annotations

from .protocol import Reply, Request


class NoFaults:
    async def before(self, request: Request) -> Reply | None:
        return None

    async def after(self, request: Request, reply: Reply) -> Reply:
        return reply
