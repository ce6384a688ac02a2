"""What GraphClient puts on the wire, as Graph receives it: every request at the environment's Graph URL even when
graphUrl ends in `/`, JSON bodies declared as JSON, a failure to connect told apart from an answer lost (a create
that never reached Graph is simply sent again), a read never waited on for replication. A transport between the
client and the embedded emulator records each request; pauses are recorded, not slept."""

from __future__ import annotations

import asyncio
import gc

import httpx
import pytest

from idamconf.emulator import embedded
from idamconf.graph.client import Unrecoverable
from idamconf.graph.connect import Target, connect

from .wire import Rule, Scripted, graph_error, run, wrapped_transports

BLOG = "applications(uniqueName='blog')"
# What httpx says of a server whose certificate this machine does not trust (a TLS-inspecting proxy's, an emulator's)
UNTRUSTED = ("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate in certificate chain "
             "(_ssl.c:1000)")


class Recording(httpx.AsyncBaseTransport):
    """Records (method, URL, Content-Type) of every request; `refuse` the next n connections (httpx.ConnectError,
    as when nothing listens: the request never reached Graph), or, `untrusted`, fail their TLS handshake."""

    def __init__(self, inner):
        self.inner, self.sent, self.refuse, self.untrusted = inner, [], 0, 0
        self.in_flight = self.most_in_flight = 0

    async def handle_async_request(self, request):
        self.sent.append((request.method, str(request.url), request.headers.get("content-type")))
        if self.refuse:
            self.refuse -= 1
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
        if self.untrusted:
            self.untrusted -= 1
            raise httpx.ConnectError(UNTRUSTED, request=request)
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            for _ in range(20):  # on the network a while: whatever else may be sent meanwhile is
                await asyncio.sleep(0)
            return await self.inner.handle_async_request(request)
        finally:
            self.in_flight -= 1

    async def aclose(self):
        await self.inner.aclose()


@pytest.fixture
def recording(monkeypatch) -> list[Recording]:
    return wrapped_transports(monkeypatch, Recording)


def test_a_graph_url_ending_in_a_slash_sends_every_request_to_the_same_urls(tmp_path, monkeypatch, pauses,
                                                                          recording):
    real_open = embedded.open_app
    monkeypatch.setattr(embedded, "open_app", lambda state, seed=None, _=None, tenant=None: real_open(
        state, seed, Scripted(), tenant))

    async def go():
        async with connect(Target("local", "http://emulator.localhost/v1.0/", emulator_state=tmp_path / "t.db")) as client:
            made = await client.call("PATCH", BLOG, {"displayName": "Blog"}, {"Prefer": "create-if-missing"})
            return made, await client.get_all("applications")

    made, listed = asyncio.run(go())
    assert made.status == 201 and [app["displayName"] for app in listed] == ["Blog"]
    assert [url for _, url, _ in recording[0].sent] == ["http://emulator.localhost/v1.0/$batch",
                                                        "http://emulator.localhost/v1.0/applications"]


def test_a_json_body_is_sent_as_json(tmp_path, monkeypatch, pauses, recording):
    faults = Scripted()
    run(tmp_path, monkeypatch, faults, lambda client: client.call("PATCH", BLOG, {"displayName": "Blog"},
                                                                  {"Prefer": "create-if-missing"}))
    assert recording[0].sent == [("POST", "http://emulator.localhost/v1.0/$batch", "application/json")]


def test_a_create_that_never_reached_graph_is_sent_again_without_a_look_up(tmp_path, monkeypatch, pauses, recording):
    """Connection refused: Graph never saw the request, so sending it again cannot make a second object -- unlike an
    answer lost after it was sent (tests/safety/test_lost_requests.py), which needs a look-up first."""
    faults = Scripted()

    async def scenario(client):
        recording[0].refuse = 1
        created = await client.call("POST", "applications", {"displayName": "Blog"}, direct=True)
        return created, await client.get_all("applications")

    created, listed = run(tmp_path, monkeypatch, faults, scenario)
    assert created.status == 201 and len(listed) == 1
    assert faults.count("POST", "applications") == 1  # the refused one never arrived
    assert pauses == [0.5]


def test_a_read_of_something_missing_is_answered_at_once(tmp_path, monkeypatch, pauses):
    """Replication lag is waited out only for writes: a read that finds nothing says so at once."""
    faults = Scripted([Rule(lambda request: request.method == "GET", graph_error(404, "Request_ResourceNotFound"),
                            times=5)])
    response = run(tmp_path, monkeypatch, faults, lambda client: client.call("GET", BLOG))
    assert response.status == 404 and pauses == []
    assert faults.count("GET", BLOG) == 1


def test_a_hundred_calls_at_once_keep_four_requests_in_flight_at_most(tmp_path, monkeypatch, pauses, recording,
                                                                       caplog):
    """Five $batches of twenty, four of them on the wire at a time (docs/architecture.md), and nothing for asyncio to
    complain of afterwards (a batch's task failing unseen, a callback that cannot be called)."""
    async def scenario(client):
        return await asyncio.gather(*(client.call("GET", f"applications?$top={n + 1}") for n in range(100)))

    answers = run(tmp_path, monkeypatch, Scripted(), scenario)
    gc.collect()
    assert [answer.status for answer in answers] == [200] * 100
    assert [url for _, url, _ in recording[0].sent] == ["http://emulator.localhost/v1.0/$batch"] * 5
    assert recording[0].most_in_flight == 4
    assert [record.getMessage() for record in caplog.records if record.name == "asyncio"] == []


def test_a_certificate_not_trusted_is_said_at_once_with_its_fix_and_never_tried_again(tmp_path, monkeypatch, pauses,
                                                                                       recording):
    """No retry mends trust: a run is not kept waiting through a dozen attempts' backoff to be told so."""
    async def scenario(client):
        recording[0].untrusted = 1
        with pytest.raises(Unrecoverable) as failed:
            await client.call("GET", "applications")
        return str(failed.value)

    message = run(tmp_path, monkeypatch, Scripted(), scenario)
    assert message == (f"the TLS certificate of emulator.localhost is not trusted (ConnectError: {UNTRUSTED}). Fix: "
                       "for an emulator served with --tls, set the environment's caBundle to the ca.pem it printed; "
                       "for Microsoft Graph, check this machine's trust store (or its TLS-inspecting proxy's CA in "
                       "SSL_CERT_FILE).")
    assert len(recording[0].sent) == 1 and pauses == []


def test_list_pages_read_side_by_side_are_not_held_to_the_four_slots_of_batches(tmp_path, monkeypatch, pauses,
                                                                                recording):
    """A long list is read as several streams at once (graph/streams.py); Graph bounds reads by resource units, so
    their pages go together rather than four at a time behind the `$batch`es."""
    async def scenario(client):
        return await asyncio.gather(*(client.get_all(f"applications?$top={n + 1}") for n in range(10)))

    assert run(tmp_path, monkeypatch, Scripted(), scenario) == [[]] * 10
    assert recording[0].most_in_flight == 10
