"""Two applies racing for the lease (record/lease.py): an apply holds it only if it reads itself back after writing
itself in. One that finds another apply's lease there after its settle -- the other wrote last -- does not go on."""

from __future__ import annotations

import asyncio

from idamconf.record import configuration_home

from .harness import applications, apply, edit, idamconf
from .test_project_record import later, set_notes


def test_an_apply_that_reads_back_another_apply_after_writing_its_lease_changes_nothing(project, monkeypatch):
    from idamconf.record import lease

    assert apply(project).code == 0
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
