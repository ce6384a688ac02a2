"""How apply decides a write Graph refuses (idamconf/apply_recovery.py), seen from outside: the exit code, the
terminal's text, the requests the tenant received, the pauses asked for (a fake clock) and what the tenant holds.

- a refusal (400, 404 or 409) of a write whose effect is already there is done -- whatever the status said;
- a 409 for a write whose effect is not there, while all it needs is visible, is sent once more and may land;
- something the write needs that cannot be read yet is waited for, with pauses that grow (0.25 s, 0.5 s, 1 s):
  never a busy loop, never a long fixed sleep;
- a refusal that never goes away is reported with Graph's words and how long apply waited.
"""

from __future__ import annotations

import functools
import re

import pytest

from tests.cli.harness import apply, faulted
from tests.cli.test_scenarios import converged

from .graph_view import graph, owners
from .wire import Rule, Scripted, graph_error

GOV = "identityGovernance/entitlementManagement"
ADMINISTRATORS = "eucs-idam-wordpress-administrators"


@pytest.fixture
def wordpress(project):
    """The examples with wordpress alone: one application, its two owners, its packages in one catalog."""
    for path in (project / "applications").glob("*.yaml"):
        if path.name != "wordpress.yaml":
            path.unlink()
    return project


def adds_application_owner(request) -> bool:
    return request.method == "POST" and request.path.startswith("applications/") and \
        request.path.endswith("/owners/$ref")


def refused_with(result, status: int, code: str) -> list[str]:
    """The addresses apply reports failed with the test's scripted Graph answer, one line each."""
    return re.findall(rf"^error: (\S+): {status} {code}: {code} \(scripted by the test\)$", result.err, re.MULTILINE)


def creates_package(request) -> bool:
    return request.method == "POST" and request.path == f"{GOV}/accessPackages"


def creates_administrators(request) -> bool:
    """The create of one package (the three are made side by side: a refusal of "any" would land on any of them)."""
    return creates_package(request) and (request.body or {}).get("displayName") == ADMINISTRATORS


def polls(pauses: list[float]) -> list[float]:
    """The pauses between looks at the tenant (the retry policy's polls: 0.25 s, 0.5 s, then 1 s), among every
    pause anything asked for (the lease's renewal, say)."""
    return [pause for pause in pauses if 0.25 <= pause <= 1.0]


def owner_upns(project) -> list[str]:
    return sorted(owner["userPrincipalName"] for owner in owners(project, "wordpress"))


WORDPRESS_OWNERS = ["alice.admin@contoso.com", "grace.comms@contoso.com"]


@pytest.mark.parametrize("status, sent", [(400, 2), (409, 2), (404, 3)])
def test_a_refused_owner_add_whose_owner_is_there_is_done(wordpress, monkeypatch, pauses, status, sent):
    """The tenant adds the owner but answers the add with a refusal (as a repeat of an add whose first answer was lost
    is answered): reading the owners shows it there, so the add is done -- not sent again, not a failure. (A 404 is
    first waited out by sending again, as any "not found" of a write is; that repeat's refusal is decided so too.)"""
    scripted = Scripted([Rule(adds_application_owner, graph_error(status, "Request_BadRequest"), after=True)])
    faulted(monkeypatch, scripted)
    result = apply(wordpress)
    assert result.code == 0, result.err
    assert sum(method == "POST" and path.startswith("applications/") and path.endswith("/owners/$ref")
               for method, path in scripted.received) == sent
    assert owner_upns(wordpress) == WORDPRESS_OWNERS
    monkeypatch.undo()
    converged(wordpress)


