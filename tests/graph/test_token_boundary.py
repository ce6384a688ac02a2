"""The tenant's token goes only to Microsoft Graph (issue 23).

- `validate` (and so every command) accepts as `graphUrl` only Microsoft Graph's service roots, global and national
  clouds, for credentials that sign in to Entra ID; and only loopback for `credential: emulator`. Anything else is
  refused at idamconf.yaml:line:column, naming the allowed forms, without repeating the URL.
- The HTTP client refuses any request to another origin -- an `@odata.nextLink` or a redirect pointing elsewhere --
  before it is sent: the real SDK stack is used, with a stand-in credential and transport, so nothing leaves the
  machine.
- The token's scope and the sign-in authority follow the cloud.
"""

from __future__ import annotations

import asyncio
import re
import time

import httpx
import pytest
from azure.core.credentials import AccessToken
from azure.identity import aio

from idamconf.emulator.seed import seed_file
from idamconf.emulator.store import Store
from idamconf.graph import connect
from idamconf.graph.clouds import CLOUDS
from idamconf.graph.origin import ForeignOrigin
from tests.cli.harness import edit, idamconf, plan
from tests.conftest import EXAMPLES
from tests.emulator.conftest import serving

TOKEN = "tenant-token-must-stay-with-graph"
SETTINGS = ("    tenantId: 00000000-0000-0000-0000-0000000ab001\n    clientId: 00000000-0000-0000-0000-0000000ab002\n"
            "    clientSecretEnv: IDAMCONF_PROBE_SECRET\n    certificatePath: certs/idamconf.pem\n")


def probe_environment(project, graph_url: str, credential: str) -> int:
    """Adds environment `probe` with this graphUrl and credential; returns the graphUrl's line."""
    edit(project / "idamconf.yaml", "environments:\n",
         f"environments:\n  probe:\n    graphUrl: {graph_url}\n    credential: {credential}\n{SETTINGS}")
    lines = (project / "idamconf.yaml").read_text().splitlines()
    return lines.index(f"    graphUrl: {graph_url}") + 1


