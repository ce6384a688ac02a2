"""The section of docs/performance.md that benchmarks/latency.py measures (issue 22), as Markdown."""

from __future__ import annotations

import datetime as dt
import json
import math
import platform

from .tenant import people

TARGETS = {"plan": 10.0, "pr": 3.0, "budget_share": 0.9, "estimate": 0.2}

# What Graph documents for reading a long list faster, and what idamconf chose (issue 22). Kept here, so that
# `make bench`, which writes docs/performance.md anew, writes it with the figures it explains.
RESEARCH = """### Reading a long list: what Graph offers, and what idamconf uses

Against a real tenant every round trip costs about 100-500 ms, and a list's pages follow each other
(`@odata.nextLink` carries an opaque `$skiptoken`): a list of P pages costs at least P round trips. The project's
applications with their owners expanded are served 100 a page whatever `$top` asks (Graph's page of a directory
list with an expanded relationship; 999 without), so 10,000 applications are 100 pages: 25 s at 250 ms. What the
Graph documentation (microsoft-graph-docs-contrib) offers, and what was chosen:

- **Larger pages.** `$top` is at most 999 for directory lists; with `$expand` the page is 100. Dropping
  `$expand=owners` would make the list 11 pages but cost a request per application for its owners (`$batch`es of
  20: 500 round trips at 10,000). Kept: the expansion, and the 999 pages of the lists without one.
- **`$filter` ranges read side by side** -- **chosen**. The application resource documents `$filter` with `ge` and
  `le` on `displayName` (also `eq`, `in`, `startsWith`); so does the service principal resource
  (api-reference/v1.0/resources/application.md, servicePrincipal.md). `appId` on an application supports only `eq`
  (and `in`, which works wherever `eq` does by default: concepts/aad-advanced-queries.md), `uniqueName` documents no
  `$filter` at all, and `createdDateTime` has `ge`/`le` but no bounds a client could know in advance. So a long list
  is read as up to 16 lists of `displayName` ranges (`le b1`, `ge b1 and le b2`, ..., `ge bk`), each with the tag
  filter, `$select` and `$expand` unchanged, side by side (graph/streams.py). The ranges cover every name whatever
  order Graph compares names in (any name is at most or at least each bound); an object at a bound comes twice and
  is kept once. The bounds are the configuration's display names at even intervals: for the lists of the project's
  applications and service principals (plainly, with owners, with the app role assignments they grant) the
  tenant's names are the configuration's, so the ranges are about even. A list of fewer than 600 objects (6 pages
  of 100) is read as before.
- **Advanced queries** (`ConsistencyLevel: eventual` with `$count=true`): they add `ne`, `not`, `endsWith` and
  `$orderby`, but Graph documents that `$expand` is not supported with them -- the owners would then cost a request
  per application -- and their results are eventually consistent. Not used.
- **`$batch` of page requests**: a batch carries up to 20 requests, but the next page of a list is known only from
  the page before, so batching cannot overlap one list's pages. idamconf batches what can be batched (the people and
  groups named, look-ups by key); list pages go on their own, with their own 32 slots in flight
  (graph/client.PAGES_IN_FLIGHT): Graph bounds reads by resource units per 10 s (graph/budget.py), not by requests in
  flight.
- **Delta queries** (`applications/delta`, `servicePrincipals/delta`): a later run reads only what changed since a
  stored `deltaLink`. That token would be a cache of the tenant's state between runs; a pipeline runs cold (nothing
  kept between runs), the first run reads everything anyway, and the plan must read the tenant as the only source of
  truth. Not used.
- **The access-package lists** (packages with their role scopes and catalog, policies, catalog resources) document
  `$filter` on a package's display name and its catalog's id only: no ranges, and nothing says which packages grant
  a role. A full plan reads them whole (999 a page, 14 pages at 10,000 applications), and since they depend on
  nothing the application files say, it starts them as soon as idamconf.yaml is valid, while a large
  configuration's files are still being read and validated (graph/early.py: reads only, stopped if a file has an
  error); a catalog's resources are read as soon as the catalogs are listed, beside the packages.
- **A pull request's plan** (`plan --changed-since REF`) reads the changed applications by their key
  (`applications(uniqueName='...')`, in `$batch`es; Graph documents only `$select` on a single application, so their
  owners are a second `$batch`), and their service principals as the same lists filtered by `appId in (...)`
  (graph/read_changed.py). Their access packages are read by the names the changed files give them now and gave
  them at REF (`displayName eq`, in `$batch`es: a package the change removes or renames is found by its old name),
  then their policies (`accessPackage/id eq`) and the changed service principals' catalog resources (`originId
  eq`): two rounds of `$batch`es instead of the three whole lists. The catalog resources are asked by the service
  principal those packages name, beside the service principals' read (checked against it; what it missed is asked
  after), so that the whole plan takes two rounds of requests, not three. It says so on stderr: drift anywhere else -- a
  package granting a changed application's role under a name neither version of the file gives -- is left to the
  full plan.
- **A pull request's plan does not parse the files it did not change**, once `idamconf validate` has kept them
  (config/known_files.py: each valid file's value under the sha256 of its content, for this exact idamconf code,
  and whether its own checks found nothing under this idamconf.yaml). Parsing 10,000 files and checking them against
  the schema was most of its time; since session 52 it models only the files it needs (config/involved.py: the
  changed ones, those they name, and those a check across files could find at odds with them, from a summary validate
  keeps of each file), and the error report is the same. Only `plan` reads what validate kept (a pull request's, and since session 50 a full one:
  the no-change plan above is measured without it), never apply or drift, and not a copy git tracks; in the pipeline, only the main branch's runs save it (docs/pipelines.md). Its base (`--base
  REF`, the same commit) is this configuration with the changed files as they were (commands/base.base_beside),
  not every file written out of git and read again.
"""


