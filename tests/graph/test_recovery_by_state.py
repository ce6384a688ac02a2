"""idamconf's recovery paths decide by reading state, not by the emulator's error texts (apply_recovery.py).

Graph documents no answer for a repeated adminAdd, a repeated adminRemove, a role scope a package already has, or a
write naming an object replication has not shown yet. Here the emulator answers every such refusal with one opaque
status, code and text -- as Graph's unknown wording might be -- while the first answer to each of those writes is
lost after the write was made (a 504: the client sends it again, and the repeat is refused) and replication lags:
the apply must still converge, with nothing created twice.
"""

from __future__ import annotations

import time
from collections import Counter

import pytest

from benchmarks.tenant_check import check
from idamconf.emulator import embedded
from idamconf.emulator.errors import GraphError
from idamconf.emulator.faults import Faults, parse_spec
from idamconf.emulator.protocol import Reply
from tests.cli.harness import apply, plan

OPAQUE = {"code": "Request_BadRequest", "message": "The request is not valid."}


def kind(request) -> str | None:
    """The writes whose repeat Graph refuses in words it does not document."""
    if request.method != "POST":
        return None
    if request.path.endswith("resourceRequests"):
        return (request.body or {}).get("requestType")
    return "roleScope" if request.path.endswith("resourceRoleScopes") else None


class LostAnswersOpaqueRefusals(Faults):
    def __init__(self, spec: str):
        super().__init__(parse_spec(spec))
        self.lost: set[tuple] = set()
        self.opaque: Counter = Counter()  # kind -> refusals made opaque

    async def after(self, request, reply):
        reply = await super().after(request, reply)
        written = kind(request)
        target = (written, str(request.body)) if written else None
        if target and reply.status < 300 and target not in self.lost:
            self.lost.add(target)  # done, but its answer never arrives
            error = GraphError(504, "GatewayTimeout", "The gateway did not receive a timely response.")
            return Reply(504, error.body("lost", "lost"))
        error = reply.body.get("error") if isinstance(reply.body, dict) else None
        if request.path.startswith("identityGovernance") and reply.status in (400, 409) and error:
            error.update(OPAQUE)  # a 404 keeps its meaning: Graph documents Request_ResourceNotFound
            reply.status = 400
            self.opaque[written or "other"] += 1
        return reply


LAG = "seed=6,lag=0.5s"


class Opened(list):
    """The fault policies of the embedded emulators the commands opened; `spec`: the next one's seeded faults."""

    spec = LAG


@pytest.fixture
def policies(monkeypatch) -> Opened:
    """Every embedded emulator the commands open loses those answers and answers refusals opaquely."""
    opened, real_open = Opened(), embedded.open_app

    def opening(state, seed=None, faults=None, tenant=None):
        opened.append(LostAnswersOpaqueRefusals(opened.spec))
        return real_open(state, seed, opened[-1], tenant)

    monkeypatch.setattr(embedded, "open_app", opening)
    return opened


def made_opaque(policies: list, written: str) -> int:
    return sum(policy.opaque[written] for policy in policies)


def converged(project, monkeypatch) -> None:
    monkeypatch.undo()  # a plain emulator from here on
    time.sleep(0.5)  # the last objects created become visible (the lag is at most 0.5 s)
    result = plan(project, "--detailed-exitcode")
    assert result.code == 0, result.out + result.err
    findings = check(project / ".idamconf" / "local.db")
    assert (findings.duplicates, findings.orphans) == ([], [])


def test_repeated_adds_are_recognised_by_reading_the_catalog_and_the_package(project, policies, monkeypatch):
    result = apply(project)
    assert result.code == 0, result.err
    assert made_opaque(policies, "adminAdd") > 0 and made_opaque(policies, "roleScope") > 0
    converged(project, monkeypatch)


def test_a_repeated_remove_is_recognised_by_reading_the_catalog(project, policies, monkeypatch):
    policies.spec = ""  # no lag yet: the second apply must see all the first one made
    assert apply(project).code == 0
    policies.spec = LAG
    path = project / "applications/payments-api.yaml"
    text = path.read_text()
    path.write_text(text[:text.index("    accessPackage:\n")])  # its only package gone, it leaves the catalog
    result = apply(project, "--allow-delete")
    assert result.code == 0, result.err
    assert made_opaque(policies, "adminRemove") > 0
    converged(project, monkeypatch)
