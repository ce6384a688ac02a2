"""Who uses the machine's cores while a no-change plan of the seeded 10,000 applications runs (issue 22, session 49):

    python -m benchmarks.cpu_timeline [TREE]        # TREE: a directory holding an `idamconf/` package (default: this one)

The plan runs against the served emulator (FAULTS= for none, the default; FAULTS=latency=250ms as benchmarks.ab).
Every half second the CPU time of the plan's own process, of the processes it forked (reading the configuration's
files) and of the emulator is read from /proc, and each interval printed as the share of a core each used; then a
summary: how long the plan's own process used a whole core, and how much of the machine's cores was left idle
meanwhile. A profile says where a process spends its CPU; this says which process the wall time waits for -- the
question that decides whether work moved between processes can shorten a plan, or only less work can.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass

TICK = 0.5  # seconds between samples
BUSY = 0.9  # a process using this share of a core or more is taken as using a whole one
_HZ = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of one process so far (None once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / _HZ


def children(pid: int) -> list[int]:
    """The processes `pid` forked and that still run."""
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    found = []
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as listed:
                found += [int(child) for child in listed.read().split()]
        except OSError:
            continue
    return found


@dataclass(frozen=True)
class Interval:
    end: float  # seconds since the plan started
    length: float  # seconds
    main: float  # CPU seconds used in the interval by the plan's own process
    readers: float  # ... by the processes it forked
    emulator: float  # ... by the emulator


@dataclass(frozen=True)
class Summary:
    wall: float
    main: float  # CPU seconds of the plan's own process
    readers: float
    emulator: float
    main_alone: float  # seconds in which the plan's own process used a whole core
    idle_meanwhile: float  # core-seconds left idle in those seconds


def summarised(intervals: list[Interval], cores: int) -> Summary:
    """The intervals' totals, and the seconds the plan's own process ran a whole core with cores to spare."""
    alone = [each for each in intervals if each.main >= BUSY * each.length]
    return Summary(
        wall=intervals[-1].end if intervals else 0.0,
        main=sum(each.main for each in intervals), readers=sum(each.readers for each in intervals),
        emulator=sum(each.emulator for each in intervals),
        main_alone=sum(each.length for each in alone),
        idle_meanwhile=sum(max(0.0, cores * each.length - each.main - each.readers - each.emulator) for each in alone),
    )


def timeline(command: list[str], env: dict, emulator_pid: int) -> tuple[list[Interval], subprocess.CompletedProcess]:
    """`command` run, sampled every TICK seconds until it exits."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd="/tmp")
    forked: dict[int, float] = {}  # each forked process's CPU when last seen (its last value stays once it is gone)
    last, intervals = (0.0, 0.0, 0.0, cpu_seconds(emulator_pid) or 0.0), []
    while process.poll() is None:
        time.sleep(TICK)
        for child in children(process.pid):
            seen = cpu_seconds(child)
            if seen is not None:
                forked[child] = seen
        main, now = cpu_seconds(process.pid), time.perf_counter() - started
        if main is None:
            break
        sample = (now, main, sum(forked.values()), cpu_seconds(emulator_pid) or last[3])
        intervals.append(Interval(now, now - last[0], *(a - b for a, b in zip(sample[1:], last[1:]))))
        last = sample
    out, err = process.communicate()
    return intervals, subprocess.CompletedProcess(command, process.returncode, out, err)


def main() -> None:
    from . import tenant
    from .measure import PYTHON, ROOT, environment
    from .served import Served
    from .tenant import SERVED, point_at

    tree = sys.argv[1] if len(sys.argv) > 1 else str(ROOT)
    seeded = tenant.prepare(10_000, log=lambda *_: None)
    with Served(seeded.state, os.environ.get("FAULTS") or None) as emulator:
        point_at(seeded.root, emulator.graph_url)
        command = [PYTHON, "-m", "idamconf", "plan", "-C", str(seeded.root), "-e", SERVED, "--detailed-exitcode"]
        intervals, done = timeline(command, {**environment(), "PYTHONPATH": tree}, emulator._process.pid)
    if done.returncode != 0:
        sys.exit(f"the plan exited {done.returncode}:\n{done.stderr.decode()[-2000:]}")
    for each in intervals:
        print(f"{each.end:6.1f} s   plan {each.main / each.length:4.2f}   files' readers "
              f"{each.readers / each.length:4.2f}   emulator {each.emulator / each.length:4.2f}   (cores)")
    cores = len(os.sched_getaffinity(0))
    found = summarised(intervals, cores)
    print(f"wall {found.wall:.1f} s; CPU: plan {found.main:.1f} s, files' readers {found.readers:.1f} s, emulator "
          f"{found.emulator:.1f} s; the plan's own process used a whole core for {found.main_alone:.1f} s, while "
          f"{found.idle_meanwhile:.1f} core-seconds of the {cores} cores were idle")


if __name__ == "__main__":
    main()
