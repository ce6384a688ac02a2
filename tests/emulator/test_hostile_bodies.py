"""Request bodies no client of Graph's API sends, which a client can: JSON nested past Python's recursion limit, or
deep below it; a string escaping half a surrogate pair; NaN. Each is unreadable JSON, 400 Request_BadRequest, as a
body that does not parse (emulator/app._read; docs/emulator.md: the depth bound, 100, is the emulator's own
choice) -- where the emulator failed (500, "RecursionError", "UnicodeEncodeError") -- and the tenant is unchanged."""

from __future__ import annotations

import pytest

from tests.emulator.conftest import assert_error

JSON = {"Content-Type": "application/json"}
UNREADABLE = "Unable to read JSON request payload"
BODIES = {
    "past-the-recursion-limit": b"[" * 100_000 + b"]" * 100_000,
    "deep-array-under-it": b'{"displayName": "a", "tags": ' + b"[" * 900 + b"]" * 900 + b"}",
    "deep-object-under-it": b'{"displayName": "a", "web": ' + b'{"a": ' * 900 + b"1" + b"}" * 900 + b"}",
    "one-past-the-bound": b'{"displayName": "a", "tags": ' + b"[" * 100 + b"]" * 100 + b"}",
    "half-a-surrogate-pair": b'{"displayName": "\\udcff"}',
    "half-a-pair-in-a-key": b'{"displayName": "a", "\\ud800": 1}',
    "nan": b'{"displayName": "a", "notes": NaN}',
}


@pytest.mark.parametrize("body", BODIES, ids=str)
def test_a_body_no_graph_client_sends_is_unreadable_json(api, body):
    response = api.post("applications", content=BODIES[body], headers=JSON)
    assert UNREADABLE in assert_error(response, 400, "Request_BadRequest")["message"]
    assert api.get("applications").json()["value"] == []


@pytest.mark.parametrize("body", BODIES, ids=str)
def test_in_a_batch_too(api, body):
    batch = (b'{"requests": [{"id": "1", "method": "POST", "url": "/applications", "headers": {"Content-Type": '
             b'"application/json"}, "body": ' + BODIES[body] + b"}]}")
    assert_error(api.post("$batch", content=batch, headers=JSON), 400)
    assert api.get("applications").json()["value"] == []


def test_bodies_as_deep_as_the_bound_and_whole_surrogate_pairs_are_read(api):
    shallow = b'{"displayName": "a \\ud83d\\ude00", "tags": ' + b"[" * 99 + b"]" * 99 + b"}"
    response = api.post("applications", content=shallow, headers=JSON)  # read: refused by Graph's rule on tags
    assert UNREADABLE not in assert_error(response, 400)["message"]
    made = api.post("applications", content='{"displayName": "a \\ud83d\\ude00"}'.encode(), headers=JSON)
    assert made.status_code == 201 and made.json()["displayName"] == "a \U0001F600"
