"""Seeded fault injection: the spec, Graph's cost table, injected 429/503/504 (top-level and inside $batch), dropped
connections in-process and served, latency, replication lag for every kind, Graph's throttling budgets, the
counters, and the wiring (`emulator serve --faults`, IDAMCONF_EMULATOR_FAULTS)."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
import uuid

import httpx
import pytest
from typer.testing import CliRunner

from idamconf.cli import app as cli
from idamconf.emulator import Store, create_app, embedded
from idamconf.emulator.budget import EMULATOR_CLIENT_ID
from idamconf.emulator.faults import NAMES, FaultSpec, Faults, parse_spec
from idamconf.emulator.protocol import Reply, Request
from idamconf.graph import connect
from idamconf.graph.cost import cost

from .conftest import IN_PROCESS_BASE, Api, assert_error, serving
from .test_governance import (EM, app_role, catalog, package, policy_body, resource_request, role_scope_body,
                              single_user)

AUTH = {"Authorization": "Bearer test"}
BASE = "http://emulator.localhost/v1.0"
UPSERT = {"Prefer": "create-if-missing"}
FULL = "seed=7,throttle=0.10,unavailable=0.05,timeout=0.01,drop=0.02,drop-after=0.5,latency=20ms,lag=5s,budget=S"


class Clock:
    """A clock the test moves: budgets refill and replication catches up only when told."""

    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def faulty(store: Store, spec: str, clock: Clock | None = None) -> Api:
    api = Api(store)
    api.app = create_app(store, Faults(parse_spec(spec), clock or Clock()))
    return api


def stats(api: Api):
    return api.app.state.emulator.stats


def batch(api: Api, *items: dict) -> list[dict]:
    response = api.post("$batch", json={"requests": list(items)})
    assert response.status_code == 200, response.text
    return sorted(response.json()["responses"], key=lambda item: int(item["id"]))


def gets(count: int, url: str = "/applications") -> list[dict]:
    return [{"id": str(n), "method": "GET", "url": url} for n in range(count)]


# ------------------------------------------------------------------------------------------------------- the spec
def test_the_spec_names_every_fault():
    assert parse_spec(FULL + ",retry-after=2") == FaultSpec(
        seed=7, throttle=0.1, unavailable=0.05, timeout=0.01, drop=0.02, drop_after=0.5, latency=0.02, lag=5.0,
        budget="S", retry_after=2)
    assert parse_spec("") == parse_spec(" , ") == FaultSpec()
    assert parse_spec("budget=l").budget == "L"


@pytest.mark.parametrize("text, bad", [
    ("throtle=0.1", "throtle=0.1"), ("throttle=1.5", "throttle=1.5"), ("drop=lots", "drop=lots"),
    ("latency=20", "latency=20"), ("lag=5m", "lag=5m"), ("budget=XL", "budget=XL"), ("seed=x", "seed=x"),
    ("retry-after=1.5", "retry-after=1.5"), ("seed=1,throttle", "throttle"),
    ("throttle=0.1,throttle=0.2", "throttle=0.2"), ("throttle=0.6,unavailable=0.5", "throttle=0.6,unavailable=0.5"),
])
def test_a_bad_spec_names_the_bad_part_and_the_accepted_names(text, bad):
    with pytest.raises(ValueError) as raised:
        parse_spec(text)
    message = str(raised.value)
    assert f"'{bad}'" in message and "\n" not in message
    assert all(f"{name}=" in message for name in NAMES)


@pytest.mark.parametrize("method, path, query, expected", [
    ("GET", "applications", {}, (2, 0)), ("GET", "applications", {"$select": "id"}, (1, 0)),
    ("GET", "applications", {"$select": "id", "$top": "5"}, (1, 0)), ("GET", "applications", {"$top": "20"}, (2, 0)),
    ("GET", "applications/1", {}, (1, 0)),
    ("GET", "users", {"$expand": "manager"}, (3, 0)), ("GET", "users/alice@contoso.com/memberOf", {}, (2, 0)),
    ("POST", "directoryObjects/getByIds", {}, (3, 0)), ("POST", "applications", {}, (1, 1)),
    ("PATCH", "applications(uniqueName='a/b')", {}, (1, 1)), ("DELETE", "servicePrincipals/1", {}, (1, 1)),
    ("POST", "identityGovernance/entitlementManagement/catalogs", {}, (0, 0)), ("POST", "$batch", {}, (0, 0)),
    ("GET", "https://graph.microsoft.com/v1.0/applications?$top=999&$select=id", None, (1, 0)),
])
def test_graphs_documented_cost_table(method, path, query, expected):
    assert cost(method, path, query) == expected


# --------------------------------------------------------------------------------------- injected 429, 503, 504
def test_throttle_1_answers_every_request_429_with_retry_after_and_executes_nothing(store):
    api = faulty(store, "seed=1,throttle=1.0,retry-after=3")
    for method, url, body in [("GET", "applications", None), ("POST", "applications", {"displayName": "x"}),
                              ("POST", EM + "catalogs", {"displayName": "c"})]:
        response = api.request(method, url, json=body)
        assert_error(response, 429, "TooManyRequests")
        assert response.headers["Retry-After"] == "3"
    clean = Api(store)
    assert clean.get("applications").json()["value"] == [] and clean.get(EM + "catalogs").json()["value"] == []
    assert stats(api).injected == {"throttle": 3} and stats(api).resource_units == 0


@pytest.mark.parametrize("spec, status, code, retry_after", [
    ("unavailable=1", 503, "ServiceUnavailable", "1"), ("timeout=1", 504, "GatewayTimeout", None)])
def test_unavailable_and_timeout_answer_in_graphs_error_shape(store, spec, status, code, retry_after):
    response = faulty(store, spec).post("applications", json={"displayName": "x"})
    assert_error(response, status, code)
    assert response.headers.get("Retry-After") == retry_after
    assert Api(store).get("applications").json()["value"] == []


def test_batch_items_are_faulted_one_by_one_inside_a_200(store):
    api = faulty(store, "seed=7,throttle=0.5")
    items = batch(api, *gets(20))
    statuses = [item["status"] for item in items]
    assert set(statuses) == {200, 429}
    for item in items:
        if item["status"] == 429:
            assert item["headers"]["Retry-After"] == "1" and item["body"]["error"]["code"] == "TooManyRequests"
    assert stats(api).statuses == {"200": statuses.count(200), "429": statuses.count(429)}
    assert (stats(api).http_requests, stats(api).batches, stats(api).batch_items) == (1, 1, 20)


def test_the_same_seed_gives_the_same_faults():
    def statuses(spec: str) -> list[int]:
        api = faulty(Store(), spec)
        return [item["status"] for item in batch(api, *gets(20)) + batch(api, *gets(20))]

    first = statuses("seed=3,throttle=0.3,unavailable=0.2,timeout=0.1")
    assert set(first) == {200, 429, 503, 504}
    assert statuses("seed=3,throttle=0.3,unavailable=0.2,timeout=0.1") == first
    assert statuses("seed=4,throttle=0.3,unavailable=0.2,timeout=0.1") != first


# ---------------------------------------------------------------------------------------- dropped connections
@pytest.mark.parametrize("drop_after, committed", [(1, True), (0, False)])
def test_a_drop_is_a_transport_error_and_drop_after_commits_the_write(store, drop_after, committed):
    api = faulty(store, f"seed=1,drop=1,drop-after={drop_after}")
    with pytest.raises(httpx.TransportError):
        api.patch("applications(uniqueName='dropped')", json={"displayName": "Dropped"}, headers=UPSERT)
    back = Api(store).get("applications(uniqueName='dropped')")
    assert back.status_code == (200 if committed else 404)
    assert stats(api).injected == {f"drop-{'after' if committed else 'before'}": 1}
    assert (stats(api).http_requests, stats(api).requests) == (1, 1 if committed else 0)


class Records(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.mark.parametrize("drop_after, committed", [(1, True), (0, False)])
def test_a_drop_served_by_uvicorn_closes_the_connection_quietly(tmp_path, drop_after, committed):
    store = Store(tmp_path / "t.db")
    with serving(store, Faults(parse_spec(f"seed=1,drop=1,drop-after={drop_after}"))) as emulator:
        records = Records()
        logging.getLogger("uvicorn.error").addHandler(records)
        try:
            with httpx.Client(base_url=emulator.base_url + "/", headers=AUTH, trust_env=False) as http:
                # closed without an answer: the client sees the end of the stream, or a reset when the close
                # overtakes the request still being sent (it depends on timing; both mean "no answer")
                with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
                    http.patch("applications(uniqueName='dropped')", json={"displayName": "Dropped"}, headers=UPSERT)
            assert (store.find("applications", "uniqueName", "dropped") is not None) == committed
        finally:
            logging.getLogger("uvicorn.error").removeHandler(records)
    assert [record.getMessage() for record in records.records if record.levelno >= logging.ERROR] == []


def test_latency_is_added_per_round_trip_not_per_batch_item(store):
    api = faulty(store, "latency=100ms")
    started = time.perf_counter()
    api.get("applications")
    assert time.perf_counter() - started >= 0.1
    started = time.perf_counter()
    batch(api, *gets(10))
    assert 0.1 <= time.perf_counter() - started < 0.5


def test_latency_delays_a_sign_in_as_the_network_would_but_not_the_emulators_own_endpoints(store):
    """A sign-in's round trips (the OpenID configuration, the token) cross the same network as Graph's; they are
    neither counted as Graph requests nor dropped. The emulator's counters answer at once."""
    api = faulty(store, "latency=100ms,drop=1.0")
    started = time.perf_counter()
    origin = IN_PROCESS_BASE.removesuffix("/v1.0/").removesuffix("/v1.0")
    assert api.get(f"{origin}/{store.tenant_id}/v2.0/.well-known/openid-configuration").status_code == 200
    assert time.perf_counter() - started >= 0.1
    assert stats(api).http_requests == 0
    started = time.perf_counter()
    assert api.get(f"{origin}/_emulator/stats", headers={"Authorization": "Bearer x"}).status_code == 200
    assert time.perf_counter() - started < 0.1


