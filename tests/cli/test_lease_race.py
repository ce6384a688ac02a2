"""Two applies racing for the lease (record/lease.py): an apply holds it only if it reads itself back after writing
itself in. One that finds another apply's lease there after its settle -- the other wrote last -- does not go on."""

from __future__ import annotations

import asyncio

import pytest

from idamconf.record import configuration_home

from .harness import applications, apply, edit, idamconf
from .test_project_record import later, set_notes


@pytest.mark.usefixtures("applied")
def test_an_apply_that_reads_back_another_apply_after_writing_its_lease_changes_nothing(project, monkeypatch):
    from idamconf.record import lease

    edit(project / "applications/wordpress.yaml", "displayName: WordPress Blog", "displayName: Contoso Blog")
    raced = []

    async def settle(seconds):  # while this apply settles, another one writes itself in over it
        if not raced:
            raced.append(seconds)
            set_notes(project, home=configuration_home(project), lease={
                "holder": "x", "host": "build-agent-7", "pid": 1, "by": "the other apply", "until": later(10)})
        await asyncio.sleep(0)

    monkeypatch.setattr(lease, "_pause", settle)
    result = idamconf("apply", "-C", str(project), "--auto-approve", "--no-colour", "--lock-wait", "0")
    assert raced and result.code == 1, result.out
    assert "another apply of project eucs-idam is running: held by the other apply until" in result.err
    assert applications(project)["wordpress"]["displayName"] == "WordPress Blog"


def test_an_apply_whose_lease_was_taken_over_leaves_the_other_apply_holding_it(project, monkeypatch):
    """An apply that ran past its lease's expiry, taken over meanwhile by another: at its end it releases only a
    lease that is still its own, never the other apply's."""
    import json

    from idamconf.record import lease

    from .test_project_record import record

    real = lease.Lease.acquire
    theirs = {"holder": "x", "host": "build-agent-7", "pid": 1, "by": "the other apply", "until": later(10)}

    async def then_taken_over(self, wait, say=lambda text: None):
        await real(self, wait, say)
        set_notes(project, home=configuration_home(project), lease=theirs)

    monkeypatch.setattr(lease.Lease, "acquire", then_taken_over)
    assert apply(project).code == 0
    assert json.loads(record(project)["notes"])["lease"] == theirs


@pytest.mark.usefixtures("applied")
def test_a_lease_left_by_this_very_process_does_not_keep_its_next_apply_out(project):
    """One process runs one apply at a time: a lease naming this process (an earlier apply of it whose release Graph
    refused) is its own to take, though the process runs."""
    import os
    import socket

    set_notes(project, home=configuration_home(project), lease={
        "holder": "x", "host": socket.gethostname(), "pid": os.getpid(), "by": "me", "until": later(10)})
    edit(project / "applications/wordpress.yaml", "displayName: WordPress Blog", "displayName: Contoso Blog")
    result = idamconf("apply", "-C", str(project), "--auto-approve", "--no-colour", "--lock-wait", "0")
    assert result.code == 0, result.err
    assert applications(project)["wordpress"]["displayName"] == "Contoso Blog"
