"""Applying 1,000 new applications (roles, owners, access packages with policies) side by side, each into a fresh
served emulator with Graph's latency and throttling budget emulated (`--faults latency=20ms,budget=S`):

- `idamconf apply -e served --auto-approve` as it is when the benchmark runs;
- the sequential baseline (benchmarks/sequential.py): the same writes, one HTTP request each, one after the
  other, taken from `idamconf plan --format json` (that plan is made before the emulator's counters are reset).

Both tenants are then checked with a no-change `plan --detailed-exitcode` (not counted): the baseline must have
written what idamconf would have. Counted by the emulator: HTTP round trips, Graph requests ($batch items one by
one), writes, resource units, and 429s.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .measure import IDAMCONF, PYTHON, run
from .served import Served, throttled
from .tenant import SERVED, generated, point_at

FAULTS = "latency=20ms,budget=S"
COUNT = 1_000


@dataclass
class Applied:
    seconds: float
    http_requests: int
    graph_requests: int
    writes: int
    resource_units: int
    throttled: int
    peak_rss_mb: float
    detail: dict


def _fresh(state: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        Path(str(state) + suffix).unlink(missing_ok=True)
    return state


def _verify(root: Path) -> None:
    checked = run([IDAMCONF, "plan", "-C", str(root), "-e", SERVED, "--detailed-exitcode"])
    if checked.code != 0:
        raise RuntimeError(f"after apply, plan is not empty (exit {checked.code}): {checked.out[-1500:]}"
                           f"{checked.err[-1500:]}")


def _applied(measured, stats: dict, detail: dict | None = None) -> Applied:
    return Applied(measured.seconds, stats["http_requests"], stats["requests"], stats["writes"],
                   stats["resource_units"], throttled(stats), measured.peak_rss_mb, {"stats": stats, **(detail or {})})


def measure_idamconf(root: Path) -> Applied:
    with Served(_fresh(root / "apply-idamconf.db"), FAULTS, root / "emulator" / "directory.yaml") as emulator:
        point_at(root, emulator.graph_url)
        emulator.reset()
        measured = run([IDAMCONF, "apply", "-C", str(root), "-e", SERVED, "--auto-approve"])
        stats = emulator.stats()
        measured.check("idamconf apply")
        _verify(root)
    summary = next((line for line in reversed(measured.out.splitlines()) if line.strip()), "")
    return _applied(measured, stats, {"summary": summary})


def measure_baseline(root: Path, applications: int | None) -> Applied:
    with Served(_fresh(root / "apply-baseline.db"), FAULTS, root / "emulator" / "directory.yaml") as emulator:
        point_at(root, emulator.graph_url)
        plan = run([IDAMCONF, "plan", "-C", str(root), "-e", SERVED, "--format", "json"]).check("plan --format json")
        plan_file = root / "baseline-plan.json"
        plan_file.write_text(plan.out, encoding="utf-8")
        emulator.reset()
        limit = ["--applications", str(applications)] if applications else []
        measured = run([PYTHON, "-m", "benchmarks.sequential", emulator.graph_url, str(plan_file), *limit])
        stats = emulator.stats()
        measured.check("sequential baseline")
        if not applications:
            _verify(root)
    return _applied(measured, stats, json.loads(measured.out))


def measure_apply(baseline_applications: int | None = None, count: int = COUNT, log=print) -> dict:
    root = generated(f"apply-{count}", count)
    log(f"  idamconf apply of {count:,} new applications, faults {FAULTS} ...")
    mine = measure_idamconf(root)
    log(f"      {mine.seconds:.1f} s, {mine.http_requests} round trips, {mine.throttled} 429s; the sequential "
        "baseline ...")
    baseline = measure_baseline(root, baseline_applications)
    log(f"      {baseline.seconds:.1f} s, {baseline.http_requests} round trips, {baseline.throttled} 429s")
    return {"count": count, "faults": FAULTS, "idamconf": mine, "baseline": baseline}
