"""docs/reliability.md from the figures of one `make reliability` run: the targets of issue 6, then every run."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import statistics
import subprocess
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FAULT_NAMES = ("throttle", "unavailable", "timeout", "budget", "drop-before", "drop-after")
SPEC_RATES = {"throttle": 0.10, "unavailable": 0.05}  # of Graph requests; drops: 0.02 of HTTP round trips


def load_json(path: Path, default):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return default


def injected(run) -> dict[str, int]:
    """Faults the emulator injected over all of a run's applies, and the requests it answered."""
    totals = dict.fromkeys(FAULT_NAMES + ("requests", "http_requests"), 0)
    for apply in run.applies:
        for stats in apply.stats:
            for name in FAULT_NAMES:
                totals[name] += stats.get("injected", {}).get(name, 0)
            totals["requests"] += stats.get("requests", 0)
            totals["http_requests"] += stats.get("http_requests", 0)
    return totals


@dataclass
class Figures:
    apps: int  # applications in the configuration
    seeded: list
    kills: list
    typical: float  # seconds, an unkilled apply
    hostile: object  # reliability_suites.Suite
    canary: object
    phases: dict[str, float]  # seconds each part of the run took
    load_at_start: tuple[float, float, float] = (0.0, 0.0, 0.0)  # os.getloadavg(): the machine may be shared

    @property
    def elapsed(self) -> float:
        return sum(self.phases.values())

    def rows(self) -> list[tuple[str, str, str, bool]]:
        return [row[:4] for row in self._rows()]

    @property
    def all_met(self) -> bool:
        return all(met for _, _, _, met, hard in self._rows() if hard)

    def _rows(self) -> list[tuple[str, str, str, bool, bool]]:
        return self._seeded_rows() + self._kill_rows() + self._suite_rows()

    def _seeded_rows(self):
        runs = len(self.seeded)
        converged = sum(1 for run in self.seeded if run.converged_after is not None)
        single = sum(1 for run in self.seeded if run.converged_after == 1)
        first_ok = sum(1 for run in self.seeded if run.applies and run.applies[0].code == 0)
        duplicates, orphans = _problems(self.seeded)
        totals = {name: sum(injected(run)[name] for run in self.seeded) for name in
                  FAULT_NAMES + ("requests", "http_requests")}
        rate = {name: totals[name] / totals["requests"] if totals["requests"] else 0.0 for name in SPEC_RATES}
        drops = totals["drop-before"] + totals["drop-after"]
        drop_rate = drops / totals["http_requests"] if totals["http_requests"] else 0.0
        first = [run.applies[0].seconds for run in self.seeded if run.applies]
        return [
            (f"Seeded fault runs ending with an empty plan and a clean tenant (≤ 3 applies)", f"{converged}/{runs}",
             f"{runs}/{runs}", converged == runs and not duplicates and not orphans, True),
            ("… of which converged in a single apply", f"{single}/{runs}", f"goal: {runs}/{runs}", single == runs,
             False),
            ("… first apply exited 0 (every change done)", f"{first_ok}/{runs}", "—", first_ok == runs, False),
            ("Duplicates / orphans found in the seeded runs' tenants", f"{duplicates} / {orphans}", "0 / 0",
             duplicates == orphans == 0, True),
            ("Faults injected (all runs): 429 / 503 / dropped connections (after commit)",
             f"{totals['throttle']} ({rate['throttle']:.1%}) / {totals['unavailable']} ({rate['unavailable']:.1%}) / "
             f"{drops} ({drop_rate:.1%}; {totals['drop-after']} after)", "10% / 5% / 2% (half after)",
             _near(rate["throttle"], 0.10) and _near(rate["unavailable"], 0.05) and _near(drop_rate, 0.02), True),
            ("First apply's wall time, median (max)", _seconds(first), "—", True, False),
        ]

    def _kill_rows(self):
        runs = len(self.kills)
        killed = sum(1 for run in self.kills if run.killed)
        converged = sum(1 for run in self.kills if run.converged_after == 1)
        duplicates, orphans = _problems(self.kills)
        done = [run.done_before_kill for run in self.kills if run.killed and run.done_before_kill]
        early = sum(1 for run in self.kills if run.killed and not run.done_before_kill)
        spread = f"{early} before the first change was reported, {len(done)} after " + (
            f"{min(done)}–{max(done)} changes" if done else "any")
        return [
            (f"SIGKILL points that landed during an apply (typical apply {self.typical:.1f} s)",
             f"{killed}/{runs} ({spread})", f"{runs}/{runs}", killed == runs, True),
            ("Re-run after SIGKILL ends with an empty plan", f"{converged}/{runs}", f"{runs}/{runs}",
             converged == runs, True),
            ("Duplicates / orphans after the SIGKILL runs", f"{duplicates} / {orphans}", "0 / 0",
             duplicates == orphans == 0, True),
        ]

    def _suite_rows(self):
        hostile, canary = self.hostile, self.canary
        cases = hostile.count(_corpus_prefix())
        refused = hostile.count(_corpus_prefix(), "passed")
        properties = hostile.statistics
        examples = sum(p["passing"] for p in properties.values())
        escapes = sum(p["failing"] for p in properties.values()) + sum(
            1 for name in properties if hostile.outcomes.get(name) != "passed")
        full = all("max_examples" in p["stopped"] for p in properties.values())
        leaks = canary.count(status="failed") + canary.count(status="error")
        return [
            ("Hostile inputs refused: message, exit 1, no traceback, no request, no tenant state",
             f"{refused}/{cases} cases", "≥ 100 cases, all", cases >= 100 and refused == cases, True),
            ("Hypothesis escapes within its default budget (random search)",
             f"{escapes} in {examples} examples, {len(properties)} properties, seed {hostile.seed}",
             "0", bool(properties) and escapes == 0 and full, True),
            ("Secret canary leaks", f"{leaks} ({canary.count()} canary tests, {canary.count(status='passed')} passed)",
             "0", canary.count() > 0 and leaks == 0 and canary.code == 0, True),
        ]


