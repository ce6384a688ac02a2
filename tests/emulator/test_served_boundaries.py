"""The served emulator stays on this machine (issue 23): loopback addresses only, loopback Host names only, and its own
`/_emulator/*` endpoints ask for a bearer token as `/v1.0` does."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from idamconf.emulator import Store, server
from tests.cli.harness import idamconf

from .conftest import Api, api, assert_error, store  # noqa: F401 - fixtures

AUTH = {"Authorization": "Bearer test"}


@pytest.fixture
def serving_calls(monkeypatch) -> list:
    """`emulator serve` up to the point of listening: what it would listen on, recorded instead."""
    calls = []
    monkeypatch.setattr(server, "serve", lambda state, host, port, **kwargs: calls.append((host, port)))
    return calls


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "example.org", "127.0.0.1.nip.io",
                                  "localhost.example.org"])
def test_serve_refuses_an_address_other_than_loopback(tmp_path, serving_calls, host):
    result = idamconf("emulator", "serve", "--host", host, "--state", str(tmp_path / "t.db"))
    assert result.code == 1
    assert f"error: --host {host} is not a loopback address" in result.err and "--allow-non-loopback" in result.err
    assert serving_calls == [] and not (tmp_path / "t.db").exists()


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost", "LocalHost"])
def test_serve_listens_on_loopback_without_a_warning(tmp_path, serving_calls, host):
    result = idamconf("emulator", "serve", "--host", host, "--port", "8999", "--state", str(tmp_path / "t.db"))
    assert result.code == 0, result.err
    # uvicorn is given the address itself: [::1], as a URL writes it, it cannot resolve (exit 3 until session 51)
    assert serving_calls == [(host.strip("[]"), 8999)] and "WARNING" not in result.err


def test_serve_elsewhere_only_when_asked_and_loudly(tmp_path, serving_calls):
    result = idamconf("emulator", "serve", "--host", "0.0.0.0", "--allow-non-loopback", "--state",
                      str(tmp_path / "t.db"))
    assert result.code == 0, result.err
    assert serving_calls == [("0.0.0.0", 8931)]
    assert "WARNING: listening on 0.0.0.0, not only loopback: anyone who can reach port 8931 can read and change " \
           "this emulated tenant" in result.err


def request(served, path: str, host: str | None = None, headers: dict | None = None, method: str = "GET"):
    root = served.base_url.removesuffix("/v1.0")
    with httpx.Client(trust_env=False, timeout=30) as client:  # loopback only, never an environment proxy
        return client.request(method, root + path, headers={**({"Host": host} if host else {}), **(headers or {})})


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1.nip.io:{port}",
                                  "localhost.evil.example", "0.0.0.0:{port}", "192.168.1.20:{port}",
                                  "evillocalhost:{port}", "localhost:evil"])
@pytest.mark.parametrize("path", ["/v1.0/applications", "/_emulator/stats"])
def test_a_request_addressed_to_another_name_is_refused(served, host, path):
    """DNS rebinding: a page's own name resolving to 127.0.0.1 still arrives with that name in Host."""
    port = served.base_url.split(":")[2].split("/")[0]
    response = request(served, path, host.format(port=port), AUTH)
    error = assert_error(response, 400, "Request_BadRequest")
    assert "loopback name" in error["message"]


@pytest.mark.parametrize("host", [None, "localhost:{port}", "LOCALHOST", "[::1]:{port}", "127.0.0.1",
                                  "emulator.localhost"])
def test_loopback_names_are_answered_with_or_without_the_port(served, host):
    port = served.base_url.split(":")[2].split("/")[0]
    response = request(served, "/v1.0/applications", host and host.format(port=port), AUTH)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("method, path", [("GET", "/_emulator/stats"), ("POST", "/_emulator/stats/reset")])
def test_the_emulators_own_endpoints_need_a_bearer_token(served, method, path):
    refused = request(served, path, method=method)
    assert_error(refused, 401, "InvalidAuthenticationToken")
    assert request(served, path, headers={"Authorization": "Basic x"}, method=method).status_code == 401
    assert request(served, path, headers=AUTH, method=method).status_code in (200, 204)


def test_serve_listens_on_loopback_unless_told_otherwise(tmp_path, serving_calls):
    result = idamconf("emulator", "serve", "--state", str(tmp_path / "t.db"))
    assert result.code == 0, result.err
    assert serving_calls == [("127.0.0.1", 8931)] and "WARNING" not in result.err
    assert "Graph emulator at http://127.0.0.1:8931/v1.0" in result.out


def test_a_request_naming_two_hosts_is_refused(api):
    """One Host a loopback name and another the page's: not addressed to this machine by one name."""
    async def go():
        transport = httpx.ASGITransport(app=api.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
            request = client.build_request("GET", "/v1.0/applications", headers=AUTH)
            request.headers = httpx.Headers([("Host", "localhost"), ("Host", "evil.example"), *AUTH.items()])
            return await client.send(request)

    assert_error(asyncio.run(go()), 400, "Request_BadRequest")


def test_serve_seeds_a_new_state_only_and_a_restart_keeps_what_changed_since(tmp_path, serving_calls):
    """`serve --seed` on every start (a container's command) must not lay the seed over the tenant again."""
    seed, state = tmp_path / "seed.yaml", tmp_path / "t.db"
    seed.write_text("applications:\n  - {displayName: Legacy portal, uniqueName: legacy}\n")
    assert idamconf("emulator", "serve", "--state", str(state), "--seed", str(seed)).code == 0
    store = Store(state)
    legacy = store.find("applications", "uniqueName", "legacy")
    assert Api(store).patch(f"applications/{legacy['id']}", json={"displayName": "Legacy (renamed)"}).status_code == 204
    store.close()
    assert idamconf("emulator", "serve", "--state", str(state), "--seed", str(seed)).code == 0
    store = Store(state)
    assert store.find("applications", "uniqueName", "legacy")["displayName"] == "Legacy (renamed)"
    store.close()


def test_serve_stops_on_a_seed_that_does_not_load(tmp_path, serving_calls):
    seed = tmp_path / "seed.yaml"
    seed.write_text("users:\n  - {bogus: 1}\n")
    result = idamconf("emulator", "serve", "--state", str(tmp_path / "t.db"), "--seed", str(seed))
    assert result.code == 1 and result.err.startswith("error: --seed: ")
    assert serving_calls == []
