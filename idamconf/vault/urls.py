"""Which vault a configuration may send a client secret to: an Azure Key Vault of one of Microsoft's clouds,
written exactly as `https://<vault name>.<the cloud's vault domain>` (a trailing slash allowed) -- nothing else.

A pull request can change `keyvault.vaultUrl`, and a secret written there is given away; so, as for `graphUrl`
(graph/clouds.py), the URL is matched whole against the documented forms rather than parsed: no user information,
port, path, query, upper case or look-alike host gets through. In a tenant's environment the vault must be of the
cloud its Graph is (a token for one cloud's vaults is refused by another's); in an emulator environment the same URL
names the emulator's vault of that name, so one application file serves every environment and a secret made in the
emulator never leaves the machine.

Pure: no I/O (validate imports this).
"""

from __future__ import annotations

import re

from ..graph.clouds import cloud_of

# Key Vault DNS suffixes per cloud (Azure Key Vault, "About keys, secrets and certificates": vault.azure.net,
# vault.usgovcloudapi.net, vault.azure.cn), keyed by the Graph host of the same cloud.
VAULT_DOMAINS = {"graph.microsoft.com": "vault.azure.net", "graph.microsoft.us": "vault.usgovcloudapi.net",
                 "dod-graph.microsoft.us": "vault.usgovcloudapi.net",
                 "microsoftgraph.chinacloudapi.cn": "vault.azure.cn"}
# A vault name: 3-24 characters, letters, digits and hyphens, starting with a letter, ending with a letter or digit,
# no two hyphens in a row (Key Vault's naming rules).
_NAME = r"(?P<name>[a-z](?:[a-z0-9]|-(?!-)){1,22}[a-z0-9])"
_VAULT_URL = re.compile(rf"https://{_NAME}\.(?P<domain>vault\.azure\.net|vault\.usgovcloudapi\.net|vault\.azure\.cn)/?")
FORMS = "https://<vault name>.vault.azure.net (vault.usgovcloudapi.net or vault.azure.cn in the national clouds)"
SECRET_NAME = re.compile(r"[0-9A-Za-z-]{1,127}")


def parsed(vault_url: str) -> tuple[str, str] | None:
    """(vault name, vault domain) of a vault URL a configuration may name, else None."""
    match = _VAULT_URL.fullmatch(vault_url)
    return (match["name"], match["domain"]) if match else None


def vault_url_problem(vault_url: str, graph_urls: list[str]) -> tuple[str, str] | None:
    """(what is wrong, how to fix it), or None. `graph_urls`: the graphUrl of each tenant environment the application
    is in (not the emulators'). The URL is never repeated: it could hold anything, a password included."""
    found = parsed(vault_url)
    if found is None:
        return ("vaultUrl is not an Azure Key Vault URL, and idamconf writes a client secret to Azure Key Vault only",
                f"write it as the portal shows it, lower case: {FORMS}")
    clouds = {VAULT_DOMAINS[cloud.host] for cloud in map(cloud_of, graph_urls) if cloud is not None}
    wrong = sorted(clouds - {found[1]})
    if wrong:
        return (f"vaultUrl is a vault of another cloud than the Graph of this application's environments "
                f"({wrong[0]} expected)", f"name a vault in the same cloud as graphUrl: https://{found[0]}.{wrong[0]}")
    return None


def emulated_host(vault_url: str, graph_host: str) -> str:
    """The emulator's host for the vault a URL names: `<vault name>.vault.<graph host>` -- a name under
    `.localhost`, always loopback (RFC 6761), and one that Key Vault's challenge check accepts (the vault's host
    must lie under the challenge's resource, here `vault.<graph host>`)."""
    name = parsed(vault_url)[0]
    return f"{name}.vault.{graph_host}"


__all__ = ["FORMS", "SECRET_NAME", "emulated_host", "parsed", "vault_url_problem"]
