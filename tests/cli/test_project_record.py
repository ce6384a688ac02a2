"""The project's record in the tenant: one apply at a time (the lease), and the configuration the project is bound
to (its home), so that neither a second apply nor a changed `project:` can act on what it does not own."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys

import pytest

from idamconf.emulator import Store
from idamconf.record import configuration_home, record_name
from idamconf.record.home import repository

from .harness import EXAMPLE_APPLICATIONS, EXAMPLES_TO_ADD, applications, apply, edit, idamconf, plan, tenant
from .test_changed_reads import recording
from .test_saved_plans import out_of_band
from .test_scenarios import converged

RECORD = record_name("eucs-idam")


def record(project) -> dict:
    found = [a for a in tenant(project)["objects"].get("applications", []) if a.get("uniqueName") == RECORD]
    assert len(found) == 1
    return found[0]


def set_notes(project, **state) -> None:
    store = Store(project / ".idamconf" / "local.db")
    with store.transaction():
        doc = store.find("applications", "uniqueName", RECORD)
        store.put("applications", {**doc, "notes": json.dumps({"idamconf": 1, **state})})
    store.close()


def later(minutes: int) -> str:
    return (dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_apply_records_the_configurations_home_and_releases_its_lease(project):
    assert apply(project).code == 0
    state = json.loads(record(project)["notes"])
    assert state["home"] == configuration_home(project) and state["lease"] is None
    assert record(project)["tags"] == ["idamconf-record"]
    assert (record(project)["displayName"], record(project)["description"]) == (  # what an admin sees in the portal
        "idamconf project record: eucs-idam (do not delete)", "Where idamconf keeps which configuration manages this "
        "project, and which apply is running. Not an application anyone signs in to.")
    assert RECORD not in plan(project).out  # never part of the project's plan
    converged(project)


def test_a_repository_whose_path_is_not_utf8_is_a_home_like_any_other(project, tmp_path):
    """A directory's name is any bytes on Linux; git gives the repository's top as it is: the apply records it and
    the plan after it finds the project at home (reading git's answer failed)."""
    import shutil

    from .test_pull_request_flow import committed

    moved = tmp_path / os.fsdecode(b"caf\xe9") / "config"
    shutil.move(project, moved)
    committed(moved)
    assert apply(moved).code == 0
    home = json.loads(record(moved)["notes"])["home"]
    assert home == configuration_home(moved) == f"local:{moved.resolve().as_posix()}:."
    converged(moved)


def test_a_configuration_file_whose_name_is_not_utf8_is_planned_and_applied(project, tmp_path):
    """validate read such a file, and then every plan and apply failed ('unexpected UnicodeEncodeError': the
    configuration's digest encoded its name); a saved plan of it is applied too."""
    odd = project / "applications" / os.fsdecode(b"intranet-\xff.yaml")
    odd.write_text("name: intranet\ndisplayName: Intranet\nowners: [alice.admin@contoso.com, bob.ops@contoso.com]\n"
                   "notes: The intranet.\n")
    saved = tmp_path / "saved.plan"
    planned = plan(project, "--out", str(saved))
    assert planned.code == 0 and "+ app.intranet  (create)" in planned.out, planned.err
    assert idamconf("apply", str(saved), "-C", str(project), "--auto-approve").code == 0
    assert "intranet" in applications(project)
    converged(project)


@pytest.mark.usefixtures("applied")
def test_an_apply_waits_for_the_lease_another_holds_then_refuses_with_nothing_changed(project):
    set_notes(project, home=configuration_home(project),
              lease={"holder": "x", "host": "build-agent-7", "pid": 1, "by": "GitHub Actions run 99", "until": later(10)})
    edit(project / "applications/wordpress.yaml", "displayName: WordPress Blog", "displayName: Contoso Blog")
    result = idamconf("apply", "-C", str(project), "--auto-approve", "--lock-wait", "0")
    assert result.code == 1
    assert "another apply of project eucs-idam is running: held by GitHub Actions run 99 until" in result.err
    assert "Waiting" not in result.out + result.err  # --lock-wait 0: refused at once
    assert applications(project)["wordpress"]["displayName"] == "WordPress Blog"


@pytest.mark.usefixtures("applied")
def test_an_expired_lease_or_one_of_a_process_gone_is_taken_over(project):
    home = configuration_home(project)
    edit(project / "applications/wordpress.yaml", "displayName: WordPress Blog", "displayName: Contoso Blog")
    set_notes(project, home=home, lease={"holder": "x", "host": "elsewhere", "pid": 1, "by": "a killed run",
                                         "until": later(-1)})
    assert idamconf("apply", "-C", str(project), "--auto-approve", "--lock-wait", "0").code == 0
    import socket

    edit(project / "applications/wordpress.yaml", "displayName: Contoso Blog", "displayName: Blog")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    set_notes(project, home=home, lease={"holder": "y", "host": socket.gethostname(), "pid": int(dead.stdout),
                                         "by": "a killed apply on this machine", "until": later(10)})
    assert idamconf("apply", "-C", str(project), "--auto-approve", "--lock-wait", "0").code == 0
    assert applications(project)["wordpress"]["displayName"] == "Blog"


def test_two_applies_at_once_leave_one_of_everything(project):
    command = [sys.executable, "-m", "idamconf", "apply", "-C", str(project), "--auto-approve", "--no-colour"]
    assert plan(project).code == 0  # the tenant is seeded before the race
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(run.wait(timeout=120), run.stdout.read(), run.stderr.read()) for run in runs]
    assert sorted(code for code, _, _ in results) in ([0, 0], [0, 1]), results
    for code, _, err in results:
        assert code == 0 or "The tenant changed after the plan was made" in err or "another apply" in err, err
    from .test_access_packages import governance

    packages = governance(project)
    assert all(len(package["policies"]) == 1 for package in packages.values()), packages
    converged(project)


