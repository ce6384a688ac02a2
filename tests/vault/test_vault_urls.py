"""Which vault a client secret may go to (vault/urls.py), as `validate` says it: an Azure Key Vault of the cloud of
the environments' Graph, its name within Key Vault's rules (3 to 24 characters) -- at the edges of each rule, in
each national cloud. The message never repeats the URL (it could hold anything)."""

from __future__ import annotations

import pytest

from idamconf.vault.urls import vault_url_problem

PUBLIC, US, DOD, CHINA = ("https://graph.microsoft.com/v1.0", "https://graph.microsoft.us/v1.0",
                          "https://dod-graph.microsoft.us/v1.0", "https://microsoftgraph.chinacloudapi.cn/v1.0")
NOT_A_VAULT = "vaultUrl is not an Azure Key Vault URL, and idamconf writes a client secret to Azure Key Vault only"


@pytest.mark.parametrize("name", ["abc", "a" * 24, "a-b-c", "contoso-expenses-2026"])
def test_a_vault_name_of_three_to_twenty_four_characters_is_accepted(name):
    assert vault_url_problem(f"https://{name}.vault.azure.net", [PUBLIC]) is None
    assert vault_url_problem(f"https://{name}.vault.azure.net/", [PUBLIC]) is None


@pytest.mark.parametrize("name", ["ab", "a" * 25, "a--b", "-abc", "abc-", "1abc", "Contoso"])
def test_a_vault_name_outside_key_vaults_rules_is_refused(name):
    problem = vault_url_problem(f"https://{name}.vault.azure.net", [PUBLIC])
    assert problem is not None and problem[0] == NOT_A_VAULT and name not in problem[0] + problem[1]


@pytest.mark.parametrize("url", ["https://contoso.vault.azure.net.evil.example", "https://contoso.vault.azure.net/x",
                                 "https://contoso.vault.azure.net:443", "https://contoso.vault.azure.net//",
                                 "https://contoso.vault.azure.net?x=1", "https://contoso.vault.azure.net#x"])
def test_anything_after_the_vaults_host_is_refused(url):
    assert vault_url_problem(url, [PUBLIC])[0] == NOT_A_VAULT


@pytest.mark.parametrize("graph, domain", [(PUBLIC, "vault.azure.net"), (US, "vault.usgovcloudapi.net"),
                                           (DOD, "vault.usgovcloudapi.net"), (CHINA, "vault.azure.cn")])
def test_the_vault_must_be_of_the_cloud_of_the_environments_graph(graph, domain):
    assert vault_url_problem(f"https://contoso.{domain}", [graph]) is None
    for other in {"vault.azure.net", "vault.usgovcloudapi.net", "vault.azure.cn"} - {domain}:
        assert vault_url_problem(f"https://contoso.{other}", [graph]) == (
            f"vaultUrl is a vault of another cloud than the Graph of this application's environments ({domain} "
            "expected)", f"name a vault in the same cloud as graphUrl: https://contoso.{domain}")


def test_only_tenant_environments_decide_the_cloud():
    """No tenant environment (the application is in emulators only): any cloud's vault URL names the emulator's."""
    assert vault_url_problem("https://contoso.vault.azure.cn", []) is None


@pytest.mark.parametrize("url", ["https://vault.evil.example", "https://contoso.vault.azure.net.evil.example"])
def test_no_vault_client_is_made_for_another_url_even_past_validate(tmp_path, url):
    """validate refuses such a URL first; were it ever bypassed, no client (and so no token, no value) is made for
    it: the sink says to run validate."""
    from types import SimpleNamespace

    from idamconf.vault.sinks import VaultError
    from idamconf.vault.vaults import Vaults

    target = SimpleNamespace(embedded=False, credential="default", graph_url=PUBLIC, ca_bundle=None,
                             environment="live", tenant_id="00000000-0000-0000-0000-00000000f001", client_id=None,
                             client_secret_env=None, certificate_path=None)
    with pytest.raises(VaultError) as refused:
        Vaults(target, SimpleNamespace(secret_files=None), tmp_path).sink(url, "expenses-client-secret")
    assert str(refused.value) == "the vault URL is not an Azure Key Vault URL: run idamconf validate"
