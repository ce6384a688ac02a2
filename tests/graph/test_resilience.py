"""idamconf converges through what Graph does to requests: throttling, 5xx, lost answers, replication lag.

Each test applies the examples against the embedded emulator with a seeded fault policy
(`IDAMCONF_EMULATOR_FAULTS`), then checks with a fault-free plan that the tenant matches, and in the emulator's
state that nothing was created twice.
"""

from __future__ import annotations

import sqlite3
import time

import pytest

from benchmarks.tenant_check import check
from idamconf.emulator import embedded
from tests.cli.harness import EXAMPLES_TO_ADD, apply, idamconf, plan

FAULTS = "IDAMCONF_EMULATOR_FAULTS"


@pytest.fixture(autouse=True)
def no_back_off(monkeypatch):
    """Retries come at once (a back-off of 0 s): what these tests check is that the apply converges, not how long
    it waits (tests/safety/test_retries.py checks the waits, on a recorded clock). Retry-After is still honoured."""
    import functools

    from idamconf.graph import client

    monkeypatch.setattr(client, "RetryPolicy", functools.partial(client.RetryPolicy, base_delay=0.0))


@pytest.fixture(autouse=True)
def emulators(monkeypatch) -> list:
    """The embedded emulators the commands open, to read what faults they injected."""
    opened = []
    real_open = embedded.open_app

    def recording(*args, **kwargs):
        app = real_open(*args, **kwargs)
        opened.append(app)
        return app

    monkeypatch.setattr(embedded, "open_app", recording)
    return opened


def injected(emulators: list, fault: str) -> int:
    return sum(app.state.emulator.stats.injected.get(fault, 0) for app in emulators)


def lagged(project) -> int:
    """Objects the emulator created behind replication lag (they carry the time they became visible)."""
    db = sqlite3.connect(project / ".idamconf" / "local.db")
    try:
        return db.execute("SELECT count(*) FROM objects WHERE visible_after IS NOT NULL").fetchone()[0]
    finally:
        db.close()


def converged_without_faults(project, monkeypatch) -> None:
    # Without faults the emulator has no replication lag: everything it holds is visible at once, no need to wait.
    monkeypatch.delenv(FAULTS)
    result = plan(project, "--detailed-exitcode")
    assert result.code == 0, result.out + result.err
    findings = check(project / ".idamconf" / "local.db")
    assert (findings.duplicates, findings.orphans) == ([], [])


def test_throttling_and_unavailability_are_retried_until_the_apply_completes(project, monkeypatch, emulators):
    # 17% of tries failing, as in the reliability runs: each fault is injected dozens of times over the examples'
    # requests, and 12 failures in a row (RetryPolicy.attempts) stay a 1-in-10^9 event. At 45% they were 1 in 15,000
    # a request -- over some 800 requests, the test failed about one run in twenty, depending on how requests fell
    # into $batches under load.
    monkeypatch.setenv(FAULTS, "seed=3,throttle=0.1,unavailable=0.05,timeout=0.02,retry-after=0")
    result = apply(project)
    assert result.code == 0, result.err
    assert f"Apply complete: {EXAMPLES_TO_ADD} added" in result.out
    assert all(injected(emulators, fault) > 0 for fault in ("throttle", "unavailable", "timeout"))
    converged_without_faults(project, monkeypatch)


def test_lost_answers_never_duplicate_a_create(project, monkeypatch, emulators):
    # Every dropped connection is dropped after the write was committed: the dangerous case.
    monkeypatch.setenv(FAULTS, "seed=5,drop=0.15,drop-after=1.0")
    result = apply(project)
    assert result.code == 0, result.err
    assert injected(emulators, "drop-after") > 0
    converged_without_faults(project, monkeypatch)


def test_lost_requests_that_never_ran_are_sent_again(project, monkeypatch, emulators):
    import functools

    from idamconf.graph import client

    # No replication lag here, so a look-up after a lost create may give up within a second (not Graph's 10 s): a
    # create that never ran is then sent again sooner; what is checked is that it is sent again, and only once.
    monkeypatch.setattr(client, "RetryPolicy", functools.partial(client.RetryPolicy, base_delay=0.0, lookup=1.0))
    monkeypatch.setenv(FAULTS, "seed=8,drop=0.15,drop-after=0")
    assert apply(project).code == 0
    assert injected(emulators, "drop-before") > 0
    converged_without_faults(project, monkeypatch)


def test_replication_lag_is_waited_out_in_one_apply(project, monkeypatch):
    # A new object is hidden for up to 0.5 s: past the first look (0.25 s), so the waits that follow are used too.
    monkeypatch.setenv(FAULTS, "seed=2,lag=0.5s")
    result = apply(project)
    assert result.code == 0, result.err
    assert lagged(project) > 0  # objects were created hidden from reads for a while
    converged_without_faults(project, monkeypatch)


def test_the_time_bound_stops_an_apply_that_cannot_finish_with_a_clear_message(project, monkeypatch):
    monkeypatch.setenv(FAULTS, "seed=1,throttle=1.0,retry-after=5")
    started = time.monotonic()
    result = idamconf("apply", "-C", str(project), "--auto-approve", "--timeout", "2")
    assert result.code == 1
    assert "time bound (--timeout) was reached" in result.err
    assert "Traceback" not in result.out + result.err
    assert time.monotonic() - started < 30


def test_a_bad_fault_spec_is_one_line_and_exit_1(project, monkeypatch):
    monkeypatch.setenv(FAULTS, "throttle=lots")
    result = plan(project)
    assert result.code == 1
    assert "throttle" in result.err and "Traceback" not in result.err


@pytest.mark.parametrize("seed", [11, 12])
def test_everything_at_once_converges(project, monkeypatch, emulators, seed):
    monkeypatch.setenv(FAULTS, f"seed={seed},throttle=0.1,unavailable=0.05,drop=0.05,drop-after=0.5,lag=0.5s,"
                               "retry-after=0")
    assert apply(project).code == 0
    assert injected(emulators, "throttle") > 0 and injected(emulators, "unavailable") > 0 and lagged(project) > 0
    converged_without_faults(project, monkeypatch)


def test_replication_slower_than_the_wait_is_a_clear_error_and_the_next_apply_finishes(project, monkeypatch):
    import functools

    from idamconf.graph import client

    # Hidden for up to 4 s against a wait of 1 s: most new objects are still hidden when the wait ends.
    monkeypatch.setattr(client, "RetryPolicy", functools.partial(client.RetryPolicy, settle=1.0))
    monkeypatch.setenv(FAULTS, "seed=4,lag=4s")
    result = apply(project)
    assert result.code == 1
    assert "still so after waiting 1 s for Graph to replicate what this apply created; run apply again" in result.err
    assert "Traceback" not in result.err
    monkeypatch.delenv(FAULTS)  # replication done: without a lag, every object is visible
    assert apply(project).code == 0
    monkeypatch.setenv(FAULTS, "")
    converged_without_faults(project, monkeypatch)


def test_the_time_bound_stops_a_plan_too(project, monkeypatch):
    """plan's --timeout bounds its reads as apply's does: a Graph that only throttles ends the plan, saying so."""
    monkeypatch.setenv(FAULTS, "seed=1,throttle=1.0,retry-after=5")
    started = time.monotonic()
    result = idamconf("plan", "-C", str(project), "--timeout", "1")
    assert result.code == 1 and result.out == ""
    assert "time bound (--timeout) was reached" in result.err and "Traceback" not in result.err
    assert time.monotonic() - started < 30
