"""Graph's Identity and access throttling budgets, emulated (fault spec `budget=S|M|L`).

From concepts/throttling-limits.md (microsoft-graph-docs-contrib): per application+tenant pair, a token bucket of
3,500 / 5,000 / 8,000 resource units per 10 s (tenants of S: <50, M: 50-500, L: >500 users) and one of 3,000 writes
per 150 s. Each bucket holds its quota and refills continuously (quota / window per second). A request costs what
`idamconf.graph.cost` says; one the buckets cannot pay is answered 429 and takes nothing from them. The per-tenant
limit (18,000 writes per 5 min, all applications together) is not modelled: one application's own write bucket
(at most 6,000 writes in 5 min) is always the tighter one.

Entitlement management paths (`identityGovernance/...`) are not charged: the documented cost table and its limits
cover the identity service's paths (applications, servicePrincipals, users, groups, directoryObjects, ...), and
Microsoft documents no resource-unit cost for entitlement management, so the emulator does not invent one.

Headers, as documented: `x-ms-resource-unit` on every charged response (set by the dispatcher), and
`x-ms-throttle-limit-percentage` when more than 0.8 of a bucket is in use; a 429 carries `Retry-After` (whole
seconds until the bucket has room), `x-ms-throttle-scope` (`Tenant_Application/<Write|ReadWrite>/<app>/<tenant>`) and
`x-ms-throttle-information` (`WriteLimitExceeded` or `ResourceUnitLimitExceeded`).
"""

from __future__ import annotations

import base64
import json
import math

from .errors import GraphError

RESOURCE_UNIT_QUOTAS = {"S": 3500, "M": 5000, "L": 8000}
RESOURCE_UNIT_WINDOW = 10.0
WRITE_QUOTA, WRITE_WINDOW = 3000, 150.0
WARNING_USE = 0.8
EMULATOR_CLIENT_ID = "00000000-0000-0000-0000-0000000e0e0e"  # the caller, when its token names no application


class TokenBucket:
    def __init__(self, capacity: float, window: float, clock):
        self.capacity, self.rate, self.clock = capacity, capacity / window, clock
        self.tokens, self.stamp = float(capacity), clock()

    def wait(self, amount: float) -> float:
        """Seconds until `amount` tokens are there (0: now)."""
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return max(0.0, (amount - self.tokens) / self.rate)

    def take(self, amount: float) -> None:
        self.tokens -= amount

    def use(self) -> float:
        return 1 - self.tokens / self.capacity


class Budget:
    def __init__(self, size: str, clock):
        self.quota, self.clock = RESOURCE_UNIT_QUOTAS[size], clock
        self._buckets: dict[str, tuple[TokenBucket, TokenBucket]] = {}

    def admit(self, app_id: str, tenant_id: str, units: int, writes: int) -> None:
        """Charge one request, or refuse it with Graph's 429 when a bucket cannot pay."""
        resource_units, write_bucket = self._pair(app_id)
        waits = [(write_bucket.wait(writes) if writes else 0.0, "Write", "WriteLimitExceeded"),
                 (resource_units.wait(units), "ReadWrite", "ResourceUnitLimitExceeded")]
        wait, limit, information = max(waits, key=lambda entry: entry[0])
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise GraphError(429, "TooManyRequests", f"Too many requests. Retry after {seconds} second(s).",
                             headers={"Retry-After": str(seconds),
                                      "x-ms-throttle-scope": f"Tenant_Application/{limit}/{app_id}/{tenant_id}",
                                      "x-ms-throttle-information": information})
        resource_units.take(units)
        write_bucket.take(writes)

    def use(self, app_id: str) -> float:
        """The larger fraction in use of the application's two buckets."""
        return max(bucket.use() for bucket in self._pair(app_id))

    def _pair(self, app_id: str) -> tuple[TokenBucket, TokenBucket]:
        if app_id not in self._buckets:
            self._buckets[app_id] = (TokenBucket(self.quota, RESOURCE_UNIT_WINDOW, self.clock),
                                     TokenBucket(WRITE_QUOTA, WRITE_WINDOW, self.clock))
        return self._buckets[app_id]


def caller(headers: dict[str, str]) -> str:
    """The calling application: the `appid` (v1) or `azp` (v2) claim of a JWT bearer token, else the emulator's
    own client id (the emulator accepts any token)."""
    token = headers.get("authorization", "").partition(" ")[2].strip()
    parts = token.split(".")
    if len(parts) == 3:
        try:
            claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
            app_id = claims.get("appid") or claims.get("azp")
            if isinstance(app_id, str) and app_id:
                return app_id
        except (ValueError, AttributeError):
            pass
    return EMULATOR_CLIENT_ID