# ---------------------------------------------------------------------------------------------- replication lag
def test_lag_hides_a_new_application_from_reads_and_references_until_it_replicates(store):
    clock = Clock()
    api = faulty(store, "seed=5,lag=5s", clock)
    app = api.create_app(displayName="Lagging", uniqueName="lagging")
    for url in (f"applications/{app['id']}", f"applications(appId='{app['appId']}')",
                "applications(uniqueName='lagging')"):
        assert_error(api.get(url), 404, "Request_ResourceNotFound")
    assert api.get("applications").json()["value"] == []
    assert api.get("applications", params={"$filter": "displayName eq 'Lagging'"}).json()["value"] == []
    assert_error(api.patch(f"applications/{app['id']}", json={"description": "x"}), 404, "Request_ResourceNotFound")
    assert_error(api.patch("applications(uniqueName='lagging')", json={"description": "x"}), 404)
    refused = assert_error(api.post("servicePrincipals", json={"appId": app["appId"]}), 400)
    assert refused["details"][0]["code"] == "NoBackingApplicationObject"
    # the write primary sees it: uniqueness, and an upsert by its key updates it (204, not a second application)
    assert_error(api.post("applications", json={"displayName": "Twin", "uniqueName": "lagging"}), 409)
    upserted = api.patch("applications(uniqueName='lagging')", json={"displayName": "Lagging", "description": "up"},
                         headers=UPSERT)  # (an upsert carries displayName: application-upsert.md)
    assert upserted.status_code == 204

    clock.advance(5.0)
    assert api.get(f"applications/{app['id']}").json()["description"] == "up"
    assert [found["id"] for found in api.get("applications").json()["value"]] == [app["id"]]
    assert api.post("servicePrincipals", json={"appId": app["appId"]}).status_code == 201


