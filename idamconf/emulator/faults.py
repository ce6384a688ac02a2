"""Fault injection: throttling, 5xx, dropped connections, latency, replication lag, Graph's throttling budgets.

A fault policy has two methods the dispatcher calls for every request it handles, top-level or an item inside
`$batch` (the `$batch` envelope itself is a transport, not a request: it passes neither): `before(request)`, which
may answer instead of the emulator (return a `Reply`, or raise a `GraphError`), and `after(request, reply)`, which
sees every reply the emulator produced (for a write, after it committed). Two optional methods act outside the
dispatcher: `connection()` says what happens to one HTTP round trip (latency, a dropped connection) and
`attach(store, stats)` is called once when the emulator starts. `NoFaults` is the default.

`Faults` is the seeded policy a spec string describes: comma-separated `name=value`, e.g.
`seed=7,throttle=0.1,unavailable=0.05,timeout=0.01,drop=0.02,drop-after=0.5,latency=20ms,lag=5s,budget=S`. Every
random choice is drawn from one `random.Random(seed)`, so a run is reproducible for a given request sequence.
"""

from __future__ import annotations

import math
import random
import re
import time
from dataclasses import dataclass

import httpx

from ..graph.cost import cost
from . import budget as budgets
from .errors import GraphError
from .protocol import Reply, Request

FRACTIONS = ("throttle", "unavailable", "timeout", "drop", "drop-after")
DURATIONS = ("latency", "lag")
NAMES = ("seed", "throttle", "unavailable", "timeout", "drop", "drop-after", "latency", "lag", "budget", "retry-after")
GRAMMAR = ("seed=INT, throttle=FRACTION, unavailable=FRACTION, timeout=FRACTION, drop=FRACTION, "
           "drop-after=FRACTION, latency=DURATION, lag=DURATION, budget=S|M|L, retry-after=SECONDS "
           "(FRACTION 0..1; DURATION like 20ms or 5s)")
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s)$")


class FaultSpecError(ValueError):
    """A fault spec that cannot be parsed: the message names the bad part and the accepted names."""


@dataclass(frozen=True)
class FaultSpec:
    seed: int = 0
    throttle: float = 0.0  # fraction of requests answered 429 TooManyRequests (with Retry-After)
    unavailable: float = 0.0  # ... 503 ServiceUnavailable (with Retry-After)
    timeout: float = 0.0  # ... 504 GatewayTimeout
    drop: float = 0.0  # fraction of HTTP requests whose connection is dropped
    drop_after: float = 0.5  # of those, the fraction dropped after the request was executed and committed
    latency: float = 0.0  # seconds added to every HTTP request
    lag: float = 0.0  # a new object is invisible for uniform(0, lag) seconds
    budget: str | None = None  # S | M | L: Graph's Identity and access budgets (see budget.py)
    retry_after: int = 1  # seconds, on injected 429 and 503


def parse_spec(text: str) -> FaultSpec:
    """`seed=7,throttle=0.1,latency=20ms` -> FaultSpec; an empty text is no faults. Raises FaultSpecError."""
    values: dict[str, object] = {}
    for part in (part.strip() for part in text.split(",")):
        if not part:
            continue
        name, equals, raw = (piece.strip() for piece in part.partition("="))
        if name not in NAMES:
            _refuse(part, f"unknown fault '{name}'")
        if not equals or not raw:
            _refuse(part, f"'{name}' needs a value")
        if name.replace("-", "_") in values:
            _refuse(part, f"'{name}' is given twice")
        values[name.replace("-", "_")] = _value(name, raw, part)
    spec = FaultSpec(**values)
    if spec.throttle + spec.unavailable + spec.timeout > 1:
        _refuse(text, "throttle + unavailable + timeout must not exceed 1")
    return spec


def _value(name: str, raw: str, part: str):
    if name == "seed":
        if not re.fullmatch(r"-?\d+", raw):
            _refuse(part, "seed takes an integer")
        return int(raw)
    if name in FRACTIONS:
        try:
            fraction = float(raw)
        except ValueError:
            fraction = math.nan
        if not 0 <= fraction <= 1:
            _refuse(part, f"{name} takes a fraction from 0 to 1")
        return fraction
    if name in DURATIONS:
        match = _DURATION.match(raw)
        if not match:
            _refuse(part, f"{name} takes a duration with its unit, like 20ms or 5s")
        return float(match.group(1)) / (1000 if match.group(2) == "ms" else 1)
    if name == "budget":
        if raw.upper() not in budgets.RESOURCE_UNIT_QUOTAS:
            _refuse(part, "budget takes S, M or L (tenants of <50, 50-500, >500 users)")
        return raw.upper()
    if not raw.isdigit():
        _refuse(part, "retry-after takes whole seconds")
    return int(raw)


