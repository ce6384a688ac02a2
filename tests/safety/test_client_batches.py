"""`$batch` as GraphClient sends it and reads Graph's answer, at its edges: what each item carries, an envelope
refused or failing, an answer that leaves an item out or is not JSON, twenty calls and more at once. A transport
between the client and the emulator records each batch and may change what comes back; pauses are recorded."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from idamconf.graph.client import BatchRequest, GraphUnavailable

from .wire import Rule, Scripted, graph_error, run, wrapped_transports

BLOG = "applications(uniqueName='blog')"


class Tamper(httpx.AsyncBaseTransport):
    """Records every `$batch` sent; `answers` (a list) replaces the next envelopes' answers: a function of the
    request and the real answer (None: not sent to the emulator at all) returning the answer to give."""

    def __init__(self, inner):
        self.inner, self.batches, self.answers = inner, [], []

    async def handle_async_request(self, request):
        if request.url.path.endswith("/$batch"):
            self.batches.append(json.loads(request.content)["requests"])
        change = self.answers.pop(0) if self.answers and request.url.path.endswith("/$batch") else None
        if change is not None and getattr(change, "before", False):
            return change(request, None)
        response = await self.inner.handle_async_request(request)
        if change is None:
            return response
        await response.aread()
        return change(request, response)

    async def aclose(self):
        await self.inner.aclose()


@pytest.fixture
def wire(monkeypatch):
    return wrapped_transports(monkeypatch, Tamper)


def answer(status: int, body=None, headers=None, before: bool = False):
    def change(request, response):
        content = json.dumps(body).encode() if not isinstance(body, bytes) and body is not None else body or b""
        return httpx.Response(status, headers=headers or {}, content=content, request=request)
    change.before = before
    return change


def edit_items(edit):
    """The real answer, its items changed by `edit(items) -> items`."""
    def change(request, response):
        document = response.json()
        document["responses"] = edit(document["responses"])
        return httpx.Response(200, json=document, request=request)
    return change


def test_each_item_says_its_method_url_and_the_json_of_its_body(tmp_path, monkeypatch, pauses, wire):
    async def scenario(client):
        return await client.batch([BatchRequest("GET", "/applications?$select=id"),
                                   BatchRequest("PATCH", BLOG, {"displayName": "Blog"}, {"Prefer": "create-if-missing"})])

    answers = run(tmp_path, monkeypatch, Scripted(), scenario)
    assert [a.status for a in answers] == [200, 201]
    [items] = wire[0].batches
    assert items == [{"id": "0", "method": "GET", "url": "/applications?$select=id"},
                     {"id": "1", "method": "PATCH", "url": "/" + BLOG, "body": {"displayName": "Blog"},
                      "headers": {"Prefer": "create-if-missing", "Content-Type": "application/json"}}]


def test_an_envelope_refused_for_now_is_sent_again_after_retry_after(tmp_path, monkeypatch, pauses, wire):
    faults = Scripted()

    async def scenario(client):
        wire[0].answers.append(answer(429, {"error": {"code": "TooManyRequests", "message": "later"}},
                                      {"Retry-After": "3"}, before=True))
        return await asyncio.gather(client.call("GET", "applications"), client.call("GET", "servicePrincipals"))

    answers = run(tmp_path, monkeypatch, faults, scenario)
    assert [a.status for a in answers] == [200, 200]
    assert pauses == [3.0, 3.0]  # each call waited what the envelope said
    assert faults.count("GET", "applications") == 1  # the refused envelope never reached Graph


def test_an_envelope_that_keeps_failing_is_given_up_with_graphs_reason(tmp_path, monkeypatch, pauses, wire):
    async def scenario(client):
        wire[0].answers.extend(answer(500, {"error": {"code": "InternalServerError", "message": "boom"}},
                                      before=True) for _ in range(12))
        with pytest.raises(GraphUnavailable) as failed:
            await client.call("GET", "applications")
        return str(failed.value)

    assert run(tmp_path, monkeypatch, Scripted(), scenario) == (
        "$batch: GraphRequestFailed: POST $batch: 500 InternalServerError: boom (gave up after 12 attempts)")


def test_an_item_graph_left_out_of_its_answer_is_a_failure_of_its_own(tmp_path, monkeypatch, pauses, wire):
    async def scenario(client):
        wire[0].answers.append(edit_items(lambda items: [item for item in items if item["id"] != "0"]))
        return await asyncio.gather(client.call("GET", "applications"), client.call("GET", "servicePrincipals"))

    missing, answered = run(tmp_path, monkeypatch, Scripted(), scenario)
    assert (missing.status, missing.body) == (500, {"error": {"code": "MissingBatchResponse",
                                                              "message": "no answer for this item"}})
    assert answered.status == 200


def test_an_answer_without_responses_or_statuses_fails_each_item(tmp_path, monkeypatch, pauses, wire):
    async def scenario(client):
        wire[0].answers.append(lambda request, response: httpx.Response(200, json={}, request=request))
        first = await client.call("GET", "applications")
        wire[0].answers.append(edit_items(lambda items: [{"id": item["id"], "body": item.get("body")}
                                                         for item in items]))
        second = await client.call("GET", "applications")
        return first, second

    first, second = run(tmp_path, monkeypatch, Scripted(), scenario)
    assert (first.status, first.error.code) == (500, "MissingBatchResponse")
    assert second.status == 500 and second.body["value"] == []


def test_an_answer_that_is_not_json_is_read_as_an_error_and_no_content_as_none(tmp_path, monkeypatch, pauses, wire):
    async def scenario(client):
        await client.call("PATCH", BLOG, {"displayName": "Blog"}, {"Prefer": "create-if-missing"})
        deleted = await client.send("DELETE", BLOG)
        wire[0].answers.append(answer(502, b"<html>Bad gateway</html>", before=True))
        gateway = await client.send("POST", "$batch", {"requests": []})
        return deleted, gateway

    deleted, gateway = run(tmp_path, monkeypatch, Scripted(), scenario)
    assert (deleted.status, deleted.body) == (204, None)
    assert (gateway.status, gateway.body) == (502, {"error": {"code": "InvalidResponse",
                                                              "message": "<html>Bad gateway</html>"}})


def test_a_long_answer_that_is_not_json_is_shown_by_its_first_200_bytes_whatever_they_hold(tmp_path, monkeypatch,
                                                                                        pauses, wire):
    """A proxy's error page may be long and not UTF-8 (a byte of Latin-1 here): what a failure shows of it is its
    first 200 bytes, an undecodable byte replaced, never an error of its own."""
    page = b"<html>Gateway \xe9chou\xe9 " + b"x" * 600

    async def scenario(client):
        wire[0].answers.append(answer(502, page, before=True))
        return await client.send("POST", "$batch", {"requests": []})

    gateway = run(tmp_path, monkeypatch, Scripted(), scenario)
    shown = "<html>Gateway \ufffdchou\ufffd " + "x" * 179  # 21 bytes before the x
    assert (gateway.status, gateway.body) == (502, {"error": {"code": "InvalidResponse", "message": shown}})


def test_calls_made_one_after_another_each_leave_once_the_linger_is_over(tmp_path, monkeypatch, pauses, wire):
    """A call waits `linger` for others to share its `$batch`, then goes; the next call, made once the first is
    answered, waits and goes the same way: none is left waiting for a batch that never leaves."""
    async def scenario(client):
        return [await asyncio.wait_for(client.call("GET", f"applications?$top={n + 1}"), 10) for n in range(3)]

    answers = run(tmp_path, monkeypatch, Scripted(), scenario)
    assert [answer.status for answer in answers] == [200, 200, 200]
    assert [len(items) for items in wire[0].batches] == [1, 1, 1]


def test_forty_five_calls_at_once_go_in_batches_of_twenty(tmp_path, monkeypatch, pauses, wire):
    async def scenario(client):
        calls = [client.call("GET", f"applications?$top={n + 1}") for n in range(45)]
        return await asyncio.wait_for(asyncio.gather(*calls), 10)

    answers = run(tmp_path, monkeypatch, Scripted(), scenario)
    assert all(a.status == 200 for a in answers)
    assert sorted(len(items) for items in wire[0].batches) == [5, 20, 20]


def test_replication_lag_is_told_apart_from_a_refusal(tmp_path, monkeypatch, pauses):
    lag = graph_error(400, "Request_BadRequest")
    lag.body["error"]["message"] = "The appId of the service principal does not reference a valid application object."
    refused = graph_error(403, "Authorization_RequestDenied")
    refused.body["error"]["message"] = "Resource 'x' does not exist or one of its queried objects are not present."
    faults = Scripted([Rule(lambda r: r.path == "servicePrincipals", lag, times=2),
                       Rule(lambda r: r.path == BLOG and r.method == "PATCH", refused)])

    async def scenario(client):
        created = await client.call("POST", "applications", {"displayName": "Blog"})
        waited = await client.call("POST", "servicePrincipals", {"appId": created.body["appId"]})
        denied = await client.call("PATCH", BLOG, {"displayName": "Blog"}, {"Prefer": "create-if-missing"})
        return waited, denied

    waited, denied = run(tmp_path, monkeypatch, faults, scenario)
    assert waited.status == 201
    assert pauses == [0.25, 0.5]  # the two lagging answers were waited out; the 403 was not
    assert denied.status == 403
