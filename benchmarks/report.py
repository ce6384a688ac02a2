"""docs/performance.md from one run's measurements: targets first, then each measurement with its ratios, the
machine, and how to reproduce."""

from __future__ import annotations

import datetime as dt
import os
import platform
from pathlib import Path

from idamconf.config.application import processes_for

from .measure import ROOT

OUTPUT = ROOT / "docs" / "performance.md"
TARGET_SIZE = 10_000


def _s(seconds: float) -> str:
    return f"{seconds:,.2f} s" if seconds < 100 else f"{seconds:,.0f} s"


def _apart(first: float, second: float) -> tuple[str, str]:
    """Two durations written so that they differ when they do (3.394 s and 3.386 s are both 3.39 s)."""
    if _s(first) != _s(second) or first == second:
        return _s(first), _s(second)
    return f"{first:,.3f} s", f"{second:,.3f} s"


def _x(ratio: float) -> str:
    return f"{ratio:,.1f}×" if ratio < 100 else f"{ratio:,.0f}×"


def typed_seconds(reading: dict) -> tuple[float, str]:
    typed = reading["typed"]
    if typed["full"] is not None:
        return typed["full"].seconds, "measured in full"
    estimate = typed["extrapolated"]
    return estimate["seconds"], (f"extrapolated from {estimate['sample_objects']:,} of {estimate['objects']:,} "
                                 f"objects read in {_s(estimate['sample_seconds'])}")


def bound(reading: dict) -> float:
    """The least wall time of a plan that parses its files (with PyYAML, in as many processes as idamconf) before
    its first request: parsing them alone, start-up included, then reading the pages as the floor does."""
    return reading["parse_bound"]["seconds"] + reading["floor"].detail["read_seconds"]


def target_rows(startup: dict, reads: dict, applied: dict, surface: dict | None = None) -> list[tuple]:
    rows = []
    size = TARGET_SIZE if TARGET_SIZE in reads else max(reads) if reads else None
    if size is not None:
        reading = reads[size]
        plan, floor = reading["plan"], reading["floor"]
        typed, how = typed_seconds(reading)
        rows += [
            (f"Plan over {size:,} applications vs the typed SDK", f"{_x(typed / plan.seconds)} faster "
             f"({_s(plan.seconds)} vs {_s(typed)}, {how})", "≥ 200×", typed / plan.seconds >= 200),
            (f"Plan over {size:,} applications vs the raw floor", f"{_x(plan.seconds / floor.seconds)} "
             f"({_s(plan.seconds)} vs {_s(floor.seconds)})", "≤ 1.5×", plan.seconds <= 1.5 * floor.seconds),
            (f"Plan's HTTP requests at {size:,}", f"{plan.http_requests} (minimal {reading['minimal_requests']})",
             f"≤ {reading['minimal_requests'] + 5}", plan.http_requests <= reading["minimal_requests"] + 5),
            (f"Plan's peak RSS at {size:,}", f"{plan.peak_rss_mb:.0f} MB", "< 400 MB", plan.peak_rss_mb < 400),
        ]
        exported = reading["export"]
        rows.append((f"Export of {size:,} applications vs a no-change plan (issue 16)",
                     f"{_x(exported.seconds / plan.seconds)} ({_s(exported.seconds)} vs {_s(plan.seconds)})", "≤ 2×",
                     exported.seconds <= 2 * plan.seconds))
    if surface:
        rows.append((f"Plan's HTTP requests at {surface['count']:,} applications with the registration surface "
                     "(issue 15)", f"{surface['plan'].http_requests} (minimal {surface['requests']})",
                     f"≤ {surface['requests']}", surface["plan"].http_requests <= surface["requests"]))
    mine, base, count = applied["idamconf"], applied["baseline"], f"{applied['count']:,}"
    scale = _baseline_scale(base)
    trips, seconds = base.http_requests * scale / mine.http_requests, base.seconds * scale / mine.seconds
    rows += [
        (f"Apply of {count} applications: HTTP round trips vs sequential", f"{_x(trips)} fewer ({mine.http_requests:,} "
         f"vs {base.http_requests * scale:,.0f})", "≥ 8× fewer", trips >= 8),
        (f"Apply of {count} applications: wall time vs sequential", f"{_x(seconds)} less ({_s(mine.seconds)} vs "
         f"{_s(base.seconds * scale)})", "≥ 5× less", seconds >= 5),
        (f"Apply of {count} applications: 429s under the emulated budget", str(mine.throttled), "0",
         mine.throttled == 0),
        ("`idamconf --help` (new process, best of 5)", _s(startup["help"]), "≤ 0.3 s", startup["help"] <= 0.3),
        ("`idamconf validate -C examples` (best of 5)", _s(startup["validate_examples"]), "≤ 0.5 s",
         startup["validate_examples"] <= 0.5),
        (f"`idamconf validate` of {startup['validate_count']:,} application files (best of 5)",
         _s(startup["validate_synthetic"]), "≤ 2 s", startup["validate_synthetic"] <= 2),
    ]
    return rows