@pytest.fixture
def no_tenant(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a refused graphUrl must never be connected to")

    monkeypatch.setattr(connect, "connect", refuse)


# ----------------------------------------------------------------------------------------------------- validate
ACCEPTED = [*((cloud.url, "workload-identity") for cloud in CLOUDS),
            (CLOUDS[0].url + "/", "default"), (CLOUDS[1].url, "client-secret"), (CLOUDS[3].url, "certificate"),
            ("http://127.0.0.1:8931/v1.0", "emulator"), ("https://localhost:8443/v1.0/", "emulator"),
            ("http://[::1]:8931/v1.0", "emulator"), ("http://localhost/v1.0", "emulator")]


@pytest.mark.parametrize("graph_url, credential", ACCEPTED)
def test_graph_endpoints_and_loopback_emulators_are_accepted(project, graph_url, credential):
    probe_environment(project, graph_url, credential)
    # the example's client secret goes to a vault of the global cloud, which a national cloud's environment refuses
    # (tests/bad_inputs/cases/secret-vault-url-another-cloud): here only the graphUrl is under test
    edit(project / "applications" / "expenses.yaml", "secrets:\n", "environments: [local, devl, nle, live]\nsecrets:\n")
    result = idamconf("validate", "-C", str(project))
    assert result.code == 0, result.err


TENANT_REFUSED = {  # graphUrl -> what of it must never be repeated
    "https://evil.example/v1.0": "evil",
    "https://graph.microsoft.com.evil.example/v1.0": "evil",
    "https://graph.microsoft.com@evil.example/v1.0": "evil",
    "https://user:hunter2@graph.microsoft.com/v1.0": "hunter2",
    "http://graph.microsoft.com/v1.0": "http://graph",
    "https://graph.microsoft.com:8443/v1.0": "8443",
    "https://GRAPH.microsoft.com/v1.0": "GRAPH",
    "https://graph.windows.net/v1.0": "windows.net",
    "http://127.0.0.1:8931/v1.0": "8931",
}


@pytest.mark.parametrize("credential", ["default", "workload-identity", "client-secret", "certificate"])
@pytest.mark.parametrize("graph_url", list(TENANT_REFUSED))
def test_a_tenant_credential_is_refused_anything_but_graph(project, no_tenant, graph_url, credential):
    line = probe_environment(project, graph_url, credential)
    for command in (["validate"], ["plan", "-e", "probe"]):
        result = idamconf(*command, "-C", str(project))
        assert result.code == 1, result.out + result.err
        assert f"idamconf.yaml:{line}:15: error: environments.probe.graphUrl: " in result.err
        assert f"credential '{credential}'" in result.err
        assert all(cloud.url in result.err for cloud in CLOUDS), result.err  # the allowed forms, named
        assert TENANT_REFUSED[graph_url] not in result.err and TENANT_REFUSED[graph_url] not in result.out


EMULATOR_REFUSED = {
    "https://graph.microsoft.com/v1.0": "graph.microsoft.com/v1.0 ",
    "http://localhost.evil.example:8931/v1.0": "evil",
    "http://127.0.0.1.nip.io:8931/v1.0": "nip.io",
    "http://user:hunter2@127.0.0.1:8931/v1.0": "hunter2",
    "http://127.0.0.1:99999/v1.0": "99999",
    "http://0.0.0.0:8931/v1.0": "0.0.0.0",
    "http://192.168.1.20:8931/v1.0": "192.168",
}


@pytest.mark.parametrize("graph_url", list(EMULATOR_REFUSED))
def test_the_emulator_credential_is_refused_anything_but_loopback(project, no_tenant, graph_url):
    line = probe_environment(project, graph_url, "emulator")
    result = idamconf("validate", "-C", str(project))
    assert result.code == 1
    assert f"idamconf.yaml:{line}:15: error: environments.probe.graphUrl: credential 'emulator' is only for an " \
           "emulator on this machine" in result.err
    assert "http://127.0.0.1:PORT/v1.0" in result.err and "http://[::1]:PORT/v1.0" in result.err
    assert EMULATOR_REFUSED[graph_url] not in result.err


def test_a_served_emulator_on_loopback_still_works(project):
    """The allow-list and the HTTP client's guard let the emulator credential reach a loopback emulator."""
    store = Store(project.parent / "served.db")
    seed_file(store, EXAMPLES / "emulator" / "directory.yaml")
    with serving(store) as served:
        edit(project / "idamconf.yaml", "defaultEnvironment: local", "defaultEnvironment: served")
        edit(project / "idamconf.yaml", "environments:\n",
             f"environments:\n  served:\n    graphUrl: {served.base_url}\n    credential: emulator\n"
             "    tenantId: 00000000-0000-0000-0000-00000000c001\n    verifiedDomains: [contoso.com]\n")
        result = plan(project)
    assert result.code == 0, result.err
    assert re.search(r"^  \+ app\.[a-z-]+  \(create\)$", result.out, re.M) and "0 to destroy." in result.out


# ------------------------------------------------------------------------------------------ the HTTP client itself
class StandInCredential:
    """azure-identity's place: a token for whatever scope is asked (recorded), no sign-in."""

    def __init__(self):
        self.scopes: list[tuple] = []
        self.closed = False

    async def get_token(self, *scopes, **options) -> AccessToken:
        self.scopes.append(scopes)
        return AccessToken(TOKEN, int(time.time()) + 3600)

    async def close(self) -> None:
        self.closed = True


class StandInNetwork:
    """Where requests would go: records each (origin, Authorization header) and answers as `answer` says."""

    def __init__(self, answer):
        self.answer = answer
        self.sent: list[tuple[str, str | None]] = []

    def client(self, base_url: str, timeout, verify=True) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self.handle), base_url=base_url, timeout=timeout)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.sent.append((f"{request.url.scheme}://{request.url.netloc.decode()}",
                          request.headers.get("authorization")))
        return self.answer(request)


