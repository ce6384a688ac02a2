"""A large configuration's access-package lists are read while its application files are (graph/early.py): once,
by reads that depend on idamconf.yaml alone -- never on an application file, and never when idamconf.yaml has an
error -- and a configuration with an error still writes nothing and reports exactly what it reported before."""

from __future__ import annotations

import pytest

from benchmarks.synthetic import TENANT_ID, write_configuration
from benchmarks.tenant import SERVED, point_at
from idamconf.config import application
from idamconf.emulator import Store
from idamconf.emulator.embedded import prepare
from idamconf.graph import early

from ..cli.harness import apply, plan
from ..cli.test_changed_reads import recording
from ..cli.test_pull_request_flow import committed
from ..emulator.conftest import serving
from ..safety.wire import Scripted

GOVERNANCE = "identityGovernance/entitlementManagement/"


@pytest.fixture
def large(monkeypatch):
    """Read as a large configuration is -- `meanwhile` given `parallel` where processes would be forked -- but here,
    in shares: no process is forked beside the served emulator's thread."""
    def in_shares(shares, processes, project, defaults, meanwhile, keep=False):
        meanwhile()
        return [application.modelled(read, project, defaults)
                for share in shares for read in application._read_share(share, keep)]

    monkeypatch.setattr(application, "processes_for", lambda files: 2)
    monkeypatch.setattr(application, "_in_processes", in_shares)


@pytest.fixture
def served(tmp_path):
    """A synthetic configuration of 6 applications, applied to a tenant served over loopback HTTP, whose requests
    (the early reads' connection's and the plan's alike) the returned policy records."""
    yield from _served(tmp_path)


@pytest.fixture
def served_repository(tmp_path):
    """`served`, its configuration a git repository, committed before it was applied (for `--changed-since`)."""
    yield from _served(tmp_path, repository=True)


def _served(tmp_path, repository: bool = False):
    root = tmp_path / "config"
    write_configuration(root, 6)
    store = Store(tmp_path / "served.db")
    prepare(store, root / "emulator" / "directory.yaml", {"id": TENANT_ID})
    faults = Scripted()
    with serving(store, faults) as emulator:
        point_at(root, emulator.base_url)
        if repository:  # (before the apply: the project is then bound to the repository's configuration)
            committed(root)
        assert apply(root, "-e", SERVED).code == 0
        faults.received.clear()
        yield root, faults


def test_the_package_lists_are_read_once_while_the_files_are(large, served, monkeypatch):
    root, faults = served
    started, handed = [], []
    real, real_lists = early.Early.__init__, early.Early.lists
    monkeypatch.setattr(early.Early, "__init__", lambda self, *args: started.append(args) or real(self, *args))

    async def lists(self):
        handed.append(await real_lists(self))
        return handed[-1]

    monkeypatch.setattr(early.Early, "lists", lists)
    result = plan(root, "-e", SERVED)
    assert result.code == 0, result.err
    assert result.out.strip().endswith("No changes. The tenant matches the configuration.")
    [found] = handed  # the early reads ran, read the lists -- the project's catalog's resources too -- and the plan
    assert found.packages and found.policies and any(found.resources.values())  # used what they read:
    for listed in ("accessPackages", "assignmentPolicies", "catalogs"):  # (one page each)
        assert [path for _, path in faults.received].count(GOVERNANCE + listed) == 1, listed


def test_a_pull_request_plan_reading_packages_by_name_never_reads_the_tenants_package_lists(large,
                                                                                          served_repository,
                                                                                          monkeypatch):
    """The early reads read the tenant's package lists whole; a pull request's plan whose files gave package names at
    the ref reads those packages by name instead (graph/read_changed.py), so it must not start them: at 10,000
    applications they would be some thirty round trips it never uses."""
    root, _ = served_repository
    changed = root / "applications" / "app-00003.yaml"
    changed.write_text(changed.read_text().replace("Application 3 of", "The third application of"))
    started = []
    real = early.Early.__init__
    monkeypatch.setattr(early.Early, "__init__", lambda self, *args: started.append(self) or real(self, *args))
    asked = recording(monkeypatch)
    result = plan(root, "-e", SERVED, "--changed-since", "HEAD")
    assert result.code == 0, result.err
    assert "~ app.app-00003  (update)" in result.out
    for reads in started:  # a thread of their own, not waited for by the command: let them send what they send
        reads._thread.join(timeout=10)
    packages = [path for path in asked if path.split("?")[0] == GOVERNANCE + "accessPackages"]
    assert packages and all("$filter=displayName eq '" in path for path in packages), packages


