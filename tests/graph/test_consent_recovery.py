"""A consent whose answer is lost is recognised by reading state, never made twice (apply_permissions.py).

Here the first answer to every consent written -- an app role assignment on the client's side, a delegated grant --
is lost after the write was made (a 504: Graph may or may not have done it), and a refused repeat is answered in
words Graph does not document. The apply must still converge, each consent held once.
"""

from __future__ import annotations

from collections import Counter

import pytest

from idamconf.emulator import embedded
from idamconf.emulator.errors import GraphError
from idamconf.emulator.faults import NoFaults
from idamconf.emulator.protocol import Reply
from tests.cli.harness import apply, tenant
from tests.cli.test_scenarios import converged

OPAQUE = {"code": "Request_BadRequest", "message": "The request is not valid."}


def consent(request) -> str | None:
    if request.method != "POST":
        return None
    if request.path.endswith("appRoleAssignments"):
        return "assignment"
    return "grant" if request.path.rstrip("/").endswith("oauth2PermissionGrants") else None


class LostConsents(NoFaults):
    def __init__(self):
        self.lost: set[str] = set()
        self.refused: Counter = Counter()

    async def after(self, request, reply):
        written = consent(request)
        if written is None:
            return reply
        if reply.status < 300 and str(request.body) not in self.lost:
            self.lost.add(str(request.body))  # made, but the answer never arrives
            return Reply(504, GraphError(504, "GatewayTimeout", "No timely response.").body("lost", "lost"))
        if reply.status >= 400 and isinstance(reply.body, dict) and "error" in reply.body:
            reply.body["error"].update(OPAQUE)
            reply.status = 400
            self.refused[written] += 1
        return reply


@pytest.fixture
def lost(monkeypatch) -> list:
    opened, real_open = [], embedded.open_app

    def opening(state, seed=None, faults=None, tenant=None):
        opened.append(LostConsents())
        return real_open(state, seed, opened[-1], tenant)

    monkeypatch.setattr(embedded, "open_app", opening)
    return opened


def test_lost_answers_to_consents_are_recognised_and_nothing_is_made_twice(project, lost, monkeypatch):
    result = apply(project)
    assert result.code == 0, result.err
    assert sum(len(policy.lost) for policy in lost) == 3  # two app role assignments and a grant
    assert sum(policy.refused["assignment"] for policy in lost) == 2  # each repeat refused, then found done
    monkeypatch.undo()
    converged(project)
    objects = tenant(project)["objects"]
    held = [(a["principalId"], a["resourceId"], a["appRoleId"]) for a in objects["appRoleAssignments"]
            if a["principalType"] == "ServicePrincipal"]  # consents (people's and groups' are the examples' own)
    assert len(held) == len(set(held)) == 2
    assert len(objects["oauth2PermissionGrants"]) == 1
