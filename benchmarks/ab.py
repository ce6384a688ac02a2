"""A/B of idamconf source trees, runs interleaved (issue 22, session 33): each variant is a directory holding an
`idamconf/` package (e.g. `git archive <commit> idamconf | tar -x -C DIR`), put first on PYTHONPATH.

    python -m benchmarks.ab pr 7 main=/tmp/main branch=/tmp/branch          # the pull-request plan, 250 ms a trip
    python -m benchmarks.ab validate 7 main=/tmp/main branch=/tmp/branch    # validate of the 10,000 files
    python -m benchmarks.ab imports 15 main=/tmp/main branch=/tmp/branch    # the modules a plan imports
                                                                             # (IMPORTS="import ...": others)
    python -m benchmarks.ab plan 5 main=/tmp/main branch=/tmp/branch        # the no-change plan of the 10,000
    python -m benchmarks.ab plan-kept 5 main=/tmp/main branch=/tmp/branch   # the same, each run after a validate

`pr` is benchmarks/latency.py's pull-request plan, each run after a validate with the variant's own code (its
seeded tenant of 10,000 applications, served with `--faults latency=250ms` -- FAULTS= for none -- and its repository
with app-00042 changed). Each run is a new
process: its wall time, and its CPU time (user + system, with the processes it forks), which moves less than the
wall time when other work shares the machine; the load average is printed with each run. `plan` parses every file
(what validate kept is removed before each run); `plan-kept` runs `idamconf validate` with the variant's own code
before each run, so that the plan takes the files it kept (config/known_files.py: its entries are for one code).
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager, nullcontext

from idamconf.config import known_files

from . import latency, tenant
from .measure import PYTHON, environment
from .served import Served
from .tenant import SERVED, point_at

IMPORTS = "import idamconf.cli, idamconf.commands.plan, idamconf.graph.connect, idamconf.workflow, idamconf.apply"


def measured(command: list[str], tree: str) -> tuple[float, float, subprocess.CompletedProcess]:
    before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    done = subprocess.run(command, env={**environment(), "PYTHONPATH": tree}, capture_output=True, text=True,
                          cwd="/tmp")
    wall, after = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, done


def commands(mode: str):
    """(the command to run, the exit code expected, the context it runs in)."""
    seeded = tenant.prepare(10_000, log=lambda *_: None)
    if mode == "imports":
        return [PYTHON, "-c", os.environ.get("IMPORTS", IMPORTS)], 0, nullcontext()
    if mode == "validate":
        return [PYTHON, "-m", "idamconf", "validate", "-C", str(seeded.root)], 0, nullcontext()
    if mode in ("plan", "plan-kept"):
        return [PYTHON, "-m", "idamconf", "plan", "-C", str(seeded.root), "-e", SERVED, "--detailed-exitcode"], 0, \
            served_to(seeded)
    return [PYTHON, "-m", "idamconf", "plan", "-C", str(latency.pull_request(seeded)), "-e", SERVED,
            "--changed-since", "HEAD", "--detailed-exitcode", "--rebind-project"], 2, served_to(seeded)


@contextmanager
def served_to(seeded: tenant.Tenant):
    """The seeded tenant served, it and the pull-request repository pointed at it (as latency.reads does)."""
    root = latency.pull_request(seeded)
    with Served(seeded.state, os.environ.get("FAULTS", "latency=250ms") or None) as emulator:
        point_at(root, emulator.graph_url)
        point_at(seeded.root, emulator.graph_url)
        latency.git(root, "commit", "-q", "-m", "served here", "idamconf.yaml")
        yield


def before_run(mode: str, tree: str) -> None:
    """What validate kept, made by this variant's code (`plan-kept`; `pr`, then the pull request's change made, as
    latency.pull_request_plan makes it: each variant's entries are for its own code) or removed (`plan`: every file
    parsed)."""
    seeded = tenant.prepare(10_000, log=lambda *_: None)
    if mode == "pr":
        root = latency.pull_request(seeded)  # (its application files as committed)
        subprocess.run([PYTHON, "-m", "idamconf", "validate", "-C", str(root)], capture_output=True, check=True,
                       env={**environment(), "PYTHONPATH": tree}, cwd="/tmp")
        latency.change(root)
    elif mode == "plan":
        (seeded.root / known_files.FILE).unlink(missing_ok=True)
    elif mode == "plan-kept":
        tenant.held_by_git(seeded.root, SERVED)  # (a plan takes what validate kept only from a configuration git holds)
        subprocess.run([PYTHON, "-m", "idamconf", "validate", "-C", str(seeded.root)], capture_output=True, check=True,
                       env={**environment(), "PYTHONPATH": tree}, cwd="/tmp")


def main() -> None:
    mode, runs, variants = sys.argv[1], int(sys.argv[2]), [arg.split("=", 1) for arg in sys.argv[3:]]
    command, code, context = commands(mode)
    found: dict[str, list] = {name: [] for name, _ in variants}
    with context:
        for run in range(runs):
            for name, tree in variants:
                before_run(mode, tree)
                wall, cpu, done = measured(command, tree)
                assert done.returncode == code, (name, done.returncode, done.stderr[-2000:])
                found[name].append((wall, cpu))
                print(f"{run} {name}: {wall:.2f} s (CPU {cpu:.2f} s), load {os.getloadavg()[0]:.1f}", flush=True)
    for name, pairs in found.items():
        walls, cpus = zip(*pairs)
        print(f"{name}: median {statistics.median(walls):.2f} s, CPU {statistics.median(cpus):.2f} s "
              f"(walls {', '.join(f'{w:.2f}' for w in walls)}; CPU {', '.join(f'{c:.2f}' for c in cpus)})")


if __name__ == "__main__":
    main()
