"""Issue 22's figures: performance where users feel it, through the served emulator with 250 ms a round trip and
with none, side by side in one run; written into docs/performance.md (its section "Graph's latency", replaced).

    python -m benchmarks.latency [--size 10000] [--apply 1600] [--sample 1000]     # (make bench runs it last)

1. A no-change plan of the seeded tenant of `size` applications (benchmarks/tenant.py): `idamconf plan`, every file
   parsed (the target's), and the same plan made again after `idamconf validate` (`plan_kept`: the files it kept,
   config/known_files.py, none parsed); the raw
   floor reading the same lists the same way (benchmarks/readers.py --names: the same displayName ranges, side by
   side); and a Terraform-style reader, one request per object, 10 in flight (benchmarks/per_object.py, sampled
   and extrapolated).
2. A pull request's plan: a copy of the configuration as a git repository, validated as main's pipeline validates
   it (`idamconf validate`, which keeps each file for pull requests' plans: config/known_files.py), then one
   application file changed: `plan --changed-since HEAD`; the same with `--base HEAD` (the pipeline's form); and
   without what validate kept. Then that plan as a pipeline makes it (`signed_in`): over HTTPS, signing in with a
   client secret at the emulator's token service, from a copy of the tenant.
Each reader of 1. and 2. runs `RUNS` times, in rounds with the others (the signed-in plan: after them, against an
emulator of its own), and its median run is reported (its peak RSS: the largest of its runs), beside the wall times
of all of them.
3. An apply of `apply` new applications into a fresh emulator with Graph's write budget (`budget=S`: 3,000 writes
   per 150 s), enough to span two of its windows: the writes a second achieved against the budget's, the 429s, and
   the progress display's estimate of the time left halfway through (its line nearest half the apply's time),
   against the time it really took.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import subprocess
import time
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import yaml

from idamconf.config import known_files
from idamconf.config.application import processes_for
from idamconf.config.load import application_files

from . import tenant
from .measure import IDAMCONF, PYTHON, median, run
from .reads import _counted, parse_run
from .served import Served, throttled
from .tenant import SERVED, WORK, generated, point_at
from .writes import _fresh

LATENCIES = (("250 ms", "latency=250ms"), ("none", None))
# Each reader is run this many times, in rounds with the others, and its median run reported: this host's speed for
# these workloads moves by a third within a quarter of an hour (docs/performance.md, session 44), so one run of each,
# minutes apart, would compare the moments more than the readers.
RUNS = 3
SECRET_VARIABLE = "IDAMCONF_BENCH_PIPELINE_SECRET"  # the signed-in plan's client secret, given to it alone
WRITES, WINDOW, REFILL = 3_000, 150, 20  # Graph's write budget: 3,000 a window of 150 s, refilled 20 a second
OUTPUT = Path(__file__).resolve().parents[1] / "docs" / "performance.md"
BEGIN, END = "<!-- latency: begin -->", "<!-- latency: end -->"
PROGRESS = re.compile(r"progress: ([\d,]+)/([\d,]+) changes \(\d+%\) in (\d+) s, [\d.]+/s(?:, about (.+) left)?")


def log(text: str) -> None:
    print(text, flush=True)


def pull_request(seeded: tenant.Tenant) -> Path:
    """A copy of the tenant's configuration as a git repository (made once), as committed."""
    root = WORK / f"pr-{seeded.count}"
    marker = root / "made.json"
    if not marker.is_file() or json.loads(marker.read_text())["seeded"] != seeded.seeding["date"]:
        shutil.rmtree(root, ignore_errors=True)
        shutil.copytree(seeded.root, root, ignore=shutil.ignore_patterns(".idamconf", "*.db*", "*.json"))
        (root / ".gitignore").write_text(".idamconf/\nmade.json\n")
        git(root, "init", "-q", "-b", "main")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "the tenant's configuration")
        marker.write_text(json.dumps({"seeded": seeded.seeding["date"]}))
    git(root, "checkout", "-q", "--", "applications")
    return root


def change(root: Path) -> None:
    """The pull request: one application file changed."""
    changed = root / "applications" / "app-00042.yaml"
    changed.write_text(changed.read_text().replace("Application 42 of", "The 43rd application of"))


def git(root: Path, *args: str) -> None:
    identity = ["-c", "user.name=bench", "-c", "user.email=bench@example.com"]
    subprocess.run(["git", *identity, *args], cwd=root, check=True, capture_output=True)