def section(results: dict, arguments, load: tuple, load_after: tuple, elapsed: float, seeded) -> str:
    reads, applies = results["reads"], results["apply"]
    lines = [
        "## Graph's latency (issue 22)",
        "",
        f"Measured by `python -m benchmarks.latency` (the last step of `make bench`) on "
        f"{dt.date.today().isoformat()} in {elapsed / 60:.1f} minutes, all figures of this section from that one run "
        f"(each reader but the Terraform-style sample {_runs(reads)} times, in rounds with the others: its median run; "
        f"peak RSS: the largest of its runs; the parse bound a median of {_runs(reads)} too), through "
        f"`idamconf emulator serve` (uvicorn, real HTTP on 127.0.0.1) with `--faults latency=250ms` and "
        f"with none. Machine: {platform.machine()}, {_cores()} cores shared with other work: load average "
        f"{load[0]:.1f} at the start and {load_after[0]:.1f} at the end -- the emulator, the reader and that other "
        "work share the two cores, so these times include waiting for a core, by up to several times.",
        "",
        *_targets(results, seeded),
        "",
        RESEARCH,
        f"### No-change plan and pull-request plan of {seeded.count:,} applications",
        "",
        "| reader | 250 ms a round trip | no latency | HTTP requests | peak RSS | "
        "CPU with no latency: reader + emulator |",
        "|---|---|---|---|---|---|",
        *_read_rows(reads, arguments.sample),
        "",
        _read_notes(results, seeded),
        "",
        f"### Apply of {arguments.apply:,} new applications under Graph's write budget",
        "",
        "| latency | apply (of which writing) | changes | writes | writes a second vs the budget's | 429s | "
        "estimate halfway: said / took |",
        "|---|---|---|---|---|---|---|",
        *_apply_rows(applies),
        "",
        "Into a fresh emulator with Graph's write budget emulated (`budget=S`: 3,000 writes per 150 s per app and "
        "tenant, refilled 20 a second). The budget's share is the writes made against the most the budget allows "
        "in the same time (3,000 at once, then 20 a second); writing is the time from the apply's first change to its "
        "last, from its progress lines (commands/apply_progress.py), which also gave the estimate of the time left "
        "at the line nearest half that time.",
    ]
    return "\n".join(lines) + "\n"


