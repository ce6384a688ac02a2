"""Where an application's chain (idamconf/apply.py) gets its service principal's object id when a step needs it (a
catalog place, an assignment, a SAML policy): from the plan or from the creation's answer, which every flow awaits
first -- and otherwise, the guard for a flow that would come without it, from Graph, by the application's appId, once,
as every read is made: "not found" right after a create waited out, a lost answer read again. Pauses are recorded,
not slept."""

from __future__ import annotations

from idamconf.apply import Outcome, _ApplicationChain
from tests.cli.harness import applications, apply, faulted, tenant

from .wire import Rule, Scripted, graph_error, run

FRANK = "1a6c1b1e-0f3d-4c36-9d2e-6a9c1f0e0006"  # frank.audit@contoso.com, of the seed


def reads_a_principal_by_app_id(request) -> bool:
    return request.method == "GET" and request.path.startswith("servicePrincipals(appId=")


def test_a_chain_without_its_service_principals_id_reads_it_by_app_id(tmp_path, monkeypatch, pauses, lose):
    """The service principal was made moments ago: the first chain's first read answers "not found" (not
    replicated yet), the second chain's loses its answer. Neither is a failure; each chain reads Graph's id, once
    however often a step asks."""
    faults = Scripted([Rule(reads_a_principal_by_app_id, graph_error(404, "Request_ResourceNotFound"))])

    async def scenario(client):
        made = await client.call("PATCH", "applications(uniqueName='blog')", {"displayName": "Blog"},
                                 {"Prefer": "create-if-missing"})
        principal = await client.call("POST", "servicePrincipals", {"appId": made.body["appId"]})
        asked = []
        for losing in (0, 1):
            chain = _ApplicationChain(client, "blog", [], Outcome(), lambda change, verb: None)
            chain.ids = {"id": made.body["id"], "appId": made.body["appId"]}
            lose.times = losing
            asked += [await chain.service_principal_id(), await chain.service_principal_id()]
        return principal.body["id"], asked, made.body["appId"]

    principal_id, asked, app_id = run(tmp_path, monkeypatch, faults, scenario)
    assert asked == [principal_id] * 4
    # each chain: a read answered "not found" (the first) or lost (the second), then one that finds it
    assert faults.received.count(("GET", f"servicePrincipals(appId='{app_id}')")) == 4
    assert pauses  # "not found" waited out


def test_an_applied_applications_service_principal_id_comes_from_the_plan_never_read_again(project, monkeypatch):
    """A role granted on an application applied before: the plan read its service principal, id and all, so apply
    grants the role there without reading the service principal again by appId -- a request per application of the
    apply's time and of Graph's throttling budget."""
    for path in (project / "applications").glob("*.yaml"):
        path.unlink()
    roster = project / "applications" / "roster.yaml"
    roster.write_text("name: roster\ndisplayName: Roster\nowners: [alice.admin@contoso.com]\n"
                      "appRoles:\n  - displayName: Reader\n    value: Roster.Read\n    description: Reads it.\n")
    assert apply(project).code == 0
    roster.write_text(roster.read_text() + "assignments:\n  - role: Roster.Read\n"
                                           "    users: [frank.audit@contoso.com]\n")
    scripted = Scripted()
    faulted(monkeypatch, scripted)
    result = apply(project)
    assert result.code == 0, result.err
    assert "Apply complete: 1 added, 0 changed, 0 destroyed." in result.out, result.out
    app_id = applications(project)["roster"]["appId"]
    principal = next(sp["id"] for sp in tenant(project)["objects"]["servicePrincipals"] if sp["appId"] == app_id)
    assert [(a["principalId"], a["resourceId"]) for a in tenant(project)["objects"]["appRoleAssignments"]] == \
        [(FRANK, principal)]
    assert scripted.count("GET", f"servicePrincipals(appId='{app_id}')") == 0
