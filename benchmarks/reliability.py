"""`make reliability`: issue 6's figures, measured in one run and written to docs/reliability.md.

a. Seeded fault runs: a 200-application configuration with access packages (benchmarks/synthetic.py, written once),
   applied from a fresh embedded tenant by one `idamconf apply --auto-approve` per run under
   IDAMCONF_EMULATOR_FAULTS=seed=<run>,throttle=0.10,unavailable=0.05,drop=0.02,drop-after=0.5,lag=5s; applied
   again (up to 3 applies) only if a fault-free `plan --detailed-exitcode`, after the lag is waited out, is not empty.
   Then the tenant's SQLite state is searched for duplicates and orphans (benchmarks/tenant_check.py).
b. SIGKILL points: the same configuration with a modest fault spec (latency only, so an apply lasts), killed at a
   moment drawn from a seeded RNG within an unkilled apply's duration, then applied again unkilled; same checks.
c. The hostile-input corpus (`pytest tests/bad_inputs`) with the loader's hypothesis properties as a real random
   search: `--hypothesis-profile=default` (hypothesis's default budget) and a fresh `--hypothesis-seed`.
d. The secret canary (tests/reliability/test_canary.py).

Runs go two at a time (the machine has two cores). Everything reaches only loopback: the tenant is the embedded
emulator, in-process in each idamconf process.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import reliability_report, reliability_suites
from benchmarks.synthetic import write_configuration
from benchmarks.tenant_check import Findings, check

ROOT = Path(__file__).resolve().parent.parent
APPS, RUNS, KILLS, PARALLEL, MAX_APPLIES = 200, 20, 20, 2, 3
FAULTS = "seed={seed},throttle=0.10,unavailable=0.05,drop=0.02,drop-after=0.5,lag=5s"
LAG_SECONDS = 5.0
KILL_FAULTS = "seed={seed},latency=20ms"  # long enough (an apply of ~10 s) for every kill point to land
APPLY_TIMEOUT = 300  # seconds; an apply still running then is stopped and counted as hung
FAULT_VARIABLE = "IDAMCONF_EMULATOR_FAULTS"
DONE = (": created", ": added", ": updated", ": disabled", ": removed", ": destroyed")


@dataclass
class Apply:
    code: int
    seconds: float
    error: str = ""  # what a failed apply printed as `error:` (else its last line)
    stats: list = field(default_factory=list)  # what each embedded emulator of the process counted


@dataclass
class Run:
    name: str
    spec: str
    applies: list[Apply] = field(default_factory=list)
    converged_after: int | None = None  # applies until a fault-free plan was empty
    plan_code: int | None = None
    findings: Findings | None = None
    kill_at: float | None = None  # seconds after the start (SIGKILL runs)
    killed: bool | None = None
    done_before_kill: int = 0  # changes the killed apply reported as done


# ------------------------------------------------------------------------------------------------ processes
def environment(faults: str | None = None) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name != FAULT_VARIABLE}
    env |= {"NO_COLOR": "1", "PYTHONUNBUFFERED": "1"}
    return env | ({FAULT_VARIABLE: faults} if faults else {})


def idamconf(*arguments: str) -> list[str]:
    return [str(Path(sys.executable).with_name("idamconf")), *arguments]


def timed(command: list[str], env: dict, timeout: float = APPLY_TIMEOUT) -> tuple[int, float, str]:
    started = time.monotonic()
    try:
        done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
        code, err = done.returncode, done.stderr
    except subprocess.TimeoutExpired as expired:  # subprocess.run kills the process it started
        code, err = -signal.SIGKILL, f"hung: still running after {timeout:.0f} s ({_text(expired.stderr)[-200:]})"
    return code, time.monotonic() - started, err


def _text(value) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else (value or "")


def last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def failure(text: str) -> str:
    """What a failed apply said: its `error:` lines (the first three), else its last line."""
    errors = [line.strip()[:300] for line in text.splitlines() if line.startswith("error:")]
    more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
    return " / ".join(errors[:3]) + more if errors else last_line(text)


def apply_counted(project: Path, faults: str | None, stats_file: Path) -> Apply:
    command = [sys.executable, "-m", "benchmarks.counted", str(stats_file), "apply", "-C", str(project),
               "--auto-approve", "--no-colour"]
    code, seconds, err = timed(command, environment(faults))
    stats = reliability_report.load_json(stats_file, [])
    return Apply(code, seconds, failure(err) if code else "", stats)


def fault_free_plan(project: Path) -> int:
    code, _, _ = timed(idamconf("plan", "-C", str(project), "--detailed-exitcode", "--no-colour"), environment())
    return code


def fresh_project(template: Path, work: Path, name: str) -> Path:
    project = work / name
    shutil.copytree(template, project, ignore=shutil.ignore_patterns(".idamconf"))
    return project


def finish(run: Run, project: Path) -> Run:
    state = project / ".idamconf" / "local.db"
    run.findings = check(state) if state.exists() else Findings(orphans=["no tenant state was written"])
    return run


# ------------------------------------------------------------------------------------------- a. seeded faults
def seeded_run(template: Path, work: Path, seed: int) -> Run:
    project = fresh_project(template, work, f"faults-{seed:02d}")
    run = Run(f"seed {seed}", FAULTS.format(seed=seed))
    for attempt in range(1, MAX_APPLIES + 1):
        run.applies.append(apply_counted(project, run.spec, work / f"stats-{seed:02d}-{attempt}.json"))
        time.sleep(LAG_SECONDS)  # the last write's object may be invisible for up to the lag: wait it out
        run.plan_code = fault_free_plan(project)
        if run.plan_code == 0:
            run.converged_after = attempt
            break
    return finish(run, project)


# ------------------------------------------------------------------------------------------------- b. SIGKILL
def unkilled_durations(template: Path, work: Path) -> list[float]:
    """Two unkilled applies at once (as the kill runs go), from fresh tenants: how long an apply lasts here."""
    def one(index: int) -> float:
        project = fresh_project(template, work, f"unkilled-{index}")
        code, seconds, err = timed(idamconf("apply", "-C", str(project), "--auto-approve", "--no-colour"),
                                   environment(KILL_FAULTS.format(seed=index)))
        if code != 0:
            raise SystemExit(f"the unkilled apply failed (exit {code}): {last_line(err)}")
        return seconds

    with ThreadPoolExecutor(PARALLEL) as pool:
        return list(pool.map(one, range(PARALLEL)))


def kill_run(template: Path, work: Path, number: int, typical: float) -> Run:
    project = fresh_project(template, work, f"kill-{number:02d}")
    run = Run(f"kill {number}", KILL_FAULTS.format(seed=number))
    run.kill_at = random.Random(f"sigkill-{number}").uniform(0.05, 0.95) * typical
    command = idamconf("apply", "-C", str(project), "--auto-approve", "--no-colour")
    started = time.monotonic()
    process = subprocess.Popen(command, env=environment(run.spec), cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    done = []
    reader = threading.Thread(target=lambda: done.extend(line for line in process.stdout if line.rstrip()
                                                         .endswith(DONE)), daemon=True)
    reader.start()
    try:
        process.wait(timeout=run.kill_at)
        run.killed = False
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()
        run.killed = True
    reader.join(timeout=10)
    run.done_before_kill = len(done)
    run.applies.append(Apply(process.returncode, time.monotonic() - started))
    run.applies.append(apply_counted(project, None, work / f"stats-kill-{number:02d}.json"))
    run.plan_code = fault_free_plan(project)
    run.converged_after = 1 if run.plan_code == 0 else None  # the one unkilled apply after the kill
    return finish(run, project)


# ---------------------------------------------------------------------------------------------------- driver
def in_parallel(task, arguments) -> list:
    with ThreadPoolExecutor(PARALLEL) as pool:
        return list(pool.map(lambda argument: _progress(_guarded(task, argument)), arguments))


def _guarded(task, argument) -> Run:
    """A run that breaks (a bug here, not in idamconf) is reported as such, and the others go on."""
    try:
        return task(argument)
    except Exception as error:  # noqa: BLE001 - reported in the run's row
        run = Run(f"run {argument}", "")
        run.applies.append(Apply(-1, 0.0, f"the reliability script failed: {type(error).__name__}: {error}"))
        return run


def main(arguments: list[str]) -> int:
    options = _options(arguments)
    phases: dict[str, float] = {}
    load_at_start = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="idamconf-reliability-") as temporary:
        work = Path(temporary)
        template = work / "configuration"
        write_configuration(template, options.apps)
        print(f"a. {options.runs} seeded fault runs of {options.apps} applications, {PARALLEL} at a time...",
              flush=True)
        seeded = _phase(phases, "seeded fault runs", lambda: in_parallel(
            lambda seed: seeded_run(template, work, seed), range(1, options.runs + 1)))
        print("b. measuring an unkilled apply, then the SIGKILL runs...", flush=True)
        typical, kills = _phase(phases, "SIGKILL runs", lambda: _kills(template, work, options.kills))
    print("c. the hostile-input corpus and hypothesis, d. the canary (together)...", flush=True)
    hostile, canary = _phase(phases, "hostile inputs and canary", lambda: _together(
        reliability_suites.hostile_inputs, reliability_suites.canary))
    figures = reliability_report.Figures(options.apps, seeded, kills, typical, hostile, canary, phases, load_at_start)
    reliability_report.write(options.out, figures)
    for name, value, target, met in figures.rows():
        print(f"{'ok  ' if met else 'MISS'} {name}: {value} (target {target})")
    print(f"{options.out} written ({figures.elapsed / 60:.1f} min).")
    return 0 if figures.all_met else 1


def _kills(template: Path, work: Path, count: int) -> tuple[float, list[Run]]:
    typical = sum(unkilled_durations(template, work)) / PARALLEL
    return typical, in_parallel(lambda n: kill_run(template, work, n, typical), range(1, count + 1))


def _together(*tasks) -> list:
    with ThreadPoolExecutor(len(tasks)) as pool:
        futures = [pool.submit(task) for task in tasks]
        return [future.result() for future in futures]


def _phase(phases: dict[str, float], name: str, work):
    started = time.monotonic()
    result = work()
    phases[name] = time.monotonic() - started
    return result


def _options(arguments: list[str]):
    parser = argparse.ArgumentParser(description="Issue 6's reliability figures; the defaults are the issue's.")
    parser.add_argument("--runs", type=int, default=RUNS, help="seeded fault runs")
    parser.add_argument("--kills", type=int, default=KILLS, help="SIGKILL runs")
    parser.add_argument("--apps", type=int, default=APPS, help="applications in the configuration")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "reliability.md", help="the report")
    return parser.parse_args(arguments)


def _progress(run: Run) -> Run:
    codes = ",".join(str(apply.code) for apply in run.applies)
    clean = "clean" if run.findings and run.findings.clean else "NOT CLEAN"
    print(f"  {run.name}: applies exit {codes}, plan exit {run.plan_code}, {clean}", flush=True)
    return run


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