def test_lag_applies_to_every_kind_of_entitlement_management_object(store, users):
    clock = Clock()
    api = faulty(store, "seed=9,lag=2s", clock)
    role = app_role("Reader")
    application, cat = api.create_app(appRoles=[role]), catalog(api)
    assert_error(api.get(EM + f"catalogs/{cat['id']}"), 404, "Request_ResourceNotFound")
    assert api.get(EM + "catalogs").json()["value"] == []
    assert_error(api.post(EM + "accessPackages", json={"displayName": "p", "catalog": {"id": cat["id"]}}), 400)
    clock.advance(2)

    sp = api.post("servicePrincipals", json={"appId": application["appId"]}).json()
    assert_error(resource_request(api, cat["id"], sp["id"]), 400)  # a just-created service principal
    clock.advance(2)
    assert resource_request(api, cat["id"], sp["id"]).status_code == 201
    resources = EM + f"catalogs/{cat['id']}/resources"
    assert api.get(resources).json()["value"] == []
    assert_error(resource_request(api, cat["id"], sp["id"]), 400, "ResourceAlreadyOnboarded")  # the primary's view
    clock.advance(2)
    resource = api.get(resources).json()["value"][0]

    pkg = package(api, cat["id"])
    assert_error(api.get(EM + f"accessPackages/{pkg['id']}"), 404)
    assert api.get(EM + "accessPackages", params={"$filter": f"catalog/id eq '{cat['id']}'"}).json()["value"] == []
    alice, bob = (single_user(user) for user in users)
    assert_error(api.post(EM + "assignmentPolicies", json=policy_body(pkg["id"], [alice], [bob])), 400)
    scopes = EM + f"accessPackages/{pkg['id']}/resourceRoleScopes"
    assert_error(api.post(scopes, json=role_scope_body(role["id"], sp["id"], {"id": resource["id"]})), 404)
    clock.advance(2)

    scope = api.post(scopes, json=role_scope_body(role["id"], sp["id"], {"id": resource["id"]})).json()
    expanded = EM + f"accessPackages/{pkg['id']}?$expand=resourceRoleScopes"
    assert api.get(expanded).json()["resourceRoleScopes"] == []
    assert_error(api.delete(f"{scopes}/{scope['id']}"), 404)
    assert_error(api.delete(EM + f"accessPackages/{pkg['id']}"), 400, "ResourceInUse")  # in-use: the primary's view
    policy = api.post(EM + "assignmentPolicies", json=policy_body(pkg["id"], [alice], [bob])).json()
    assert_error(api.get(EM + f"assignmentPolicies/{policy['id']}"), 404)
    assert api.get(EM + "assignmentPolicies").json()["value"] == []
    clock.advance(2)
    assert [found["id"] for found in api.get(expanded).json()["resourceRoleScopes"]] == [scope["id"]]
    assert api.get(EM + f"assignmentPolicies/{policy['id']}").status_code == 200


