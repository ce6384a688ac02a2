"""What the emulator served: counters for benchmarks and reliability runs (`app.state.emulator.stats`, and
`GET /_emulator/stats` as JSON, `POST /_emulator/stats/reset`)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field


@dataclass
class Stats:
    http_requests: int = 0  # HTTP round trips under /v1.0 (a $batch is one), dropped ones included
    batches: int = 0  # of those, $batch requests
    batch_items: int = 0  # requests inside a $batch the dispatcher answered (not the 424s of failed dependencies)
    requests: int = 0  # Graph requests the dispatcher answered: top-level ones other than $batch, and batch items
    resource_units: int = 0  # charged to requests the emulator executed, by Graph's cost table (idamconf.graph.cost)
    writes: int = 0  # likewise
    statuses: dict[str, int] = field(default_factory=dict)  # those requests by reply status: {"200": 7, "429": 2}
    injected: dict[str, int] = field(default_factory=dict)  # faults injected, by name: throttle, unavailable,
    # timeout, budget (a budget 429), drop-before, drop-after

    def replied(self, status: int) -> None:
        self.requests += 1
        self.statuses[str(status)] = self.statuses.get(str(status), 0) + 1

    def charged(self, resource_units: int, writes: int) -> None:
        self.resource_units += resource_units
        self.writes += writes

    def inject(self, fault: str) -> None:
        self.injected[fault] = self.injected.get(fault, 0) + 1

    def reset(self) -> None:
        for name, value in dataclasses.asdict(Stats()).items():
            setattr(self, name, value)

    def as_json(self) -> dict:
        return dataclasses.asdict(self)
