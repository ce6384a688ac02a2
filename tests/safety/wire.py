"""Drive `GraphClient` as the commands get it (`graph.connect.connect`, msgraph-sdk's adapter and middleware, the
embedded emulator under it), with a scripted fault policy that also records every request the emulator received,
and a clock whose pauses are recorded instead of slept."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest

from idamconf.emulator import embedded
from idamconf.emulator.errors import GraphError
from idamconf.emulator.protocol import Reply
from idamconf.graph import connect as connect_module
from idamconf.graph.connect import Target, connect


def graph_error(status: int, code: str, retry_after: str | None = None) -> Reply:
    error = GraphError(status, code, f"{code} (scripted by the test)")
    return Reply(status, error.body("test", "test"), {"Retry-After": retry_after} if retry_after else {})


@dataclass
class Rule:
    """Answer requests for which `matches(request)` with `reply` -- before the emulator runs them, or, `after`, once
    it has run (and committed) them -- `times` times."""

    matches: object
    reply: Reply
    times: int = 1
    after: bool = False


@dataclass
class Scripted:
    """A fault policy (see emulator/faults.py) that follows `rules` and records what the emulator received."""

    rules: list[Rule] = field(default_factory=list)
    received: list[tuple[str, str]] = field(default_factory=list)
    latency: float = 0.0  # seconds each HTTP round trip takes: a request then is in flight, as over a network

    def connection(self):
        from idamconf.emulator.faults import Connection

        return Connection(self.latency)

    async def before(self, request):
        self.received.append((request.method, request.path))
        return self._scripted(request, after=False)

    async def after(self, request, reply):
        return self._scripted(request, after=True) or reply

    def _scripted(self, request, after: bool):
        for rule in self.rules:
            if rule.after is after and rule.times > 0 and rule.matches(request):
                rule.times -= 1
                return Reply(rule.reply.status, rule.reply.body, dict(rule.reply.headers))
        return None

    def count(self, method: str, path: str) -> int:
        return self.received.count((method, path))


def wrapped_transports(monkeypatch, wrapper) -> list:
    """Every HTTP client idamconf connects with gets its transport wrapped by `wrapper(transport)` (a recording or
    tampering transport); the wrappers, in the order made, for the test to read or steer."""
    real, made = connect_module._http_client, []

    def wired(target):
        client = real(target)
        client._transport = wrapper(client._transport)
        made.append(client._transport)
        return client

    monkeypatch.setattr(connect_module, "_http_client", wired)
    return made


def run(tmp_path, monkeypatch, faults, scenario, tenant_size: str = "none", timeout: float | None = None):
    """`scenario(client)` on a client connected to a fresh embedded tenant with the `faults` policy."""
    real_open = embedded.open_app
    monkeypatch.setattr(embedded, "open_app",
                        lambda state, seed=None, _=None, tenant=None: real_open(state, seed, faults, tenant))
    target = Target("local", "http://emulator.localhost/v1.0", emulator_state=tmp_path / "tenant.db",
                    tenant_size=tenant_size)

    async def go():
        async with connect(target, timeout) as client:
            return await scenario(client)

    return asyncio.run(go())


@pytest.fixture
def pauses(monkeypatch) -> list[float]:
    """Every pause longer than nothing that anything asked for (GraphClient, or msgraph-core were its retry handler
    on), recorded and not slept: the clock is fake, the test takes no time."""
    recorded: list[float] = []
    real_sleep = asyncio.sleep

    async def sleep(seconds, result=None):
        if seconds > 0:
            recorded.append(seconds)
        return await real_sleep(0, result)

    monkeypatch.setattr(asyncio, "sleep", sleep)
    return recorded


class DropAnswers:
    """An httpx transport that runs every round trip but loses the answer of the next `times` ones."""

    def __init__(self, inner, holder):
        self.inner, self.holder = inner, holder

    async def handle_async_request(self, request):
        import httpx

        if self.holder.times > 0 and self.holder.before:  # dropped on the way: Graph never saw it
            self.holder.times -= 1
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)
        response = await self.inner.handle_async_request(request)
        if self.holder.times > 0:
            self.holder.times -= 1
            await response.aread()
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)
        return response

    async def aclose(self):
        await self.inner.aclose()


class Losing:
    times = 0  # answers still to lose
    before = False  # lost before Graph ran the request, rather than after


@pytest.fixture
def lose(monkeypatch) -> Losing:
    """`lose.times = n`: the answers of the next n round trips are lost, once the tenant has done what they asked."""
    real = connect_module._http_client
    losing = Losing()

    def wired(target):
        client = real(target)
        client._transport = DropAnswers(client._transport, losing)
        return client

    monkeypatch.setattr(connect_module, "_http_client", wired)
    return losing