def test_an_application_file_with_an_error_reports_the_same_and_its_content_reaches_no_request(large, served,
                                                                                              monkeypatch):
    root, faults = served
    broken = root / "applications" / "app-00002.yaml"
    broken.write_text(broken.read_text().replace("displayName: Synthetic", "displayNme: Synthetic"))
    result = plan(root, "-e", SERVED)
    assert result.code == 1 and "unknown key 'displayNme'" in result.err
    assert all(method == "GET" for method, _ in faults.received)  # reads only: never a write
    assert not any("app-0000" in path or "Synthetic" in path for _, path in faults.received), faults.received
    monkeypatch.setattr(early, "Early", lambda *args: pytest.fail("no early reads expected"))
    monkeypatch.setattr("idamconf.graph.early.early_reads", lambda *args: None)
    assert plan(root, "-e", SERVED).err == result.err  # the report is what it is without the early reads


def test_an_application_file_with_an_error_stops_the_early_reads(large, served, monkeypatch):
    """Round trips of 0.4 s: the file's error is found while the early reads' first requests are on their way; what
    they would ask next -- the resources of the project's catalogs, once the catalogs are listed -- is never asked."""
    root, faults = served
    faults.latency = 0.4
    started = []
    real = early.Early.__init__
    monkeypatch.setattr(early.Early, "__init__", lambda self, *args: started.append(self) or real(self, *args))
    broken = root / "applications" / "app-00002.yaml"
    broken.write_text(broken.read_text().replace("displayName: Synthetic", "displayNme: Synthetic"))
    assert plan(root, "-e", SERVED).code == 1
    [reads] = started
    reads._thread.join(timeout=10)
    assert not reads._thread.is_alive()
    assert [path for _, path in faults.received if path.startswith(GOVERNANCE + "catalogs")] in \
        ([], [GOVERNANCE + "catalogs"]), faults.received  # the catalogs, perhaps, sent before: never their resources


def test_an_error_in_idamconf_yaml_starts_nothing(large, served):
    root, faults = served
    project = root / "idamconf.yaml"
    project.write_text(project.read_text().replace("project:", "projec:"))
    result = plan(root, "-e", SERVED)
    assert result.code == 1 and "unknown key 'projec'" in result.err, result.err  # the file's error, no traceback
    assert faults.received == []


def test_stopped_before_it_has_signed_in_it_sends_nothing():
    """A file's error may be found before the early reads have even connected: stopping them then is no error,
    and once connected they send nothing."""
    import asyncio
    import contextlib
    import threading

    connecting, stopped, asked = threading.Event(), [], []

    class Client:
        def stop(self, reason):
            stopped.append(reason)

    @contextlib.asynccontextmanager
    async def connect(target, timeout):
        await asyncio.get_running_loop().run_in_executor(None, connecting.wait)
        yield Client()

    async def governance(client, marker):
        asked.append(stopped[:])  # what the client had been told by the time anything would be sent
        return "the lists"

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(early, "connect", connect)
        patch.setattr(early, "early_governance", governance)
        reads = early.Early(None, None, "marker")
        reads.stop()  # before it has connected
        connecting.set()
        reads._thread.join(timeout=10)
    assert asked == [[early.STOPPED]]  # stopped before its first request


def test_connected_and_stopped_it_sends_nothing_more():
    import asyncio
    import contextlib
    import threading

    connected, stopped, asked = threading.Event(), [], []
    release = threading.Event()

    class Client:
        def stop(self, reason):
            stopped.append(reason)

    @contextlib.asynccontextmanager
    async def connect(target, timeout):
        asked.append(timeout)
        yield Client()

    async def governance(client, marker):
        connected.set()
        await asyncio.get_running_loop().run_in_executor(None, release.wait)  # its first request on its way
        return None

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(early, "connect", connect)
        patch.setattr(early, "early_governance", governance)
        reads = early.Early(None, 7.0, "marker")
        assert connected.wait(10)
        reads.stop()
        release.set()
        reads._thread.join(timeout=10)
    assert stopped == [early.STOPPED] and asked == [7.0]  # (signed in within the command's --timeout)


def test_reads_ending_after_the_plan_stopped_waiting_for_them_end_quietly(monkeypatch):
    """A plan that fails elsewhere stops waiting for the early reads (its task is cancelled, and with it what it
    awaited): when they end after that, their thread ends without an exception -- which Python would print as a
    traceback on the user's terminal."""
    import asyncio
    import contextlib
    import threading

    release, failures = threading.Event(), []
    monkeypatch.setattr(threading, "excepthook", failures.append)

    @contextlib.asynccontextmanager
    async def connect(target, timeout):
        yield type("Client", (), {"stop": lambda self, reason: None})()

    async def governance(client, marker):
        await asyncio.get_running_loop().run_in_executor(None, release.wait)
        return "the lists"

    monkeypatch.setattr(early, "connect", connect)
    monkeypatch.setattr(early, "early_governance", governance)
    reads = early.Early(None, None, "marker")

    async def plan_that_fails():
        waiting = asyncio.ensure_future(reads.lists())
        await asyncio.sleep(0.05)
        waiting.cancel()  # as asyncio.run does to what is left when the command ends on an error

    asyncio.run(plan_that_fails())
    release.set()
    reads._thread.join(timeout=10)
    assert not reads._thread.is_alive() and failures == []


