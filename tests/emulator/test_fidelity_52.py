"""Session 52's fidelity review of the emulator against Microsoft Graph v1.0's documentation
(microsoftgraph/microsoft-graph-docs-contrib, and the same descriptions in the msgraph-sdk models this project pins;
"inferred" where the docs do not say it in so many words)."""

from __future__ import annotations

import pytest

from .test_app_rules import certificate

LONG_NAME = "CN=" + "payroll-signing." * 8  # 131 characters: a certificate subject longer than Graph keeps


# ------------------------------------------------------------------------------ a certificate's display name
def test_a_certificates_display_name_longer_than_90_characters_is_taken_and_kept_as_its_first_90(api):
    """keycredential.md, displayName: "with a maximum length of 90 characters. Longer values are accepted but
    shortened." -- so what a client sends is not what it reads back."""
    app = api.create_app(keyCredentials=[certificate(displayName=LONG_NAME)])
    assert [c["displayName"] for c in api.get(f"applications/{app['id']}").json()["keyCredentials"]] == \
        [LONG_NAME[:90]]
    held = api.get(f"applications/{app['id']}").json()["keyCredentials"]
    response = api.patch(f"applications/{app['id']}", json={"keyCredentials": [
        *held, certificate(displayName="x" * 91), certificate(displayName="y" * 90)]})
    assert response.status_code == 204, response.text
    assert [c["displayName"] for c in api.get(f"applications/{app['id']}").json()["keyCredentials"]] == \
        [LONG_NAME[:90], "x" * 90, "y" * 90]


def test_a_service_principals_certificate_display_name_is_shortened_as_an_applications(api):
    app = api.create_app()
    principal = api.post("servicePrincipals", json={"appId": app["appId"]}).json()
    response = api.patch(f"servicePrincipals/{principal['id']}",
                         json={"keyCredentials": [certificate(displayName=LONG_NAME)]})
    assert response.status_code == 204, response.text
    assert [c["displayName"] for c in api.get(f"servicePrincipals/{principal['id']}").json()["keyCredentials"]] == \
        [LONG_NAME[:90]]