# ---------------------------------------------------------------------------------------------------- budgets
def test_every_directory_response_carries_its_resource_units(store):
    api = Api(store)
    assert api.get("applications").headers["x-ms-resource-unit"] == "2"
    assert api.get("applications", params={"$select": "id"}).headers["x-ms-resource-unit"] == "1"
    assert api.get(f"applications/{uuid.uuid4()}").headers["x-ms-resource-unit"] == "1"
    assert "x-ms-resource-unit" not in api.get(EM + "catalogs").headers


def dispatch(api: Api, method: str, paths, token: str = "test") -> list[Reply]:
    """Requests straight to the dispatcher every HTTP request and batch item goes through: fast, for thousands."""
    emulator = api.app.state.emulator

    async def run():
        return [await emulator.handle(Request(method, path, {}, {"authorization": f"Bearer {token}"}, None, BASE))
                for path in paths]

    return asyncio.run(run())


def test_budget_s_refuses_the_3001st_write_then_refills_at_20_writes_a_second(store):
    clock = Clock()
    api = faulty(store, "budget=S", clock)
    replies = dispatch(api, "DELETE", (f"applications/{n}" for n in range(3000)))  # 404s are charged all the same
    assert {reply.status for reply in replies} == {404}
    assert "x-ms-throttle-limit-percentage" not in replies[0].headers
    assert replies[2499].headers["x-ms-throttle-limit-percentage"] == "0.83"  # more than 0.8 of a limit is used
    assert replies[-1].headers["x-ms-throttle-limit-percentage"] == "1.00"  # more than 0.8 of a limit is used
    refused = api.delete("applications/one-too-many")
    assert_error(refused, 429, "TooManyRequests")
    assert refused.headers["Retry-After"] == "1"
    assert refused.headers["x-ms-throttle-information"] == "WriteLimitExceeded"
    assert refused.headers["x-ms-throttle-scope"] == f"Tenant_Application/Write/{EMULATOR_CLIENT_ID}/{store.tenant_id}"
    assert api.get("applications").status_code == 200  # reads have their own budget left (500 of 3,500 units)
    assert api.post(EM + "catalogs", json={"displayName": "c"}).status_code == 201  # not charged: not documented

    clock.advance(0.5)  # 10 writes come back
    deletes = [{"id": str(n), "method": "DELETE", "url": f"/applications/{n}"} for n in range(20)]
    assert [item["status"] for item in batch(api, *deletes)] == [404] * 10 + [429] * 10
    clock.advance(150)
    assert api.delete("applications/refilled").status_code == 404
    assert stats(api).writes == 3011 and stats(api).injected == {"budget": 11}


def test_budget_s_refuses_resource_units_past_3500_in_10_seconds(store):
    clock = Clock()
    api = faulty(store, "budget=S", clock)
    replies = dispatch(api, "GET", ["applications"] * 1750)  # lists cost 2 units each
    assert {reply.status for reply in replies} == {200}
    refused = api.get("applications")
    assert refused.headers["x-ms-throttle-information"] == "ResourceUnitLimitExceeded"
    assert refused.headers["x-ms-throttle-scope"].startswith("Tenant_Application/ReadWrite/")
    clock.advance(1)  # 350 units come back: 175 lists, not one more
    assert {reply.status for reply in dispatch(api, "GET", ["applications"] * 175)} == {200}
    assert api.get("applications").status_code == 429


