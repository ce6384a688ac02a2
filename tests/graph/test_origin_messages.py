"""The HTTP client's one origin, as the user reads a refusal: which origin was refused and which is the
environment's Graph, each with its port made explicit (https://h and https://h:443 are one origin, and are followed
alike); an IPv6 loopback shown in brackets; a malformed link refused as such. Nothing leaves the machine: the
stand-in network of tests/graph/test_token_boundary.py answers."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import http.server
import threading

import httpx
import pytest

from idamconf.graph import connect
from idamconf.graph.clouds import CLOUDS
from idamconf.graph.origin import ForeignOrigin, own_prefix, refuse_foreign

from .test_token_boundary import read_list, stand_ins, target  # noqa: F401 - stand_ins is a fixture

GRAPH = CLOUDS[0]
ELSEWHERE = ("refused to send a request to {found}: this environment's Graph is {graph}, and nothing else is ever "
             "sent a request (an @odata.nextLink or a redirect pointed elsewhere)")


def paged(next_link: str):
    def answer(request: httpx.Request) -> httpx.Response:
        if "skiptoken" in str(request.url):
            return httpx.Response(200, json={"value": [{"id": "2"}]})
        return httpx.Response(200, json={"value": [{"id": "1"}], "@odata.nextLink": next_link})

    return answer


@pytest.mark.parametrize("foreign, found", [("https://evil.example/v1.0/applications?$skiptoken=2",
                                             "https://evil.example:443"),
                                            ("http://graph.microsoft.com/v1.0/applications?$skiptoken=2",
                                             "http://graph.microsoft.com:80")])
def test_a_refused_link_names_both_origins_with_their_ports(stand_ins, foreign, found):  # noqa: F811
    make, _, _ = stand_ins
    make(paged(foreign))
    with pytest.raises(ForeignOrigin) as refused:
        read_list(GRAPH)
    assert str(refused.value) == ELSEWHERE.format(found=found, graph="https://graph.microsoft.com:443")


def test_the_default_port_written_out_is_the_same_origin(stand_ins):  # noqa: F811
    make, _, _ = stand_ins
    network = make(paged("https://graph.microsoft.com:443/v1.0/applications?$skiptoken=2"))
    assert read_list(GRAPH) == [{"id": "1"}, {"id": "2"}]
    assert len(network.sent) == 2


def test_an_ipv6_loopback_is_shown_in_brackets_and_a_malformed_link_refused_as_such():
    origin = ("http", "::1", 8931)
    with pytest.raises(ForeignOrigin) as refused:
        refuse_foreign("http://127.0.0.1:8931/v1.0/applications", origin)
    assert str(refused.value) == ELSEWHERE.format(found="http://127.0.0.1:8931", graph="http://[::1]:8931")
    with pytest.raises(ForeignOrigin) as malformed:
        refuse_foreign("http://[::1/v1.0", origin)
    assert str(malformed.value) == "refused to send a request to a malformed URL: this environment's Graph is " \
                                   "http://[::1]:8931"


def test_a_refused_next_page_while_a_page_is_kept_leaves_no_error_unheard(stand_ins, caplog):  # noqa: F811
    """The next page is asked for while a page is kept; when keeping fails, the next page's own failure (here, its
    link refused) is collected, not left for asyncio to log as "Task exception was never retrieved"."""
    make, _, _ = stand_ins
    make(paged("https://evil.example/v1.0/applications?$skiptoken=2"))

    def keep(app):
        raise ValueError(f"cannot keep {app['id']}")

    async def go():
        async with connect.connect(target(GRAPH)) as client:
            with pytest.raises(ValueError, match="cannot keep 1"):
                await client.get_all("applications", keep=keep)

    asyncio.run(go())
    gc.collect()
    assert [record.getMessage() for record in caplog.records if record.name == "asyncio"] == []


def test_a_proxy_the_environment_names_is_used_and_guarded_too(monkeypatch):
    """httpx takes HTTPS_PROXY from the environment (a corporate network's): requests to Graph go through it, and the
    origin guard sits in front of the proxy's transport as well. The proxy here is a loopback port nobody listens
    on, so the request to Graph is refused by the machine, never sent anywhere."""
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    client = connect._http_client(connect.Target("probe", GRAPH.url, "default"))

    async def go():
        try:
            with pytest.raises(ForeignOrigin):
                await client.get("https://evil.example/v1.0/applications")
            with pytest.raises(httpx.ConnectError, match="All connection attempts failed"):  # the proxy's port
                await client.get(GRAPH.url + "/applications")
        finally:
            await client.aclose()

    asyncio.run(go())


@contextlib.contextmanager
def loopback_graph():
    """A stand-in Graph on a loopback port, answering every GET with an empty list; yields its base URL."""
    class Answer(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = b'{"value": []}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # the test's output stays quiet
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1.0"
    finally:
        server.shutdown()
        server.server_close()


def test_a_graph_the_environment_exempts_from_its_proxy_is_reached_directly_and_still_guarded(monkeypatch):
    """A served emulator on loopback beside a corporate proxy: NO_PROXY names its host, for which httpx mounts no
    transport at all (None), so its requests go straight to it through the guarded default transport; every other
    host still meets the guard first. The proxy is a loopback port nobody listens on: an answer came directly."""
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    with loopback_graph() as graph_url:
        client = connect._http_client(connect.Target("probe", graph_url))

        async def go():
            try:
                assert (await client.get(graph_url + "/applications")).json() == {"value": []}
                with pytest.raises(ForeignOrigin):
                    await client.get("http://127.0.0.1:9/v1.0/applications")
            finally:
                await client.aclose()

        asyncio.run(go())


@pytest.mark.parametrize("base_url, prefix", [("https://graph.microsoft.com/v1.0", "https://graph.microsoft.com/"),
                                              ("http://127.0.0.1:8931/v1.0", "http://127.0.0.1:8931/"),
                                              ("http://[::1]:8931/v1.0", "http://[::1]:8931/"),
                                              ("https://graph.microsoft.com", None),  # no path: always parsed
                                              ("https://user@graph.microsoft.com/v1.0", None),
                                              ("ftp://graph.microsoft.com/v1.0", None)])
def test_a_link_is_known_to_be_at_the_origin_unparsed_only_by_the_exact_authority(base_url, prefix):
    assert own_prefix(base_url) == prefix


def test_a_link_at_the_origin_spelt_otherwise_is_parsed_and_followed(stand_ins):  # noqa: F811
    make, _, _ = stand_ins
    network = make(paged("https://GRAPH.microsoft.com/v1.0/applications?$skiptoken=2"))
    assert read_list(GRAPH) == [{"id": "1"}, {"id": "2"}]
    assert len(network.sent) == 2


class _Adapter:
    """Stands in for the SDK's adapter: notes what the client hands it (and so would ask a token for)."""

    def __init__(self):
        self.given = []

    async def send_primitive_async(self, info, *_):
        self.given.append(info.url)
        raise AssertionError("handed to the SDK")


@pytest.mark.parametrize("link", ["https://graph.microsoft.com.evil.example/v1.0/applications?$skiptoken=2",
                                  "https://graph.microsoft.com@evil.example/v1.0/applications?$skiptoken=2",
                                  "https://graph.microsoft.com:8443/v1.0/applications?$skiptoken=2"])
def test_a_foreign_link_is_refused_by_the_client_itself_before_the_sdk_sees_it(link):
    from idamconf.graph.client import GraphClient

    adapter = _Adapter()
    client = GraphClient(adapter, "https://graph.microsoft.com/v1.0")
    with pytest.raises(ForeignOrigin):
        asyncio.run(client.send("GET", link))
    assert adapter.given == []
