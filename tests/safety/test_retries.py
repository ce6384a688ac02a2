"""How idamconf retries what Graph refuses for now: after the `Retry-After` Graph gives (never longer than a
minute), by its own back-off when Graph gives none -- and never through msgraph-core's retry handler, which
would repeat a create. Pauses are recorded, not slept; what the emulator received is counted."""

from __future__ import annotations

from idamconf.graph.client import Response

from .wire import Rule, Scripted, graph_error, run

APPS = ("GET", "applications")
CREATE = ("POST", "applications")


def on(method: str, path: str):
    return lambda request: (request.method, request.path) == (method, path)


def test_a_throttled_request_waits_the_retry_after_graph_gives(tmp_path, monkeypatch, pauses):
    faults = Scripted([Rule(on(*APPS), graph_error(429, "TooManyRequests", "7"), times=2)])
    response = run(tmp_path, monkeypatch, faults, lambda client: client.call("GET", "applications"))
    assert response.status == 200
    assert pauses == [7.0, 7.0]
    assert faults.count(*APPS) == 3


def test_a_list_page_waits_the_retry_after_too(tmp_path, monkeypatch, pauses):
    faults = Scripted([Rule(on(*APPS), graph_error(503, "ServiceUnavailable", "3"))])
    found = run(tmp_path, monkeypatch, faults, lambda client: client.get_all("applications"))
    assert found == []
    assert pauses == [3.0]
    assert faults.count(*APPS) == 2


def test_a_retry_after_longer_than_a_minute_is_cut_to_a_minute(tmp_path, monkeypatch, pauses):
    faults = Scripted([Rule(on(*APPS), graph_error(429, "TooManyRequests", "3600"))])
    assert run(tmp_path, monkeypatch, faults, lambda client: client.call("GET", "applications")).status == 200
    assert pauses == [60.0]


def test_without_retry_after_the_wait_doubles_from_half_a_second(tmp_path, monkeypatch, pauses):
    faults = Scripted([Rule(on(*APPS), graph_error(503, "ServiceUnavailable"), times=5)])
    assert run(tmp_path, monkeypatch, faults, lambda client: client.call("GET", "applications")).status == 200
    assert pauses == [0.5, 1.0, 2.0, 4.0, 8.0]


def test_a_create_refused_for_now_is_sent_again_after_retry_after_and_made_once(tmp_path, monkeypatch, pauses):
    faults = Scripted([Rule(on(*CREATE), graph_error(429, "TooManyRequests", "2"))])
    created = run(tmp_path, monkeypatch, faults,
                  lambda client: client.call("POST", "applications", {"displayName": "Blog"}))
    assert created.status == 201
    assert pauses == [2.0]
    assert faults.count(*CREATE) == 2  # the first was refused before it ran


def test_a_create_whose_gateway_timed_out_is_not_sent_again(tmp_path, monkeypatch, pauses):
    """504 after the create ran: without a way to look it up, sending it again could make a second one."""
    faults = Scripted([Rule(on(*CREATE), graph_error(504, "GatewayTimeout"), after=True)])

    async def scenario(client):
        answer = await client.call("POST", "applications", {"displayName": "Blog"})
        return answer, (await client.get_all("applications"))

    answer, applications = run(tmp_path, monkeypatch, faults, scenario)
    assert answer.status == 504
    assert faults.count(*CREATE) == 1 and len(applications) == 1
    assert pauses == []


def create_blog_finding_it(client):
    """Create an application named Blog, looked up by its name should its answer be lost."""
    async def find():
        found = await client.call("GET", "applications?$filter=displayName eq 'Blog'")
        return Response(200, found.body["value"][0]) if found.body["value"] else None

    return client.call("POST", "applications", {"displayName": "Blog"}, find=find)


def test_a_create_whose_gateway_timed_out_after_it_ran_is_found_by_its_look_up_and_not_sent_again(
        tmp_path, monkeypatch, pauses):
    faults = Scripted([Rule(on(*CREATE), graph_error(504, "GatewayTimeout"), after=True)])

    async def scenario(client):
        return await create_blog_finding_it(client), await client.get_all("applications")

    found, applications = run(tmp_path, monkeypatch, faults, scenario)
    assert found.status == 200 and found.body["displayName"] == "Blog"
    assert faults.count(*CREATE) == 1 and len(applications) == 1
    assert pauses == []


def test_a_create_whose_gateway_timed_out_before_it_ran_is_looked_up_then_sent_again_once(
        tmp_path, monkeypatch, pauses):
    faults = Scripted([Rule(on(*CREATE), graph_error(504, "GatewayTimeout"))])

    async def scenario(client):
        client.policy = type(client.policy)(lookup=0.0)  # nothing appears later: one look is enough
        return await create_blog_finding_it(client), await client.get_all("applications")

    created, applications = run(tmp_path, monkeypatch, faults, scenario)
    assert created.status == 201 and len(applications) == 1
    assert faults.count(*CREATE) == 2  # the first never ran
    assert pauses == [0.5]  # Graph said nothing of when to try again


def test_msgraph_cores_retry_handler_is_off(tmp_path, monkeypatch, pauses):
    """A request sent on its own through the SDK's middleware: a 503 or 504 comes back as it is, once."""
    faults = Scripted([Rule(on(*CREATE), graph_error(504, "GatewayTimeout"), after=True),
                       Rule(on("PATCH", "applications(uniqueName='blog')"), graph_error(503, "ServiceUnavailable", "1")),
                       Rule(on(*APPS), graph_error(429, "TooManyRequests", "1"))])

    async def scenario(client):
        created = await client.send("POST", "applications", {"displayName": "Blog"})
        upserted = await client.send("PATCH", "applications(uniqueName='blog')", {"displayName": "Blog"},
                                     {"Prefer": "create-if-missing"})
        listed = await client.send("GET", "applications")
        return created.status, upserted.status, listed.status

    assert run(tmp_path, monkeypatch, faults, scenario) == (504, 503, 429)
    assert faults.received == [CREATE, ("PATCH", "applications(uniqueName='blog')"), APPS]
    assert pauses == []


def test_the_wait_without_retry_after_stops_growing_at_eight_seconds(tmp_path, monkeypatch, pauses):
    faults = Scripted([Rule(on(*APPS), graph_error(503, "ServiceUnavailable"), times=7)])
    assert run(tmp_path, monkeypatch, faults, lambda client: client.call("GET", "applications")).status == 200
    assert pauses == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


def test_a_gateway_timeout_on_a_read_is_sent_again(tmp_path, monkeypatch, pauses):
    faults = Scripted([Rule(on(*APPS), graph_error(504, "GatewayTimeout"))])
    assert run(tmp_path, monkeypatch, faults, lambda client: client.call("GET", "applications")).status == 200
    assert faults.count(*APPS) == 2 and pauses == [0.5]


def test_graph_refusing_for_ever_is_given_up_after_twelve_tries(tmp_path, monkeypatch, pauses):
    faults = Scripted([Rule(on(*APPS), graph_error(429, "TooManyRequests", "1"), times=100)])
    response = run(tmp_path, monkeypatch, faults, lambda client: client.call("GET", "applications"))
    assert response.status == 429
    assert faults.count(*APPS) == 12 and pauses == [1.0] * 11
