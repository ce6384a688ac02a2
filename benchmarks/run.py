"""`make bench`: idamconf's performance at tenant scale, measured in one run and written to docs/performance.md.

    python -m benchmarks.run                    # N = 1,000 and 10,000
    python -m benchmarks.run --sizes 50000      # (make bench N=50000) other sizes; --large adds 50,000

1. Seed a tenant of N applications (benchmarks/synthetic.py: 5 roles each, access packages with policies) with
   idamconf's own apply against the embedded emulator (benchmarks/tenant.py; kept for later runs).
2. Serve it with `idamconf emulator serve` on 127.0.0.1 and read it, each as a new process: (a) `idamconf plan`
   with no changes, (b) msgraph-sdk's typed GraphServiceClient, (c) plain httpx + json (benchmarks/reads.py);
   and, for the least a plan could take, the time to merely parse the configuration (benchmarks/parse_bound.py);
   and `idamconf export --all` of the same tenant (issue 16: at most twice a no-change plan).
3. Apply 1,000 new applications: idamconf against the sequential one-request-per-write baseline, with 20 ms of
   latency and Graph's throttling budget emulated (benchmarks/writes.py).
4. The registration surface (issue 15): a no-change plan of 1,000 applications that set what real definitions set,
   its requests against the fewest pages that hold it (benchmarks/surface.py).
5. Start-up: `--help`, `validate` of examples/ and of 1,000 files (benchmarks/startup.py).

Benchmarks, never timed unit tests; everything reaches only loopback.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from . import report, tenant
from .reads import TenantMismatch, measure_reads
from .startup import measure_startup
from .surface import SIZE as SURFACE_SIZE
from .surface import measure_surface
from .writes import measure_apply

DEFAULT_SIZES = (1_000, 10_000)
LARGE = 50_000


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def read_side(count: int, repeats: int, reseed: bool) -> tuple[dict, dict]:
    seeded = tenant.prepare(count, reseed, log)
    try:
        return seeded.seeding, measure_reads(seeded, repeats, log)
    except TenantMismatch as mismatch:
        if not seeded.seeding.get("reused"):
            raise
        log(f"  the kept tenant no longer matches ({mismatch}); seeding it again")
        seeded = tenant.seed(count, log)
        return seeded.seeding, measure_reads(seeded, repeats, log)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)),
                        help="comma-separated tenant sizes to read (default 1000,10000)")
    parser.add_argument("--large", action="store_true", help=f"also read a tenant of {LARGE:,} applications")
    parser.add_argument("--repeats", type=int, default=3, help="runs of plan and of the floor (the median is shown)")
    parser.add_argument("--reseed", action="store_true", help="seed the tenants again even if kept ones match")
    parser.add_argument("--baseline-applications", type=int, default=None, metavar="K",
                        help="write only the first K applications in the sequential baseline and extrapolate")
    parser.add_argument("--apply-count", type=int, default=1_000, help=argparse.SUPPRESS)  # quick trial runs
    parser.add_argument("--output", default=str(report.OUTPUT), help="where to write the report")
    arguments = parser.parse_args()
    sizes = [int(size.replace("_", "")) for size in arguments.sizes.split(",") if size.strip()]
    if arguments.large and LARGE not in sizes:
        sizes.append(LARGE)

    started, load = time.perf_counter(), os.getloadavg()
    log("Start-up")
    startup = measure_startup(log=log)
    reads, seeding = {}, {}
    for count in sizes:
        log(f"Reading a tenant of {count:,} applications")
        seeding[count], reads[count] = read_side(count, arguments.repeats, arguments.reseed)
    log(f"Reading a tenant of {SURFACE_SIZE:,} applications with the registration surface")
    surface = measure_surface(SURFACE_SIZE, arguments.repeats, arguments.reseed, log)
    log(f"Applying {arguments.apply_count:,} new applications")
    applied = measure_apply(arguments.baseline_applications, arguments.apply_count, log)
    elapsed = time.perf_counter() - started
    command = "make bench" if len(sys.argv) == 1 else "python -m benchmarks.run " + " ".join(sys.argv[1:])
    rows = report.write(arguments.output, startup, reads, seeding, applied, elapsed, (load, os.getloadavg()), command,
                        surface)
    for name, value, target, met in rows:
        print(f"{'ok  ' if met else 'MISS'} {name}: {value} (target {target})")
    print(f"Written to {arguments.output} in {elapsed / 60:.1f} min.")


if __name__ == "__main__":
    main()
