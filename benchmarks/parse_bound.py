"""The least time a reader of a configuration spends on its application files before its first request:

    python -m benchmarks.parse_bound PROCESSES FILES     # FILES: a file naming one path a line

Runs libyaml's parser, through PyYAML (the project's YAML library), over every file, building nothing: no nodes,
no values, no schema check, no model. The files are shared among PROCESSES forked processes (the benchmark passes
as many as idamconf's own reading uses on this machine: idamconf.config.application.processes_for). Nothing but
the standard library and PyYAML is imported. Prints one JSON line: the files and the processes. The benchmark
times it as a new process, spawn to exit: the Python start-up is included once, as a plan's is.

A plan reads and validates its whole configuration before its first request (a configuration with an error never
reaches the tenant), so this time plus the floor's reading of the pages is a lower bound on the wall time of any
plan that parses its files with PyYAML in that many processes -- the report (benchmarks/report.py) sets it against
the targets.
"""

from __future__ import annotations

import json
import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor

import yaml

_PARSER = getattr(yaml, "CBaseLoader", yaml.BaseLoader)


def parse(paths: list[str]) -> int:
    events = 0
    for path in paths:
        with open(path, "rb") as file:
            for _ in yaml.parse(file.read().decode("utf-8"), Loader=_PARSER):
                events += 1
    return events


def main(processes: int, listing: str) -> None:
    with open(listing, encoding="utf-8") as file:
        paths = file.read().splitlines()
    if processes == 1:
        parse(paths)
    else:
        shares = [paths[index::processes * 4] for index in range(processes * 4)]
        with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork")) as pool:
            list(pool.map(parse, shares))
    print(json.dumps({"files": len(paths), "processes": processes}))


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