def _cores() -> int:
    import os
    return os.cpu_count() or 0


def _read_rows(reads: dict, sample: int) -> list[str]:
    slow, fast = reads["250 ms"], reads["none"]
    rows = []
    for key, label in (("plan", "`idamconf plan` (no changes)"),
                       ("plan_kept", "the same after `idamconf validate` (the files it kept: none parsed)"),
                       ("floor", "raw floor: httpx + json, the same lists the same way (the same ranges)"),
                       ("per_object", f"Terraform-style: one request per object, 10 in flight (extrapolated from "
                                      f"{sample:,} requests)"),
                       ("pr", "`idamconf plan --changed-since HEAD`, 1 application file changed"),
                       ("pr_base", "the same with `--base HEAD` (the pipeline's form: drift shown apart)"),
                       ("pr_cold", "the same without `--base`, nor the files validate kept (every file parsed)"),
                       ("pr_signed_in", "`plan --changed-since HEAD` as a pipeline makes it: HTTPS, signing in with "
                                        "a client secret")):
        if key not in slow or key not in fast:  # (a run made before the reader was)
            continue
        seconds = [_seconds(run, key) for run in (slow[key], fast[key])]
        measured, stats = slow[key]
        requests = json.loads(measured.out)["requests"] if key == "per_object" else stats["http_requests"]
        rows.append(f"| {label} | **{seconds[0]:.2f} s** | {seconds[1]:.2f} s | {requests:,} | "
                    f"{measured.peak_rss_mb:.0f} MB | {_cpu(fast[key], key)} |")
    return rows


def _cpu(run, key: str) -> str:
    """The CPU time a reader's processes and the emulator used while it ran (what two cores must share)."""
    measured, stats = run
    if key == "per_object":  # sampled, and extrapolated in time only
        return "(sampled)"
    return f"{measured.cpu_seconds:.2f} s + {stats.get('cpu_seconds', 0.0):.2f} s"


def cpu_bound(run, cores: int) -> float:
    """The least wall time in which `cores` cores can do the CPU work of a run: the reader's and the emulator's."""
    measured, stats = run
    return (measured.cpu_seconds + stats.get("cpu_seconds", 0.0)) / max(cores, 1)


def _seconds(run, key: str) -> float:
    measured, _ = run
    return json.loads(measured.out)["extrapolated_seconds"] if key == "per_object" else measured.seconds


def _runs(reads: dict) -> int:
    return len(reads["none"].get("runs", {}).get("plan", [None]))


def _run_times(reads: dict) -> str:
    """The wall times of every run of the plans and the floor, at each latency, in the order they ran."""
    parts = []
    for label in ("250 ms", "none"):
        runs = reads[label].get("runs", {})
        shown = [f"{name.replace('_', ' ')} {', '.join(f'{seconds:.2f}' for seconds in runs[name])}"
                 for name in ("plan", "floor", "pr", "pr_signed_in") if name in runs]
        if shown:
            parts.append(f"{label}: {'; '.join(shown)} s")
    return f" The wall time of each run of the plan, the floor and the pull-request plan ({' -- '.join(parts)})." \
        if parts else ""


def _read_notes(results: dict, seeded) -> str:
    fast = results["reads"]["none"]
    floor, parse = fast["floor"][0].seconds, results["parse"]
    minimal = fast["floor"][1]["http_requests"] + math.ceil(people(seeded.count) / 20)
    return (f"Parsing the {seeded.count:,} files alone (benchmarks/parse_bound.py) took {parse:.2f} s; with no "
            f"latency the plan took {fast['plan'][0].seconds / (floor + parse):.1f}× the floor plus that "
            f"({floor + parse:.2f} s). Minimal requests for the strategy (the floor's pages + the `$batch`es resolving "
            f"the people named): {minimal:,}; the plan made {fast['plan'][1]['http_requests']:,}." +
            _run_times(results["reads"]) + _cpu_note(results))


