"""benchmarks/line_mutants/*.toml stay runnable: each mutation names a line found exactly once in its file (a line
changed since the entry was written is otherwise reported "line not found" only when `make mutate-lines` runs,
and the rule it guarded goes unchecked meanwhile), changes it, and names tests that exist."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from benchmarks.mutate import LINE_MUTANTS, ROOT

ENTRIES = [(file.stem, index, mutant) for file in sorted(LINE_MUTANTS.glob("*.toml"))
           for index, mutant in enumerate(tomllib.loads(file.read_text(encoding="utf-8"))["mutant"])]


def test_there_are_line_mutations_to_check():
    assert len(ENTRIES) > 1000


@pytest.mark.parametrize("area", sorted({area for area, _, _ in ENTRIES}))
def test_each_mutation_names_a_line_found_once_and_changes_it(area):
    wrong = []
    for _, index, mutant in (entry for entry in ENTRIES if entry[0] == area):
        source = ROOT / mutant["file"]
        found = source.read_text(encoding="utf-8").count(mutant["line"]) if source.is_file() else 0
        if found != 1 or mutant["mutated"] == mutant["line"]:
            wrong.append(f"entry {index} ({mutant['file']}): line found {found} times: {mutant['line'].strip()!r}")
        wrong += [f"entry {index}: no test {test}" for test in mutant.get("tests", [])
                  if not (ROOT / test.split("::")[0]).exists()]
    assert not wrong, f"benchmarks/line_mutants/{area}.toml:\n" + "\n".join(wrong)
