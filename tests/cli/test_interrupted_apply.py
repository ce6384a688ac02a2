"""An apply that stops half-way -- Graph refusing a write, or the process killed -- is finished by the next one."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys

import pytest

from idamconf.emulator import embedded
from idamconf.emulator.errors import GraphError
from idamconf.emulator.protocol import Reply

from .harness import EXAMPLE_APPLICATIONS, EXAMPLES_TO_ADD, applications, apply, edit, plan, tenant
from .test_access_packages import governance
from .test_scenarios import converged


class RefuseWritesAfter:
    """A fault policy: the first `allowed` writes succeed, later ones are refused as Graph would (403)."""

    def __init__(self, allowed: int):
        self.allowed = allowed

    async def before(self, request):
        if request.method == "GET" or request.path == "$batch":
            return None
        self.allowed -= 1
        if self.allowed >= 0:
            return None
        error = GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
        return Reply(403, error.body("test", "test"))

    async def after(self, request, reply):
        return reply


def test_graph_refusal_half_way_is_reported_per_change_and_finished_next_time(project, monkeypatch):
    real_open = embedded.open_app
    monkeypatch.setattr(embedded, "open_app", lambda state, seed=None, faults=None, tenant=None: real_open(
        state, seed, RefuseWritesAfter(4), tenant))
    result = apply(project)
    assert result.code == 1
    assert "403 Authorization_RequestDenied: Insufficient privileges to complete the operation." in result.err
    assert "Traceback" not in result.out + result.err
    assert "What was done stays done" in result.err
    monkeypatch.setattr(embedded, "open_app", real_open)
    pending = plan(project)
    # Some of it was done and stays done: fewer than the changes of an empty tenant are left, but some are (an
    # application created before the refusal may still need its `{appId}` identifier URI: a change, never a deletion).
    left = re.search(r"^Plan: (\d+) to add, \d+ to change, 0 to destroy\.$", pending.out, re.MULTILINE)
    assert left is not None, pending.out
    assert 0 < int(left.group(1)) < EXAMPLES_TO_ADD
    assert apply(project).code == 0
    converged(project)
    assert set(applications(project)) == EXAMPLE_APPLICATIONS


def kill_apply_when(project, landed) -> None:
    """Run apply in its own process and SIGKILL it as soon as it reports a change for which `landed(line)`."""
    command = [sys.executable, "-m", "idamconf", "apply", "-C", str(project), "--auto-approve", "--no-colour"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    for line in process.stdout:
        if landed(line):
            process.send_signal(signal.SIGKILL)
            break
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL, "apply finished before it could be killed"


def test_apply_killed_half_way_is_finished_by_the_next_apply(project):
    kill_apply_when(project, lambda line: line.startswith("  + ") and ": created" in line)  # the first write
    assert apply(project).code == 0
    converged(project)
    assert set(applications(project)) == EXAMPLE_APPLICATIONS


@pytest.mark.parametrize("writes", [3, 9, 16, 24, 33])
def test_apply_cut_at_any_write_is_finished_without_duplicates(project, monkeypatch, writes):
    """The examples take 49 writes; cut after `writes` of them, the next apply must finish the rest."""
    real_open = embedded.open_app
    monkeypatch.setattr(embedded, "open_app", lambda state, seed=None, faults=None, tenant=None: real_open(
        state, seed, RefuseWritesAfter(writes), tenant))
    assert apply(project).code == 1
    monkeypatch.setattr(embedded, "open_app", real_open)
    assert apply(project, "--allow-delete").code == 0
    converged(project)
    assert len(governance(project)) == 8  # asserts no duplicate catalog or package on the way


def test_apply_killed_after_the_first_access_package_is_finished(project):
    kill_apply_when(project, lambda line: ".access_package: created" in line)
    assert apply(project).code == 0
    converged(project)
    assert len(governance(project)) == 8


class RefuseLeavingCatalogs(RefuseWritesAfter):
    """Graph refuses to take an application out of a catalog (adminRemove), as a cut-short apply would leave it."""

    async def before(self, request):
        if request.path.endswith("resourceRequests") and (request.body or {}).get("requestType") == "adminRemove":
            error = GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
            return Reply(403, error.body("test", "test"))
        return None


@pytest.mark.usefixtures("applied")
def test_moving_to_a_new_catalog_cut_short_is_finished(project, monkeypatch):
    edit(project / "idamconf.yaml", "  catalog: EUCS IDAM applications", "  catalog: New catalog")
    real_open = embedded.open_app
    monkeypatch.setattr(embedded, "open_app", lambda state, seed=None, faults=None, tenant=None: real_open(
        state, seed, RefuseLeavingCatalogs(0), tenant))
    assert apply(project, "--allow-delete").code == 1
    monkeypatch.setattr(embedded, "open_app", real_open)
    pending = plan(project)
    assert "- app.wordpress.catalog[EUCS IDAM applications]  (destroy)" in pending.out
    assert apply(project, "--allow-delete").code == 0
    converged(project)
    links = tenant(project)["links"]
    # Catalogs are never deleted (they may hold other teams' packages): the old one is still there, emptied of the
    # project's applications.
    old = [c["id"] for c in tenant(project)["objects"]["catalogs"] if c["displayName"] == "EUCS IDAM applications"]
    assert len(old) == 1
    assert [t for r, s, t in links if r == "catalogResources" and s in old] == []
    new = [c["id"] for c in tenant(project)["objects"]["catalogs"] if c["displayName"] == "New catalog"]
    assert len([t for r, s, t in links if r == "catalogResources" and s in new]) == 4  # and a package's group
