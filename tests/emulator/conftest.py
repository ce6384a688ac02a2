"""Fixtures for the emulator's tests: an in-process client, a served emulator (uvicorn on 127.0.0.1), seeding.

Everything here reaches only loopback: the in-process client talks to the ASGI app directly (no socket), and the
served emulator binds 127.0.0.1 on a port the OS picks.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import threading
import time
import uuid
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import uvicorn

from idamconf.emulator import Store, create_app
from idamconf.emulator.directory import _new_application
from idamconf.emulator.seed import seed
from idamconf.emulator.tls import TlsFiles

IN_PROCESS_BASE = "http://emulator.localhost/v1.0/"
ALICE = {"userPrincipalName": "alice@contoso.com", "displayName": "Alice"}
BOB = {"userPrincipalName": "bob@contoso.com", "displayName": "Bob"}


class Api:
    """A synchronous face over `httpx.AsyncClient` + `ASGITransport`: each call runs in `asyncio.run`."""

    def __init__(self, store: Store):
        self.store = store
        self.app = create_app(store)

    def client(self, **kwargs) -> httpx.AsyncClient:
        headers = {"Authorization": "Bearer test", **kwargs.pop("headers", {})}
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url=IN_PROCESS_BASE,
                                 headers=headers, **kwargs)

    def request(self, method: str, url: str, **kwargs) -> httpx.Response:
        async def go():
            async with self.client() as client:
                return await client.request(method, url, **kwargs)

        return asyncio.run(go())

    def get(self, url, **kw):
        return self.request("GET", url, **kw)

    def post(self, url, **kw):
        return self.request("POST", url, **kw)

    def patch(self, url, **kw):
        return self.request("PATCH", url, **kw)

    def delete(self, url, **kw):
        return self.request("DELETE", url, **kw)

    # ---------------------------------------------------------------------------------------------- helpers
    def create_app(self, **body) -> dict:
        body.setdefault("displayName", f"app-{uuid.uuid4().hex[:8]}")
        response = self.post("applications", json=body)
        assert response.status_code == 201, response.text
        return response.json()

    def seed_users(self, *users: dict) -> list[dict]:
        seed(self.store, {"users": list(users)})
        return [self.store.find("users", "userPrincipalName", user["userPrincipalName"]) for user in users]


@pytest.fixture
def store() -> Store:
    store = Store()
    yield store
    store.close()


@pytest.fixture
def api(store) -> Api:
    return Api(store)


@pytest.fixture
def users(api) -> list[dict]:
    """Alice and Bob, seeded as directory users."""
    return api.seed_users(ALICE, BOB)


def add_applications(store: Store, count: int, prefix: str = "bulk") -> None:
    """`count` applications written straight to the store (fast: one transaction)."""
    with store.transaction():
        for index in range(count):
            _new_application(store, {"displayName": f"{prefix}-{index:05d}"})


def skiptoken(link: str) -> str:
    """The `$skiptoken` of a nextLink."""
    return parse_qs(urlsplit(link).query)["$skiptoken"][0]


def moved(token: str, seq: str) -> str:
    """An emulator's `$skiptoken` with its place replaced by `seq`, its list and kind kept (odata.encode_skiptoken)."""
    prefix, scope, _, *key = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode().split(":", 3)
    return base64.urlsafe_b64encode(":".join([prefix, scope, seq, *key]).encode()).decode().rstrip("=")


def assert_error(response: httpx.Response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    if code is not None:
        assert error["code"] == code, error
    assert isinstance(error["message"], str) and error["message"]
    assert set(error["innerError"]) == {"date", "request-id", "client-request-id"}
    return error


# ------------------------------------------------------------------------------------------ served emulator
@dataclass
class Served:
    base_url: str  # "http://127.0.0.1:PORT/v1.0" (https with `tls`)
    store: Store
    tls: TlsFiles | None = None  # its CA bundle, when served over TLS


def _serve(store: Store, faults=None, tls: TlsFiles | None = None):
    secured = {"ssl_certfile": str(tls.certificate), "ssl_keyfile": str(tls.private_key)} if tls else {}
    # A client that keeps a TLS connection open (azure-identity's sync credentials) would hold the shutdown up for
    # the thread's whole 10 s join: a second is plenty for a test's last requests to finish.
    config = uvicorn.Config(create_app(store, faults), host="127.0.0.1", port=0, log_level="warning", lifespan="off",
                            access_log=False, timeout_graceful_shutdown=1, **secured)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="emulator-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the emulator did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    return server, thread, port


@contextlib.contextmanager
def serving(store: Store, faults=None, tls: TlsFiles | None = None):
    """Serve `store` with uvicorn on 127.0.0.1 (a port the OS picks) for the duration of the block, optionally
    with a fault policy, and over TLS with the emulator's own CA (emulator/tls.ensure)."""
    server, thread, port = _serve(store, faults, tls)
    try:
        yield Served(f"{'https' if tls else 'http'}://127.0.0.1:{port}/v1.0", store, tls)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        store.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Served:
    """The emulator served by uvicorn on 127.0.0.1 over a SQLite file; one per test module."""
    with serving(Store(tmp_path_factory.mktemp("emulator") / "t.db")) as emulator:
        yield emulator


@pytest.fixture
def http(served) -> httpx.Client:
    """A plain HTTP client to the served emulator, authenticated."""
    with httpx.Client(base_url=served.base_url + "/", headers={"Authorization": "Bearer test"}, timeout=30,
                      trust_env=False) as client:  # never an environment proxy: loopback only
        yield client
