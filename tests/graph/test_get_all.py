"""Reading a list: every page, in order, each object kept as `keep` says, and no request more than the pages --
though the next page is asked for before the current one is worked through."""

from __future__ import annotations

import asyncio

import pytest

from idamconf.emulator import Store, create_app
from idamconf.emulator.faults import Faults, parse_spec

from .test_budget import client_over


def test_every_page_once_in_order_kept_as_asked():
    app = create_app(Store(), Faults(parse_spec("")))
    client = client_over(app, None)

    async def run():
        for number in range(7):
            await client.call("POST", "applications", {"displayName": f"app {number}"})
        before = client.requests
        kept = await client.get_all("applications?$select=id,displayName&$top=3",
                                    lambda app: app["displayName"].upper())
        return kept, client.requests - before

    kept, requests = asyncio.run(run())
    assert kept == [f"APP {number}" for number in range(7)]
    assert requests == 3  # pages of 3, 3 and 1


def test_a_keep_that_fails_leaves_no_request_behind():
    app = create_app(Store(), Faults(parse_spec("")))
    client = client_over(app, None)

    def keep(app):
        raise ValueError("refused")

    async def run():
        for number in range(4):
            await client.call("POST", "applications", {"displayName": f"app {number}"})
        with pytest.raises(ValueError):
            await client.get_all("applications?$top=2", keep)
        await asyncio.sleep(0)
        return [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]

    assert asyncio.run(run()) == []


def test_a_page_read_is_let_go_at_once_not_left_to_the_cycle_collector():
    """A page of a long list can be ~1 MB; at 10,000 applications tens of them arrive close together. httpx's
    response and its stream refer to each other, so unless that is undone, each response (with its content) waits
    for the cycle collector -- a plan's peak memory grew by tens of MB so."""
    import gc

    import httpx

    app = create_app(Store(), Faults(parse_spec("")))
    client = client_over(app, None)

    async def run():
        for number in range(5):
            await client.call("POST", "applications", {"displayName": f"app {number}"})
        gc.collect()
        gc.disable()
        try:
            kept = await client.get_all("applications?$select=id,displayName&$top=2", lambda app: app["id"])
            return kept, [item for item in gc.get_objects() if isinstance(item, httpx.Response)]
        finally:
            gc.enable()

    kept, responses = asyncio.run(run())
    assert len(kept) == 5
    assert responses == []  # none left alive (the cycle collector was off: only refcounting could free them)