@pytest.fixture
def stand_ins(monkeypatch):
    credential = StandInCredential()
    clouds = []

    def make(answer) -> StandInNetwork:
        network = StandInNetwork(answer)
        monkeypatch.setattr(connect, "_network_client", network.client)
        return network

    def new_credential(target, cloud):
        clouds.append(cloud)
        return credential

    monkeypatch.setattr(connect, "_new_credential", new_credential)
    return make, credential, clouds


def target(cloud) -> connect.Target:
    return connect.Target("probe", cloud.url, "workload-identity", "00000000-0000-0000-0000-0000000ab001",
                          "00000000-0000-0000-0000-0000000ab002")


def read_list(cloud, path: str = "applications"):
    async def go():
        async with connect.connect(target(cloud)) as client:
            return await client.get_all(path)

    return asyncio.run(go())


FOREIGN = ["https://evil.example/v1.0/applications?$skiptoken=2",
           "https://{host}.evil.example/v1.0/applications?$skiptoken=2",
           "http://{host}/v1.0/applications?$skiptoken=2",  # the same host, without TLS
           "https://{host}:8443/v1.0/applications?$skiptoken=2",  # the same host, another port
           "https://evil.example@{host}.evil.example/v1.0/applications?$skiptoken=2",
           "https://{host}@evil.example/v1.0/applications?$skiptoken=2",  # the host as userinfo: the prefix differs
           "https://{host}:443@evil.example/v1.0/applications?$skiptoken=2"]


@pytest.mark.parametrize("cloud", CLOUDS, ids=[cloud.host for cloud in CLOUDS])
@pytest.mark.parametrize("foreign", FOREIGN)
def test_a_next_link_to_another_origin_is_never_followed(stand_ins, cloud, foreign):
    make, credential, clouds = stand_ins
    elsewhere = foreign.format(host=cloud.host)
    network = make(lambda request: httpx.Response(200, json={"value": [{"id": "1"}], "@odata.nextLink": elsewhere}))
    with pytest.raises(ForeignOrigin, match="refused to send a request to"):
        read_list(cloud)
    assert network.sent == [(cloud.graph, f"Bearer {TOKEN}")]  # the first page only, from the cloud's Graph
    assert credential.scopes and set(credential.scopes) == {(cloud.scope,)}
    assert clouds == [cloud]


def test_a_redirect_to_another_origin_is_never_followed(stand_ins):
    make, credential, _ = stand_ins
    network = make(lambda request: httpx.Response(302, headers={"Location": "https://evil.example/v1.0/applications"}))
    with pytest.raises(ForeignOrigin):
        read_list(CLOUDS[0])
    assert [origin for origin, _ in network.sent] == [CLOUDS[0].graph]


def test_pages_from_the_same_origin_are_followed_with_the_token(stand_ins):
    make, _, _ = stand_ins
    cloud = CLOUDS[2]

    def answer(request: httpx.Request) -> httpx.Response:
        if "skiptoken" in str(request.url):
            return httpx.Response(200, json={"value": [{"id": "2"}]})
        return httpx.Response(200, json={"value": [{"id": "1"}], "@odata.nextLink": f"{cloud.url}/applications?"
                                                                                     "$skiptoken=2"})

    network = make(answer)
    assert read_list(cloud) == [{"id": "1"}, {"id": "2"}]
    assert network.sent == [(cloud.graph, f"Bearer {TOKEN}")] * 2


def test_a_served_emulators_token_is_asked_for_graphs_scope_and_sent_only_to_its_origin(stand_ins):
    """A tenant credential signing in to a served emulator (https on loopback) asks for the global Graph's scope --
    the one the emulator's identity provider issues and its Graph accepts, not the loopback origin's -- and the token
    goes to that loopback origin, which is both its Graph and its sign-in authority."""
    make, credential, clouds = stand_ins
    network = make(lambda request: httpx.Response(200, json={"value": [{"id": "1"}]}))
    served = connect.Target("served", "https://127.0.0.1:8443/v1.0", "client-secret", "t", "c", "IDAMCONF_PROBE_SECRET")

    async def go():
        async with connect.connect(served) as client:
            return await client.get_all("applications")

    assert asyncio.run(go()) == [{"id": "1"}]
    assert network.sent == [("https://127.0.0.1:8443", f"Bearer {TOKEN}")]
    assert credential.scopes == [("https://graph.microsoft.com/.default",)]
    assert [(cloud.graph, cloud.authority) for cloud in clouds] == [("https://graph.microsoft.com",
                                                                     "https://127.0.0.1:8443")]


