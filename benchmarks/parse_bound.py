"""The least time any reader of a configuration must spend on its application files before its first request:

    python -m benchmarks.parse_bound CONFIG_DIR

Reads every application file idamconf would read and runs libyaml's parser over it, through PyYAML (the project's
YAML library), building nothing: no nodes, no values, no schema check, no model. The files are shared among as
many forked processes as idamconf's own reading uses on this machine (idamconf.config.application.processes_for).
Prints one JSON line: the files and the processes. The benchmark times it as a new process, spawn to exit (its own
start-up included, as a plan's is).

A plan reads and validates its whole configuration before its first request (a configuration with an error never
reaches the tenant), so this time plus the floor's reading of the pages is a lower bound on any such plan's wall
time -- the report (benchmarks/report.py) sets it against the targets.
"""

from __future__ import annotations

import json
import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import yaml

from idamconf.config.application import processes_for
from idamconf.config.load import application_files

_PARSER = getattr(yaml, "CBaseLoader", yaml.BaseLoader)


def parse(paths: list[str]) -> int:
    events = 0
    for path in paths:
        with open(path, "rb") as file:
            for _ in yaml.parse(file.read().decode("utf-8"), Loader=_PARSER):
                events += 1
    return events


def main(root: str) -> None:
    paths = [str(path) for path in application_files(Path(root), [])]
    processes = processes_for(len(paths))
    if processes == 1:
        parse(paths)
    else:
        shares = [paths[index::processes * 4] for index in range(processes * 4)]
        with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork")) as pool:
            list(pool.map(parse, shares))
    print(json.dumps({"files": len(paths), "processes": processes}))


if __name__ == "__main__":
    main(sys.argv[1])
