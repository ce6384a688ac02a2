"""Apply at scale (commands/apply_progress.py): where it stands -- done/total, the recent rate, the time left -- as a
line kept up to date on a terminal and as plain lines every PERIOD seconds in a pipeline; and Ctrl-C, which stops
sending, lets what is in flight finish, and says that applying again resumes."""

from __future__ import annotations

import io
import os
import signal
from types import SimpleNamespace

from idamconf.commands import apply_progress
from idamconf.commands.apply_progress import PERIOD, Progress

from .harness import apply
from .test_scenarios import converged


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def change(number: int):
    return SimpleNamespace(address=f"app.app-{number:05d}")


def test_a_pipeline_gets_a_plain_line_every_period_with_the_time_left():
    clock, out = Clock(), io.StringIO()
    progress = Progress(1000, out, clock, tty=False)
    for number in range(400):  # 8 changes a second
        clock.now += 0.125
        progress(change(number), "created")
    lines = out.getvalue().splitlines()
    standing = [line for line in lines if line.startswith("progress: ")]
    assert len(standing) == int(50 / PERIOD)
    assert standing[-1] == "progress: 400/1,000 changes (40%) in 50 s, 8.0/s, about 1 min 15 s left"
    assert "  + app.app-00399: created" in lines and "\r" not in out.getvalue()
    progress.finish()
    assert out.getvalue().splitlines()[-1].startswith("progress: 400/1,000 changes (40%) in 50 s")


def test_the_rate_is_the_recent_one():
    """The budget lets the first writes go at once and the rest at its refill: the estimate follows the refill."""
    clock, out = Clock(), io.StringIO()
    progress = Progress(4000, out, clock, tty=False)
    for number in range(3000):  # a burst
        clock.now += 0.0009765625
        progress(change(number), "created")
    for number in range(3000, 3600):  # then 16 a second, for 37.5 s
        clock.now += 0.0625
        progress(change(number), "created")
    assert progress.standing(clock.now).endswith("16.0/s, about 25 s left")


def test_right_after_the_burst_the_budget_says_how_long_the_rest_takes():
    """Halfway through the changes the recent past is the budget's burst; the writes left go at its refill."""
    from idamconf.graph.budget import Budget

    clock, out = Clock(), io.StringIO()
    budget = Budget("S", clock=clock, in_flight=0.0)
    progress = Progress(4000, out, clock, tty=False, budget=budget)
    for number in range(2000):  # 3,000 writes at once: 1.5 a change
        clock.now += 0.0009765625
        budget.writes.level -= 1.5
        budget.written += 1.5
        progress(change(number), "created")
    # 2,000 changes left, 3,000 writes; the bucket refilled 39 in the 1.95 s of the burst: (3,000 - 39) / 20 a
    # second -- not 2 s at the burst's rate
    assert progress.standing(clock.now).endswith("1024.0/s, about 2 min 28 s left")


def test_a_terminal_keeps_one_line_at_the_bottom():
    clock, out = Clock(), io.StringIO()
    progress = Progress(3, out, clock, tty=True)
    for number in range(2):
        clock.now += 1
        progress(change(number), "updated")
    assert out.getvalue() == ("  ~ app.app-00000: updated\n1/3 changes (33%) in 1 s, 1.0/s, about 2 s left"
                              "\r\x1b[K  ~ app.app-00001: updated\n2/3 changes (66%) in 2 s, 1.0/s, about 1 s left")


def test_ctrl_c_stops_sending_lets_the_rest_finish_and_apply_again_resumes(project, monkeypatch):
    real = Progress.__call__

    def interrupting(self, change, verb):
        real(self, change, verb)
        if self.done == 3:
            os.kill(os.getpid(), signal.SIGINT)  # as a person pressing Ctrl-C: to apply's own handler

    monkeypatch.setattr(Progress, "__call__", interrupting)
    stopped = apply(project)
    assert stopped.code == 1
    assert "Interrupted: nothing more is sent" in stopped.err
    assert apply_progress.INTERRUPTED in stopped.err  # each change not made says so
    assert "Apply again to resume" in stopped.err
    assert "Apply complete" not in stopped.out
    monkeypatch.setattr(Progress, "__call__", real)
    resumed = apply(project)
    assert resumed.code == 0, resumed.err
    converged(project)