def misses(rows: list, reads: dict, applied: dict, load: tuple) -> list[str]:
    """One line per missed target, saying from this run's own figures where the time or memory goes."""
    missed = {name for name, _, _, met in rows if not met}
    lines = []
    if reads:
        size = TARGET_SIZE if TARGET_SIZE in reads else max(reads)
        reading = reads[size]
        plan, floor, phases = reading["plan"], reading["floor"], reading["phases"]
        peaks = phases["peaks"]
        typed, _ = typed_seconds(reading)
        reads_seconds = phases.get("tenant lists", 0) + phases.get("catalog resources", 0)
        least = bound(reading)
        parsed = reading["parse_bound"]
        parsing = (f"merely parsing the {size:,} files with libyaml, building and checking nothing, takes "
                   f"{_s(parsed['seconds'])} ({parsed['processes']} processes, as idamconf uses here; a new process, "
                   f"start-up included: benchmarks/parse_bound.py), and reading the pages the floor's "
                   f"{_s(floor.detail['read_seconds'])}: together {_apart(least, typed / 200)[0]}")
        if any("typed SDK" in name for name in missed):
            lines.append(f"- Plan vs the typed SDK: 200× would mean a plan of {_s(typed / 200)} at {size:,}; this one "
                         f"took {_s(plan.seconds)}. A plan reads and validates its whole configuration before its "
                         f"first request (a configuration with an error never reaches the tenant), and {parsing}"
                         + (f", already more than {_apart(least, typed / 200)[1]}: no such plan can meet this target "
                            "here." if least > typed / 200 else "."))
        if any("raw floor" in name for name in missed):
            lines.append(f"- Plan vs the raw floor: 1.5× is {_s(1.5 * floor.seconds)}. The floor reads the pages and "
                         f"nothing else; before its first request, a plan must read its files: {parsing}, which leaves "
                         f"{_s(max(1.5 * floor.seconds - least, 0))} for everything else: validating the files "
                         f"against the schema, building the desired model and the live one, the diff, the rest of the "
                         f"start-up, resolving the people named, rendering and exit. This plan's phases: reading and "
                         f"validating the files {_s(phases.get('configuration', 0))}, its reads {_s(reads_seconds)}, "
                         f"the diff {_s(phases.get('diff', 0))}.")
        if any("RSS" in name for name in missed):
            lines.append(f"- Plan's peak RSS {plan.peak_rss_mb:.0f} MB: {peaks.get('configuration', 0):.0f} MB once "
                         f"the configuration is read, {peaks.get('tenant lists', 0):.0f} MB with the tenant's lists, "
                         f"{peaks.get('diff', 0):.0f} MB after the diff, {peaks['exit']:.0f} MB at exit (the floor, "
                         f"holding the same pages as JSON: {floor.peak_rss_mb:.0f} MB).")
        if any("HTTP requests" in name for name in missed):
            lines.append(f"- Plan's requests: {plan.http_requests} against a minimum of {reading['minimal_requests']}.")
    if any(name.startswith("Apply") for name in missed):
        mine, base = applied["idamconf"], applied["baseline"]
        lines.append(f"- Apply: idamconf sent {mine.graph_requests:,} Graph requests in {mine.http_requests:,} round "
                     f"trips ({mine.graph_requests / mine.http_requests:.1f} a round trip), the baseline "
                     f"{base.graph_requests * _baseline_scale(base):,.0f}: idamconf's extra requests are the look-ups "
                     "it makes before each create that has no upsert (so that a repeated apply never duplicates), and "
                     f"its time includes its own start-up, reading the {applied['count']:,} files and planning. "
                     + _budget_floor(mine))
    if any(name.startswith("`idamconf") for name in missed):
        lines.append(f"- Start-up: measured with a load average of {load[0][0]:.1f} on {os.cpu_count()} cores (other "
                     "work was running): best of 5 does not take that away.")
    return ["## What misses, and why", "", *lines, ""] if lines else []