def test_an_owner_add_refused_while_it_is_not_there_is_looked_at_with_growing_pauses(wordpress, monkeypatch, pauses):
    """The first owner add is refused three times (400) and the owner is not there: each time apply reads the owners,
    pauses a little longer (0.25 s, 0.5 s, 1 s: the retry policy's polls) and sends it again; the fourth lands."""
    scripted = Scripted([Rule(adds_application_owner, graph_error(400, "Request_BadRequest"), times=3)])
    faulted(monkeypatch, scripted)
    result = apply(wordpress)
    assert result.code == 0, result.err
    assert polls(pauses) == [0.25, 0.5, 1.0]
    sent = sum(method == "POST" and path.startswith("applications/") and path.endswith("/owners/$ref")
               for method, path in scripted.received)
    assert sent == len(WORDPRESS_OWNERS) + 3
    assert owner_upns(wordpress) == WORDPRESS_OWNERS
    monkeypatch.undo()
    converged(wordpress)


def test_a_package_create_refused_with_409_while_its_catalog_is_there_is_sent_once_more_and_lands(
        wordpress, monkeypatch, pauses):
    """A 409 says nothing Graph documents about a package's create: its catalog can be read, so apply tries once
    more at once (no pause) -- and the package is made, once."""
    scripted = Scripted([Rule(creates_administrators, graph_error(409, "Request_Conflict"))])
    faulted(monkeypatch, scripted)
    result = apply(wordpress)
    assert result.code == 0, result.err
    assert scripted.count("POST", f"{GOV}/accessPackages") == 3 + 1  # three packages, one of them twice
    assert polls(pauses) == []
    monkeypatch.undo()
    converged(wordpress)


def test_a_package_create_refused_while_its_catalog_cannot_be_read_yet_waits_for_the_catalog(
        wordpress, monkeypatch, pauses):
    """The new catalog is not readable yet (404, replication) and the package's create is refused meanwhile: apply
    waits for the catalog -- reading it, pausing 0.25 s then 0.5 s -- and does not give up after one more try."""
    reads = []

    def reads_the_catalog(request) -> bool:
        if request.method == "GET" and re.fullmatch(rf"{GOV}/catalogs/[^/]+", request.path):
            reads.append(request.path)
            return True
        return False

    scripted = Scripted([Rule(creates_administrators, graph_error(400, "Request_BadRequest"), times=2),
                         Rule(reads_the_catalog, graph_error(404, "Request_ResourceNotFound"), times=2)])
    faulted(monkeypatch, scripted)
    result = apply(wordpress)
    assert result.code == 0, result.err
    assert len(reads) == 2  # after each refusal: not there yet
    assert polls(pauses) == [0.25, 0.5]
    assert scripted.count("POST", f"{GOV}/accessPackages") == 3 + 2
    monkeypatch.undo()
    converged(wordpress)


def test_a_create_answered_404_while_its_catalog_is_there_is_tried_once_more_then_graphs_answer(
        wordpress, monkeypatch, pauses):
    """A package's create answered "not found" though its catalog can be read: waited out as replication (here a few
    milliseconds), then, all it needs being there, sent once more at once -- and, refused again, reported with
    Graph's answer. The next apply finishes it."""
    from idamconf.graph import client

    monkeypatch.setattr(client, "RetryPolicy", functools.partial(client.RetryPolicy, settle=0.001))
    scripted = Scripted([Rule(creates_administrators, graph_error(404, "Request_ResourceNotFound"), times=10**6)])
    faulted(monkeypatch, scripted)
    result = apply(wordpress)
    assert result.code == 1
    refused = refused_with(result, 404, "Request_ResourceNotFound")
    assert refused == ["app.wordpress.role.Blog.Administrator.access_package"], result.err
    assert scripted.count("POST", f"{GOV}/accessPackages") == 2 + 2  # the others once, this one twice
    monkeypatch.undo()
    assert apply(wordpress).code == 0
    converged(wordpress)


