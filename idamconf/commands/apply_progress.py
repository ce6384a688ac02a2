"""Apply at scale, as the person running it sees it: how far it is, and a safe way to stop it.

An apply of thousands of applications is bounded by Graph's write budget (3,000 writes per 150 s: graph/budget.py)
and takes many minutes. `Progress` is apply's report of each change (one line each, as before) plus where it
stands: changes done of the plan's, the rate over the last `WINDOW` seconds and the time left at that rate. On a
terminal the standing is one line kept at the bottom, rewritten; in a pipeline (a log) it is a plain line every
`PERIOD` seconds. The rate is measured over a recent window rather than since the start: the budget lets the first
3,000 writes go at once and the rest at its refill, and only the recent rate says how the rest will go -- or,
while the burst is the recent past, the budget itself: the writes left take at least the time it refills them in.

`interruptible`: the first Ctrl-C stops sending -- nothing new goes to Graph, the requests in flight finish (a write
cut in the middle would leave its object half-made), each change not made says so -- and apply ends saying that
applying again resumes: every apply plans from the tenant as it is, so the next one finishes the rest. A second
Ctrl-C is Python's own: it stops at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import time
from collections import deque

from ..escape import terminal
from ..plan.model import Action
from ..plan.placeholders import deferred_identifier_uris

WINDOW = 30.0  # seconds of recent progress the rate is measured over
PERIOD = 10.0  # seconds between two progress lines in a pipeline
INTERRUPTED = "not sent: apply was interrupted (Ctrl-C)"
VERB_SYMBOL = {"created": "+", "added": "+", "updated": "~", "disabled": "~", "removed": "-", "destroyed": "-",
               "adopted": "↻"}
# The identity writes (those Graph's write budget counts: graph/cost.py) apply makes for a change of each kind, from
# which the time left is estimated while the budget is what bounds it. Entitlement management's objects (catalogs,
# packages, policies, role scopes, grants) are outside the identity budget; roles, permissions and exposed scopes
# travel in their application's own write. tests/cli/test_apply_progress.py holds the sum to the writes the
# emulator counts in an apply of examples/, which has a change of every kind. An estimate, not a rule: where a kind
# takes one write more or less (a change of roles alone is one write of their application's), the time left is off
# by that write's share.
IDENTITY_WRITES = {"application": 1, "service_principal": 1, "owner": 1, "service_principal_owner": 1,
                   "assignment": 1, "consent": 1, "delegated_consent": 1, "secret": 1, "federated_credential": 1,
                   "certificate": 1, "claims_policy": 1,
                   "pre_authorized": 1,  # a client this apply creates is pre-authorised once it exists
                   "logo": 2,  # the image, then its marker among the application's tags
                   "signing_certificate": 2,  # addTokenSigningCertificate, then the service principal's thumbprint
                   # (saml/apply.py) the service principal's mode, the template's roles disabled, then replaced by
                   # the file's, the application claimed, the reply URLs, the service principal's SAML settings
                   "saml": 6}


def symbol(change, verb: str) -> str:
    """The change's mark as the plan showed it: by the verb, or, for a verb of one kind's own (a logo is `uploaded`,
    whether the plan creates or updates it), by the change's action -- a created logo was `~` beside the plan's `+`."""
    return VERB_SYMBOL.get(verb) or ("+" if change.action is Action.CREATE else "~")


def expected_writes(change) -> int:
    """The identity writes applying `change` takes (a plan's Change)."""
    writes = IDENTITY_WRITES.get(change.kind, 0)
    if change.kind == "application" and change.action is Action.CREATE and deferred_identifier_uris(change.after):
        writes += 1  # its identifier URIs naming its app id, once Graph has given it one
    return writes


class Progress:
    """apply's `report(change, verb)`, keeping count. `total`: the changes the plan makes, counted as the plan's and
    apply's summaries count them (Change.counted).

    Counted alike on purpose: "N/M changes" ends at the total of "Plan: ..." and of "Apply complete: A added, C
    changed, D destroyed", so that nobody reads a difference as changes missing. A role's (or scope's) disable-first
    step is a write of its own that Graph requires, but it is part of the change or removal it precedes, not a change
    of its own: it is listed as it completes (`~ ...: disabled`) and not counted."""

    def __init__(self, total: int, stream=None, clock=time.monotonic, tty: bool | None = None, budget=None,
                 writes: int | None = None):
        self.total, self.done = total, 0
        self.budget = budget  # graph/budget.Budget, if writes are paced: the time left is at least its own
        self.writes = writes  # the identity writes the plan's changes take (expected_writes), if known
        self.stream = stream or sys.stdout
        self.clock = clock
        self.tty = self.stream.isatty() if tty is None else tty
        self.started = self.last_line = clock()
        self.recent: deque[float] = deque()  # when each of the recent changes was done
        self.shown = False  # a standing line is at the bottom of the terminal

    def __call__(self, change, verb: str) -> None:
        now = self.clock()
        if change.counted:  # (a disable-first step: listed, not counted -- see the class)
            self.done += 1
            self.recent.append(now)
        while self.recent and self.recent[0] < now - WINDOW:
            self.recent.popleft()
        self._clear()
        self.stream.write(f"  {symbol(change, verb)} {terminal(change.address)}: {verb}\n")
        if self.tty:
            self.stream.write(self.standing(now))
            self.shown = True
        elif now - self.last_line >= PERIOD:
            self.stream.write(f"progress: {self.standing(now)}\n")
            self.last_line = now
        self.stream.flush()

    def rate(self, now: float) -> float:
        """Changes a second over the recent window (since the start while that is shorter)."""
        span = min(WINDOW, now - self.started)
        return len(self.recent) / span if span > 0 else 0.0

    def standing(self, now: float) -> str:
        """`7,001/14,003 changes (50%) in 75 s, 93.1/s, about 1 min 15 s left`."""
        done, total = min(self.done, self.total), max(self.total, 1)
        rate = self.rate(now)
        text = f"{done:,}/{self.total:,} changes ({100 * done // total}%) in {now - self.started:.0f} s, {rate:.1f}/s"
        if rate > 0 and done < self.total:
            text += f", about {_duration(self.left(rate))} left"
        return text

    def left(self, rate: float) -> float:
        """Seconds left: at the recent rate of changes -- unless the write budget bounds the rest: then the time it
        allows the writes left. The budget lets its first 3,000 writes go at once: the rate of that burst says
        nothing of the refill's 20 a second that the rest goes at. And the changes do not share the writes evenly
        (an application's writes come first in its chain, its access packages' none later), so the writes left are
        the plan's (`writes`) less those made; without them, the writes a change has taken so far stand for the
        rest's, and the estimate is only a bound."""
        remaining = self.total - min(self.done, self.total)
        seconds = remaining / rate
        if self.budget is None or not self.done:
            return seconds
        if self.writes is not None:
            bounded = self.budget.seconds_for_writes(max(0, self.writes - self.budget.written))
            return bounded if bounded > 0 else seconds
        if self.budget.written:
            seconds = max(seconds, self.budget.seconds_for_writes(remaining * self.budget.written / self.done))
        return seconds

    def finish(self) -> None:
        """The last standing, as a line of its own (a pipeline's log ends with the whole time)."""
        self._clear()
        self.stream.write(f"progress: {self.standing(self.clock())}\n")
        self.stream.flush()

    def _clear(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.shown = False


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes} min {seconds} s" if minutes < 60 else f"{minutes // 60} h {minutes % 60} min"


@contextlib.contextmanager
def interruptible(client, say=lambda text: print(text, file=sys.stderr, flush=True)):
    """While inside, Ctrl-C stops `client` sending (GraphClient.stop); yields a list that holds True once it did."""
    interrupted: list[bool] = []
    loop = asyncio.get_running_loop()

    def stop() -> None:
        interrupted.append(True)
        client.stop(INTERRUPTED)
        say("\nInterrupted: nothing more is sent; the requests in flight are finishing (Ctrl-C again stops at once).")
        loop.remove_signal_handler(signal.SIGINT)  # the next one is Python's own

    try:
        loop.add_signal_handler(signal.SIGINT, stop)
    except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or no signals here
        yield interrupted
        return
    try:
        yield interrupted
    finally:
        loop.remove_signal_handler(signal.SIGINT)