def _budget_floor(mine) -> str:
    """What Graph's write budget alone makes an apply of this many writes take (graph/budget.py)."""
    from idamconf.graph.budget import IN_FLIGHT, WRITE_WINDOW, WRITES

    rate = WRITES / WRITE_WINDOW
    burst = WRITES - rate * IN_FLIGHT
    floor = max(0.0, mine.writes - burst) / rate
    return (f"Graph's write budget (3,000 writes per 150 s; idamconf spends at once all but one second's refill) "
            f"alone makes {mine.writes:,} writes take at least {_s(floor)}; this apply took {_s(mine.seconds)}, "
            f"while the baseline, one request at a time, never writes faster than the budget refills.")


def _baseline_scale(base) -> float:
    """1, or the factor extrapolating a baseline that wrote only its first K applications."""
    return base.detail["of"] / base.detail["applications"] if base.detail["applications"] else 1.0


def reading_section(size: int, reading: dict, seeding: dict) -> list[str]:
    plan, floor, typed = reading["plan"], reading["floor"], reading["typed"]
    typed_time, how = typed_seconds(reading)
    sample = typed["sample"]
    full = typed["full"]
    lines = [f"### {size:,} applications", "",
             "| reader | wall time | HTTP requests | Graph requests | resource units | peak RSS | vs plan |",
             "|---|---|---|---|---|---|---|",
             f"| `idamconf plan` (no changes; median of {len(plan.runs)}: "
             f"{', '.join(_s(s) for s in plan.runs)}) | **{_s(plan.seconds)}** | {plan.http_requests} | "
             f"{plan.graph_requests} | {plan.resource_units} | {plan.peak_rss_mb:.0f} MB | 1× |",
             f"| msgraph-sdk typed `GraphServiceClient` ({how}) | {_s(typed_time)} | "
             f"{(full or floor).http_requests} | {(full or floor).graph_requests} | {(full or floor).resource_units} | "
             f"{(full or sample).peak_rss_mb:.0f} MB{'' if full else ' (sample)'} | "
             f"{_x(typed_time / plan.seconds)} slower |",
             f"| raw floor: httpx + json (median of {len(floor.runs)}) | {_s(floor.seconds)} | {floor.http_requests} | "
             f"{floor.graph_requests} | {floor.resource_units} | {floor.peak_rss_mb:.0f} MB | "
             f"{_x(plan.seconds / floor.seconds)} |",
             f"| `idamconf export --all`: every application written as a file, then validated (median of "
             f"{len(reading['export'].runs)}) | {_s(reading['export'].seconds)} | {reading['export'].http_requests} | "
             f"{reading['export'].graph_requests} | {reading['export'].resource_units} | "
             f"{reading['export'].peak_rss_mb:.0f} MB | {_x(reading['export'].seconds / plan.seconds)} |", ""]
    phases, peaks = reading["phases"], reading["phases"]["peaks"]
    lines += [f"Where the plan's time goes (a separate run through benchmarks/phases.py, {_s(phases['total'])}): "
              f"reading and validating the {size:,} files {_s(phases.get('configuration', 0))} (in "
              f"{processes_for(size)} processes on this machine), the tenant's lists and catalog resources "
              f"(concurrently, the configuration's resources made meanwhile) {_s(phases.get('tenant lists', 0))}, "
              f"choosing the project's catalogs and packages {_s(phases.get('catalog resources', 0))}, the diff "
              f"{_s(phases.get('diff', 0))}; the rest is start-up, deriving the live resources, rendering and exit. "
              "Its peak RSS after the configuration "
              f"{peaks.get('configuration', 0):.0f} MB, after the lists {peaks.get('tenant lists', 0):.0f} MB, after "
              f"the diff {peaks.get('diff', 0):.0f} MB, at exit {peaks['exit']:.0f} MB. The floor's own read took "
              f"{_s(floor.detail['read_seconds'])} (median) of its {_s(floor.seconds)}. Parsing the {size:,} files "
              f"alone (libyaml, nothing built or checked, in the same processes, benchmarks/parse_bound.py; median "
              f"of {len(reading['parse_bound']['runs'])}) took {_s(reading['parse_bound']['seconds'])}: no plan "
              f"that parses its files so before its first request can take less than that plus the floor's read, "
              f"{_s(bound(reading))}; this plan took {_x(plan.seconds / bound(reading))} that. Minimal requests: the "
              f"floor's {floor.http_requests} pages (every list at the largest page Graph serves: 100 applications "
              f"when owners are expanded, 999 otherwise) + {-(-reading['people'] // 20)} `$batch`es resolving the "
              f"{reading['people']} people named.", ""]
    if not full:
        estimate = typed["extrapolated"]
        parts = ", ".join(f"{name} {entry['sample_objects']:,} → {entry['objects']:,} "
                          f"({entry['ms_per_object']:.0f} ms/object, {_s(entry['seconds'])})"
                          for name, entry in estimate["lists"].items())
        lines += [f"The typed client would take more than 3 minutes, so it was **measured on the first 2 pages of 50 "
                  f"objects of each list: {estimate['sample_objects']:,} objects in {_s(estimate['sample_seconds'])}**"
                  f" (process included), and extrapolated linearly per list, at the rate of the pages after the first "
                  f"(the first also pays one-time imports), to **{_s(estimate['seconds'])}**: {parts}; plus "
                  f"{_s(estimate['startup'])} of start-up. Its cost per object does not fall with larger pages "
                  "(benchmarks/reads.py), so pages of 999 would not be cheaper per object. Requests and resource "
                  "units are those of the same pages at full size (the floor's).", ""]
    reused = "" if not seeding.get("reused") else f" (seeded on {seeding['date']} by an earlier run, reused" + (
        ")" if seeding.get("current_code") else "; idamconf's code has changed since: `--reseed` measures it again)")
    lines += [f"Seeding: `idamconf apply` of the {size:,} applications into the embedded emulator took "
              f"{_s(seeding['seconds'])}{reused}, peak RSS {seeding['peak_rss_mb']:.0f} MB: {seeding['summary']}", ""]
    return lines


