"""What the service provider's team is given for a SAML application (saml/idp_metadata.py): the identity provider's
endpoints on the tenant's own cloud -- https on its sign-in host, never plain http -- or the emulator's own origin."""

from __future__ import annotations

import pytest

from idamconf.escape import terminal
from idamconf.saml.idp_metadata import authority, handover_lines, metadata_url, sign_on_url

TENANT, APP = "11111111-2222-4333-8444-555555555555", "66666666-7777-4888-9999-000000000000"


@pytest.mark.parametrize("graph,login", [("https://graph.microsoft.com/v1.0", "login.microsoftonline.com"),
                                         ("https://graph.microsoft.us/v1.0", "login.microsoftonline.us"),
                                         ("https://microsoftgraph.chinacloudapi.cn/v1.0", "login.chinacloudapi.cn")])
def test_a_clouds_endpoints_are_https_on_its_sign_in_host(graph, login):
    assert metadata_url(authority(graph), TENANT, APP) == (f"https://{login}/{TENANT}/federationmetadata/2007-06/"
                                                           f"federationmetadata.xml?appid={APP}")
    assert sign_on_url(authority(graph), TENANT) == f"https://{login}/{TENANT}/saml2"


def test_an_emulators_endpoints_are_on_its_own_origin():
    assert sign_on_url(authority("https://127.0.0.1:8931/v1.0"), TENANT) == f"https://127.0.0.1:8931/{TENANT}/saml2"


def test_the_hand_over_shows_what_the_tenant_returned_as_text_never_as_terminal_controls():
    """apply prints it from Graph's answers (a thumbprint, an expiry), which a tenant's administrator can set."""
    facts = {"thumbprint": "AB\x1b]8;;https://evil.example\x07CD", "expires": "2029-01-01\n::error::forged"}
    text = "\n".join(handover_lines({"pui": facts}, terminal))
    assert "\x1b" not in text and "\x07" not in text and "\n::error::" not in text
    assert "(none)" in text  # the facts Graph did not give
