"""Where an application's chain (idamconf/apply.py) gets its service principal's object id when a step needs it (a
catalog place, an assignment, a SAML policy): from the plan or from the creation's answer, which every flow awaits
first -- and otherwise, the guard for a flow that would come without it, from Graph, by the application's appId, once,
as every read is made: "not found" right after a create waited out, a lost answer read again. Pauses are recorded,
not slept."""

from __future__ import annotations

from idamconf.apply import Outcome, _ApplicationChain

from .wire import Rule, Scripted, graph_error, run


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
