"""Apply at scale (commands/apply_progress.py): where it stands -- done/total, the recent rate, the time left -- as a
line kept up to date on a terminal and as plain lines every PERIOD seconds in a pipeline; and Ctrl-C, which stops
sending, lets what is in flight finish, and says that applying again resumes."""

from __future__ import annotations

import io
import json
import os
import re
import signal
from types import SimpleNamespace

import pytest

from idamconf.commands import apply as apply_command
from idamconf.commands import apply_progress
from idamconf.commands.apply_progress import PERIOD, Progress

from .harness import EXAMPLES_TO_ADD, apply, edit, plan
from .test_scenarios import converged


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def change(number: int, counted: bool = True):
    return SimpleNamespace(address=f"app.app-{number:05d}", counted=counted)


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


def test_halfway_through_the_refill_the_time_left_is_that_of_the_plans_writes_left():
    """The changes do not share the writes evenly: an application's writes come first in its chain, its access
    packages' (none: outside the identity budget) after. The writes left are the plan's less those made."""
    from idamconf.graph.budget import Budget

    clock, out = Clock(), io.StringIO()
    budget = Budget("S", clock=clock, in_flight=0.0)
    # 1,000 applications of 4 writes (4,000) and 1,000 access packages of none: 2,000 changes
    progress = Progress(2000, out, clock, tty=False, budget=budget, writes=4000)

    def written(changes: int, writes: int, seconds: float) -> None:
        for number in range(changes):
            clock.now += seconds / changes
            budget.writes.wait_for(0, clock.now)  # the bucket refills as time passes
            budget.writes.level -= writes / changes
            budget.written += writes / changes
            progress(change(number), "created")

    written(750, 3000, 0.001)  # the burst: 750 applications' writes at once
    written(500, 500, 25.0)  # then at the refill, 20 a second, their packages finishing beside them
    # 1,250 of 2,000 changes done in 25 s: at their rate the 750 left would take 15 s; at the writes a change has
    # taken so far (2.8), 105 s; the plan's 500 writes left take 25 s at the refill
    assert progress.standing(clock.now).endswith("50.0/s, about 25 s left")


def test_the_plans_writes_are_the_writes_apply_makes(project, monkeypatch):
    """expected_writes, summed over a plan with a change of every kind, is what the emulator counts against the
    write budget while that plan is applied (Graph's cost table, graph/cost.py)."""
    from idamconf.emulator import embedded
    from idamconf.graph.cost import cost
    from idamconf.plan.model import Action

    from ..safety.wire import Scripted

    planned = plan(project, "--format", "json")
    changes = [SimpleNamespace(kind=c["kind"], action=Action(c["action"]), after=c["after"])
               for c in json.loads(planned.out)["changes"]]
    faults, real_open = Scripted(), embedded.open_app
    monkeypatch.setattr(embedded, "open_app", lambda state, seed=None, _=None, tenant=None:
                        real_open(state, seed, faults, tenant))
    assert apply(project).code == 0
    made = sum(cost(method, path)[1] for method, path in faults.received)
    assert made > 50
    lease = 2  # the project's record, taken before the changes and given back after (record/lease.py)
    assert sum(map(apply_progress.expected_writes, changes)) + lease == made


def test_only_a_created_application_takes_a_write_more_for_its_identifier_uris():
    """A create cannot carry a v2 application's identifier URIs (plan/placeholders.py): they are a second write. An
    update carries them in its one write."""
    from idamconf.plan.model import Action

    v2 = {"identifierUris": ["api://orders.contoso.com"], "api": {"requestedAccessTokenVersion": 2}}
    assert apply_progress.expected_writes(SimpleNamespace(kind="application", action=Action.CREATE, after=v2)) == 2
    assert apply_progress.expected_writes(SimpleNamespace(kind="application", action=Action.UPDATE, after=v2)) == 1


def test_a_terminal_keeps_one_line_at_the_bottom():
    clock, out = Clock(), io.StringIO()
    progress = Progress(3, out, clock, tty=True)
    for number in range(2):
        clock.now += 1
        progress(change(number), "updated")
    assert out.getvalue() == ("  ~ app.app-00000: updated\n1/3 changes (33%) in 1 s, 1.0/s, about 2 s left"
                              "\r\x1b[K  ~ app.app-00001: updated\n2/3 changes (66%) in 2 s, 1.0/s, about 1 s left")
    progress.finish()  # the standing line is cleared, then the last standing is a line of its own
    assert out.getvalue().endswith("1 s left\r\x1b[Kprogress: 2/3 changes (66%) in 2 s, 1.0/s, about 1 s left\n")


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


def test_ctrl_c_at_the_last_change_still_says_apply_was_interrupted_and_exits_1(project, monkeypatch):
    """Every change was sent, but Ctrl-C was pressed: apply says it was interrupted and how to resume, and exits 1 --
    a person who pressed it, or a pipeline stopped, cannot know that it came too late to matter."""
    real = Progress.__call__

    def interrupting(self, change, verb):
        real(self, change, verb)
        if self.done == self.total:
            os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(Progress, "__call__", interrupting)
    result = apply(project)
    assert result.code == 1
    assert f"Apply complete: {EXAMPLES_TO_ADD} added, 0 changed, 0 destroyed." in result.out  # all of it was made
    assert result.err.endswith("Apply was interrupted: what was done stays done. Apply again to resume: it plans from "
                               "the tenant as it is now and makes the rest.\n")
    converged(project)