def _cpu_note(results: dict) -> str:
    """What the run's CPU times say of the no-latency target, on this machine's cores."""
    fast, cores = results["reads"]["none"], _cores()
    plan, floor = fast["plan"], fast["floor"]
    if not plan[0].cpu_seconds:
        return ""
    target = 1.5 * (floor[0].seconds + results["parse"])
    least = cpu_bound(plan, cores)
    verdict = ("more than the target allows: on this machine no schedule of the plan's present work meets it; "
               "only less CPU work would" if least > target else
               "within the target: what separates the plan from it is not the work's total but how it is spread -- "
               "the main process's share runs on one core -- and waiting")
    return (f" With no latency the plan's processes (its own and those reading the files) used "
            f"{plan[0].cpu_seconds:.2f} s of CPU and the emulator {plan[1].get('cpu_seconds', 0.0):.2f} s while "
            f"serving it (the floor's: {floor[0].cpu_seconds:.2f} s and {floor[1].get('cpu_seconds', 0.0):.2f} s): "
            f"on {cores} cores that work takes at least {least:.2f} s, {verdict} ({target:.2f} s).")


def _apply_rows(applies: dict) -> list[str]:
    rows = []
    for label, found in applies.items():
        estimate = found["estimate"]
        said = (f"{estimate['estimated']:.0f} s / {estimate['actual']:.0f} s ({100 * estimate['error']:.0f}% off)"
                if estimate else "no line past half")
        rate = found["writes"] / found["apply_seconds"] if found["apply_seconds"] else 0.0
        rows.append(f"| {label} | {found['seconds']:.0f} s ({found['apply_seconds']:.0f} s) | {found['changes']:,} | "
                    f"{found['writes']:,} | {rate:.1f}/s: {100 * found['budget_share']:.0f}% of the budget | "
                    f"{found['throttled']} | {said} |")
    return rows


def _targets(results: dict, seeded) -> list[str]:
    slow, applies = results["reads"]["250 ms"], results["apply"]["250 ms"]
    fast = results["reads"]["none"]
    plan, pr, signed_in = slow["plan"][0].seconds, slow["pr"][0].seconds, slow["pr_signed_in"][0].seconds
    floor_bound = 1.5 * (fast["floor"][0].seconds + results["parse"])
    minimal = fast["floor"][1]["http_requests"] + math.ceil(people(seeded.count) / 20)
    estimate = applies["estimate"]
    rows = [
        (f"No-change plan, {seeded.count:,} applications, 250 ms", f"{plan:.2f} s", "≤ 10 s",
         plan <= TARGETS["plan"]),
        ("No-change plan, no latency, vs 1.5× (floor + parsing)", f"{fast['plan'][0].seconds:.2f} s",
         f"≤ {floor_bound:.2f} s", fast["plan"][0].seconds <= floor_bound),
        ("Plan's requests vs the strategy's minimal + 5", f"{fast['plan'][1]['http_requests']:,}",
         f"≤ {minimal + 5:,}", fast["plan"][1]["http_requests"] <= minimal + 5),
        ("Plan's peak RSS", f"{slow['plan'][0].peak_rss_mb:.0f} MB", "< 400 MB", slow["plan"][0].peak_rss_mb < 400),
        (f"Pull-request plan, 1 of {seeded.count:,}, 250 ms", f"{pr:.2f} s", "≤ 3 s", pr <= TARGETS["pr"]),
        ("The same as a pipeline makes it (HTTPS, signing in)", f"{signed_in:.2f} s", "≤ 3 s",
         signed_in <= TARGETS["pr"]),
        ("Apply: share of the write budget over two windows", f"{100 * applies['budget_share']:.0f}%", "≥ 90%",
         applies["budget_share"] >= TARGETS["budget_share"]),
        ("Apply: 429s", str(applies["throttled"]), "0", applies["throttled"] == 0),
        ("Apply: progress estimate halfway", f"{100 * estimate['error']:.0f}% off" if estimate else "none",
         "within 20%", bool(estimate) and estimate["error"] <= TARGETS["estimate"]),
    ]
    return ["| target (issue 22) | measured | target | met |", "|---|---|---|---|",
            *(f"| {what} | {measured} | {target} | {'yes' if met else '**no**'} |"
              for what, measured, target, met in rows)]
