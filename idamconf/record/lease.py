"""One apply at a time per project and tenant: a lease held in the project's record (record/record.py).

Graph offers no lock and no conditional write on applications, so the lease is written and then read back: an
apply writes itself into the record's `notes` as the holder (with an expiry), waits `settle` seconds -- longer than
another apply takes from reading the lease free to writing itself in (the embedded emulator, consistent at once,
needs only what two processes sharing its state file take between a read and a write) -- and holds the lease only
if it reads itself back. Of two applies that raced, the one written last
wins and the other waits. The lease expires unless renewed (every `TTL / 5` while the apply runs), so an apply that
was killed holds it for at most `TTL`; on the same machine, the lease of a process that no longer runs is taken over
at once. A second apply waits up to `--lock-wait` seconds, saying who holds the lease, then refuses with nothing
changed. Pipelines also serialise applies per environment with a concurrency group (examples/ci): the lease is
what holds when two pipelines, or a pipeline and an engineer, apply to one tenant at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import socket
import uuid
from dataclasses import dataclass

from ..graph.client import GraphClient, GraphRequestFailed
from .record import RECORD_TAG, Record, notes, read_record, record_name

TTL = dt.timedelta(minutes=10)
POLL = 2.0  # seconds between looks at a lease someone else holds


class LeaseHeld(Exception):
    """Another apply holds the project's lease, and did not release it in time."""


@dataclass
class Lease:
    client: GraphClient
    project: str
    home: str  # written into the record when it names none (or with rebind)
    rebind: bool = False
    settle: float = 2.0
    holder: str = ""

    def __post_init__(self):
        self.holder = self.holder or str(uuid.uuid4())

    @property
    def path(self) -> str:
        return f"applications(uniqueName='{record_name(self.project)}')"

    def mine(self, until: dt.datetime) -> dict:
        return {"holder": self.holder, "host": socket.gethostname(), "pid": os.getpid(), "by": who(),
                "until": until.strftime("%Y-%m-%dT%H:%M:%SZ")}

    async def acquire(self, wait: float, say=lambda text: None) -> None:
        """Hold the lease, waiting up to `wait` seconds for another apply to release it; `say` tells the user why
        it waits (once)."""
        waited, told = 0.0, False
        while True:
            record = await read_record(self.client, self.project)
            if free(record.lease, self.holder):
                await self._write(record)
                await _pause(self.settle)
                again = await read_record(self.client, self.project, written=True)
                if (again.lease or {}).get("holder") == self.holder:
                    return
            elif waited >= wait:
                raise LeaseHeld(f"another apply of project {self.project} is running: {describe(record.lease)}. "
                                f"Nothing was changed. Run apply again when it has finished (or after "
                                f"{record.lease.get('until')}, when its lease expires).")
            elif not told:
                say(f"Waiting for another apply of project {self.project} to finish: {describe(record.lease)}.")
                told = True
            await _pause(POLL)
            waited += POLL

    async def renew(self) -> None:
        """Keep the lease while the apply runs (a task: cancelled when the apply is done)."""
        while True:
            await _pause(TTL.total_seconds() / 5)
            await self._write(await read_record(self.client, self.project, written=True))

    async def release(self) -> None:
        record = await read_record(self.client, self.project, written=True)
        if (record.lease or {}).get("holder") == self.holder:
            await self._send(record.home, None)

    async def _write(self, record: Record) -> None:
        await self._send(self.home if self.rebind or record.home is None else record.home,
                         self.mine(_now() + TTL))

    async def _send(self, home: str | None, lease: dict | None) -> None:
        """The record, created if missing (an upsert by its name: safe to repeat, and found by Graph even while a
        just-created record is still replicating)."""
        body = {"displayName": f"idamconf project record: {self.project} (do not delete)",
                "description": "Where idamconf keeps which configuration manages this project, and which apply is "
                               "running. Not an application anyone signs in to.",
                "tags": [RECORD_TAG], "notes": notes(home, lease)}
        response = await self.client.call("PATCH", self.path, body, {"Prefer": "create-if-missing"})
        if not response.ok:
            raise GraphRequestFailed(f"PATCH the record of project {self.project}", response.error)


def free(lease: dict | None, holder: str | None) -> bool:
    """A lease nobody holds, that expired, that is `holder`'s, or whose process on this machine no longer runs.
    `holder` None: asked by a plan, which holds no lease, so that no lease is its own -- not even one naming an empty
    holder, which an apply (holding a uuid) would wait for."""
    if not lease or (holder is not None and lease.get("holder") == holder):
        return True
    try:
        until = dt.datetime.strptime(str(lease.get("until")), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
    except ValueError:
        return True  # unreadable: nobody can hold it
    if until <= _now():
        return True
    pid = lease.get("pid")
    # On this machine: a process that no longer runs holds nothing; nor does this one, which runs one apply at a
    # time (a lease of its own that it could not release, e.g. when Graph refused the write, is its own).
    return lease.get("host") == socket.gethostname() and isinstance(pid, int) and \
        (pid == os.getpid() or not _running(pid))


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


async def _pause(seconds: float) -> None:
    """Every wait of the lease -- its settle, its polls, its renewals -- is this one call: the seam a test's fake clock
    replaces, together with `GraphClient.pause` (the waits of the reads that wait out Graph's replication lag), so
    that one clock orders both (tests/cli/test_project_record.py)."""
    await asyncio.sleep(seconds)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def who() -> str:
    """Who is applying, for the message another apply shows: the pipeline run, or the user on the machine."""
    run = os.environ.get("GITHUB_RUN_ID")
    if run:
        return f"GitHub Actions run {run} of {os.environ.get('GITHUB_REPOSITORY', '?')}"
    user = os.environ.get("USER") or os.environ.get("USERNAME") or "someone"
    return f"{user} on {socket.gethostname()}"


def describe(lease: dict | None) -> str:
    lease = lease or {}
    return f"held by {lease.get('by', 'unknown')} until {lease.get('until', 'unknown')}"


@contextlib.asynccontextmanager
async def held(lease: Lease, wait: float, say=lambda text: None):
    """The lease held for the duration of the block, renewed meanwhile, released at the end."""
    await lease.acquire(wait, say)
    renewing = asyncio.ensure_future(lease.renew())
    try:
        yield lease
    finally:
        renewing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewing
        with contextlib.suppress(Exception):  # an unreleased lease expires; the apply's own outcome matters more
            await lease.release()