def reads(seeded: tenant.Tenant, pr_root: Path, names: Path, faults: str | None, sample: int,
          runs: int = RUNS) -> dict:
    """Each reader `runs` times, in rounds (plan, floor, the pull request's three plans; then again), and the
    Terraform-style sample once: by reader, its median run (`median_run`), and under "runs" each one's wall times."""
    taken: dict[str, list] = {}

    def measure(name: str, command: list[str], code: int) -> None:
        measured, stats = _counted(emulator, command)
        measured.check(name, (code,))
        taken.setdefault(name, []).append((measured, stats))

    with Served(seeded.state, faults) as emulator:
        for root in (seeded.root, pr_root):
            point_at(root, emulator.graph_url)
        pr = pull_request_plan(pr_root, "served here")
        plan = [IDAMCONF, "plan", "-C", str(seeded.root), "-e", SERVED, "--detailed-exitcode"]
        tenant.held_by_git(seeded.root, SERVED)  # (a plan takes what validate kept only from a configuration git holds)
        run([IDAMCONF, "validate", "-C", str(seeded.root)]).check("validate")  # its files kept, for plan_kept
        kept = pr_root / known_files.FILE
        for _ in range(runs):
            with _aside(seeded.root / known_files.FILE):  # the target's plan parses every file
                measure("plan", plan, 0)
            measure("plan_kept", plan, 0)  # the same plan made again after validate (config/known_files.py)
            measure("floor", [PYTHON, "-m", "benchmarks.readers", "raw", emulator.graph_url, seeded.tag, "--names",
                              str(names)], 0)
            measure("pr", pr, 2)
            measure("pr_base", [*pr, "--base", "HEAD"], 2)
            with _aside(kept):
                measure("pr_cold", pr, 2)
        measure("per_object", [PYTHON, "-m", "benchmarks.per_object", emulator.graph_url, seeded.tag, "--sample",
                               str(sample)], 0)
    taken["pr_signed_in"] = signed_in(seeded, pr_root, faults, runs)
    found = {name: median_run(runs_of) for name, runs_of in taken.items()}
    return {**found, "runs": {name: [measured.seconds for measured, _ in runs_of] for name, runs_of in taken.items()}}


@contextmanager
def _aside(kept: Path):
    """What validate kept moved aside meanwhile (there is none to move if it kept nothing), then put back."""
    aside = kept.with_name("aside")
    moved = kept.exists()
    if moved:
        kept.rename(aside)
    try:
        yield
    finally:
        if moved:
            aside.rename(kept)


def signed_in(seeded: tenant.Tenant, pr_root: Path, faults: str | None, runs: int) -> list[tuple]:
    """The pull request's plan as its pipeline makes it: over HTTPS, signing in with a client secret (the emulator's
    token service, which the latency delays as it delays Graph: two round trips, made while the files are read,
    graph/signed_in_early.py). The other readers use `credential: emulator`, which sends no sign-in. Served from a
    copy of the seeded state (sqlite's backup), so that the pipeline's registration never enters the tenant the other
    readers read; the copy is removed after."""
    state = WORK / "signed-in.db"
    with sqlite3.connect(seeded.state) as source, sqlite3.connect(state) as copy:
        source.backup(copy)
    try:
        with Served(state, faults, tls=True) as emulator:
            registered = emulator.register_pipeline()
            # the pipeline's environment: a client secret from SECRET_VARIABLE, the served emulator's CA trusted
            point_at(pr_root, emulator.graph_url, credential="client-secret", clientId=registered["client_id"],
                     clientSecretEnv=SECRET_VARIABLE, caBundle=str(emulator.ca_bundle))
            command = pull_request_plan(pr_root, "served here, signing in")
            taken = []
            for _ in range(runs):
                measured, stats = _counted(emulator, command, {SECRET_VARIABLE: registered["secret"]})
                measured.check("pr_signed_in", (2,))
                taken.append((measured, stats))
            return taken
    finally:
        for leftover in (state, *(state.with_name(state.name + suffix) for suffix in ("-wal", "-shm"))):
            leftover.unlink(missing_ok=True)


def pull_request_plan(pr_root: Path, message: str) -> list[str]:
    """The pull request made anew against the environment `served` as idamconf.yaml now names it: that file
    committed (so that only the application changes), main's validate run (its files kept: config/known_files.py),
    then one application file changed; and the command of its plan."""
    git(pr_root, "checkout", "-q", "--", "applications")
    git(pr_root, "commit", "-q", "-m", message, "idamconf.yaml")
    run([IDAMCONF, "validate", "-C", str(pr_root)]).check("validate")
    change(pr_root)
    return [IDAMCONF, "plan", "-C", str(pr_root), "-e", SERVED, "--changed-since", "HEAD", "--detailed-exitcode",
            "--rebind-project"]  # (a copy: another home)