@pytest.mark.usefixtures("applied")
def test_the_tenant_changing_while_waiting_for_the_lease_is_refused(project, monkeypatch):
    edit(project / "applications/wordpress.yaml", "displayName: WordPress Blog", "displayName: Contoso Blog")
    from idamconf.record import lease

    real = lease.Lease.acquire

    async def meanwhile(self, wait, say=lambda text: None):
        for name in ("payments-api", "expenses"):
            out_of_band(project, name, description="changed by someone else meanwhile")
        await real(self, wait, say)
    monkeypatch.setattr(lease.Lease, "acquire", meanwhile)
    result = apply(project)
    assert result.code == 1
    assert ("The tenant changed after the plan was made (app.expenses, app.payments-api): another apply ran meanwhile, "
            "or someone changed it. Nothing was changed: run apply again.") in result.err, result.err
    assert applications(project)["wordpress"]["displayName"] == "WordPress Blog"


def test_a_tenant_changed_in_many_places_is_refused_naming_the_first_ten(project, monkeypatch):
    """The refusal names what changed, but a line of a few hundred addresses helps nobody: the first ten, in order."""
    (project / "applications/bare.yaml").write_text("name: bare\ndisplayName: Bare\nowners: [alice.admin@contoso.com]\n")
    assert apply(project).code == 0
    names = sorted(applications(project))
    assert len(names) == 11 and names[-1] == "wordpress"
    from idamconf.record import lease

    real = lease.Lease.acquire

    async def meanwhile(self, wait, say=lambda text: None):
        for name in names:
            out_of_band(project, name, displayName="renamed by someone else meanwhile")
        await real(self, wait, say)
    monkeypatch.setattr(lease.Lease, "acquire", meanwhile)
    edit(project / "applications/wordpress.yaml", "displayName: WordPress Blog", "displayName: Contoso Blog")
    result = apply(project)
    assert result.code == 1
    first_ten = ", ".join(f"app.{name}" for name in names[:10])
    assert f"The tenant changed after the plan was made ({first_ten}): another apply ran meanwhile" in result.err


@pytest.mark.usefixtures("applied")
def test_a_project_bound_elsewhere_while_apply_waited_for_its_lease_is_refused(project, monkeypatch):
    """apply plans again under the lease: a configuration that bound the project meanwhile is found then, and
    nothing is changed."""
    from idamconf.record import lease

    edit(project / "applications/wordpress.yaml", "displayName: WordPress Blog", "displayName: Contoso Blog")
    real = lease.Lease.acquire

    async def meanwhile(self, wait, say=lambda text: None):
        set_notes(project, home="github.com/contoso/other-team:idam", lease=None)
        await real(self, wait, say)
    monkeypatch.setattr(lease.Lease, "acquire", meanwhile)
    result = apply(project)
    assert result.code == 1
    assert "holds project 'eucs-idam' as managed from the directory idam of repository github.com/contoso/other-team, " \
        "not from this configuration" in result.err
    assert applications(project)["wordpress"]["displayName"] == "WordPress Blog"


@pytest.mark.usefixtures("applied")
def test_a_project_bound_to_another_configuration_is_refused_unless_rebound(project):
    set_notes(project, home="github.com/contoso/other-team:idam", lease=None)
    result = plan(project)
    assert result.code == 1
    # said at the project file, where `project:` is written
    assert result.err.startswith(f"{project / 'idamconf.yaml'}: error: project: this emulated tenant "
                                 f"({project / '.idamconf' / 'local.db'}) holds project 'eucs-idam' as managed from the "
                                 "directory idam of repository github.com/contoso/other-team, not from this "
                                 "configuration"), result.err
    assert "--rebind-project" in result.err
    edit(project / "applications/wordpress.yaml", "displayName: WordPress Blog", "displayName: Contoso Blog")
    assert apply(project).code == 1
    assert applications(project)["wordpress"]["displayName"] == "WordPress Blog"
    assert plan(project, "--rebind-project").code == 0
    assert apply(project, "--rebind-project").code == 0
    assert json.loads(record(project)["notes"])["home"] == configuration_home(project)
    converged(project)


