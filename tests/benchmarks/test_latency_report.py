"""docs/performance.md's issue-22 section says from the run's own CPU times whether the no-latency target is out of
reach of the plan's present work on the machine's cores, or whether waiting separates it from the target."""

from __future__ import annotations

import pytest

from benchmarks import latency_report
from benchmarks.measure import Run


def results(plan_cpu: float, emulator_cpu: float) -> dict:
    plan = (Run(9.0, 390.0, 0, "", "", plan_cpu), {"http_requests": 391, "cpu_seconds": emulator_cpu})
    floor = (Run(3.0, 290.0, 0, "", "", 1.5), {"http_requests": 388, "cpu_seconds": 2.0})
    return {"reads": {"none": {"plan": plan, "floor": floor}}, "parse": 0.6}


@pytest.fixture(autouse=True)
def two_cores(monkeypatch):
    monkeypatch.setattr(latency_report, "_cores", lambda: 2)


def test_cpu_work_beyond_the_target_is_said_to_need_less_work():
    note = latency_report._cpu_note(results(plan_cpu=9.0, emulator_cpu=2.0))  # (9 + 2) / 2 = 5.5 s > 1.5 x 3.6
    assert "at least 5.50 s" in note and "(5.40 s)" in note
    assert "no schedule of the plan's present work meets it" in note


def test_cpu_work_within_the_target_is_said_to_be_a_matter_of_spreading_it():
    note = latency_report._cpu_note(results(plan_cpu=6.0, emulator_cpu=2.0))  # 4.0 s <= 5.4 s
    assert "at least 4.00 s" in note and "not the work's total but how it is spread" in note


def test_a_run_without_cpu_times_says_nothing_of_them():
    assert latency_report._cpu_note(results(plan_cpu=0.0, emulator_cpu=0.0)) == ""


def test_the_table_gives_each_readers_cpu_beside_the_emulators():
    assert latency_report._cpu(results(7.25, 2.5)["reads"]["none"]["plan"], "plan") == "7.25 s + 2.50 s"


def test_a_readers_median_run_is_reported_with_the_largest_peak_rss_of_its_runs():
    """The benchmark runs each reader several times in rounds (this host's speed drifts within minutes): the run of
    the median wall time stands for it, with its own counts, and a memory target is held to its worst run."""
    from benchmarks.latency import median_run

    runs = [(Run(seconds, rss, 0, "", "", 1.0), {"http_requests": requests})
            for seconds, rss, requests in ((12.0, 380.0, 391), (9.5, 401.0, 392), (10.5, 390.0, 393))]
    measured, stats = median_run(runs)
    assert (measured.seconds, measured.peak_rss_mb, stats["http_requests"]) == (10.5, 401.0, 393)


def test_the_notes_give_every_runs_wall_time_in_the_order_they_ran():
    found = results(9.0, 2.0)
    found["reads"]["none"]["runs"] = {"plan": [9.0, 8.5, 9.25], "floor": [3.0, 2.75, 3.5]}
    found["reads"]["250 ms"] = {"runs": {"plan": [12.0, 11.5, 13.0], "pr": [2.5, 2.75, 2.25]}}
    times = latency_report._run_times(found["reads"])
    assert "250 ms: plan 12.00, 11.50, 13.00; pr 2.50, 2.75, 2.25 s" in times
    assert "none: plan 9.00, 8.50, 9.25; floor 3.00, 2.75, 3.50 s" in times
    assert latency_report._runs(found["reads"]) == 3


