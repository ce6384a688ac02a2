"""benchmarks/cpu_timeline.py: which process a plan's wall time waits for, from /proc."""

from __future__ import annotations

import os
import sys

import pytest

from benchmarks.cpu_timeline import Interval, summarised, timeline

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def test_seconds_the_plan_ran_a_whole_core_count_the_cores_left_idle_meanwhile():
    intervals = [Interval(0.5, 0.5, 0.20, 0.50, 0.30),  # three processes share two cores: none alone
                 Interval(1.0, 0.5, 0.50, 0.00, 0.10),  # the plan alone on a core, 0.4 core-seconds idle
                 Interval(1.5, 0.5, 0.46, 0.00, 0.00)]  # a whole core, within the sampling's slack
    found = summarised(intervals, cores=2)
    assert (found.wall, found.main_alone) == (1.5, 1.0)
    assert found.idle_meanwhile == pytest.approx(0.4 + 0.54)
    assert (found.main, found.readers, found.emulator) == pytest.approx((1.16, 0.5, 0.4))


def test_a_process_and_the_processes_it_forks_are_told_apart():
    busy = ("import os, time\n"
            "def spin(seconds):\n"
            "    end = time.process_time() + seconds\n"
            "    while time.process_time() < end: pass\n"
            "if os.fork() == 0:\n"
            "    spin(1.4); os._exit(0)\n"
            "spin(0.4); os.wait()\n")
    intervals, done = timeline([sys.executable, "-c", busy], dict(os.environ), os.getpid())
    assert done.returncode == 0
    found = summarised(intervals, cores=2)
    assert found.readers >= 0.8  # the forked one's CPU as last seen (up to one interval's before it ended)
    assert 0.3 <= found.main < found.readers
