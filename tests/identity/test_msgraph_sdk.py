"""The official msgraph-sdk, with azure-identity's real credential, reads an emulated tenant that enforces Graph's
permissions, as it would read Entra's: the token is attached, accepted, and its roles decide what is answered."""

from __future__ import annotations

import asyncio
import ssl

import httpx
import pytest
from azure.identity import aio
from kiota_abstractions.api_error import APIError
from kiota_authentication_azure.azure_identity_authentication_provider import AzureIdentityAuthenticationProvider
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph_core import GraphClientFactory

from idamconf.emulator.identity.enforcement import enforce


def test_the_sdk_signs_in_and_is_held_to_its_permissions(pipeline):
    pipeline.grant("Application.Read.All")
    enforce(pipeline.store)

    async def scenario():
        credential = aio.ClientSecretCredential(pipeline.tenant_id, pipeline.client_id, pipeline.secret,
                                                authority=pipeline.authority, connection_verify=pipeline.ca_bundle)
        auth = AzureIdentityAuthenticationProvider(credential, scopes=["https://graph.microsoft.com/.default"],
                                                   allowed_hosts=["127.0.0.1"])
        http = GraphClientFactory.create_with_default_middleware(client=httpx.AsyncClient(
            verify=ssl.create_default_context(cafile=pipeline.ca_bundle), trust_env=False))
        adapter = GraphRequestAdapter(auth, http)
        adapter.base_url = pipeline.base_url
        client = GraphServiceClient(request_adapter=adapter)
        try:
            applications = await client.applications.get()
            with pytest.raises(APIError) as refused:
                await client.users.get()
            return applications, refused.value
        finally:
            await http.aclose()
            await credential.close()

    applications, refused = asyncio.run(scenario())
    assert "pipeline" in [application.display_name for application in applications.value]
    assert refused.response_status_code == 403
    assert refused.error.code == "Authorization_RequestDenied"
