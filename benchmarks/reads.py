"""Reading a seeded tenant of N applications three ways, side by side, each as a new process against the same
served emulator (uvicorn on 127.0.0.1): (a) `idamconf plan` with no changes, (b) msgraph-sdk's typed
GraphServiceClient over the same pages, (c) the floor, plain httpx + json over the same pages.

The typed client is measured in full only if that would take at most TYPED_FULL_LIMIT seconds; otherwise on the
first TYPED_SAMPLE_PAGES pages of TYPED_SAMPLE_TOP objects of each list, extrapolated linearly per list to the
list's full size (which the floor counted) at the rate of the pages after the first (the first also pays one-time
imports), plus the process's own start-up -- and the report says so, next to the measured sample. Linear is
generous to the SDK: in a check on a 1,000-application tenant (2026-11-23), its cost per object did not fall with
larger pages (pages of 25, 50, 100, 200: 24-40 ms per service principal, 96-172 ms per access package, 170-245 ms
per catalog resource), so pages of 999 cost at least as much per object as the sample's.
"""

from __future__ import annotations

import json
import math
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from idamconf.config.application import processes_for
from idamconf.config.load import application_files

from . import phases
from .measure import IDAMCONF, PYTHON, median, run
from .served import Served
from .tenant import SERVED, Tenant, people, point_at

TYPED_FULL_LIMIT = 180.0
TYPED_SAMPLE_TOP, TYPED_SAMPLE_PAGES = 50, 2
BATCH = 20


class TenantMismatch(Exception):
    """The no-change plan found changes (or failed): the tenant is not what the configuration describes."""


@dataclass
class Reading:
    seconds: float  # wall time of the process, spawn to exit (median of the runs)
    http_requests: int  # HTTP round trips the emulator served
    graph_requests: int  # requests it answered, $batch items counted one by one
    resource_units: int  # by Graph's cost table
    peak_rss_mb: float
    runs: list[float] = field(default_factory=list)
    detail: dict = field(default_factory=dict)


def _counted(emulator: Served, command: list[str], extra: dict[str, str] | None = None) -> tuple:
    """The command's run, and the emulator's counts of what it asked (with `cpu_seconds`: the emulator's CPU time
    while it ran; `extra`: environment variables for the command)."""
    emulator.reset()
    before = emulator.cpu_seconds()
    measured = run(command, extra=extra)
    return measured, {**emulator.stats(), "cpu_seconds": emulator.cpu_seconds() - before}


def _reading(runs: list[tuple], detail: dict | None = None) -> Reading:
    measured, stats = runs[-1]
    return Reading(median([m.seconds for m, _ in runs]), stats["http_requests"], stats["requests"],
                   stats["resource_units"], median([m.peak_rss_mb for m, _ in runs]), [m.seconds for m, _ in runs],
                   detail or {})


def plan_run(tenant: Tenant, emulator: Served) -> tuple:
    command = [IDAMCONF, "plan", "-C", str(tenant.root), "-e", SERVED, "--detailed-exitcode"]
    measured, stats = _counted(emulator, command)
    if measured.code != 0:
        raise TenantMismatch(f"plan exited {measured.code}: {(measured.err or measured.out)[-1500:]}")
    return measured, stats


def export_run(tenant: Tenant, emulator: Served) -> tuple:
    """`idamconf export --all` of the tenant into an empty configuration (the project's idamconf.yaml, no
    application files): every application written as a file, then the configuration validated with them."""
    with tempfile.TemporaryDirectory() as scratch:
        shutil.copy(tenant.root / "idamconf.yaml", scratch)
        shutil.copytree(tenant.seed_file.parent, Path(scratch) / tenant.seed_file.parent.name)
        measured, stats = _counted(emulator, [IDAMCONF, "export", "-C", scratch, "-e", SERVED, "--all"])
        written = len(list((Path(scratch) / "applications").glob("*.yaml")))
    measured.check("export")
    if written < tenant.count:
        raise TenantMismatch(f"export wrote {written} files for {tenant.count} applications")
    return measured, stats


def floor_run(tenant: Tenant, emulator: Served) -> tuple:
    measured, stats = _counted(emulator, [PYTHON, "-m", "benchmarks.readers", "raw", emulator.graph_url, tenant.tag])
    return measured.check("raw reader"), stats


def parse_run(listing: Path, processes: int) -> float:
    """One run of benchmarks/parse_bound.py over the application files `listing` names, in `processes` processes
    (as many as idamconf reads them with here): its wall time."""
    return run([PYTHON, "-m", "benchmarks.parse_bound", str(processes), str(listing)]).check("parse bound").seconds