@pytest.mark.parametrize("outcome", ["the lists", RuntimeError("the tenant is unreachable")])
def test_what_the_early_reads_found_or_their_failure_reaches_the_plan_quietly(monkeypatch, outcome):
    """The plan gets the lists, or None when the early reads failed (it then reads them itself): never an
    exception of theirs, never a wait that does not end, and their thread ends without one."""
    import asyncio
    import contextlib
    import threading

    failures = []
    monkeypatch.setattr(threading, "excepthook", failures.append)

    @contextlib.asynccontextmanager
    async def connect(target, timeout):
        yield type("Client", (), {"stop": lambda self, reason: None})()

    async def governance(client, marker):
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    monkeypatch.setattr(early, "connect", connect)
    monkeypatch.setattr(early, "early_governance", governance)
    reads = early.Early(None, None, "marker")
    found = asyncio.run(asyncio.wait_for(reads.lists(), timeout=10))
    reads._thread.join(timeout=10)
    assert found == (None if isinstance(outcome, Exception) else "the lists") and failures == []


def test_the_early_reads_sign_in_as_the_command_does(tmp_path, monkeypatch):
    """plan's early reads as the read identity, apply's as the write identity; within the command's --timeout;
    and looking for the catalogs idamconf made for this project."""
    from idamconf.config.load import PROJECT_FILE, project_configuration
    from idamconf.config.yamlfile import load
    from idamconf.plan.governance import catalog_description

    root = tmp_path / "config"
    write_configuration(root, 1)
    point_at(root, "http://127.0.0.1:9/v1.0")
    text = (root / PROJECT_FILE).read_text().replace("credential: emulator", "credential: emulator\n"
                                                    "    clientId: 00000000-0000-0000-0000-0000000000aa\n"
                                                    "    readClientId: 00000000-0000-0000-0000-0000000000bb")
    (root / PROJECT_FILE).write_text(text)
    project = project_configuration(root, load(root / PROJECT_FILE, PROJECT_FILE)[0])
    made = []
    monkeypatch.setattr(early, "Early", lambda *args: made.append(args))
    early.early_reads(project, SERVED, False, 42.0)
    early.early_reads(project, SERVED, True, None)
    (reading, timeout, marker), (writing, _, _) = made
    assert (reading.client_id, writing.client_id) == ("00000000-0000-0000-0000-0000000000bb",
                                                      "00000000-0000-0000-0000-0000000000aa")
    assert timeout == 42.0 and marker == catalog_description(project.project)


def test_a_command_ends_without_waiting_for_early_reads_it_no_longer_needs(tmp_path):
    """Reads still on their way (a tenant that does not answer) never hold up the end of the process."""
    import subprocess
    import sys

    script = tmp_path / "ends.py"
    script.write_text(
        "import asyncio, contextlib\n"
        "from idamconf.graph import early\n"
        "@contextlib.asynccontextmanager\n"
        "async def connect(target, timeout):\n"
        "    await asyncio.sleep(3600)\n"
        "    yield None\n"
        "early.connect = connect\n"
        "early.Early(None, None, 'marker').stop()\n"
        "print('ended')\n")
    import os
    from pathlib import Path

    import idamconf

    here = str(Path(idamconf.__file__).parents[1])  # this idamconf, whichever copy the tests import
    ended = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60,
                           env={**os.environ, "PYTHONPATH": here})
    assert ended.returncode == 0 and ended.stdout == "ended\n", ended.stderr


def test_plan_and_apply_start_their_early_reads_for_the_environment_named_as_themselves(large, served, monkeypatch):
    """The early reads a command starts are of the environment it was given (not the default one), signed in as that
    command signs in -- plan as the read identity, apply as the write identity -- within its --timeout."""
    from idamconf.config.load import PROJECT_FILE

    root, _ = served
    text = (root / PROJECT_FILE).read_text().replace("credential: emulator", "credential: emulator\n"
                                                    "    clientId: 00000000-0000-0000-0000-0000000000aa\n"
                                                    "    readClientId: 00000000-0000-0000-0000-0000000000bb")
    (root / PROJECT_FILE).write_text(text)
    started = []
    real = early.Early.__init__
    monkeypatch.setattr(early.Early, "__init__", lambda self, *args: started.append(args) or real(self, *args))
    assert plan(root, "-e", SERVED, "--timeout", "42").code == 0
    assert apply(root, "-e", SERVED).code == 0
    (reading, read_timeout, _), (writing, write_timeout, _) = started
    assert (reading.environment, reading.client_id, read_timeout) == (SERVED, "00000000-0000-0000-0000-0000000000bb",
                                                                      42.0)
    assert (writing.environment, writing.client_id, write_timeout) == (SERVED, "00000000-0000-0000-0000-0000000000aa",
                                                                       1800)  # apply's default --timeout
