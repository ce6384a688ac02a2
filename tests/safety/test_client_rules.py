"""GraphClient's smaller rules, each as Graph and the caller see it: how often it looks again while replication
hides an object, how queries are written, what a failed list says, what a batch sends, when a pause would pass
the time bound. Pauses are recorded, not slept."""

from __future__ import annotations

import time

import pytest

from idamconf.emulator.protocol import Reply
from idamconf.graph.client import BatchRequest, GraphRequestFailed, GraphUnavailable, Response, query

from .wire import Rule, Scripted, graph_error, run


def on(method: str, path: str):
    return lambda request: (request.method, request.path) == (method, path)


BLOG = "applications(uniqueName='blog')"


def create_blog(client):
    return client.call("PATCH", BLOG, {"displayName": "Blog"}, {"Prefer": "create-if-missing"})


def test_a_write_waits_for_replication_looking_again_at_a_quarter_a_half_then_every_second(
        tmp_path, monkeypatch, pauses):
    faults = Scripted([Rule(on("PATCH", BLOG), graph_error(404, "Request_ResourceNotFound"), times=4)])
    response = run(tmp_path, monkeypatch, faults, lambda client: client.call("PATCH", BLOG, {"displayName": "B"},
                                                                             {"Prefer": "create-if-missing"}))
    assert response.status == 201
    assert pauses == [0.25, 0.5, 1.0, 1.0]


def test_a_read_is_not_waited_for(tmp_path, monkeypatch, pauses):
    faults = Scripted()
    response = run(tmp_path, monkeypatch, faults, lambda client: client.get(BLOG))
    assert response.status == 404 and pauses == [] and faults.count("GET", BLOG) == 1


def test_queries_are_written_with_their_values_escaped():
    assert query("applications") == "applications"
    assert query("users", select="id,userPrincipalName", top=None) == "users?$select=id,userPrincipalName"
    assert query("applications", filter="displayName eq 'R&D #1'", top=999) == \
        "applications?$filter=displayName%20eq%20%27R%26D%20%231%27&$top=999"
    assert query("x", expand="owners($select=id)", filter="tags/any(t:t eq 'a=b')") == \
        "x?$expand=owners($select=id)&$filter=tags/any(t:t%20eq%20%27a=b%27)"


def test_a_failed_list_says_which_list_and_why(tmp_path, monkeypatch, pauses):
    faults = Scripted([Rule(on("GET", "applications"), graph_error(403, "Authorization_RequestDenied"))])

    async def scenario(client):
        with pytest.raises(GraphRequestFailed) as failed:
            await client.get_all("applications?$top=999")
        return failed.value

    failure = run(tmp_path, monkeypatch, faults, scenario)
    assert str(failure) == ("GET applications?$top=999: 403 Authorization_RequestDenied: "
                            "Authorization_RequestDenied (scripted by the test)")
    assert failure.failure.status == 403


def test_pages_follow_each_other_without_waiting_and_a_page_without_value_is_empty(tmp_path, monkeypatch, pauses):
    faults = Scripted([Rule(on("GET", "servicePrincipals"), Reply(200, {"@odata.context": "x"}))])

    async def scenario(client):
        for number in range(3):
            await client.call("PATCH", f"applications(uniqueName='app{number}')", {"displayName": f"A{number}"},
                              {"Prefer": "create-if-missing"})
        kept = await client.get_all("applications?$top=1", keep=lambda app: app["displayName"])
        return kept, await client.get_all("servicePrincipals")

    kept, principals = run(tmp_path, monkeypatch, faults, scenario)
    assert kept == ["A0", "A1", "A2"] and principals == []
    assert pauses == []


def test_a_batch_sends_each_request_whole(tmp_path, monkeypatch, pauses):
    faults = Scripted()

    async def scenario(client):
        answers = await client.batch([
            BatchRequest("POST", "applications", {"displayName": "Posted"}),
            BatchRequest("PATCH", BLOG, {"displayName": "Upserted"}, {"Prefer": "create-if-missing"}),
            BatchRequest("PATCH", "applications(uniqueName='missing')", {"displayName": "x"})])
        return [a.status for a in answers], sorted(a["displayName"] for a in await client.get_all("applications"))

    statuses, names = run(tmp_path, monkeypatch, faults, scenario)
    assert statuses == [201, 201, 404]  # the 404 as it is, at once: a batch's callers decide what it means
    assert names == ["Posted", "Upserted"]
    assert pauses == []