def _corpus_prefix() -> str:
    from benchmarks.reliability_suites import CORPUS_TEST

    return CORPUS_TEST + "["


def _near(measured: float, wanted: float) -> bool:
    return 0.5 * wanted <= measured <= 1.5 * wanted


def _seconds(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} s ({max(values):.1f} s)" if values else "—"


def _problems(runs) -> tuple[int, int]:
    duplicates = sum(len(run.findings.duplicates) for run in runs if run.findings)
    orphans = sum(len(run.findings.orphans) for run in runs if run.findings)
    return duplicates, orphans + sum(1 for run in runs if run.findings is None)


# ------------------------------------------------------------------------------------------------- the page
def write(path: Path, figures: Figures) -> None:
    from benchmarks import reliability as plan_of_runs  # its settings, for the method

    lines = [
        "# Reliability",
        "",
        f"Measured by `make reliability` on {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} "
        f"({_machine(figures.load_at_start)}), "
        f"at {_revision()}; all figures from one run of {figures.elapsed / 60:.1f} minutes ("
        + ", ".join(f"{name} {seconds / 60:.1f}" for name, seconds in figures.phases.items())
        + "). Reproduce with `make reliability` (benchmarks/reliability.py); this file is rewritten each time.",
        "",
        "| what | measured | target | met |",
        "|---|---|---|---|",
        *[f"| {name} | {value} | {target} | {'yes' if met else 'NO'} |" for name, value, target, met in figures.rows()],
        "",
        *_method(plan_of_runs, figures.apps),
        *_seeded_table(figures.seeded),
        *_kill_table(figures.kills),
        *_suite_section(figures.hostile, figures.canary),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _machine(load_at_start: tuple[float, float, float]) -> str:
    load = f"1-minute load average {load_at_start[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    python = f"Python {platform.python_version()}"
    return f"{platform.machine()}, {os.cpu_count()} cores, {python}, {platform.system()}; {load}"


def _revision() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "an unknown revision"
    return f"commit {head}" + (" with uncommitted changes" if dirty.strip() else "")


def _method(runs, apps: int) -> list[str]:
    faults, kill_faults = runs.FAULTS.format(seed="<run>"), runs.KILL_FAULTS.format(seed="<n>")
    return [
        "## How",
        "",
        f"- **Seeded fault runs**: benchmarks/synthetic.py writes a {apps}-application configuration once (5 roles "
        "each, an access package with a policy and access review on one role, a second package on every third "
        "application). Each run copies it, starts from an empty embedded tenant and applies it with one "
        "`idamconf apply --auto-approve` (through benchmarks/counted.py, which only keeps the emulator's counters) "
        f"under `{runs.FAULT_VARIABLE}={faults}`. After {runs.LAG_SECONDS:.0f} s (the lag waited out) a fault-free "
        "`idamconf plan --detailed-exitcode` must exit 0; if it does not, apply runs again, up to "
        f"{runs.MAX_APPLIES} in all. Then benchmarks/tenant_check.py reads the tenant's SQLite state directly "
        "(`objects`, `links`) for duplicates (two applications with one uniqueName, two service principals for one "
        "appId, two catalogs or two access packages of one name in a catalog, two policies on a package, the same "
        "role twice on a package, one service principal twice in a catalog) and orphans (service principals without "
        "an application, catalog resources whose service principal is gone or that are in no catalog, packages "
        "without a policy, a role scope or a catalog, policies and role scopes of missing packages).",
        f"- **SIGKILL runs**: two unkilled applies under `{kill_faults}` measure how long an apply lasts; each run "
        "then kills a fresh apply with SIGKILL at a moment drawn from `random.Random('sigkill-<n>')` between 5% "
        "and 95% of that, applies again (fault-free, unkilled) and makes the same checks.",
        f"- Runs go {runs.PARALLEL} at a time. The fault counts are the emulator's own (`app.state.emulator.stats`): "
        "429 and 503 as a share of the Graph requests it answered (batch items included), drops as a share of HTTP "
        "round trips. A seed fixes the emulator's random draws, not the order in which idamconf's concurrent "
        "requests reach it: rerun, a seed injects the same rates, not necessarily at the same requests.",
        "",
    ]


def _seeded_table(runs) -> list[str]:
    lines = ["## Seeded fault runs", "",
             "| run | applies: exit (s) | converged after | final plan exit | 429 | 503 | drops before / after "
             "| Graph requests | apps / SPs / packages / policies | duplicates | orphans |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for run in runs:
        counts = injected(run)
        objects = run.findings.counts if run.findings else {}
        lines.append(
            f"| {run.name} | {_applies(run)} | {run.converged_after or 'NOT'} | {run.plan_code} | "
            f"{counts['throttle']} | {counts['unavailable']} | {counts['drop-before']} / {counts['drop-after']} | "
            f"{counts['requests']} | {objects.get('applications', '?')} / {objects.get('servicePrincipals', '?')} / "
            f"{objects.get('accessPackages', '?')} / {objects.get('assignmentPolicies', '?')} | "
            f"{_listed(run, 'duplicates')} | {_listed(run, 'orphans')} |")
    errors = [f"- {run.name}, apply {index}: {apply.error}" for run in runs
              for index, apply in enumerate(run.applies, 1) if apply.error]
    if errors:
        lines += ["", "Apply errors (what each failed apply printed as `error:`):", "", *errors]
    return lines + [""]


def _kill_table(runs) -> list[str]:
    lines = ["## SIGKILL runs", "",
             "| run | kill at | killed | changes done before | re-apply exit (s) | final plan exit | duplicates "
             "| orphans |", "|---|---|---|---|---|---|---|---|"]
    for run in runs:
        again = run.applies[1] if len(run.applies) > 1 else None
        lines.append(
            f"| {run.name} | {run.kill_at:.2f} s | {'yes' if run.killed else 'no: it had finished'} | "
            f"{run.done_before_kill} | {f'{again.code} ({again.seconds:.1f})' if again else '—'} | "
            f"{run.plan_code} | {_listed(run, 'duplicates')} | {_listed(run, 'orphans')} |")
    return lines + [""]


def _suite_section(hostile, canary) -> list[str]:
    lines = ["## Hostile inputs, hypothesis and the canary", "",
             f"- `{hostile.command}`: exit {hostile.code} in {hostile.seconds:.0f} s; "
             f"{hostile.count()} tests ({hostile.count(status='passed')} passed).",
             *[f"  - `{name}`: {p['passing']} examples passed, {p['failing']} failed; stopped because {p['stopped']}"
               for name, p in hostile.statistics.items()],
             f"- `{canary.command}`: exit {canary.code} in {canary.seconds:.0f} s; "
             f"{canary.count(status='passed')}/{canary.count()} passed: " + ", ".join(f"`{name}`" for name in
                                                                                 canary.outcomes) + "."]
    failures = {**hostile.failures, **canary.failures}
    if failures:
        lines += ["", "Failures:", "", *[f"- `{name}`: {message}" for name, message in failures.items()]]
    return lines


def _applies(run) -> str:
    return ", ".join(f"{apply.code} ({apply.seconds:.0f})" for apply in run.applies)


def _listed(run, what: str) -> str:
    if run.findings is None:
        return "not checked"
    found = getattr(run.findings, what)
    return "0" if not found else f"{len(found)}: " + "; ".join(found[:3]) + (" …" if len(found) > 3 else "")
