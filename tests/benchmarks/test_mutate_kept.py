"""`make mutate`'s results outlive the run's work directory: they are kept in the tree (benchmarks/mutate_results/),
the report is written from them once `.mutate/` is gone, and a later `--only` run starts from them, so that mutmut
keeps what earlier sessions tested. (Session 34 found sessions 29-33's work directories gone with their checkouts.)"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from benchmarks import mutate

KILLED, SURVIVED, NOT_CHECKED = 1, 0, None  # mutmut's exit codes: the tests failed (a kill), passed, never ran
NAME = "idamconf.graph.early.x_early_reads__mutmut_"


@pytest.fixture
def places(tmp_path, monkeypatch):
    monkeypatch.setattr(mutate, "WORK", tmp_path / "work")
    monkeypatch.setattr(mutate, "RESULTS", tmp_path / "kept")
    return tmp_path


def a_run(places: Path, codes: dict, hashes: dict) -> mutate.Module:
    """A module's work directory as a mutmut run leaves it."""
    module = mutate.Module("idamconf/graph/early.py", ["tests/graph/test_early_reads.py"])
    work = places / "work" / module.slug
    meta = work / "mutants" / "idamconf" / "graph" / "early.py.meta"
    meta.parent.mkdir(parents=True)
    meta.write_text(json.dumps({"exit_code_by_key": codes, "hash_by_function_name": hashes,
                                "durations_by_key": {}, "estimated_durations_by_key": {}}))
    (work / "seconds").write_text("120\n")
    (work / "command").write_text("make mutate\n")
    return module


def an_empty_copy(work: Path, under: str = "") -> None:
    """copy_tree without the project's files: afresh unless `under` (as copy_tree is)."""
    if not under:
        shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)


def test_the_results_are_reported_from_the_tree_once_the_work_directory_is_gone(places, monkeypatch):
    monkeypatch.setattr(mutate.subprocess, "run", lambda *a, **k: type("Shown", (), {"stdout": "-a\n+b\n"})())
    module = a_run(places, {f"{NAME}1": KILLED, f"{NAME}2": SURVIVED, f"{NAME}3": NOT_CHECKED}, {"x_early_reads": "h1"})
    mutate.collect(module)
    (places / "work" / module.slug / "mutants" / "idamconf" / "graph" / "early.py.meta").unlink()
    shutil.rmtree(places / "work")

    again = mutate.Module(module.path, module.tests)
    mutate.collect(again)
    assert again.statuses == {f"{NAME}1": "killed", f"{NAME}2": "survived", f"{NAME}3": "not checked"}
    assert again.survivors == [f"{NAME}2"] and again.diffs[f"{NAME}2"] == "-a\n+b\n"
    assert (again.seconds, again.command) == (120.0, "make mutate")
    row = next(line for line in mutate.report([again]).splitlines() if line.startswith("| `idamconf/graph/early.py`"))
    assert "| 3 | 1 | 1 | 1 | 50.0 % |" in row  # mutants, killed, survived, not tested, score of those tested


def test_an_only_run_starts_from_the_kept_results(places, monkeypatch):
    monkeypatch.setattr(mutate.subprocess, "run", lambda *a, **k: type("Shown", (), {"stdout": ""})())
    module = a_run(places, {f"{NAME}1": KILLED}, {"x_early_reads": "h1"})
    mutate.collect(module)
    shutil.rmtree(places / "work")
    monkeypatch.setattr(mutate, "copy_tree", an_empty_copy)

    work = mutate.prepare(module, resume=True)
    restored = json.loads((work / "mutants" / "idamconf" / "graph" / "early.py.meta").read_text())
    assert restored["exit_code_by_key"] == {f"{NAME}1": KILLED}  # mutmut keeps it while the function's hash holds
    assert restored["hash_by_function_name"] == {"x_early_reads": "h1"}
    assert (work / "seconds").read_text() == "120\n"

    fresh = mutate.prepare(module)  # a whole run starts afresh
    assert not (fresh / "mutants").exists()


def test_a_timeouts_confirmation_counts_only_while_the_mutant_is_still_a_timeout(places, monkeypatch):
    """A timeout run again alone and passing is a survivor (confirmed.json); an `--only` run of its function since
    judges it afresh, and that judgement is what the report counts (session 41: plan.py's `_base` 8 killed by a new
    test was still counted a survivor)."""
    monkeypatch.setattr(mutate.subprocess, "run", lambda *a, **k: type("Shown", (), {"stdout": ""})())
    timeout = -24  # mutmut's exit code for a mutant stopped for taking too long (SIGXCPU)
    module = a_run(places, {f"{NAME}1": timeout, f"{NAME}2": timeout}, {"x_early_reads": "h1"})
    confirmed = {f"{NAME}1": "survived", f"{NAME}2": "survived"}
    (places / "work" / module.slug / "confirmed.json").write_text(json.dumps(confirmed))
    mutate.collect(module)
    assert module.statuses == confirmed

    meta = places / "work" / module.slug / "mutants" / "idamconf" / "graph" / "early.py.meta"
    rerun = json.loads(meta.read_text())
    rerun["exit_code_by_key"][f"{NAME}2"] = KILLED  # the function run again with --only, a test added since
    meta.write_text(json.dumps(rerun))
    again = mutate.Module(module.path, module.tests)
    mutate.collect(again)
    assert again.statuses == {f"{NAME}1": "survived", f"{NAME}2": "killed"}