def surface_section(surface: dict) -> list[str]:
    plan, floor, count = surface["plan"], surface["floor"], surface["count"]
    seeding = surface["seeding"]
    return [
        f"## The registration surface at {count:,} applications (issue 15)", "",
        "| reader | wall time | HTTP requests | Graph requests | resource units | peak RSS |", "|---|---|---|---|---|---|",
        f"| `idamconf plan` (no changes; median of {len(plan.runs)}) | **{_s(plan.seconds)}** | {plan.http_requests} | "
        f"{plan.graph_requests} | {plan.resource_units} | {plan.peak_rss_mb:.0f} MB |",
        f"| raw floor: the same lists (median of {len(floor.runs)}) | {_s(floor.seconds)} | {floor.http_requests} | "
        f"{floor.graph_requests} | {floor.resource_units} | {floor.peak_rss_mb:.0f} MB |", "",
        f"Every application also sets what the organisation's definitions set (benchmarks/synthetic.py, "
        "`surface=True`): notes and ticket, Microsoft Graph permissions by name with consent (delegated; every "
        "fourth also an application permission), an exposed scope, token version 2, an optional claim, a group "
        "assigned to a role, hidden from users on every second. Minimal requests: the floor's "
        f"{floor.http_requests} pages (the lists above, plus Microsoft Graph's service principal and its two "
        f"consent lists) + {surface['batches']['people']} `$batch`es resolving the {surface['people']} people named "
        f"+ {surface['batches']['groups']} `$batch` of look-ups of the {surface['groups']} groups named (15 names a "
        f"look-up) = {surface['requests']}. Seeding: `idamconf apply` took {_s(seeding['seconds'])}"
        + (f" (on {seeding['date']}, reused)" if seeding.get("reused") else "") + f": {seeding['summary']}", ""]


def apply_section(applied: dict) -> list[str]:
    mine, base = applied["idamconf"], applied["baseline"]
    scale = _baseline_scale(base)
    note = "" if scale == 1 else (f" Baseline: measured on its first {base.detail['applications']:,} applications, "
                                  f"{base.http_requests:,} requests in {_s(base.seconds)}, extrapolated ×{scale:.1f}.")
    return [
        "| | wall time | HTTP round trips | Graph requests | writes | resource units | 429s | peak RSS |",
        "|---|---|---|---|---|---|---|---|",
        f"| `idamconf apply` | **{_s(mine.seconds)}** | {mine.http_requests:,} | {mine.graph_requests:,} | "
        f"{mine.writes:,} | {mine.resource_units:,} | {mine.throttled} | {mine.peak_rss_mb:.0f} MB |",
        f"| sequential, one request per write | {_s(base.seconds * scale)} | {base.http_requests * scale:,.0f} | "
        f"{base.graph_requests * scale:,.0f} | {base.writes * scale:,.0f} | {base.resource_units * scale:,.0f} | "
        f"{base.throttled} | {base.peak_rss_mb:.0f} MB |",
        f"| ratio | {_x(base.seconds * scale / mine.seconds)} | {_x(base.http_requests * scale / mine.http_requests)}"
        " | | | | | |", "",
        f"Both into a fresh emulator served with `--faults {applied['faults']}` (20 ms added to every HTTP round "
        "trip; Graph's Identity budgets for a small tenant: 3,500 resource units per 10 s, 3,000 writes per 150 s). "
        f"idamconf: {mine.detail['summary']} Its time includes its own start-up, reading the {applied['count']:,} "
        "files and planning, and its Graph requests the look-up it makes before each create that has no upsert "
        "(so that a repeated apply never duplicates), inside its `$batch`es; the baseline's time is only its writes "
        "(its plan was made before the counters were reset), each role scope naming its catalog resource by "
        "service principal id, which the emulator accepts, so it needs no reads. Both tenants were then confirmed "
        f"by a no-change plan.{note}", ""]


