"""A request whose answer is lost (the connection dropped after Graph ran it) is sent again only when that is safe:
reads and writes that say what the object must be (GET, PUT, PATCH, DELETE), and POSTs whose repeat Graph refuses
recognisably. A create is looked up first, and never sent again when found; without a way to look it up, the loss
is reported rather than risking a second object. What the emulator received is counted; nothing sleeps."""

from __future__ import annotations

import pytest

from idamconf.graph.client import GraphUnavailable, ResponseLost, Response

from .wire import Scripted, run


@pytest.mark.parametrize("method, path, body", [
    ("GET", "applications", None),
    ("PATCH", "applications(uniqueName='blog')", {"displayName": "Blog"}),
    ("PUT", "applications(uniqueName='blog')", {"displayName": "Blog"}),
    ("DELETE", "applications(uniqueName='blog')", None),
])
def test_a_request_safe_to_repeat_is_sent_again(tmp_path, monkeypatch, pauses, lose, method, path, body):
    faults = Scripted()

    async def scenario(client):
        await client.call("PATCH", "applications(uniqueName='blog')", {"displayName": "Blog"},
                          {"Prefer": "create-if-missing"})
        lose.times = 1
        # a DELETE sent again finds the object gone: apply takes that 404 as done (settle=False, as apply sends it)
        return await client.call(method, path, body, direct=True, settle=method != "DELETE")

    response = run(tmp_path, monkeypatch, faults, scenario)
    assert faults.count(method, path) == (2 if method != "PATCH" else 3)  # PATCH: the create-if-missing, then 2
    assert response.status in (200, 204, 404, 405)
    assert pauses == [0.5]


def test_a_create_with_no_way_to_look_it_up_is_reported_not_repeated(tmp_path, monkeypatch, pauses, lose):
    faults = Scripted()
    lose.times = 1

    async def scenario(client):
        with pytest.raises(ResponseLost):
            await client.call("POST", "applications", {"displayName": "Blog"}, direct=True)
        return await client.get_all("applications")

    assert len(run(tmp_path, monkeypatch, faults, scenario)) == 1
    assert faults.count("POST", "applications") == 1


async def create_blog_finding_it(client):
    """Create an application named Blog, looked up by its name if the answer is lost; and the applications then."""
    async def find():
        found = await client.call("GET", "applications?$filter=displayName eq 'Blog'")
        return Response(200, found.body["value"][0]) if found.body["value"] else None

    created = await client.call("POST", "applications", {"displayName": "Blog"}, find=find, direct=True)
    return created, await client.get_all("applications")


def test_a_lost_create_found_by_its_look_up_is_not_sent_again(tmp_path, monkeypatch, pauses, lose):
    faults = Scripted()
    lose.times = 1

    created, applications = run(tmp_path, monkeypatch, faults, create_blog_finding_it)
    assert created.status == 200 and created.body["displayName"] == "Blog"
    assert len(applications) == 1 and faults.count("POST", "applications") == 1


def test_a_create_lost_before_graph_ran_it_is_looked_up_then_sent_again_once(tmp_path, monkeypatch, pauses, lose):
    faults = Scripted()
    lose.times, lose.before = 1, True

    async def scenario(client):
        client.policy = type(client.policy)(lookup=0.0)  # nothing appears later: no need to keep looking
        return await create_blog_finding_it(client)

    created, applications = run(tmp_path, monkeypatch, faults, scenario)
    assert created.status == 201 and len(applications) == 1
    assert faults.count("POST", "applications") == 1  # the lost one never arrived
    assert faults.count("GET", "applications") == 2  # the look-up, then the list


def test_a_repeatable_post_is_sent_again(tmp_path, monkeypatch, pauses, lose):
    faults = Scripted()

    async def scenario(client):
        await client.call("PATCH", "applications(uniqueName='blog')", {"displayName": "Blog"},
                          {"Prefer": "create-if-missing"})
        lose.times = 1
        return await client.call("POST", "applications(uniqueName='blog')/addPassword",
                                 {"passwordCredential": {"displayName": "x"}}, repeatable=True, direct=True)

    assert run(tmp_path, monkeypatch, faults, scenario).status == 200
    assert faults.count("POST", "applications(uniqueName='blog')/addPassword") == 2


def test_a_request_that_never_reached_graph_is_given_up_after_twelve_tries(tmp_path, monkeypatch, pauses, lose):
    faults = Scripted()
    lose.times = 100

    async def scenario(client):
        with pytest.raises(GraphUnavailable, match=r"gave up after 12 attempts"):
            await client.call("GET", "applications", direct=True)

    run(tmp_path, monkeypatch, faults, scenario)
    assert faults.count("GET", "applications") == 12