def measure_phases(tenant: Tenant, emulator: Served) -> dict[str, float]:
    """Where a plan spends its time (a separate run, through benchmarks/phases.py)."""
    with tempfile.TemporaryDirectory() as scratch:
        timings = Path(scratch) / "phases.json"
        run([PYTHON, "-m", "benchmarks.phases", str(timings), "plan", "-C", str(tenant.root), "-e", SERVED]).check(
            "plan (phases)")
        recorded = json.loads(timings.read_text())
    return {"total": recorded["total"], **phases.spans(recorded), "peaks": phases.peaks(recorded)}


def measure_typed(tenant: Tenant, emulator: Served, *options: str) -> Reading:
    command = [PYTHON, "-m", "benchmarks.readers", "typed", emulator.graph_url, tenant.tag, *options]
    measured, stats = _counted(emulator, command)
    return _reading([(measured.check("typed reader"), stats)], json.loads(measured.out))


def extrapolate_typed(sample: Reading, floor: Reading) -> dict:
    """Per list: its first page as measured (one-time costs included), then the rest of the list at the rate of
    the sample's later pages, up to the list's full size (as the floor read it); plus the process's start-up."""
    startup = sample.seconds - sample.detail["read_seconds"]
    lists, total = {}, startup
    for name, full in floor.detail["lists"].items():
        measured = sample.detail["lists"][name]
        first = measured["first_page"]
        later_objects, later_seconds = measured["objects"] - first["objects"], measured["seconds"] - first["seconds"]
        rate = later_seconds / later_objects if later_objects else measured["seconds"] / max(measured["objects"], 1)
        seconds = measured["seconds"] if measured["complete"] else \
            measured["seconds"] + rate * (full["objects"] - measured["objects"])
        lists[name] = {"sample_objects": measured["objects"], "sample_seconds": measured["seconds"],
                       "objects": full["objects"], "seconds": seconds, "ms_per_object": 1000 * rate}
        total += seconds
    sampled = sum(entry["sample_objects"] for entry in lists.values())
    return {"seconds": total, "startup": startup, "lists": lists, "sample_objects": sampled,
            "objects": sum(entry["objects"] for entry in lists.values()), "sample_seconds": sample.seconds}


def measure_reads(tenant: Tenant, repeats: int, log=print) -> dict:
    with Served(tenant.state) as emulator:
        point_at(tenant.root, emulator.graph_url)
        log(f"  (a) idamconf plan, (c) the raw floor, parsing the files alone and idamconf export, {repeats} run(s) "
            "each, alternately ...")
        files = application_files(tenant.root, [])
        plans, floors, parses, exports = [], [], [], []
        with tempfile.TemporaryDirectory() as scratch:
            listing = Path(scratch) / "files"
            listing.write_text("".join(f"{path}\n" for path in files))
            for _ in range(repeats):  # alternately, so that the machine's drifting load weighs on all alike
                plans.append(plan_run(tenant, emulator))
                floors.append(floor_run(tenant, emulator))
                parses.append(parse_run(listing, processes_for(len(files))))
                exports.append(export_run(tenant, emulator))
        read_seconds = median([json.loads(measured.out)["read_seconds"] for measured, _ in floors])
        plan = _reading(plans)
        floor = _reading(floors, {**json.loads(floors[-1][0].out), "read_seconds": read_seconds})
        log(f"      plan {plan.seconds:.2f} s, {plan.http_requests} HTTP requests; floor {floor.seconds:.2f} s, "
            f"{floor.http_requests}; where the plan's time goes ...")
        plan_phases = measure_phases(tenant, emulator)
        log("      (b) the typed SDK, sampled ...")
        sample = measure_typed(tenant, emulator, "--pages", str(TYPED_SAMPLE_PAGES), "--top", str(TYPED_SAMPLE_TOP))
        estimate = extrapolate_typed(sample, floor)
        typed = {"extrapolated": estimate, "sample": sample, "full": None}
        if estimate["seconds"] <= TYPED_FULL_LIMIT:
            log(f"      about {estimate['seconds']:.0f} s in full: measuring it in full ...")
            typed["full"] = measure_typed(tenant, emulator)
        else:
            log(f"      about {estimate['seconds']:.0f} s in full (> {TYPED_FULL_LIMIT:.0f} s): extrapolated")
    users = people(tenant.count)
    return {"count": tenant.count, "plan": plan, "phases": plan_phases, "floor": floor, "typed": typed,
            "export": _reading(exports),
            "parse_bound": {"seconds": median(parses), "runs": parses, "files": len(files),
                            "processes": processes_for(len(files))},
            "people": users, "minimal_requests": floor.http_requests + math.ceil(users / BATCH)}
