"""One measurement = one new process: its wall time (spawn to exit), its peak RSS (`ru_maxrss` of that process
alone, from `os.wait4`), its exit code and output.

Every process the benchmarks start gets the same environment: no colour, and no proxy, so that whatever the
machine's settings, the tool and the benchmarks reach only loopback; and idamconf's modules compiled to bytecode, as
an installed idamconf has them (`_compiled`).
"""

from __future__ import annotations

import compileall
import functools
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IDAMCONF = str(Path(sys.executable).with_name("idamconf"))
PYTHON = sys.executable
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_rss_mb: float
    code: int
    out: str
    err: str
    cpu_seconds: float = 0.0  # user + system time of the process and of the processes it waited for (wait4)

    def check(self, what: str, codes: tuple[int, ...] = (0,)) -> "Run":
        if self.code not in codes:
            raise RuntimeError(f"{what} exited {self.code}:\n{self.err[-3000:] or self.out[-3000:]}")
        return self


@functools.cache
def _compiled() -> None:
    """idamconf's modules compiled to bytecode (`__pycache__`, git-ignored), once per benchmark run. pip compiles an
    installed package's modules, and Python caches them at the first import -- unless PYTHONDONTWRITEBYTECODE is
    set, as it is in this project's working sessions: every measured process then compiled idamconf's ~130 modules
    from source at its start, ~0.3 s of CPU a plan that no user's installed idamconf spends (docs/performance.md,
    session 33)."""
    compileall.compile_dir(ROOT / "idamconf", quiet=1)


def environment() -> dict[str, str]:
    _compiled()
    env = {name: value for name, value in os.environ.items() if name not in PROXY_VARIABLES}
    env.update(NO_COLOR="1", NO_PROXY="127.0.0.1,localhost", PYTHONPATH=str(ROOT))
    return env


def run(command: list[str], cwd: Path = ROOT, timeout: float = 1800.0, extra: dict[str, str] | None = None) -> Run:
    """Run `command` to completion as a new process and measure it (`extra`: environment variables for it alone)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, stdin=subprocess.DEVNULL, cwd=cwd,
                                   env={**environment(), **(extra or {})})
        watchdog = threading.Timer(timeout, process.kill)
        watchdog.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            watchdog.cancel()
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(seconds, usage.ru_maxrss / 1024, process.returncode,
                   out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"),
                   usage.ru_utime + usage.ru_stime)


def best_of(command: list[str], runs: int = 5, cwd: Path = ROOT) -> float:
    """The fastest of `runs` new processes: this machine's timings vary by tens of percent from run to run."""
    return min(run(command, cwd).check(" ".join(command)).seconds for _ in range(runs))


def median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]
