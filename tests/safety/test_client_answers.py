"""What GraphClient makes of Graph's answers, as its caller sees them: a refusal is a failure whatever its status
(a 400 included), and -- where a list is read -- the list fails naming it rather than coming back empty."""

from __future__ import annotations

import pytest

from idamconf.emulator.errors import GraphError
from idamconf.emulator.protocol import Reply
from idamconf.graph.client import GraphRequestFailed, Response

from .wire import Rule, Scripted, graph_error, run


def test_a_list_refused_as_a_bad_request_fails_naming_it_rather_than_coming_back_empty(tmp_path, monkeypatch,
                                                                                      pauses):
    faults = Scripted([Rule(lambda request: request.path == "applications", graph_error(400, "Request_BadRequest"))])

    async def scenario(client):
        with pytest.raises(GraphRequestFailed) as failed:
            await client.get_all("applications?$top=999")
        return failed.value

    failure = run(tmp_path, monkeypatch, faults, scenario)
    assert failure.failure.status == 400 and failure.failure.code == "Request_BadRequest"
    assert str(failure).startswith("GET applications?$top=999: 400 Request_BadRequest")


@pytest.fixture
def clock(monkeypatch) -> list[float]:
    """GraphClient's clock, fake: each pause it takes moves it on (nothing is slept). `clock[0]`: now."""
    import asyncio
    import types

    from idamconf.graph import client as client_module

    now, real_sleep = [1000.0], asyncio.sleep

    async def pause(self, seconds):
        now[0] += seconds
        await real_sleep(0)

    monkeypatch.setattr(client_module.GraphClient, "pause", pause)
    monkeypatch.setattr(client_module, "time", types.SimpleNamespace(monotonic=lambda: now[0]))
    return now


BLOG = "applications(uniqueName='blog')"


def replicating(clock, seconds: float, method: str = "PATCH", path: str = BLOG) -> Rule:
    """Graph answering "not found" for the first `seconds` after the test starts, as while an object replicates."""
    start = clock[0]
    return Rule(lambda request: (request.method, request.path) == (method, path) and clock[0] < start + seconds,
                graph_error(404, "Request_ResourceNotFound"), times=10_000)


def create_blog(client):
    return client.call("PATCH", BLOG, {"displayName": "Blog"}, {"Prefer": "create-if-missing"})


def test_a_write_waits_out_twenty_seconds_of_replication(tmp_path, monkeypatch, clock):
    faults = Scripted([replicating(clock, 20)])
    assert run(tmp_path, monkeypatch, faults, create_blog).status == 201
    assert 20 <= clock[0] - 1000 < 21


def test_a_write_stops_waiting_for_replication_after_thirty_seconds_and_says_not_found(tmp_path, monkeypatch, clock):
    faults = Scripted([replicating(clock, 10_000)])
    assert run(tmp_path, monkeypatch, faults, create_blog).status == 404
    assert 30 <= clock[0] - 1000 < 31


def test_a_write_refused_as_a_bad_request_is_answered_at_once_not_waited_for(tmp_path, monkeypatch, clock):
    """Only Graph's words for an object not replicated yet make a 400 worth waiting for: any other is final."""
    faults = Scripted([Rule(lambda request: request.method == "PATCH", graph_error(400, "Request_BadRequest"))])
    response = run(tmp_path, monkeypatch, faults, create_blog)
    assert (response.status, response.error.code) == (400, "Request_BadRequest")
    assert clock[0] == 1000.0 and faults.count("PATCH", BLOG) == 1


def lost_create(clock, lose, visible_after: float, found_posts: list):
    """A create whose answer is lost, its look-up finding it only `visible_after` seconds later (replication)."""
    async def scenario(client):
        start = clock[0]

        async def find():
            if clock[0] < start + visible_after:
                return None
            listed = (await client.call("GET", "applications")).body["value"]
            found_posts.append(len(listed))
            return Response(200, listed[0]) if listed else None

        lose.times = 1
        return await client.call("POST", "applications", {"displayName": "Blog"}, find=find, direct=True)
    return scenario


def test_a_lost_create_is_looked_for_eight_seconds_and_not_sent_again(tmp_path, monkeypatch, clock, lose):
    faults, found = Scripted(), []
    created = run(tmp_path, monkeypatch, faults, lost_create(clock, lose, 8, found))
    assert created.body["displayName"] == "Blog"
    assert faults.count("POST", "applications") == 1 and found == [1]


def test_a_lost_create_never_found_in_ten_seconds_is_sent_again(tmp_path, monkeypatch, clock, lose):
    faults, found = Scripted(), []
    created = run(tmp_path, monkeypatch, faults, lost_create(clock, lose, 10_000, found))
    assert created.status == 201 and faults.count("POST", "applications") == 2
    assert 10 <= clock[0] - 1000 < 12


DENIED = "Insufficient privileges to complete the operation."


def refused(words: str) -> Rule:
    """Graph refusing every create with a 403 in `words`."""
    error = GraphError(403, "Authorization_RequestDenied", words)
    return Rule(lambda request: request.method == "POST", Reply(403, error.body("test", "test")), times=10)


def create(client):
    return client.call("POST", "applications", {"displayName": "Blog"})


def test_a_refusal_for_want_of_a_permission_names_the_permission_to_grant(tmp_path, monkeypatch, pauses):
    """Graph's words name no permission; the line reporting the refusal is all an operator has to go on."""
    response = run(tmp_path, monkeypatch, Scripted([refused(DENIED)]), create)
    assert (response.status, response.error.code) == (403, "Authorization_RequestDenied")
    assert response.error.message == (
        "Insufficient privileges to complete the operation. The identity idamconf signs in as needs "
        "Application.ReadWrite.All (or Application.ReadWrite.OwnedBy as an owner of the object): grant it that "
        "application permission with an administrator's consent (README: Targeting a real tenant).")
    assert pauses == []  # a refusal is not tried again


def test_a_refusal_in_other_words_is_passed_on_as_graph_gave_it(tmp_path, monkeypatch, pauses):
    """Only Graph's missing-permission words are for want of a permission (a policy may refuse a write too)."""
    policy = "Access has been blocked by Conditional Access policies."
    response = run(tmp_path, monkeypatch, Scripted([refused(policy)]), create)
    assert (response.status, response.error.code, response.error.message) == (403, "Authorization_RequestDenied",
                                                                             policy)


def test_a_refusal_without_words_is_passed_on_as_a_refusal(tmp_path, monkeypatch, pauses):
    silent = Rule(lambda request: request.method == "POST", Reply(403), times=10)
    response = run(tmp_path, monkeypatch, Scripted([silent]), create)
    assert (response.status, response.body, response.error.message) == (403, None, "no message")