def test_a_bucket_at_rest_fills_to_its_quota_and_no_further(store):
    clock = Clock()
    api = faulty(store, "budget=S", clock)
    assert api.delete("applications/first").status_code == 404  # the application's buckets, from now on
    clock.advance(1000)  # 20,000 writes' worth of refill, but a bucket holds 3,000
    assert {reply.status for reply in dispatch(api, "DELETE", (f"applications/{n}" for n in range(3000)))} == {404}
    assert_error(api.delete("applications/one-too-many"), 429, "TooManyRequests")


def v2_token(app_id: str) -> str:
    """A token of the v2 form, which names its application in `azp` (v1: `appid`); the emulator checks no signature."""
    def encoded(part: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(part).encode()).decode().rstrip("=")

    return f"{encoded({'alg': 'RS256', 'typ': 'JWT'})}.{encoded({'azp': app_id, 'ver': '2.0'})}.signature"


def test_each_application_has_its_own_budget_named_by_its_token(store):
    clock, pipeline, other = Clock(), str(uuid.uuid4()), str(uuid.uuid4())
    api = faulty(store, "budget=S", clock)
    assert {reply.status for reply in dispatch(api, "DELETE", (f"applications/{n}" for n in range(3000)),
                                                token=v2_token(pipeline))} == {404}
    refused = api.delete("applications/x", headers={"Authorization": f"Bearer {v2_token(pipeline)}"})
    assert_error(refused, 429, "TooManyRequests")
    assert refused.headers["x-ms-throttle-scope"] == f"Tenant_Application/Write/{pipeline}/{store.tenant_id}"
    assert api.delete("applications/x", headers={"Authorization": f"Bearer {v2_token(other)}"}).status_code == 404


# ------------------------------------------------------------------------------------------------------- stats
def test_stats_count_requests_batch_items_units_and_statuses_and_are_served(store):
    api = Api(store)
    api.get("applications")
    api.get("applications", params={"$select": "id"})
    created = api.create_app()
    batch(api, {"id": "1", "method": "GET", "url": f"/applications/{created['id']}"},
          {"id": "2", "method": "GET", "url": "/" + EM + "catalogs", "dependsOn": ["1"]},
          {"id": "3", "method": "GET", "url": f"/applications/{uuid.uuid4()}", "dependsOn": ["2"]},
          {"id": "4", "method": "GET", "url": "/applications", "dependsOn": ["3"]})
    expected = {"http_requests": 4, "batches": 1, "batch_items": 3, "requests": 6, "resource_units": 6, "writes": 1,
                "statuses": {"200": 4, "201": 1, "404": 1}, "injected": {}}
    assert stats(api).as_json() == expected
    assert api.get("http://emulator.localhost/_emulator/stats").json() == expected
    assert api.post("http://emulator.localhost/_emulator/stats/reset").status_code == 204
    assert stats(api).as_json() == {**expected, **dict.fromkeys(["http_requests", "batches", "batch_items",
                                                                  "requests", "resource_units", "writes"], 0),
                                    "statuses": {}}


# ------------------------------------------------------------------------------------------------------ wiring
def test_the_embedded_emulator_takes_its_faults_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("IDAMCONF_EMULATOR_FAULTS", "seed=1,throttle=1")
    app = embedded.open_app(tmp_path / "t.db")
    api = Api(app.state.emulator.store)
    api.app = app
    assert_error(api.get("applications"), 429, "TooManyRequests")
    app.state.emulator.store.close()


def test_a_bad_environment_spec_is_a_connect_error_and_one_line_from_the_cli(project, monkeypatch):
    monkeypatch.setenv("IDAMCONF_EMULATOR_FAULTS", "throttle=lots")
    target = connect.Target("local", "http://emulator.localhost/v1.0", emulator_state=project / "t.db")
    with pytest.raises(connect.ConnectError, match="IDAMCONF_EMULATOR_FAULTS: invalid fault spec at 'throttle=lots'"):
        connect._http_client(target)
    result = CliRunner().invoke(cli, ["plan", "-C", str(project), "--no-colour"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: IDAMCONF_EMULATOR_FAULTS: invalid fault spec at 'throttle=lots'")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_serve_refuses_a_bad_spec_with_one_line_and_exit_1(tmp_path):
    result = CliRunner().invoke(cli, ["emulator", "serve", "--state", str(tmp_path / "t.db"), "--faults", "lag=5"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: --faults: invalid fault spec at 'lag=5': lag takes a duration")
    assert result.stderr.count("\n") == 1 and not (tmp_path / "t.db").exists()