def median_run(runs: list[tuple]) -> tuple:
    """Of a reader's (run, emulator's counts), the run of the median wall time, with its counts (they are of that
    run), and the largest peak RSS of them all: a memory target is met by every run or by none."""
    ordered = sorted(runs, key=lambda found: found[0].seconds)
    measured, stats = ordered[len(ordered) // 2]
    return replace(measured, peak_rss_mb=max(other.peak_rss_mb for other, _ in runs)), stats


def applied(count: int, faults: str | None) -> dict:
    root = generated(f"apply-{count}", count)
    budget = ",".join(filter(None, [faults, "budget=S"]))
    with Served(_fresh(root / "apply-latency.db"), budget, root / "emulator" / "directory.yaml") as emulator:
        point_at(root, emulator.graph_url)
        emulator.reset()
        measured = run([IDAMCONF, "apply", "-C", str(root), "-e", SERVED, "--auto-approve"]).check("apply")
        stats = emulator.stats()
    lines = [match.groups() for match in map(PROGRESS.match, measured.out.splitlines()) if match]
    done, total, seconds, _ = lines[-1]
    took = float(seconds)
    said = [line for line in lines if line[3]]  # halfway through the apply's time: the line nearest it
    half = min(said, key=lambda line: abs(float(line[2]) - took / 2)) if said else None
    estimate = None
    if half is not None:
        left, actual = _seconds(half[3]), took - float(half[2])
        estimate = {"at": float(half[2]), "done": _number(half[0]), "estimated": left, "actual": actual,
                    "error": abs(left - actual) / actual if actual else 0.0}
    return {"seconds": measured.seconds, "apply_seconds": took, "changes": _number(total), "writes": stats["writes"],
            "throttled": throttled(stats), "http_requests": stats["http_requests"], "estimate": estimate,
            "budget_share": stats["writes"] / (WRITES + REFILL * took)}


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def _seconds(text: str) -> float:
    """`1 h 2 min`, `3 min 4 s`, `5 s` -> seconds."""
    units = {"h": 3600, "min": 60, "s": 1}
    return float(sum(int(value) * units[unit] for value, unit in re.findall(r"(\d+) (h|min|s)\b", text)))


def parse_bound(seeded: tenant.Tenant) -> float:
    """Merely parsing the configuration's files (benchmarks/parse_bound.py), as the floor's companion."""
    files = application_files(seeded.root, [])
    listing = WORK / f"files-{seeded.count}"
    listing.write_text("".join(f"{path}\n" for path in files))
    return median([parse_run(listing, processes_for(len(files))) for _ in range(RUNS)])


def names_file(seeded: tenant.Tenant) -> Path:
    path = WORK / f"names-{seeded.count}.json"
    files = sorted((seeded.root / "applications").glob("*.yaml"))
    names = [yaml.safe_load(path.read_text())["displayName"] for path in files]
    path.write_text(json.dumps(names))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.latency", description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--apply", type=int, default=1_600, help="new applications applied (two budget windows)")
    parser.add_argument("--sample", type=int, default=1_000, help="requests the Terraform-style reader makes")
    parser.add_argument("--output", default=str(OUTPUT))
    arguments = parser.parse_args()
    started, load = time.perf_counter(), os.getloadavg()
    seeded = tenant.prepare(arguments.size, log=log)
    pr_root, names = pull_request(seeded), names_file(seeded)
    results = {"reads": {}, "apply": {}, "parse": parse_bound(seeded)}
    for label, faults in LATENCIES:
        log(f"Reading {arguments.size:,} applications, latency {label}")
        results["reads"][label] = reads(seeded, pr_root, names, faults, arguments.sample)
    for label, faults in LATENCIES:
        log(f"Applying {arguments.apply:,} applications, latency {label}")
        results["apply"][label] = applied(arguments.apply, faults)
    from .latency_report import section
    text = section(results, arguments, load, os.getloadavg(), time.perf_counter() - started, seeded)
    write(Path(arguments.output), text)
    log(text)


def write(path: Path, text: str) -> None:
    """The section between its markers replaced, or added at the end."""
    document = path.read_text(encoding="utf-8") if path.is_file() else "# Performance\n"
    block = f"{BEGIN}\n{text.rstrip()}\n{END}\n"
    if BEGIN in document and END in document:
        document = document[:document.index(BEGIN)] + block + document[document.index(END) + len(END) + 1:]
    else:
        document = document.rstrip() + "\n\n" + block
    path.write_text(document, encoding="utf-8")


if __name__ == "__main__":
    main()