class _Emulator:
    graph_url = "http://127.0.0.1:1/v1.0"
    ca_bundle = None

    def __init__(self, *args, **options):
        pass

    def register_pipeline(self) -> dict:
        return {"client_id": "c1", "secret": "s3cr3t"}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _reads(monkeypatch, tmp_path, code_of):
    """benchmarks.latency.reads with nothing served or run: each command's exit code from `code_of(name, round)`,
    which also sees whether validate's kept files are in place at the time."""
    from types import SimpleNamespace

    from benchmarks import latency
    from idamconf.config import known_files

    kept = tmp_path / "pr" / known_files.FILE
    kept.parent.mkdir(parents=True)
    kept.write_text("kept")
    seeded_kept = tmp_path / "seeded" / known_files.FILE
    seeded_kept.parent.mkdir(parents=True)
    seeded_kept.write_text("kept")  # (as validate leaves it)
    counts: dict[str, int] = {}
    seen: dict[str, tuple] = {}

    def counted(emulator, command, extra=None):
        if extra is not None:
            name = "pr_signed_in"
            seen[name] = (command, extra)
        elif "--changed-since" in command:
            name = "pr_base" if "--base" in command else "pr" if kept.exists() else "pr_cold"
        else:
            name = "floor" if "raw" in command else "per_object" if "benchmarks.per_object" in command else \
                "plan_kept" if seeded_kept.exists() else "plan"
        counts[name] = counts.get(name, 0) + 1
        return Run(float(counts[name]), 100.0 + counts[name], code_of(name, counts[name]), "", ""), {}

    for name, value in (("Served", _Emulator), ("point_at", lambda *a, **k: None), ("git", lambda *a: None),
                        ("change", lambda *a: None), ("_counted", counted),
                        ("run", lambda command: Run(0.1, 1.0, 0, "", "")), ("WORK", tmp_path)):
        monkeypatch.setattr(latency, name, value)
    monkeypatch.setattr(latency.tenant, "held_by_git", lambda root, environment: (root / ".git").mkdir())
    seeded = SimpleNamespace(state=tmp_path / "state.db", root=tmp_path / "seeded", tag="t")
    return latency.reads, (seeded, tmp_path / "pr", tmp_path / "names.json", None, 10), kept, seen


def test_each_reader_runs_in_rounds_and_its_median_run_stands_for_it(monkeypatch, tmp_path):
    reads, arguments, kept, _ = _reads(monkeypatch, tmp_path, lambda name, n: 2 if name.startswith("pr") else 0)
    found = reads(*arguments, runs=3)
    assert found["runs"] == {"plan": [1.0, 2.0, 3.0], "plan_kept": [1.0, 2.0, 3.0], "floor": [1.0, 2.0, 3.0],
                             "pr": [1.0, 2.0, 3.0],
                             "pr_base": [1.0, 2.0, 3.0], "pr_cold": [1.0, 2.0, 3.0], "per_object": [1.0],
                             "pr_signed_in": [1.0, 2.0, 3.0]}
    assert (found["plan"][0].seconds, found["plan"][0].peak_rss_mb) == (2.0, 103.0)
    seeded_kept = tmp_path / "seeded" / kept.relative_to(tmp_path / "pr")
    assert kept.read_text() == seeded_kept.read_text() == "kept"  # validate's files back for the next reader
    assert (tmp_path / "seeded" / ".git").is_dir()  # (held_by_git: a plan takes what validate kept only there)


def test_the_signed_in_plan_gets_its_secret_in_its_environment_alone_and_leaves_no_copy_of_the_tenant(
        monkeypatch, tmp_path):
    from benchmarks import latency

    reads, arguments, _, seen = _reads(monkeypatch, tmp_path, lambda name, n: 2 if name.startswith("pr") else 0)
    reads(*arguments, runs=1)
    command, extra = seen["pr_signed_in"]
    assert extra == {latency.SECRET_VARIABLE: "s3cr3t"} and not any("s3cr3t" in part for part in command)
    assert "--changed-since" in command and "--base" not in command
    assert not (tmp_path / "signed-in.db").exists()


def test_a_signed_in_run_that_fails_stops_the_benchmark(monkeypatch, tmp_path):
    reads, arguments, _, _ = _reads(monkeypatch, tmp_path,
                                    lambda name, n: 1 if name == "pr_signed_in" else 2 if name.startswith("pr") else 0)
    with pytest.raises(RuntimeError, match="pr_signed_in exited 1"):
        reads(*arguments, runs=1)
    assert not (tmp_path / "signed-in.db").exists()


def test_a_run_that_fails_stops_the_benchmark_and_puts_validates_files_back(monkeypatch, tmp_path):
    def code(name: str, run: int) -> int:
        return 1 if (name, run) == ("pr_cold", 2) else 2 if name.startswith("pr") else 0

    reads, arguments, kept, _ = _reads(monkeypatch, tmp_path, code)
    with pytest.raises(RuntimeError, match="pr_cold exited 1"):
        reads(*arguments, runs=3)
    assert kept.read_text() == "kept" and not kept.with_name("aside").exists()
