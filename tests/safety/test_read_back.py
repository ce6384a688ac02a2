"""A write Graph refuses is decided by reading the tenant back (idamconf/apply_recovery.py), never by the refusal's
text: it counts as done only when its effect is there. An owner Graph refuses once (400) for a reason of its own is
not an owner yet: it is sent again, and lands."""

from __future__ import annotations

import re

from tests.cli.harness import EXAMPLES_TO_ADD, apply, faulted
from tests.cli.test_scenarios import converged

from .graph_view import application, owners
from .wire import Rule, Scripted, graph_error


def adds_owner(request) -> bool:
    return request.method == "POST" and request.path.endswith("/owners/$ref")


def test_an_owner_refused_once_is_sent_again_not_taken_as_done(project, monkeypatch, pauses):
    scripted = Scripted([Rule(adds_owner, graph_error(400, "Request_BadRequest"))])
    faulted(monkeypatch, scripted)
    result = apply(project)
    assert result.code == 0, result.err
    assert f"Apply complete: {EXAMPLES_TO_ADD} added, 0 changed, 0 destroyed." in result.out
    owners_added = len(re.findall(r"^  \+ app\.\S+\.owner\.\S+  \(create\)$", result.out, re.MULTILINE))
    sent = sum(method == "POST" and path.endswith("/owners/$ref") for method, path in scripted.received)
    assert (owners_added, sent) == (20 + 20, 20 + 20 + 1)  # the application's and the service principal's; one again
    monkeypatch.undo()
    converged(project)  # every owner is there: a plan finds nothing to add
    wordpress = {owner["userPrincipalName"] for owner in owners(project, "wordpress")}
    assert wordpress == {"alice.admin@contoso.com", "grace.comms@contoso.com"}
    assert application(project, "wordpress")["displayName"] == "WordPress Blog"
