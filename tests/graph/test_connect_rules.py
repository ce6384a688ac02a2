"""connect's own refusals, for a Target built some other way than from a validated configuration (defence in depth:
validate refuses these first): whom Microsoft Graph's certificate may come from is never the configuration's to say."""

from __future__ import annotations

import asyncio

import certifi
import httpx
import pytest

from idamconf.graph import connect
from idamconf.graph.clouds import CLOUDS

from .test_token_boundary import Recorder, stand_ins  # noqa: F401 - stand_ins: the fixture


def test_a_ca_bundle_is_refused_for_microsoft_graph_even_one_that_reads(stand_ins):  # noqa: F811
    make, credential, _ = stand_ins
    network = make(lambda request: httpx.Response(200, json={"value": []}))
    target = connect.Target("prod", CLOUDS[0].url, "workload-identity", "t", "c", ca_bundle=certifi.where())

    async def go():
        async with connect.connect(target) as client:
            await client.get_all("applications")

    with pytest.raises(connect.ConnectError, match="environment 'prod': caBundle is only for a served emulator on "
                                                   "loopback. Fix: remove caBundle"):
        asyncio.run(go())
    assert network.sent == [] and credential.scopes == []


def test_a_served_emulators_sign_in_goes_to_its_own_origin_whatever_azure_authority_host_says(monkeypatch):
    from azure.identity import aio

    monkeypatch.setenv("IDAMCONF_PROBE_SECRET", "not-a-real-secret")
    monkeypatch.setenv(connect.AUTHORITY_VARIABLE, "https://login.example.net")
    monkeypatch.setattr(aio, "ClientSecretCredential", Recorder)
    Recorder.made = []
    target = connect.Target("served", "https://127.0.0.1:8443/v1.0", "client-secret", "t", "c",
                            "IDAMCONF_PROBE_SECRET")

    async def go():
        async with connect.connect(target):
            pass

    asyncio.run(go())
    [made] = Recorder.made
    assert made["authority"] == "https://127.0.0.1:8443" and made["disable_instance_discovery"] is True
