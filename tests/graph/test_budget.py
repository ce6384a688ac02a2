"""Pacing inside Graph's throttling budget: a large run of directory writes is never throttled, and waits only as
long as the budget's refill rate needs. A fake clock stands in for time: no test here sleeps."""

from __future__ import annotations

import asyncio

import httpx
from kiota_abstractions.authentication import BaseBearerTokenAuthenticationProvider
from kiota_http.middleware.options import RetryHandlerOption
from msgraph import GraphRequestAdapter
from msgraph_core import GraphClientFactory

from idamconf.emulator import Store, create_app
from idamconf.emulator.faults import Faults, parse_spec
from idamconf.graph.budget import Budget
from idamconf.graph.client import GraphClient
from idamconf.graph.connect import _EmulatorToken


class FakeTime:
    def __init__(self):
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


def client_over(app, budget) -> GraphClient:
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://emulator.localhost/v1.0")
    options = {RetryHandlerOption.get_key(): RetryHandlerOption(max_retries=0, should_retry=False)}
    adapter = GraphRequestAdapter(BaseBearerTokenAuthenticationProvider(_EmulatorToken()),
                                  GraphClientFactory.create_with_default_middleware(client=http, options=options))
    return GraphClient(adapter, "http://emulator.localhost/v1.0", budget=budget)


def test_a_bucket_waits_exactly_for_the_refill():
    clock = FakeTime()
    budget = Budget("S", clock=clock, sleep=clock.sleep)

    class Write:
        method, url = "PATCH", "applications/x"

    asyncio.run(budget.spend([Write()] * 2980))
    assert clock.now == 1_000.0  # the write bucket at once, less 1 s of refill (budget.IN_FLIGHT)
    asyncio.run(budget.spend([Write()] * 20))
    assert 1_001.0 <= clock.now < 1_001.01  # 20 more writes: 1 s at 3,000 per 150 s (and a hair)


def test_graph_never_refuses_what_the_client_paced_though_requests_take_time_to_arrive():
    """Graph's bucket refills only once a request arrives; until then it is capped at the quota. Requests here arrive
    up to 0.9 s after they were paced (the first the latest), and Graph's bucket -- the emulator's -- never refuses."""
    from idamconf.emulator.budget import TokenBucket

    clock = FakeTime()
    budget = Budget("S", clock=clock, sleep=clock.sleep)
    graph = TokenBucket(3_000, 150.0, clock)

    class Write:
        method, url = "PATCH", "applications/x"

    async def run():
        arrivals = []
        for number in range(300):  # 6,000 writes: two windows' worth
            await budget.spend([Write()] * 20)
            arrivals.append((clock.now + (0.9 if number == 0 else 0.0), 20))
            while arrivals and arrivals[0][0] <= clock.now:
                arrived, writes = arrivals.pop(0)
                later, clock.now = clock.now, arrived
                assert graph.wait(writes) == 0, f"refused at write {number * 20}"
                graph.take(writes)
                clock.now = later
        return clock.now

    assert asyncio.run(run()) - 1_000.0 < (6_000 - 2_980) / 20 + 1  # and no slower than the refill allows


def test_thousands_of_writes_paced_by_the_client_meet_no_429_from_the_budget():
    clock = FakeTime()
    app = create_app(Store(), Faults(parse_spec("budget=S"), clock=clock))
    client = client_over(app, Budget("S", clock=clock, sleep=clock.sleep))

    async def run():
        created = await client.call("POST", "applications", {"displayName": "paced"})
        app_id = created.body["id"]
        answers = await asyncio.gather(*(client.call("PATCH", f"applications/{app_id}", {"description": f"n{n}"})
                                         for n in range(3_100)))
        return answers

    answers = asyncio.run(run())
    stats = app.state.emulator.stats
    assert all(answer.status == 204 for answer in answers)
    assert stats.injected.get("budget", 0) == 0 and "429" not in stats.statuses
    assert stats.writes == 3_101
    assert client.requests <= 3_101 // 20 + 3  # batched
    assert clock.now - 1_000.0 >= (3_101 - 3_000) / 20 - 1  # waited for the refill, no more than needed
    assert clock.now - 1_000.0 < 10


def test_without_pacing_the_same_writes_are_throttled_and_still_all_land():
    clock = FakeTime()
    app = create_app(Store(), Faults(parse_spec("budget=S"), clock=clock))
    client = client_over(app, None)

    async def run():
        created = await client.call("POST", "applications", {"displayName": "unpaced"})
        app_id = created.body["id"]
        return await asyncio.gather(*(client.call("PATCH", f"applications/{app_id}", {"description": f"n{n}"})
                                      for n in range(3_100)))

    original = asyncio.sleep

    async def fast_sleep(seconds, *args):  # Retry-After waits pass on the fake clock
        clock.now += seconds
        await original(0)

    asyncio.sleep = fast_sleep
    try:
        answers = asyncio.run(run())
    finally:
        asyncio.sleep = original
    assert all(answer.status == 204 for answer in answers)
    assert app.state.emulator.stats.injected.get("budget", 0) > 0  # Graph pushed back; Retry-After was honoured


def test_list_pages_are_paced_too_and_meet_no_429(monkeypatch):
    """A list page goes on its own, outside any `$batch`, and spends Graph's resource units as a batched read does:
    1,200 pages at 3 units each are more than the 3,500 a small tenant allows in 10 s."""
    clock = FakeTime()
    app = create_app(Store(), Faults(parse_spec("budget=S"), clock=clock))
    client = client_over(app, Budget("S", clock=clock, sleep=clock.sleep))
    original = asyncio.sleep

    async def fast_sleep(seconds, *args):  # a Retry-After wait, were Graph to push back, passes on the fake clock
        clock.now += seconds
        await original(0)

    monkeypatch.setattr(asyncio, "sleep", fast_sleep)

    async def run():
        return await asyncio.gather(*(client.get("applications?$expand=owners") for _ in range(1_200)))

    answers = asyncio.run(run())
    stats = app.state.emulator.stats
    assert all(answer.status == 200 for answer in answers)
    assert stats.injected.get("budget", 0) == 0 and "429" not in stats.statuses
    assert 0 < clock.now - 1_000.0 < 2  # waited for the refill of the last pages' units, no more
