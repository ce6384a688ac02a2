"""Reads that need only idamconf.yaml, started while a large configuration's application files are still being read
and validated (issue 22).

Reading 10,000 application files takes seconds, and so does reading the tenant's lists: the project's applications
with their owners, its service principals with theirs and with the app role assignments they grant (100 a page with
a relationship expanded: 100 pages each at 10,000 applications), and the access-package lists (no documented filter
narrows them: graph/read_changed.py). None of them depends on what the application files say, so they need not wait
for them: once idamconf.yaml is valid, `Early` signs in to the environment and reads them, in a thread of its own
with its own connection (the files are read by forked processes and modelled in the main thread meanwhile), and the
plan then takes them from it instead of reading them again.

The rule this keeps: a configuration with errors never causes a write, and never a request that depends on its
content. These requests are reads, and what they ask depends only on idamconf.yaml's settings -- the environment
(where, and who signs in), the project's name (its tag, and its catalogs' marker) -- on the tenant, and on how many
application files there are (not on anything in them): the directory's long lists are read as `displayName` ranges
side by side (graph/streams.py), as many as the number of files calls for, and their bounds are taken from a page of
the tenant's own display names (`sampled`), not from the files'. idamconf.yaml is validated first: if it has an
error, nothing starts. If an application file has an error, the reads are stopped (nothing more is sent) and the
error report is the same as without them. Nothing they read is ever shown: a failure of theirs (a sign-in refused,
the tenant unreachable) is not reported from here; the plan then reads the lists itself, and reports what it meets
as it always does.

Each application is held as `marshal` data until the configuration's resources are made: a live resource equal to a
wanted one then shares its attributes (plan/resources.live_application), as when its page arrives after them.

Only where it helps: a configuration read by several processes (config/application.PARALLEL_FROM files or more:
below, reading takes milliseconds), and a Graph reached over HTTP (the embedded emulator answers in-process, with
no round trip to hide -- and opening it may create its state file, which bad input must not do).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import marshal
import threading
from dataclasses import dataclass

from .client import GraphRequestFailed, query
from .connect import connect
from .read import PAGE, GovernanceLists, application_paths, early_governance, read_service_principals, tagged
from .read_assignments import Relationships, read_relationships
from .streams import EXPANDED_PAGE, Streams, read_streams

STOPPED = "the configuration has errors: its early reads were stopped"


@dataclass
class Directory:
    """The project's directory lists, held as `marshal` data until the plan takes them (see the module's notes):
    each application as `{"id", "held"}`, and its service principals and what they own and grant
    (graph/read_assignments.Relationships) whole."""

    applications: list[dict]
    held: bytes  # (service principals, owners by service principal id, assignments by service principal id)

    def application_objects(self):
        """Each application as Graph sent it, made again one at a time (and the held data let go)."""
        held, self.applications = self.applications, []
        for index, application in enumerate(held):
            held[index] = None
            yield marshal.loads(application["held"])

    def service_principals_and_relationships(self) -> tuple[list[dict], Relationships]:
        service_principals, owners, assignments = marshal.loads(self.held)
        return service_principals, Relationships(owners, assignments)


class Early:
    """The access-package lists and the directory's lists of `target`, read in a thread of their own (see the
    module's notes). `tag`: the project's tag (None: the directory's lists are not read here); `files`: how many
    application files the configuration has."""

    def __init__(self, target, timeout: float | None, marker: str, tag: str | None = None, files: int = 0):
        self.target, self.timeout, self.marker, self.tag, self.files = target, timeout, marker, tag, files
        self._result: concurrent.futures.Future = concurrent.futures.Future()
        self._client = self._loop = None
        self._found: dict = {}
        self._stopped = threading.Event()
        # a daemon: a command ends (its report said) without waiting for reads it no longer needs
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._found = asyncio.run(self._read())
            self._result.set_result(None)
        except BaseException as error:  # noqa: BLE001 - kept for `lists`, which reads again instead
            self._result.set_exception(error)

    async def _read(self) -> dict:
        async with connect(self.target, self.timeout) as client:
            self._client, self._loop = client, asyncio.get_running_loop()
            if self._stopped.is_set():
                client.stop(STOPPED)
            lists, directory = await asyncio.gather(
                early_governance(client, self.marker),
                early_directory(client, self.tag, self.files) if self.tag is not None else _nothing())
            return {"lists": lists, "directory": directory}

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
        """The access-package lists, once read, handed over (not kept here as well: they are large); None if the
        early reads failed (the plan then reads them itself)."""
        return await self._handed("lists")

    async def directory(self) -> Directory | None:
        """The directory's lists, as `lists` hands over the access-package lists."""
        return await self._handed("directory")

    async def _handed(self, name: str):
        try:
            await asyncio.wrap_future(self._result)
        except Exception:  # noqa: BLE001 - see the module's notes: reported, if at all, by the plan's own reads
            return None
        return self._found.pop(name, None)


async def early_directory(client, tag: str, files: int) -> Directory:
    """The lists a full plan reads of the project's directory (read_changed.Whole and read.read_live's), split into
    streams by `sampled`."""
    streams = await sampled(client, tag, files)
    applications, service_principals, relationships = await asyncio.gather(
        read_streams(client, application_paths(tag, streams), _held),
        read_service_principals(client, tag, streams), read_relationships(client, tag, streams))
    return Directory(applications, marshal.dumps((service_principals, relationships.owners,
                                                  relationships.assignments)))


async def _nothing() -> None:
    return None


def _held(application: dict) -> dict:
    return {"id": application["id"], "held": marshal.dumps(application)}


async def sampled(client, tag: str, files: int) -> Streams:
    """How to split the project's lists for about `files` applications: by the display names of one page of the
    project's applications (`$select=displayName`, the largest page), a sample of the tenant's names -- Graph
    lists them in no documented order, and whatever order it is, the ranges still cover every name. No request
    where one stream will do."""
    if Streams(size=files).count(EXPANDED_PAGE) <= 1:
        return Streams()
    path = query("applications", filter=tagged(tag), select="displayName", top=PAGE)
    response = await client.get(path)
    if not response.ok:
        raise GraphRequestFailed(f"GET {path}", response.error)
    return Streams.of((app.get("displayName") for app in response.body.get("value") or []), files)


def early_reads(project, env: str | None, write: bool, timeout: float | None, files: int = 0,
                directory: bool = True) -> Early | None:
    """`Early` for the environment the command targets, once idamconf.yaml is valid (`project`: its settings;
    `files`: how many application files there are; `directory`: the directory's lists too, not only the access
    packages'); None where it would not help, or where the environment does not resolve (the command then says
    why)."""
    from ..diagnostics import DiagnosticError
    from ..plan.governance import catalog_description
    from ..workflow import target_for

    try:
        target = target_for(project, env, write)
    except DiagnosticError:
        return None
    if target.emulator_state is not None:  # the embedded emulator: in-process, nothing to hide
        return None
    return Early(target, timeout, catalog_description(project.project), project.tag if directory else None,
                 files)
