"""Staying inside Graph's throttling budget instead of running into it.

Graph throttles directory requests per app+tenant with token buckets (concepts/throttling-limits.md, "Identity and
access service limits"): resource units -- 3,500 / 5,000 / 8,000 per 10 s for tenants of under 50 / 50-500 / over
500 users -- and writes, 3,000 per 150 s. `Budget` keeps the same two buckets on the client side and makes a request
wait until both have room, so that a large apply runs at the fastest rate Graph accepts with no 429 at all. It
assumes full buckets at start. No margin is kept by default: the budget is per app+tenant pair, so only clients
signing in as idamconf's own registration share it, and pipelines run one apply at a time.

The client spends before a request leaves and Graph after it arrives. That keeps the client behind Graph -- except
while a bucket is full: the client's bucket starts refilling at the first spend, Graph's only once that request
arrives, and until then Graph's is capped at its quota and gains nothing. A client mirroring the quota exactly thus
counts up to `in_flight` seconds of refill Graph never had (a measured apply of 4,000 writes met one 429 from the
emulated budget that way, 52 ms of lag = 1 write). So each of the client's buckets holds its quota less `in_flight`
seconds of refill: the sustained rate is Graph's, only the first burst is a little smaller. A 429 that happens anyway (another
client of the same registration) is retried by `GraphClient`. What a request costs is Graph's documented table,
in `cost.py`.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from .cost import cost

RESOURCE_UNITS = {"S": 3_500, "M": 5_000, "L": 8_000}  # per 10 s
WRITES, WRITE_WINDOW = 3_000, 150.0
IN_FLIGHT = 1.0  # seconds: the longest a paced request takes to reach Graph (see the module's notes)


@dataclass
class Bucket:
    capacity: float
    per_second: float
    level: float
    at: float

    def wait_for(self, amount: float, now: float) -> float:
        """Seconds until `amount` fits (0: now), after refilling up to `now`."""
        self.level = min(self.capacity, self.level + (now - self.at) * self.per_second)
        self.at = now
        amount = min(amount, self.capacity)  # a request larger than the bucket waits for a full one
        return max(0.0, (amount - self.level) / self.per_second)


def _bucket(quota: float, per_second: float, in_flight: float, now: float) -> Bucket:
    """A full bucket of `quota`, less the refill of `in_flight` seconds."""
    capacity = quota - per_second * in_flight
    return Bucket(capacity, per_second, capacity, now)


class Budget:
    def __init__(self, size: str = "S", margin: float = 1.0, clock=time.monotonic, sleep=asyncio.sleep,
                 in_flight: float = IN_FLIGHT):
        now = clock()
        units, writes = RESOURCE_UNITS[size] * margin, WRITES * margin
        self.quotas = (units, writes)  # Graph's, per 10 s and per 150 s: the buckets hold less (see the notes)
        self.units = _bucket(units, units / 10.0, in_flight, now)
        self.writes = _bucket(writes, writes / WRITE_WINDOW, in_flight, now)
        self.clock, self.sleep = clock, sleep
        self._turn = asyncio.Lock()  # first come, first served
        self.waited = 0.0
        self.written = 0  # writes spent so far

    async def spend(self, requests) -> None:
        """Wait until Graph's budget has room for these requests (objects with `method` and `url`), then spend it."""
        units = writes = 0
        for request in requests:
            u, w = cost(request.method, request.url)
            units, writes = units + u, writes + w
        if not units and not writes:
            return
        async with self._turn:
            while True:
                now = self.clock()
                delay = max(self.units.wait_for(units, now), self.writes.wait_for(writes, now))
                if delay <= 1e-6:  # rounding: the refill is there
                    break
                delay += 0.001  # a hair past the boundary: Graph's bucket must have refilled too, not almost
                self.waited += delay
                await self.sleep(delay)
            self.units.level -= min(units, self.units.capacity)
            self.writes.level -= min(writes, self.writes.capacity)
            self.written += writes

    def seconds_for_writes(self, writes: float) -> float:
        """The least time `writes` more writes can take from now, at the bucket's level and refill."""
        bucket = self.writes
        level = min(bucket.capacity, bucket.level + (self.clock() - bucket.at) * bucket.per_second)
        return max(0.0, writes - level) / bucket.per_second