def machine(load: tuple) -> str:
    model = "unknown CPU"
    try:
        model = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                     if line.startswith("model name"))
        memory = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal")) / 1024 / 1024
    except (OSError, StopIteration):
        memory = 0.0
    return (f"{platform.machine()} {model}, {os.cpu_count()} cores, {memory:.0f} GB, Linux {platform.release()}, "
            f"Python {platform.python_version()}; load average {load[0][0]:.1f} at the start and {load[1][0]:.1f} at "
            "the end (other work on the machine makes timings vary by up to ±40%)")


def write(path, startup: dict, reads: dict, seeding: dict, applied: dict, elapsed: float, load: tuple,
          command: str, surface: dict | None = None) -> list:
    rows = target_rows(startup, reads, applied, surface)
    lines = ["# Performance", "",
             f"Measured by `{command}` on {dt.date.today()} in {elapsed / 60:.1f} minutes, all figures from that one "
             f"run (a kept tenant's seeding time excepted, dated). Machine: {machine(load)}.", "",
             "## Targets (issues 7, 15, 16)", "", "| what | measured | target | met |", "|---|---|---|---|",
             *[f"| {name} | {value} | {target} | {'yes' if met else '**no**'} |" for name, value, target, met in rows],
             "", *misses(rows, reads, applied, load), "## Reading a tenant: plan vs the typed SDK vs the raw floor", "",
             "Each reader is a new process against the same emulator served by uvicorn on 127.0.0.1 (real HTTP), "
             "reading the same pages: the project's applications with owners (`$filter` by tag, `$select`, "
             "`$expand=owners`), service principals, access packages with role scopes and catalog, catalogs, "
             "assignment policies with their package, and catalog resources (each list with `$select` of what a "
             "plan uses: of a catalog resource, its id and origin). Wall time is spawn to exit (start-up included); requests "
             "and resource units (Graph's cost table, idamconf/graph/cost.py) are the emulator's counts; peak RSS "
             "is `ru_maxrss` from `wait4`: the largest resident set of the process or of a process it started (a "
             "plan reads a large configuration in forked processes). The floor reads its lists concurrently, and "
             "each catalog's resources as soon as the catalogs are in, as idamconf does; the typed client one after "
             "the other. Tenants: benchmarks/synthetic.py, 5 roles per application, an access package with a "
             "policy on every application's Role.4 and on every third one's Role.3, seeded by `idamconf apply`.", ""]
    for size in sorted(reads):
        lines += reading_section(size, reads[size], seeding[size])
    lines += surface_section(surface) if surface else []
    lines += [f"## Applying {applied['count']:,} new applications", "", *apply_section(applied),
              "## Start-up", "",
              f"New processes, best of 5: `idamconf --help` {_s(startup['help'])}; `validate -C examples` "
              f"{_s(startup['validate_examples'])}; `validate` of {startup['validate_count']:,} synthetic application "
              f"files {_s(startup['validate_synthetic'])}. Neither imports msgraph, kiota or azure "
              "(tests/cli/test_startup_imports.py), nor jsonschema for a valid configuration.", "",
              "## Reproduce", "", "```sh", command, "```", "",
              "`make bench` reads tenants of 1,000 and 10,000 applications; `make bench N=50000` (or "
              "`python -m benchmarks.run --large`) reads 50,000. Seeded tenants are kept in `.idamconf/bench/` and "
              "reused while benchmarks/synthetic.py is unchanged (a no-change plan confirms them each run); "
              "`--reseed` makes them again. The file is rewritten each time.", ""]
    Path(path).write_text("\n".join(lines), encoding="utf-8")
    return rows
