"""The registration surface at tenant scale (issue 15): does a plan still read no more than it must once every
application sets what the organisation's real definitions set?

A tenant of N applications with the whole surface (benchmarks/synthetic.py, `surface=True`: notes and ticket,
Microsoft Graph permissions with consent, an exposed scope, an optional claim, a group assigned to a role, hidden
from users) is seeded by idamconf's own apply and served on 127.0.0.1; a no-change `idamconf plan` and the raw
floor (the same lists, plus the API's service principal and its two consent lists) read it, each as a new process.

The fewest requests a plan can make: the floor's pages, plus the `$batch`es a plan cannot do without -- one per 20
people it resolves by user principal name, and one per 20 group look-ups (15 display names a look-up: Graph's `in`
limit; graph/read_assignments.py).
"""

from __future__ import annotations

import json
import math

from . import synthetic, tenant
from .measure import PYTHON, median
from .reads import BATCH, Reading, TenantMismatch, _counted, _reading, plan_run
from .served import Served
from .tenant import people, point_at

SIZE = 1_000
API = "Microsoft Graph"  # the one API the synthetic applications name
IN_LIMIT = 15


def floor_run(seeded: tenant.Tenant, emulator: Served) -> tuple:
    command = [PYTHON, "-m", "benchmarks.readers", "raw", emulator.graph_url, seeded.tag, "--api", API]
    measured, stats = _counted(emulator, command)
    return measured.check("raw reader (surface)"), stats


def minimal(floor: Reading, count: int) -> dict:
    groups = min(count, synthetic.GROUPS)
    batches = {"people": math.ceil(people(count) / BATCH),
               "groups": math.ceil(math.ceil(groups / IN_LIMIT) / BATCH)}
    return {"requests": floor.http_requests + sum(batches.values()), "batches": batches, "people": people(count),
            "groups": groups}


def measure_surface(count: int = SIZE, repeats: int = 3, reseed: bool = False, log=print) -> dict:
    seeded = tenant.prepare(count, reseed, log, surface=True)
    with Served(seeded.state) as emulator:
        point_at(seeded.root, emulator.graph_url)
        plans, floors = [], []
        try:
            for _ in range(repeats):
                plans.append(plan_run(seeded, emulator))
                floors.append(floor_run(seeded, emulator))
        except TenantMismatch:
            if not seeded.seeding.get("reused"):
                raise
            log("  the kept tenant no longer matches; seeding it again")
            return measure_surface(count, repeats, True, log)
    plan, floor = _reading(plans), _reading(floors)
    log(f"      plan {plan.seconds:.2f} s, {plan.http_requests} HTTP requests; floor {floor.seconds:.2f} s, "
        f"{floor.http_requests}")
    return {"count": count, "plan": plan, "floor": floor, "seeding": seeded.seeding, **minimal(floor, count),
            "floor_read": median([json.loads(m.out)["read_seconds"] for m, _ in floors])}
