"""A write Graph refuses is decided by reading the tenant back (idamconf/apply_recovery.py), never by the refusal's
text: it counts as done only when its effect is there. An owner Graph refuses once (400) for a reason of its own is
not an owner yet: it is sent again, and lands."""

from __future__ import annotations

import re

import pytest

from tests.cli.harness import EXAMPLES_TO_ADD, apply, edit, faulted
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



def test_a_catalog_read_not_found_while_deciding_a_refused_add_is_replication_not_a_failure(project, monkeypatch,
                                                                                           pauses):
    """The application's add to the catalog is refused once (400); reading the catalog back to decide it answers
    "not found" -- the catalog created moments ago is not visible to that read yet. That is "not there yet", not a
    failure of the apply: the add is sent again after a pause, and lands."""
    for path in (project / "applications").glob("*.yaml"):
        if path.name != "wordpress.yaml":
            path.unlink()
    refused = []

    def adds_to_catalog(request) -> bool:
        if request.method == "POST" and request.path.endswith("/resourceRequests") and \
                (request.body or {}).get("requestType") == "adminAdd":
            refused.append(request.path)
            return True
        return False

    def reads_the_catalog_after_the_refusal(request) -> bool:
        return request.method == "GET" and request.path.endswith("/resources") and bool(refused)

    scripted = Scripted([Rule(adds_to_catalog, graph_error(400, "Request_BadRequest")),
                         Rule(reads_the_catalog_after_the_refusal, graph_error(404, "Request_ResourceNotFound"))])
    faulted(monkeypatch, scripted)
    result = apply(project)
    assert result.code == 0, result.err
    assert "+ app.wordpress.catalog[EUCS IDAM applications]: added" in result.out
    sent = scripted.count("POST", "identityGovernance/entitlementManagement/resourceRequests")
    assert sent == 2 and 0.25 in pauses  # sent again after the first look
    monkeypatch.undo()
    converged(project)


def test_a_create_refused_twice_while_what_it_needs_is_there_is_graphs_refusal_reported_at_once(project, monkeypatch,
                                                                                               pauses):
    """An access package's create refused (400) while its catalog is visible: nothing is missing, so it is sent once
    more at once -- it may have become visible since -- and, refused again, Graph's refusal is reported as it is,
    never waited out and blamed on replication (the application's later steps are skipped)."""
    for path in (project / "applications").glob("*.yaml"):
        if path.name != "wordpress.yaml":
            path.unlink()

    def creates_package(request) -> bool:
        return request.method == "POST" and request.path.endswith("/accessPackages")

    scripted = Scripted([Rule(creates_package, graph_error(400, "Request_BadRequest"), times=100)])
    faulted(monkeypatch, scripted)
    result = apply(project)
    assert result.code == 1
    refused = re.findall(r"^error: (\S+): 400 Request_BadRequest: Request_BadRequest \(scripted by the test\)",
                         result.err, re.MULTILINE)
    assert refused == ["app.wordpress.role.Blog.Administrator.access_package"], result.err  # the rest skipped
    assert "still so after waiting" not in result.err and "None" not in result.err
    assert scripted.count("POST", "identityGovernance/entitlementManagement/accessPackages") == 6  # each of three twice


def test_a_role_scope_refused_until_the_wait_ends_names_graphs_refusal_and_the_wait(project, monkeypatch, pauses):
    """A role scope refused (400) while its effect never shows: it is looked for until the retry policy's settle
    time (here a few milliseconds), then reported with Graph's refusal and how long it waited."""
    import functools

    from idamconf.graph import client

    monkeypatch.setattr(client, "RetryPolicy", functools.partial(client.RetryPolicy, settle=0.001))
    for path in (project / "applications").glob("*.yaml"):
        if path.name != "wordpress.yaml":
            path.unlink()

    def adds_role_scope(request) -> bool:
        return request.method == "POST" and request.path.endswith("/resourceRoleScopes")

    faulted(monkeypatch, Scripted([Rule(adds_role_scope, graph_error(400, "Request_BadRequest"), times=1000)]))
    result = apply(project)
    assert result.code == 1
    assert re.search(r"^error: app\.wordpress\.role\.Blog\.\w+\.access_package\.role_scope: 400 Request_BadRequest: "
                     r"Request_BadRequest \(scripted by the test\) -- still so after waiting 0 s for Graph to "
                     r"replicate what this apply created; run apply again to finish$", result.err, re.MULTILINE), \
        result.err


def test_an_application_made_by_a_lost_answer_is_read_back_once_replication_shows_it(project, monkeypatch, pauses):
    """The application's create commits but its answer is lost (504); sent again, Graph answers "already there, now
    up to date" (204, no ids), and apply reads the application by its name -- a read that replication may answer
    "not found" for a moment. That is waited out, not a failure: apply completes and reports the ids Graph holds."""
    for path in (project / "applications").glob("*.yaml"):
        path.unlink()
    (project / "applications" / "plain.yaml").write_text(
        "name: plain\ndisplayName: Plain\nowners: [alice.admin@contoso.com]\nservicePrincipal:\n  owners: []\n")

    upserted = []

    def upserts(request) -> bool:
        upserted.append(request.method == "PATCH" and request.path == "applications(uniqueName='plain')")
        return upserted[-1]

    def reads_after_the_upsert(request) -> bool:  # plan's own read by name, before, is answered as it is
        return any(upserted) and request.method == "GET" and request.path == "applications(uniqueName='plain')"

    read_lag = Rule(reads_after_the_upsert, graph_error(404, "Request_ResourceNotFound"))
    faulted(monkeypatch, Scripted([Rule(upserts, graph_error(504, "GatewayTimeout"), after=True), read_lag]))
    result = apply(project)
    assert result.code == 0, result.err
    assert "Apply complete: 3 added, 0 changed, 0 destroyed." in result.out, result.out
    assert read_lag.times == 0  # the read by name was answered "not found" once, and asked again
    monkeypatch.undo()
    app = application(project, "plain")
    assert f"      client id (appId)     {app['appId']}\n" in result.out, result.out
    assert f"      object id             {app['id']}\n" in result.out, result.out
    converged(project)


@pytest.mark.parametrize("status, code, waited", [
    (404, "Request_ResourceNotFound", " -- still so after waiting 0 s for Graph to replicate what this apply created; "
                                      "run apply again to finish"),
    (403, "Authorization_RequestDenied", "")])
def test_a_write_refused_says_graphs_words_and_a_wait_only_for_not_found(project, monkeypatch, pauses, status, code,
                                                                        waited):
    """An application's update that Graph keeps answering "not found" is waited out for the retry policy's settle
    time (here a few milliseconds), then reported with Graph's answer and the wait; any other refusal (403) is
    reported at once, in Graph's words alone -- it is not replication, and waiting would not help."""
    import functools

    from idamconf.graph import client

    monkeypatch.setattr(client, "RetryPolicy", functools.partial(client.RetryPolicy, settle=0.001))
    for path in (project / "applications").glob("*.yaml"):
        if path.name != "wordpress.yaml":
            path.unlink()
    assert apply(project).code == 0
    edit(project / "applications" / "wordpress.yaml", "displayName: WordPress Blog", "displayName: Company Blog")

    def updates(request) -> bool:
        return request.method == "PATCH" and request.path.startswith("applications/")

    faulted(monkeypatch, Scripted([Rule(updates, graph_error(status, code), times=1000)]))
    result = apply(project)
    assert result.code == 1
    assert f"error: app.wordpress: {status} {code}: {code} (scripted by the test){waited}" in result.err.splitlines(), \
        result.err