def test_a_lost_create_is_looked_up_again_while_replication_may_hide_it(tmp_path, monkeypatch, pauses, lose):
    faults = Scripted()
    looks = []

    async def scenario(client):
        async def find():
            looks.append(time.monotonic())
            if len(looks) < 3:
                return None  # not visible yet
            found = await client.call("GET", "applications")
            return Response(200, found.body["value"][0])

        lose.times = 1
        return await client.call("POST", "applications", {"displayName": "Blog"}, find=find, direct=True)

    created = run(tmp_path, monkeypatch, faults, scenario)
    assert created.body["displayName"] == "Blog" and faults.count("POST", "applications") == 1
    assert pauses == [0.25, 0.5]  # between the three looks


def test_a_pause_that_would_pass_the_time_bound_is_not_taken(tmp_path, monkeypatch, pauses):
    faults = Scripted([Rule(on("GET", "applications"), graph_error(429, "TooManyRequests", "30"))])

    async def scenario(client):
        with pytest.raises(GraphUnavailable, match=r"the time bound \(--timeout\) was reached"):
            await client.call("GET", "applications")

    run(tmp_path, monkeypatch, faults, scenario, timeout=20)
    assert pauses == [] and faults.count("GET", "applications") == 1


def test_a_stopped_client_sends_nothing_more_and_each_request_fails_with_the_reason(tmp_path, monkeypatch, pauses):
    """Ctrl-C during apply (commands/apply_progress.py) and reads given up (graph/early.py) stop the client: from that
    moment nothing more goes out, on its own or in a $batch, and each request fails saying why."""
    faults = Scripted()

    async def scenario(client):
        assert (await client.get("applications")).ok  # sent: the client was not stopped yet
        client.stop("interrupted (the test)")
        for request in (client.get("applications"), create_blog(client)):
            with pytest.raises(GraphUnavailable, match=r"^interrupted \(the test\)$"):
                await request

    run(tmp_path, monkeypatch, faults, scenario)
    assert faults.count("GET", "applications") == 1 and faults.count("PATCH", BLOG) == 0


def test_a_client_stopped_while_a_request_waits_for_its_last_try_says_why_it_gave_up(tmp_path, monkeypatch, pauses,
                                                                                     lose):
    """Ctrl-C (stop) while a request whose answers were lost eleven times waits for its twelfth and last try: that
    try is not sent, and the request gives up saying why -- as at any other try -- not with a reason of None."""
    faults = Scripted()

    async def scenario(client):
        waiting = client.pause

        async def pause(seconds):
            await waiting(seconds)
            if len(pauses) == 11:
                client.stop("interrupted (the test)")

        client.pause = pause
        lose.times = 11
        with pytest.raises(GraphUnavailable) as gave_up:
            await client.get("applications")
        return str(gave_up.value)

    assert run(tmp_path, monkeypatch, faults, scenario) == "interrupted (the test) (gave up after 12 attempts)"
    assert faults.count("GET", "applications") == 11


def test_retry_after_zero_is_at_once(tmp_path, monkeypatch, pauses):
    faults = Scripted([Rule(on("GET", "applications"), graph_error(503, "ServiceUnavailable", "0"), times=2)])
    assert run(tmp_path, monkeypatch, faults, lambda client: client.call("GET", "applications")).status == 200
    assert pauses == [] and faults.count("GET", "applications") == 3


def test_a_lost_request_is_reported_without_its_query(tmp_path, monkeypatch, pauses, lose):
    """A query may hold names (a filter on a display name): the message names the request by its path only."""
    faults = Scripted()

    async def scenario(client):
        lose.times = 1
        with pytest.raises(GraphUnavailable) as lost:
            await client.call("POST", "applications?$select=id", {"displayName": "Secretive"}, direct=True)
        return str(lost.value)

    message = run(tmp_path, monkeypatch, faults, scenario)
    assert message.startswith("POST http://emulator.localhost/v1.0/applications: RemoteProtocolError: ")
    assert "$select" not in message and "?" not in message


def test_a_failure_while_a_page_is_kept_is_the_one_reported(tmp_path, monkeypatch):
    """The next page is already asked for when a page is worked through: if that fails, the caller gets that
    failure (the page in flight is let go), not an error about the page in flight."""
    def keep(app):
        raise ValueError(f"cannot keep {app['displayName']}")

    async def scenario(client):
        for number in range(3):
            await client.call("PATCH", f"applications(uniqueName='app{number}')", {"displayName": f"A{number}"},
                              {"Prefer": "create-if-missing"})
        with pytest.raises(ValueError, match="cannot keep A0"):
            await client.get_all("applications?$top=1", keep=keep)

    run(tmp_path, monkeypatch, Scripted(latency=0.005), scenario)  # the next page is in flight when keep fails