def test_a_create_refused_as_forbidden_is_reported_at_once_not_waited_out(wordpress, monkeypatch, pauses):
    """403 says nothing about the tenant's state: it is Graph's answer, reported as it is, after one try -- never
    looked at again and blamed on replication."""
    scripted = Scripted([Rule(creates_administrators, graph_error(403, "Authorization_RequestDenied"), times=100)])
    faulted(monkeypatch, scripted)
    result = apply(wordpress)
    assert result.code == 1
    refused = refused_with(result, 403, "Authorization_RequestDenied")
    assert refused == ["app.wordpress.role.Blog.Administrator.access_package"], result.err
    assert scripted.count("POST", f"{GOV}/accessPackages") == 3  # each of three once
    assert polls(pauses) == []


def test_a_second_grant_refused_while_the_package_holds_only_the_first_is_sent_again(project, monkeypatch, pauses):
    """A package of its own granting two roles (examples: eucs-idam-hr-new-line-managers, HR.Employee and
    HR.Manager): the second grant's role scope is refused twice (400). The package already holds a role scope --
    the first grant's -- but not this one, so the grant is not done: apply looks, pauses and sends it again."""
    adds: list[str] = []

    def second_grant_of_a_package(request) -> bool:
        if request.method != "POST" or not request.path.endswith("/resourceRoleScopes"):
            return False
        adds.append(request.path)
        return adds.count(request.path) in (2, 3)

    scripted = Scripted([Rule(second_grant_of_a_package, graph_error(400, "Request_BadRequest"), times=2)])
    faulted(monkeypatch, scripted)
    result = apply(project)
    assert result.code == 0, result.err
    assert polls(pauses) == [0.25, 0.5]
    monkeypatch.undo()
    converged(project)
    hr = graph(project, "GET", f"{GOV}/accessPackages?$filter=displayName eq 'eucs-idam-hr-new-line-managers'"
                               "&$expand=resourceRoleScopes($expand=role)")["value"][0]
    assert sorted(scope["role"]["displayName"] for scope in hr["resourceRoleScopes"]) == ["Employee", "Line Manager"]


def test_the_looks_after_a_refusal_ask_graph_for_ids_only(wordpress, monkeypatch, pauses):
    """A refused owner add and a refused package create are each decided by one look at the tenant -- the
    application's owners, the package's catalog -- and each look asks Graph only for ids (`$select=id`): a small read
    against the tenant's request budget, however many owners or properties there are."""
    looks: dict[str, list[dict]] = {"owners": [], "catalog": []}

    def looked_at(request) -> bool:
        if request.method == "GET" and re.fullmatch(r"applications/[^/]+/owners", request.path):
            looks["owners"].append(dict(request.query))
        if request.method == "GET" and re.fullmatch(rf"{GOV}/catalogs/[^/]+", request.path):
            looks["catalog"].append(dict(request.query))
        return False

    scripted = Scripted([Rule(looked_at, graph_error(500, "never answered")),
                         Rule(adds_application_owner, graph_error(400, "Request_BadRequest")),
                         Rule(creates_administrators, graph_error(409, "Request_Conflict"))])
    faulted(monkeypatch, scripted)
    result = apply(wordpress)
    assert result.code == 0, result.err
    assert looks == {"owners": [{"$select": "id"}], "catalog": [{"$select": "id"}]}
    monkeypatch.undo()
    converged(wordpress)


def test_a_write_given_both_done_and_ready_is_refused_before_anything_is_sent():
    """`ready` decides nothing beside `done` (with `done`, a refusal is looked at until settle time whatever `ready`
    says): a call passing both is a mistake, refused at once -- saying so -- before Graph is asked anything (the chain
    given here cannot send)."""
    import asyncio

    from idamconf.apply_recovery import write_checked

    async def never() -> bool:
        raise AssertionError("nothing may be read")

    with pytest.raises(TypeError) as refused:
        asyncio.run(write_checked(None, "POST", f"{GOV}/accessPackages", {}, done=never, ready=(never,)))
    assert str(refused.value) == "write_checked: `ready` decides nothing beside `done`"
