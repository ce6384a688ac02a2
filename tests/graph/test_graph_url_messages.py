"""Where a token may go, as `validate` says it: each refusal of a `graphUrl` whole (what is wrong, and the fix with
the allowed forms written out), and the edges of what is allowed (a loopback port up to 65535). The URL refused is
never repeated (tests/graph/test_token_boundary.py checks that for many more forms)."""

from __future__ import annotations

from tests.cli.harness import edit, idamconf

GRAPH_URLS = ("https://graph.microsoft.com/v1.0, https://graph.microsoft.us/v1.0, https://dod-graph.microsoft.us/v1.0, "
              "https://microsoftgraph.chinacloudapi.cn/v1.0 (the global service, US Government L4 and L5, China "
              "operated by 21Vianet)")
LOOPBACK = "http://127.0.0.1:PORT/v1.0, http://localhost:PORT/v1.0 or http://[::1]:PORT/v1.0 (or https)"
TENANT = ("    tenantId: 00000000-0000-0000-0000-0000000ab001\n    clientId: 00000000-0000-0000-0000-0000000ab002\n"
          "    certificatePath: certs/idamconf.pem\n")


def validate_with(project, graph_url: str, credential: str):
    edit(project / "idamconf.yaml", "environments:\n",
         f"environments:\n  probe:\n    graphUrl: {graph_url}\n    credential: {credential}\n{TENANT}")
    return idamconf("validate", "-C", str(project))


def refusal(project, what: str, fix: str) -> str:
    return f"{project / 'idamconf.yaml'}:15:15: error: environments.probe.graphUrl: {what}\n    fix: {fix}\n"


def test_a_tenant_credential_pointed_at_loopback_is_told_where_its_token_may_go(project):
    result = validate_with(project, "http://127.0.0.1:8931/v1.0", "certificate")
    assert result.code == 1
    assert result.err.startswith(refusal(
        project, "credential 'certificate' signs in to Entra ID, and that token goes only to Microsoft Graph, not to "
                 "a loopback address",
        f"write one of {GRAPH_URLS}; for an emulator on this machine, add credential: emulator, or sign in to an "
        "emulator served with --tls at https://127.0.0.1:PORT/v1.0 (its own identity provider)\n")), result.err


def test_a_tenant_credential_pointed_elsewhere_is_told_the_allowed_forms(project):
    result = validate_with(project, "https://graph.contoso.example/v1.0", "certificate")
    assert result.code == 1
    assert result.err.startswith(refusal(
        project, "not a Microsoft Graph endpoint, and credential 'certificate' would send the tenant's token there",
        f"write one of {GRAPH_URLS}; for an emulator on this machine, credential: emulator with {LOOPBACK}")), \
        result.err


def test_the_emulator_credential_takes_a_loopback_port_up_to_65535(project):
    assert validate_with(project, "http://127.0.0.1:65535/v1.0", "emulator").code == 0
    edit(project / "idamconf.yaml", "65535", "65536")
    result = idamconf("validate", "-C", str(project))
    assert result.code == 1
    assert result.err.startswith(refusal(
        project, "credential 'emulator' is only for an emulator on this machine, and graphUrl is not a loopback "
                 "address",
        f"write {LOOPBACK}; for a tenant, use a Graph endpoint with another credential")), result.err


def test_a_credential_that_signs_in_may_use_a_served_emulator_over_tls_and_default_may_not(project):
    """A secret, a certificate or a federated token may sign in to an emulator served with --tls (its own identity
    provider, the same origin); DefaultAzureCredential may not (it also asks the machine's managed identity)."""
    assert validate_with(project, "https://127.0.0.1:8443/v1.0", "certificate").code == 0
    edit(project / "idamconf.yaml", "credential: certificate", "credential: default")
    result = idamconf("validate", "-C", str(project))
    assert result.code == 1
    assert result.err.startswith(refusal(
        project, "credential 'default' signs in to Entra ID, and that token goes only to Microsoft Graph, not to a "
                 "loopback address",
        f"write one of {GRAPH_URLS}; for an emulator on this machine, add credential: emulator\n")), result.err