def _refuse(part: str, reason: str):
    raise FaultSpecError(f"invalid fault spec at '{part}': {reason}. Accepted: {GRAMMAR}.")


# ------------------------------------------------------------------------------------------------ policies
class ConnectionDropped(httpx.RemoteProtocolError):
    """Raised by the ASGI app, once it has started a response, to drop the connection. In-process,
    `httpx.ASGITransport` re-raises it to the client: an `httpx.TransportError`, as a real drop. Served, uvicorn
    closes the connection mid-response and the client's httpx raises its own `RemoteProtocolError`."""

    def __init__(self, when: str):
        super().__init__(f"Server disconnected without sending a complete response (emulated drop {when} the "
                         "request was executed).")


@dataclass(frozen=True)
class Connection:
    """What happens to one HTTP round trip: added latency (seconds), and whether its connection is dropped
    ("before" anything happened, or "after" the request was executed and committed)."""

    latency: float = 0.0
    drop: str | None = None


class NoFaults:
    latency = 0.0  # seconds added to a round trip to the token service (emulator/connections.py)

    async def before(self, request: Request) -> Reply | None:
        return None

    async def after(self, request: Request, reply: Reply) -> Reply:
        return reply

    def connection(self) -> Connection:
        return Connection()

    def attach(self, store, stats) -> None:
        pass


class Faults(NoFaults):
    """The policy a `FaultSpec` describes. `clock` (seconds) times replication lag and refills budgets; wall-clock
    time by default, so the visibility times a state file keeps mean the same to the next process."""

    def __init__(self, spec: FaultSpec, clock=time.time):
        self.spec, self.clock = spec, clock
        self.random = random.Random(spec.seed)
        self.budget = budgets.Budget(spec.budget, clock) if spec.budget else None
        self.tenant_id, self.stats = "", None

    @property
    def latency(self) -> float:
        return self.spec.latency

    def attach(self, store, stats) -> None:
        self.tenant_id, self.stats = store.tenant_id, stats
        if self.spec.lag:
            store.lag_replication(lambda: self.random.uniform(0, self.spec.lag), self.clock)

    def connection(self) -> Connection:
        spec = self.spec
        if spec.drop and self.random.random() < spec.drop:
            when = "after" if self.random.random() < spec.drop_after else "before"
            self._count(f"drop-{when}")
            return Connection(spec.latency, when)
        return Connection(spec.latency)

    async def before(self, request: Request) -> Reply | None:
        spec = self.spec
        if spec.throttle or spec.unavailable or spec.timeout:
            draw = self.random.random()
            for fault, fraction in (("throttle", spec.throttle), ("unavailable", spec.unavailable),
                                    ("timeout", spec.timeout)):
                if draw < fraction:
                    self._count(fault)
                    raise _injected(fault, spec.retry_after)
                draw -= fraction
        if self.budget is not None:
            self._admit(request)
        return None

    async def after(self, request: Request, reply: Reply) -> Reply:
        if self.budget is not None and "x-ms-resource-unit" in reply.headers:
            use = self.budget.use(budgets.caller(request.headers))
            if use > budgets.WARNING_USE:
                reply.headers["x-ms-throttle-limit-percentage"] = f"{use:.2f}"
        return reply

    def _admit(self, request: Request) -> None:
        units, writes = cost(request.method, request.path, request.query)
        if units:
            try:
                self.budget.admit(budgets.caller(request.headers), self.tenant_id, units, writes)
            except GraphError:
                self._count("budget")
                raise

    def _count(self, fault: str) -> None:
        if self.stats is not None:
            self.stats.inject(fault)


def _injected(fault: str, retry_after: int) -> GraphError:
    if fault == "throttle":
        return GraphError(429, "TooManyRequests", f"Too many requests. Retry after {retry_after} second(s).",
                          headers={"Retry-After": str(retry_after)})
    if fault == "unavailable":
        return GraphError(503, "ServiceUnavailable", "The service is temporarily unavailable. Retry after "
                          f"{retry_after} second(s).", headers={"Retry-After": str(retry_after)})
    return GraphError(504, "GatewayTimeout", "The gateway did not receive a response from the service in time.")


ENVIRONMENT_VARIABLE = "IDAMCONF_EMULATOR_FAULTS"


def from_environment(environ) -> Faults | None:
    """The policy `IDAMCONF_EMULATOR_FAULTS` describes for the embedded emulator, if it is set and not empty."""
    text = environ.get(ENVIRONMENT_VARIABLE, "").strip()
    if not text:
        return None
    try:
        return Faults(parse_spec(text))
    except FaultSpecError as error:
        raise FaultSpecError(f"{ENVIRONMENT_VARIABLE}: {error}") from None
