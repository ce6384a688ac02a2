"""Reads that need only idamconf.yaml, started while a large configuration's application files are still being read
and validated (issue 22).

Reading 10,000 application files takes seconds, and so does reading the tenant's access-package lists: no documented
filter narrows them (graph/read_changed.py), so they are read whole, 999 a page, one page after another -- 14 pages
of packages and 14 of policies at 10,000 applications, each a round trip. They depend on nothing the application
files say, so they need not wait for them: once idamconf.yaml is valid, `Early` signs in to the environment and
reads them, in a thread of its own with its own connection (the files are read by forked processes and modelled in
the main thread meanwhile), and the plan then takes them from it instead of reading them again.

The rule this keeps: a configuration with errors never causes a write, and never a request that depends on its
content. These requests are reads, and what they ask depends only on idamconf.yaml's settings -- the environment
(where, and who signs in) and the project's name (its catalogs' marker) -- which are validated first: if
idamconf.yaml has an error, nothing starts. If an application file has an error, the reads are stopped (nothing
more is sent) and the error report is the same as without them. Nothing they read is ever shown: a failure of
theirs (a sign-in refused, the tenant unreachable) is not reported from here; the plan then reads the lists itself,
and reports what it meets as it always does.

Only where it helps: a configuration read by several processes (config/application.PARALLEL_FROM files or more:
below, reading takes milliseconds), and a Graph reached over HTTP (the embedded emulator answers in-process, with
no round trip to hide -- and opening it may create its state file, which bad input must not do).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading

from .connect import connect
from .read import GovernanceLists, early_governance

STOPPED = "the configuration has errors: its early reads were stopped"


class Early:
    """The access-package lists of `target`, read in a thread of their own (see the module's notes)."""

    def __init__(self, target, timeout: float | None, marker: str):
        self.target, self.timeout, self.marker = target, timeout, marker
        self._result: concurrent.futures.Future = concurrent.futures.Future()
        self._client = self._loop = self._found = None
        self._stopped = threading.Event()
        # a daemon: a command ends (its report said) without waiting for reads it no longer needs
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._found = asyncio.run(self._read())
            outcome = self._result.set_result, None
        except BaseException as error:  # noqa: BLE001 - kept for `lists`, which reads again instead
            outcome = self._result.set_exception, error
        try:
            outcome[0](outcome[1])
        except concurrent.futures.InvalidStateError:  # no longer awaited (the plan stopped waiting): nothing to say
            self._found = None

    async def _read(self) -> GovernanceLists:
        async with connect(self.target, self.timeout) as client:
            self._client, self._loop = client, asyncio.get_running_loop()
            if self._stopped.is_set():
                client.stop(STOPPED)
            return await early_governance(client, self.marker)

    def stop(self) -> None:
        """Send nothing more (the configuration has errors); what is in flight finishes, and the thread ends."""
        self._stopped.set()
        loop, client = self._loop, self._client
        if loop is not None and client is not None:
            try:
                loop.call_soon_threadsafe(client.stop, STOPPED)
            except RuntimeError:  # its loop has closed: it sent everything already
                pass

    async def lists(self) -> GovernanceLists | None:
        """The lists, once read, handed over (not kept here as well: they are large); None if the early reads
        failed (the plan then reads them itself)."""
        try:
            await asyncio.wrap_future(self._result)
        except Exception:  # noqa: BLE001 - see the module's notes: reported, if at all, by the plan's own reads
            return None
        found, self._found = self._found, None
        return found


def sign_in_early(project, env: str | None, write: bool) -> None:
    """Start signing in to the environment the command targets, once idamconf.yaml is valid (`project`: its
    settings), while the files are read (graph/signed_in_early.py); nothing where the environment does not resolve
    (the command then says why)."""
    from ..workflow import target_for
    from .connect import sign_in_early as start

    try:
        start(target_for(project, env, write))
    except Exception:  # noqa: BLE001 - whatever stops it here, the command's own sign-in meets and reports
        return


def early_reads(project, env: str | None, write: bool, timeout: float | None) -> Early | None:
    """`Early` for the environment the command targets, once idamconf.yaml is valid (`project`: its settings);
    None where it would not help, or where the environment does not resolve (the command then says why)."""
    from ..diagnostics import DiagnosticError
    from ..plan.governance import catalog_description
    from ..workflow import target_for

    try:
        target = target_for(project, env, write)
    except DiagnosticError:
        return None
    if target.emulator_state is not None:  # the embedded emulator: in-process, nothing to hide
        return None
    return Early(target, timeout, catalog_description(project.project))
