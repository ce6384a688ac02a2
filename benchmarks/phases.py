"""idamconf's command line, unchanged, timing where a command spends its time:

    python -m benchmarks.phases TIMINGS_FILE idamconf-arguments...

Wraps, by name, the functions a plan goes through -- reading the configuration (`commands.session.read`), the
directory and entitlement-management reads (`workflow.read_live`, `governance_lists`, `read_governance`) and the
diff (`workflow.make_plan`) -- and writes each one's (start, end) intervals, relative to process start, and the
process's peak RSS so far at the end of each (VmHWM), to TIMINGS_FILE as JSON when the process exits. A function
that is not there (renamed) is simply not timed. Used for a second, separate plan run: the measured plan is always
the plain `idamconf plan`.
"""

from __future__ import annotations

import atexit
import functools
import inspect
import json
import sys
import time
from pathlib import Path

PHASES = {  # (module, function) -> phase
    ("idamconf.commands.session", "read"): "configuration",
    ("idamconf.workflow", "read_live"): "tenant lists",  # these two run concurrently
    ("idamconf.workflow", "governance_lists"): "tenant lists",
    ("idamconf.workflow", "read_governance"): "catalog resources",
    ("idamconf.workflow", "make_plan"): "diff",
}


def peak_rss_mb() -> float:
    """The process's peak resident set so far (Linux), in MB; 0 where /proc is not there."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return 0.0
    return next((int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM:")), 0.0)


def _wrap(function, phase: str, intervals: dict, origin: float):
    def record(started: float) -> None:
        intervals.setdefault(phase, []).append((started - origin, time.perf_counter() - origin, peak_rss_mb()))

    if inspect.iscoroutinefunction(function):
        @functools.wraps(function)
        async def timed_async(*args, **kwargs):
            started = time.perf_counter()
            try:
                return await function(*args, **kwargs)
            finally:
                record(started)
        return timed_async

    @functools.wraps(function)
    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            record(started)
    return timed


def main(timings_file: str, arguments: list[str]) -> None:
    import importlib

    origin = time.perf_counter()
    intervals: dict[str, list] = {}
    for (module_name, name), phase in PHASES.items():
        module = importlib.import_module(module_name)
        if callable(getattr(module, name, None)):
            setattr(module, name, _wrap(getattr(module, name), phase, intervals, origin))

    def write() -> None:
        Path(timings_file).write_text(json.dumps({"total": time.perf_counter() - origin, "intervals": intervals,
                                                  "peak_rss_mb": peak_rss_mb()}))

    atexit.register(write)
    from idamconf.cli import main as idamconf

    sys.argv = ["idamconf", *arguments]
    idamconf()


def spans(timings: dict) -> dict[str, float]:
    """Seconds per phase: from the first start to the last end of its intervals (concurrent reads overlap)."""
    return {phase: max(end for _, end, _ in found) - min(start for start, _, _ in found)
            for phase, found in timings["intervals"].items()}


def peaks(timings: dict) -> dict[str, float]:
    """The process's peak RSS (MB) when each phase had ended, and at exit."""
    return {**{phase: max(peak for _, _, peak in found) for phase, found in timings["intervals"].items()},
            "exit": timings.get("peak_rss_mb", 0.0)}


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