@pytest.mark.usefixtures("applied")
def test_a_project_bound_elsewhere_with_nothing_to_change_is_rebound_by_apply(project):
    """A repository moved, nothing else changed: `apply --rebind-project`, as the refusal says, binds the project
    to this configuration even though the tenant already matches it -- it said "No changes" and left the record
    naming the old home, so every later plan was refused the same way (found setting up the pull-request fuzzer)."""
    set_notes(project, home="github.com/contoso/old-place:idam", lease=None)
    assert plan(project).code == 1
    rebound = apply(project, "--rebind-project")
    assert rebound.code == 0, rebound.err
    assert json.loads(record(project)["notes"])["home"] == configuration_home(project)
    after = plan(project)
    assert after.code == 0 and "No changes." in after.out, after.err


@pytest.mark.usefixtures("applied")
def test_changing_project_to_another_name_is_refused(project):
    edit(project / "idamconf.yaml", "project: eucs-idam", "project: payroll")
    result = plan(project)
    assert result.code == 1
    assert "manages project 'eucs-idam', and now says project 'payroll'" in result.err
    assert idamconf("apply", "-C", str(project), "--auto-approve", "--allow-delete").code == 1
    assert set(applications(project)) == EXAMPLE_APPLICATIONS


@pytest.mark.usefixtures("applied")
def test_another_projects_name_cannot_be_claimed_to_delete_its_applications(project, tmp_path):
    import shutil

    other = tmp_path / "other-team"
    shutil.copytree(project, other)  # the tenant (.idamconf/local.db) comes along: the same tenant, as seen from
    for name in ("wordpress", "payments-api"):  # another team's configuration, elsewhere, saying `project: eucs-idam`
        (other / "applications" / f"{name}.yaml").unlink()
    result = idamconf("apply", "-C", str(other), "--auto-approve", "--allow-delete")
    assert result.code == 1 and "holds project 'eucs-idam' as managed from" in result.err
    assert set(applications(other)) == EXAMPLE_APPLICATIONS  # nothing was deleted


def test_two_directories_of_one_repository_are_two_homes(project, tmp_path):
    """A configuration's home names its directory in the repository: another directory of the same repository
    saying the same `project:` is another configuration, refused as any other would be."""
    import shutil

    repo = tmp_path / "identity"
    repo.mkdir()
    for command in (["init", "-q"], ["remote", "add", "origin", "https://github.com/contoso/identity.git"]):
        subprocess.run(["git", *command], cwd=repo, check=True, capture_output=True)
    first, second = repo / "teams" / "hr", repo / "teams" / "payroll"
    shutil.copytree(project, first)
    assert apply(first).code == 0
    assert json.loads(record(first)["notes"])["home"] == "github.com/contoso/identity:teams/hr"
    shutil.copytree(first, second)  # the tenant (.idamconf/local.db) comes along: the same tenant
    (second / "applications" / "wordpress.yaml").unlink()
    result = idamconf("apply", "-C", str(second), "--auto-approve", "--allow-delete")
    assert result.code == 1
    assert "holds project 'eucs-idam' as managed from the directory teams/hr of repository " \
        "github.com/contoso/identity, not from this configuration (the directory teams/payroll of repository " \
        "github.com/contoso/identity)" in result.err, result.err
    assert set(applications(second)) == EXAMPLE_APPLICATIONS  # nothing was deleted


@pytest.mark.usefixtures("applied")
def test_a_configuration_bound_to_a_project_cannot_take_one_whose_record_names_no_home(project):
    """This configuration is project eucs-idam's home; project payroll has a record naming no home yet (its first
    apply stopped before binding it). Saying `project: payroll` here is refused as any change of project is."""
    store = Store(project / ".idamconf" / "local.db")
    from tests.emulator.conftest import Api

    made = Api(store).post("applications", json={
        "displayName": "idamconf project record: payroll", "uniqueName": record_name("payroll"),
        "tags": ["idamconf-record"], "notes": json.dumps({"idamconf": 1, "home": None, "lease": None})})
    assert made.status_code == 201, made.text
    store.close()
    edit(project / "idamconf.yaml", "project: eucs-idam", "project: payroll")
    result = plan(project)
    assert result.code == 1
    assert "manages project 'eucs-idam', and now says project 'payroll'" in result.err, result.err


def test_repository_urls_name_one_repository_however_cloned():
    for url in ("https://github.com/contoso/identity.git", "git@github.com:contoso/identity.git",
                "https://x-access-token:abc@GitHub.com/contoso/identity/", "ssh://git@github.com/contoso/identity",
                "ssh://git@github.com:22/contoso/identity.git", "HTTPS://github.com/contoso/identity"):
        assert repository(url) == "github.com/contoso/identity"