def test_azure_identitys_credential_is_closed_with_the_client(stand_ins):
    """azure-identity's async credential holds an HTTP session of its own: left open, it would outlive the command
    (and aiohttp warns of an unclosed session at exit)."""
    make, credential, _ = stand_ins
    make(lambda request: httpx.Response(200, json={"value": [{"id": "1"}]}))

    async def go():
        async with connect.connect(target(CLOUDS[0])) as client:
            await client.get_all("applications")
            return credential.closed

    assert asyncio.run(go()) is False and credential.closed


def test_a_graph_url_refused_by_validate_is_refused_by_connect_too(stand_ins):
    """Defence in depth: a Target built some other way still cannot send the token elsewhere."""
    make, credential, _ = stand_ins
    network = make(lambda request: httpx.Response(200, json={"value": []}))
    evil = connect.Target("probe", "https://evil.example/v1.0", "default")

    async def go():
        async with connect.connect(evil):
            pass

    with pytest.raises(connect.ConnectError, match="not a Microsoft Graph endpoint"):
        asyncio.run(go())
    assert network.sent == [] and credential.scopes == []


# ---------------------------------------------------------------------------------------------- sign-in authority
class Recorder:
    made: list[dict] = []

    def __init__(self, *args, **kwargs):
        Recorder.made.append(kwargs)


@pytest.mark.parametrize("cloud", CLOUDS, ids=[cloud.host for cloud in CLOUDS])
def test_the_sign_in_authority_follows_the_cloud(monkeypatch, cloud):
    monkeypatch.setenv("IDAMCONF_PROBE_SECRET", "not-a-real-secret")
    monkeypatch.setenv(connect.FEDERATED_TOKEN_VARIABLE, "token-file")  # as a pipeline's OIDC step leaves it
    monkeypatch.delenv(connect.AUTHORITY_VARIABLE, raising=False)
    Recorder.made = []
    for name in ("DefaultAzureCredential", "ClientSecretCredential", "CertificateCredential",
                 "WorkloadIdentityCredential"):
        monkeypatch.setattr(aio, name, Recorder)
    for kind in ("default", "client-secret", "certificate", "workload-identity"):
        connect._credential(connect.Target("probe", cloud.url, kind, "t", "c", "IDAMCONF_PROBE_SECRET", "c.pem"), cloud)
    assert [made["authority"] for made in Recorder.made] == [cloud.authority] * 4
    monkeypatch.setenv(connect.AUTHORITY_VARIABLE, "https://127.0.0.1:1")  # the machine's own setting wins
    connect._credential(connect.Target("probe", cloud.url, "default"), cloud)
    assert Recorder.made[-1]["authority"] == "https://127.0.0.1:1"


def test_national_cloud_scopes_and_authorities_are_microsofts():
    """The table against Microsoft's national cloud deployments page (learn.microsoft.com/graph/deployments)."""
    table = {cloud.url: (cloud.scope, cloud.authority) for cloud in CLOUDS}
    assert table == {
        "https://graph.microsoft.com/v1.0": ("https://graph.microsoft.com/.default", "login.microsoftonline.com"),
        "https://graph.microsoft.us/v1.0": ("https://graph.microsoft.us/.default", "login.microsoftonline.us"),
        "https://dod-graph.microsoft.us/v1.0": ("https://dod-graph.microsoft.us/.default",
                                                "login.microsoftonline.us"),
        "https://microsoftgraph.chinacloudapi.cn/v1.0": ("https://microsoftgraph.chinacloudapi.cn/.default",
                                                         "login.chinacloudapi.cn"),
    }
    assert all(re.fullmatch(r"[a-z.-]+", cloud.host) for cloud in CLOUDS)