def test_a_human_apply_ends_its_progress_with_every_change_of_the_plan_done(project, monkeypatch):
    """The last progress line (a pipeline's log ends with it) counts the plan's changes, all done. Paced as Graph
    paces (`tenantSize: S`), its time left was reckoned from the very budget that paced the writes and from the writes
    the plan takes -- all of them but the lease's two: what the time left of a long apply rests on (Progress.left)."""
    told = []

    class Told(Progress):  # what apply tells its progress, kept to compare with what the apply then spent
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            told.append(self)

    monkeypatch.setattr(apply_command, "Progress", Told)
    edit(project / "idamconf.yaml", "    seed: emulator/directory.yaml\n",
         "    seed: emulator/directory.yaml\n    tenantSize: S\n")
    result = apply(project)
    assert result.code == 0
    [last] = [line for line in result.out.splitlines() if line.startswith("progress: ")]
    every = f"{EXAMPLES_TO_ADD}/{EXAMPLES_TO_ADD}"
    assert "  + app.orders-portal.logo: uploaded" in result.out.splitlines()  # the plan's "+ (create)", counted added
    assert re.fullmatch(rf"progress: {every} changes \(100%\) in \d+ s, [\d.]+/s", last), last
    [progress] = told
    lease = 2  # the project's record, taken before the changes and given back after (record/lease.py)
    assert progress.budget is not None and progress.writes + lease == progress.budget.written > 50
    json_report = apply(project, "--format", "json")  # a report for other tools: one JSON document, no progress
    assert json.loads(json_report.out)["complete"] is True


def test_the_time_left_is_said_in_seconds_minutes_and_hours():
    said = apply_progress._duration
    assert [said(s) for s in (0.4, 59, 60, 3599, 3600, 7325)] == \
        ["0 s", "59 s", "1 min 0 s", "59 min 59 s", "1 h 0 min", "2 h 2 min"]


def test_at_the_start_and_at_the_end_no_time_left_is_guessed():
    clock, out = Clock(), io.StringIO()
    progress = Progress(1, out, clock, tty=False)
    assert progress.standing(clock.now) == "0/1 changes (0%) in 0 s, 0.0/s"  # nothing done yet: no rate
    clock.now += 2
    from idamconf.plan.model import Action

    progress(SimpleNamespace(address="app.app-00001", counted=True, action=Action.UPDATE), "uploaded")  # its own verb:
    # marked by its action, ~ for an update
    assert "  ~ app.app-00001: uploaded\n" in out.getvalue()
    assert progress.standing(clock.now) == "1/1 changes (100%) in 2 s, 0.5/s"  # all done: nothing left


def test_once_the_plans_writes_are_made_the_rest_goes_at_the_changes_rate():
    """Writes all made, the budget bounds nothing: what is left (changes without writes) goes at the recent rate."""
    from idamconf.graph.budget import Budget

    clock, out = Clock(), io.StringIO()
    budget = Budget("S", clock=clock, in_flight=0.0)
    progress = Progress(20, out, clock, tty=False, budget=budget, writes=10)
    for number in range(10):
        clock.now += 1
        budget.written += 1
        progress(change(number), "created")
    assert progress.standing(clock.now).endswith("1.0/s, about 10 s left")


def test_a_terminal_is_recognised_when_not_said():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    clock, out = Clock(), Terminal()
    progress = Progress(2, out, clock)
    clock.now += 1
    progress(change(1), "updated")
    assert out.getvalue().endswith("1/2 changes (50%) in 1 s, 1.0/s, about 1 s left")  # the standing line, kept


def test_a_disable_first_step_is_listed_but_not_counted():
    """It is part of the change it precedes (Change.counted), as the plan's and apply's summaries count it."""
    clock, out = Clock(), io.StringIO()
    progress = Progress(1, out, clock, tty=False)
    clock.now += 1
    progress(change(1, counted=False), "disabled")
    assert "  ~ app.app-00001: disabled\n" in out.getvalue()
    assert progress.standing(clock.now) == "0/1 changes (0%) in 1 s, 0.0/s"
    progress(change(1), "updated")
    assert progress.standing(clock.now) == "1/1 changes (100%) in 1 s, 1.0/s"


@pytest.mark.usefixtures("applied")
def test_renaming_a_role_counts_its_progress_as_the_summary_does(project):
    """Graph changes only disabled roles: the role is disabled first, then renamed -- one change, as `Plan: 0 to add, 3
    to change` and `Apply complete: 0 added, 3 changed` say it (the role, its access package and policy): the
    progress ends at 3/3, with the disable step listed."""
    edit(project / "applications/wordpress.yaml", "  - displayName: Writer\n", "  - displayName: Author\n")
    assert "Plan: 0 to add, 3 to change, 0 to destroy." in plan(project).out
    result = apply(project)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert "  ~ app.wordpress.role.Blog.Writer: disabled" in lines
    [last] = [line for line in lines if line.startswith("progress: ")]
    assert last.startswith("progress: 3/3 changes (100%) in "), last
    assert lines[-1] == "Apply complete: 0 added, 3 changed, 0 destroyed."


def test_a_change_whose_verb_is_its_own_is_marked_as_the_plan_marked_it():
    """A logo is `uploaded` whether the plan creates it (`+`, counted among those added) or updates it (`~`)."""
    from idamconf.plan.model import Action

    out = io.StringIO()
    progress = Progress(2, out, Clock(), tty=False)
    progress(SimpleNamespace(address="app.a.logo", counted=True, action=Action.CREATE), "uploaded")
    progress(SimpleNamespace(address="app.b.logo", counted=True, action=Action.UPDATE), "uploaded")
    lines = out.getvalue().splitlines()
    assert "  + app.a.logo: uploaded" in lines and "  ~ app.b.logo: uploaded" in lines