def test_an_apply_holding_the_lease_keeps_another_out_and_says_who_holds_it(project, monkeypatch):
    """While one apply holds the lease, a second (another process, on this machine) is refused, told who holds it
    and until when: the lease as written (its holder, process, who and until) is what the second reads."""
    import socket

    from idamconf.record import lease

    monkeypatch.delenv("GITHUB_RUN_ID", raising=False)
    monkeypatch.setenv("USER", "alice")
    edit(project / "applications/wordpress.yaml", "displayName: WordPress Blog", "displayName: Contoso Blog")
    real, second, written = lease.Lease.acquire, [], []

    async def then_another(self, wait, say=lambda text: None):
        await real(self, wait, say)
        written.append(json.loads(record(project)["notes"])["lease"])  # the tenant's record, as any reader sees it
        second.append(subprocess.run([sys.executable, "-m", "idamconf", "apply", "-C", str(project), "--auto-approve",
                                      "--no-colour", "--lock-wait", "0"], capture_output=True, text=True))
    monkeypatch.setattr(lease.Lease, "acquire", then_another)
    first = apply(project)
    assert first.code == 0, first.err
    [refused] = second
    assert refused.returncode == 1
    held = re.search(r"another apply of project eucs-idam is running: held by alice on (.+) until "
                     r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)\. Nothing was changed\.", refused.stderr)
    assert held and held[1] == socket.gethostname(), refused.stderr
    until = dt.datetime.strptime(held[2], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
    assert dt.timedelta(minutes=9) < until - dt.datetime.now(dt.timezone.utc) <= dt.timedelta(minutes=10)
    assert applications(project)["wordpress"]["displayName"] == "Contoso Blog"  # the first apply's change, once
    [holding] = written  # what lets a later apply on this machine take over the lease of a process gone
    assert (holding["host"], holding["pid"], holding["by"], holding["until"]) == (
        socket.gethostname(), os.getpid(), f"alice on {socket.gethostname()}", held[2])


@pytest.mark.usefixtures("applied")
def test_a_lease_that_does_not_say_who_holds_it_is_held_by_someone_unknown(project):
    set_notes(project, home=configuration_home(project),
              lease={"holder": "x", "host": "build-agent-7", "pid": 1, "until": later(10)})
    edit(project / "applications/wordpress.yaml", "displayName: WordPress Blog", "displayName: Contoso Blog")
    result = idamconf("apply", "-C", str(project), "--auto-approve", "--lock-wait", "0")
    assert result.code == 1
    assert "another apply of project eucs-idam is running: held by unknown until 20" in result.err


@pytest.mark.usefixtures("applied")
def test_an_apply_waits_saying_so_once_then_refuses_naming_when_the_lease_expires(project, monkeypatch):
    import asyncio

    from idamconf.record import lease

    pauses = []

    async def recorded(seconds):  # the pauses the lease asks for, recorded rather than slept
        pauses.append(seconds)
        assert len(pauses) < 10, f"still waiting after {pauses}"  # an apply that would wait for ever fails here
        await asyncio.sleep(0)

    until = later(10)
    set_notes(project, home=configuration_home(project),
              lease={"holder": "x", "host": "build-agent-7", "pid": 1, "by": "GitHub Actions run 99", "until": until})
    monkeypatch.setattr(lease, "_pause", recorded)
    edit(project / "applications/wordpress.yaml", "displayName: WordPress Blog", "displayName: Contoso Blog")
    for wait in ("3", "4"):  # a look every 2 s, at 0 and 2 s; refused at 4 s, when it has waited as long as told
        pauses.clear()
        result = idamconf("apply", "-C", str(project), "--auto-approve", "--lock-wait", wait)
        assert result.code == 1 and pauses == [2.0, 2.0], (wait, pauses)
    assert result.err.count("Waiting for another apply of project eucs-idam to finish: held by GitHub Actions run 99 "
                            f"until {until}.") == 1  # on stderr, as every message that is not the plan or a report
    assert (f"another apply of project eucs-idam is running: held by GitHub Actions run 99 until {until}. Nothing "
            f"was changed. Run apply again when it has finished (or after {until}, when its lease expires).") \
        in result.err
    assert applications(project)["wordpress"]["displayName"] == "WordPress Blog"


def test_an_apply_renews_its_lease_while_it_runs(project, monkeypatch):
    """A tiny policy: a lease of 0.5 s, renewed every 0.1 s, while an apply of every example runs (about a second)."""
    import asyncio

    from idamconf.record import lease

    pauses, renewals = [], []
    real_sleep, real_write = asyncio.sleep, lease.Lease._write

    async def recorded(seconds):
        pauses.append(seconds)
        await real_sleep(seconds)

    async def write(self, record):
        found = [a for a in tenant(project)["objects"].get("applications", []) if a.get("uniqueName") == RECORD]
        renewals.append(json.loads(found[0]["notes"])["lease"] if found else None)  # what Graph holds before it
        await real_write(self, record)

    monkeypatch.setattr(lease, "TTL", dt.timedelta(seconds=0.5))
    monkeypatch.setattr(lease, "_pause", recorded)
    monkeypatch.setattr(lease.Lease, "_write", write)
    assert apply(project).code == 0
    assert 0.1 in pauses  # TTL / 5
    assert renewals[0] is None and len(renewals) >= 2  # acquired, then renewed while the apply ran:
    assert renewals[1]["holder"] and renewals[1]["pid"] == os.getpid()  # over the lease it had written
    assert json.loads(record(project)["notes"])["lease"] is None  # released at the end


@pytest.mark.usefixtures("applied")
def test_a_lease_of_another_machines_process_is_held_whatever_runs_here(project):
    """A process id means something only on its own machine: one that runs nowhere here is no sign that another
    machine's apply has gone."""
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    set_notes(project, home=configuration_home(project), lease={"holder": "x", "host": "build-agent-7",
                                                                 "pid": int(dead.stdout), "by": "a", "until": later(10)})
    edit(project / "applications/wordpress.yaml", "displayName: WordPress Blog", "displayName: Contoso Blog")
    result = idamconf("apply", "-C", str(project), "--auto-approve", "--lock-wait", "0")
    assert result.code == 1 and "another apply of project eucs-idam is running: held by a until" in result.err
    set_notes(project, home=configuration_home(project),  # an unreadable lease: nobody can hold it
              lease={"holder": "x", "host": "build-agent-7", "pid": 1, "by": "a", "until": "next Tuesday"})
    assert idamconf("apply", "-C", str(project), "--auto-approve", "--lock-wait", "0").code == 0
    assert applications(project)["wordpress"]["displayName"] == "Contoso Blog"


@pytest.mark.usefixtures("applied")
def test_a_lease_of_another_live_process_of_this_machine_is_held_until_it_ends(project):
    """Another apply on this machine (a process that still runs) holds its lease: a second apply is refused with
    nothing changed, and takes the lease over only once that process has ended. Asking whether it runs never
    disturbs it: it ends by itself, not by a signal (a hang-up kills a process that does not ignore it -- as this
    one does not, whatever the test's own process ignores)."""
    import socket

    edit(project / "applications/wordpress.yaml", "displayName: WordPress Blog", "displayName: Contoso Blog")
    other = subprocess.Popen([sys.executable, "-c", "import signal, sys; signal.signal(signal.SIGHUP, signal.SIG_DFL); "
                              "sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        set_notes(project, home=configuration_home(project), lease={
            "holder": "x", "host": socket.gethostname(), "pid": other.pid, "by": "bob on this machine",
            "until": later(10)})
        result = idamconf("apply", "-C", str(project), "--auto-approve", "--lock-wait", "0")
        assert result.code == 1
        assert "another apply of project eucs-idam is running: held by bob on this machine until" in result.err
        assert applications(project)["wordpress"]["displayName"] == "WordPress Blog"
    finally:
        other.stdin.close()
        other.wait(timeout=30)
    assert other.returncode == 0  # ended when told to, never signalled
    assert idamconf("apply", "-C", str(project), "--auto-approve", "--lock-wait", "0").code == 0  # it has ended
    assert applications(project)["wordpress"]["displayName"] == "Contoso Blog"


@pytest.mark.usefixtures("applied")
def test_a_lease_of_another_users_process_on_this_machine_is_held(project, monkeypatch):
    """Another user's apply on this machine (a process this user may not signal: the operating system says
    "permission denied", not "no such process") holds its lease: a second apply is refused with nothing changed."""
    import socket

    other = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    real_kill = os.kill

    def kill(pid, signal):  # the process of another user (this test may run as root, which may signal anyone)
        if pid == int(other.stdout):
            raise PermissionError(1, "Operation not permitted")
        return real_kill(pid, signal)
    monkeypatch.setattr(os, "kill", kill)
    set_notes(project, home=configuration_home(project), lease={
        "holder": "x", "host": socket.gethostname(), "pid": int(other.stdout), "by": "carol on this machine",
        "until": later(10)})
    edit(project / "applications/wordpress.yaml", "displayName: WordPress Blog", "displayName: Contoso Blog")
    result = idamconf("apply", "-C", str(project), "--auto-approve", "--lock-wait", "0")
    assert result.code == 1
    assert "another apply of project eucs-idam is running: held by carol on this machine until" in result.err
    assert applications(project)["wordpress"]["displayName"] == "WordPress Blog"


@pytest.mark.parametrize("environ, by", [
    ({"GITHUB_RUN_ID": "4242", "GITHUB_REPOSITORY": "contoso/idam"}, "GitHub Actions run 4242 of contoso/idam"),
    ({"GITHUB_RUN_ID": "4242"}, "GitHub Actions run 4242 of ?"),
    ({"USER": "alice", "USERNAME": "bob"}, "alice on {host}"), ({"USERNAME": "bob"}, "bob on {host}"),  # Windows
    ({}, "someone on {host}")])
def test_the_lease_names_the_pipeline_run_or_the_user(project, monkeypatch, environ, by):
    import socket

    from idamconf.record import lease

    for name in ("GITHUB_RUN_ID", "GITHUB_REPOSITORY", "USER", "USERNAME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    by = by.format(host=socket.gethostname())
    real, written = lease.Lease.acquire, []

    async def acquired(self, wait, say=lambda text: None):
        await real(self, wait, say)
        written.append(json.loads(record(project)["notes"])["lease"])  # the tenant's record, as any reader sees it
    monkeypatch.setattr(lease.Lease, "acquire", acquired)
    assert apply(project).code == 0
    assert written[0]["by"] == by


def test_problems_found_while_another_apply_runs_say_so(project, monkeypatch):
    """Two applies at once: the second plans while the first has made an access package and not yet given it the
    project's role, so the package looks like another team's. Its error then says that another apply is running,
    not only that the package is not the project's."""
    from .test_access_packages import WORDPRESS, graph

    access = """    accessPackage:
      approvers: [grace.comms@contoso.com, alice.admin@contoso.com]
      accessReview:
        reviewers: [grace.comms@contoso.com, frank.audit@contoso.com]
        frequencyDays: 180       # every 6 months
"""
    edit(project / WORDPRESS, access, "")
    assert apply(project).code == 0
    gov = "identityGovernance/entitlementManagement"
    catalog = graph(project, "GET", f"{gov}/catalogs")["value"][0]
    made = graph(project, "POST", f"{gov}/accessPackages", {"displayName": "eucs-idam-wordpress-writers",
                                                             "catalog": {"id": catalog["id"]}})
    graph(project, "POST", f"{gov}/assignmentPolicies", {"displayName": "made", "accessPackage": {"id": made["id"]},
                                                          "allowedTargetScope": "allMemberUsers"})
    edit(project / WORDPRESS, "    description: Drafts and edits posts; cannot publish.\n",
         "    description: Drafts and edits posts; cannot publish.\n" + access)
    conflict = "access package 'eucs-idam-wordpress-writers' already exists in catalog"
    result = plan(project)
    assert result.code == 1 and conflict in result.err
    assert "another apply" not in result.err  # nobody holds the lease: the package is simply not the project's

    set_notes(project, home=configuration_home(project), lease={
        "holder": "x", "host": "elsewhere", "pid": 1, "by": "GitHub Actions run 7 of contoso/idam", "until": later(10)})
    # the record as the binding read it; with --rebind-project (no binding to check), read for this
    for result in (plan(project), apply(project), plan(project, "--rebind-project")):
        assert result.code == 1 and conflict in result.err
        assert re.search(re.escape(f"{project / 'idamconf.yaml'}: error: project: ") +
                         r"another apply of project 'eucs-idam' is running \(held by GitHub Actions run 7 of "
                         r"contoso/idam until [\dT:Z-]+\): the problems above may be what it is making\n"
                         r"    fix: run again once it is done\n", result.err)
    # a lease that does not say who holds it is still held, and so is one naming an empty holder: an apply would wait
    # for either (a plan holds no lease, so none is its own)
    for lease in ({}, {"holder": ""}):
        set_notes(project, home=configuration_home(project),
                  lease={**lease, "host": "elsewhere", "pid": 1, "until": later(10)})
        asked = recording(monkeypatch)
        result = plan(project)
        assert result.code == 1 and "another apply of project 'eucs-idam' is running (" in result.err, lease
        # the lease said is the one the binding read, with the project's record: that record is not read again
        assert f"applications(uniqueName='{record_name('eucs-idam')}')" not in " ".join(asked), asked


@pytest.mark.usefixtures("applied")
def test_graph_refusing_the_records_write_stops_apply_naming_the_record_with_nothing_changed(project, monkeypatch):
    """Graph refuses the lease's write (an identity without the permission to write the record): apply stops before
    any change, saying which request failed and Graph's answer."""
    from idamconf.emulator import embedded
    from tests.safety.wire import Rule, Scripted, graph_error

    edit(project / "applications/wordpress.yaml", "displayName: WordPress Blog", "displayName: Contoso Blog")
    refusing = Scripted([Rule(lambda request: request.method == "PATCH" and RECORD in request.path,
                              graph_error(403, "Authorization_RequestDenied"), times=100)])
    real_open = embedded.open_app
    monkeypatch.setattr(embedded, "open_app", lambda state, seed=None, faults=None, tenant=None:
                        real_open(state, seed, refusing, tenant))
    result = apply(project)
    assert result.code == 1
    assert "error: PATCH the record of project eucs-idam: 403 Authorization_RequestDenied: Authorization_RequestDenied " \
        "(scripted by the test)" in result.err, result.err
    assert applications(project)["wordpress"]["displayName"] == "WordPress Blog"


class FakeClock:
    """One clock for the lease's pauses (record/lease.py `_pause`) and GraphClient's (its waits for replication lag
    and retries): each pause is recorded and moves the clock on without taking any time. A pause longer than
    `horizon` -- the lease's renewal, every TTL / 5 -- never ends (until cancelled): the applies these tests run are
    over, in the clock's time, long before a renewal is due."""

    def __init__(self, horizon: float = 60.0):
        self.now, self.pauses, self.horizon = 0.0, [], horizon

    async def sleep(self, seconds: float) -> None:
        import asyncio

        self.pauses.append(seconds)
        if seconds > self.horizon:
            await asyncio.Event().wait()
        self.now += seconds
        await asyncio.sleep(0)


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    from idamconf.graph.client import GraphClient
    from idamconf.record import lease

    fake = FakeClock()
    monkeypatch.setattr(lease, "_pause", fake.sleep)

    async def pause(self, seconds):
        await fake.sleep(seconds)
    monkeypatch.setattr(GraphClient, "pause", pause)
    return fake


def behind_after_the_records_write(policy, times: int, skip: int = 0):
    """Graph's replicas behind its write primary: the first `skip` reads of the record after this run's first write of
    it are answered, then the next `times` reads are "not found" (a replica that has not seen the record created
    seconds ago yet), as Graph answers a read of an application just created."""
    from tests.safety.wire import Rule, graph_error

    seen = []

    def matches(request) -> bool:
        if request.method != "GET" or RECORD not in request.path:
            return False
        if not any(method == "PATCH" and RECORD in path for method, path in policy.received):
            return False
        seen.append(request.path)
        return len(seen) > skip

    policy.rules.append(Rule(matches, graph_error(404, "Request_ResourceNotFound"), times=times))


def record_writes(policy) -> int:
    return sum(method == "PATCH" and RECORD in path for method, path in policy.received)


def test_the_first_apply_waits_out_replication_lag_on_the_record_it_created_and_writes_its_lease_once(
        project, monkeypatch, clock):
    """The first apply of a project creates the record with its lease, then reads it back: Graph answers "not found"
    while the new record replicates. That read waits it out and finds the lease held -- not taken for a lease lost,
    written again and the apply started a poll later: Graph receives the lease's write once, and its release."""
    from tests.safety.wire import Scripted

    from .harness import faulted

    policy = Scripted()
    behind_after_the_records_write(policy, times=3)
    faulted(monkeypatch, policy)
    result = apply(project)
    assert result.code == 0, result.err
    assert record_writes(policy) == 2, policy.received  # the lease written, then released
    # The lease settles (0.05 s: the embedded emulator is consistent at once), its read-back waits out the lag (0.25,
    # 0.5, 1 s), and its renewal would come two minutes on: no poll (2 s) of a lease someone else seemed to hold.
    assert clock.pauses == [0.05, 0.25, 0.5, 1.0, 120.0], clock.pauses
    assert json.loads(record(project)["notes"]) == {"idamconf": 1, "home": configuration_home(project), "lease": None}
    converged(project)


def test_an_apply_releases_its_lease_though_graph_answers_not_found_for_the_record_at_first(
        project, monkeypatch, clock):
    """The release reads the record before clearing the lease: a replica that has not yet seen the record a first
    apply created answers "not found". That is waited out, and the lease released: else it would keep every other
    machine's apply out for its ten minutes."""
    from tests.safety.wire import Scripted

    from .harness import faulted

    policy = Scripted()
    behind_after_the_records_write(policy, times=2, skip=1)  # the lease's read-back answered; the release's not
    faulted(monkeypatch, policy)
    result = apply(project)
    assert result.code == 0, result.err
    assert record_writes(policy) == 2, policy.received
    assert json.loads(record(project)["notes"]) == {"idamconf": 1, "home": configuration_home(project), "lease": None}


def test_against_a_served_tenant_the_lease_settles_two_seconds_before_reading_itself_back(project, clock, tmp_path):
    """Only the embedded emulator, one process's state consistent at once, may read the lease back at once (0.05 s):
    over HTTP -- Graph, or an emulator served like it -- the lease waits 2 s, longer than another apply takes from
    reading the lease free to writing itself in, before it reads itself back. (A fake clock: nothing is slept.)"""
    from tests.emulator.conftest import serving

    for path in (project / "applications").glob("*.yaml"):  # one small application: a short apply
        if path.name != "orders-portal.yaml":
            path.unlink()
    assert plan(project).code == 0  # the embedded tenant, seeded with the directory's users
    with serving(Store(project / ".idamconf" / "local.db")) as emulator:
        edit(project / "idamconf.yaml", "    emulator: true\n    seed: emulator/directory.yaml\n",
             f"    graphUrl: {emulator.base_url}\n    credential: emulator\n    secretFiles: {tmp_path / 'secrets'}\n")
        result = apply(project)
    assert result.code == 0, result.err
    assert clock.pauses[:1] == [2.0], clock.pauses
    assert json.loads(record(project)["notes"])["lease"] is None


def raw_notes(project, notes: str) -> None:
    """The record's notes as anyone who can write the application may leave them."""
    store = Store(project / ".idamconf" / "local.db")
    with store.transaction():
        store.put("applications", {**store.find("applications", "uniqueName", RECORD), "notes": notes})
    store.close()


@pytest.mark.usefixtures("applied")
@pytest.mark.parametrize("notes", ["{not json", "[1, 2]", '{"idamconf": 1, "home": 5, "lease": null}',
                                   '{"idamconf": 1, "home": null, "lease": "held"}'])
def test_a_record_whose_notes_do_not_parse_names_no_home_and_no_lease(project, notes):
    """Everything in the record is untrusted: notes that are not the record's state are read as naming no home and
    no lease -- the next apply binds the project to this configuration again, holding the lease meanwhile."""
    raw_notes(project, notes)
    edit(project / "applications/wordpress.yaml", "displayName: WordPress Blog", "displayName: Contoso Blog")
    done = apply(project)
    assert done.code == 0, done.err
    assert applications(project)["wordpress"]["displayName"] == "Contoso Blog"
    assert json.loads(record(project)["notes"]) == {"idamconf": 1, "home": configuration_home(project), "lease": None}


def test_an_application_tagged_as_a_record_without_a_records_name_is_no_record(project):
    """Only an application named idamconf.project.<project> is a project's record: another one carrying the tag,
    whatever its notes say, binds nothing."""
    assert plan(project).code == 0  # the tenant, before any record
    api_store = Store(project / ".idamconf" / "local.db")
    from tests.emulator.conftest import Api

    made = Api(api_store).post("applications", json={
        "displayName": "Not a record", "uniqueName": "mallory.proj.abc.eucs-idam", "tags": ["idamconf-record"],
        "notes": json.dumps({"idamconf": 1, "home": "github.com/mallory/takeover:idam", "lease": None})})
    assert made.status_code == 201, made.text
    api_store.close()
    result = plan(project)
    assert result.code == 0, result.err
    assert apply(project).code == 0
    assert json.loads(record(project)["notes"])["home"] == configuration_home(project)


@pytest.mark.usefixtures("applied")
def test_graph_refusing_the_records_read_stops_apply_with_nothing_changed(project, monkeypatch):
    """A record Graph will not let idamconf read is not "no record" (which would let anyone bind the project): apply
    stops, saying which read failed, before any change."""
    from tests.safety.wire import Rule, Scripted, graph_error

    from .harness import faulted

    edit(project / "applications/wordpress.yaml", "displayName: WordPress Blog", "displayName: Contoso Blog")
    faulted(monkeypatch, Scripted([Rule(lambda request: request.method == "GET" and RECORD in request.path,
                                        graph_error(403, "Authorization_RequestDenied"), times=100)]))
    result = apply(project)
    assert result.code == 1
    assert "GET the record of project eucs-idam: 403 Authorization_RequestDenied" in result.err, result.err
    monkeypatch.undo()
    assert applications(project)["wordpress"]["displayName"] == "WordPress Blog"


@pytest.mark.usefixtures("applied")
def test_a_copy_with_its_emulated_tenant_says_so_and_each_fix_it_names_works(project, tmp_path):
    """examples/ copied with its .idamconf/ (the embedded emulator's state, applied from the original): the copy's
    plan says that this emulated tenant came from the other configuration, and the exact commands: a reset (an
    empty tenant of its own) or --rebind-project (keep it). Each works as said."""
    import shlex
    import shutil

    copy = tmp_path / "my copy"
    shutil.copytree(project, copy)
    refused = plan(copy)
    assert refused.code == 1
    state = copy / ".idamconf" / "local.db"
    assert refused.err.startswith(
        f"{copy / 'idamconf.yaml'}: error: project: this emulated tenant ({state}) holds project 'eucs-idam' as managed "
        f"from the directory {project.resolve()}, not from this configuration (the directory {copy.resolve()}): its "
        "state (.idamconf/) was copied or moved here from there with the files"), refused.err
    reset = f"idamconf emulator reset -C {shlex.quote(str(copy))} -e local"
    rebind = f"idamconf apply -C {shlex.quote(str(copy))} -e local --rebind-project"
    assert f"fix: for an empty emulated tenant of this configuration's own, run `{reset}`; to keep this tenant's " \
           f"contents and manage the project from here, run `{rebind}` once" in refused.err
    kept = tmp_path / "kept"
    shutil.copytree(copy, kept)
    assert idamconf(*shlex.split(reset)[1:]).code == 0  # as written in the fix
    fresh = plan(copy)
    assert fresh.code == 0 and f"Plan: {EXAMPLES_TO_ADD} to add, 0 to change" in fresh.out, fresh.err  # all anew
    rebound = idamconf(*shlex.split(rebind.replace(str(copy), str(kept)))[1:], "--auto-approve")
    assert rebound.code == 0, rebound.err
    assert "No changes." in plan(kept).out
    assert plan(project).code == 0  # the original's own emulated tenant is its own still


def test_a_tenant_bound_to_another_configuration_names_both_plainly_and_the_options():
    """Not an emulator's state: two configurations (two copies against one served emulator, or one tenant) saying
    one project. Said with both locations in words, and the exact apply to take over or the project name to change."""
    from idamconf.record import Record, home_problems

    records = {"eucs-idam": Record("eucs-idam", home="local:/work/examples", exists=True)}
    [problem] = home_problems(records, "eucs-idam", "github.com/contoso/identity:teams/hr", "copy/idamconf.yaml",
                              "copy", "served")
    assert problem.summary == ("project 'eucs-idam' is managed from the directory /work/examples, not from this "
                               "configuration (the directory teams/hr of repository github.com/contoso/identity): "
                               "applying it here would change, or delete, what that configuration manages")
    assert "run `idamconf apply -C copy -e served --rebind-project` once" in problem.fix
    assert "give this one a project name of its own (`project:` in copy/idamconf.yaml)" in problem.fix
    renamed = home_problems({"eucs-idam": Record("eucs-idam", home="local:/work/x", exists=True)}, "payroll",
                            "local:/work/x", "idamconf.yaml", ".", "local")
    assert renamed[0].fix.startswith("put `project: eucs-idam` back; or, if the project was renamed deliberately, run "
                                     "`idamconf apply -e local --rebind-project` once")


def test_a_home_is_described_in_words():
    from idamconf.record.home import described

    assert described("local:/work/copy") == "the directory /work/copy"
    assert described("github.com/contoso/identity:teams/hr") == \
        "the directory teams/hr of repository github.com/contoso/identity"
    assert described("github.com/contoso/identity:.") == "repository github.com/contoso/identity"
    assert described("local:/srv/repo:idam") == \
        "the directory idam of the git repository at /srv/repo (no remote named origin)"
    assert described("local:C:/Users/me/config") == "the directory C:/Users/me/config"
