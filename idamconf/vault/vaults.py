"""The vaults one command writes to and reads from, for one environment: each secret's sink by its vault URL.

- A tenant's environment: the vault the URL names (vault/urls.py allowed only Azure Key Vault URLs of the
  environment's cloud), signed in to as Graph is (graph/connect: the same identity and authority); the token's
  scope comes from Key Vault's own challenge, which the client checks names the vault's host.
- An emulator environment: the emulator's vault of that name -- in-process for the embedded emulator (its vault
  file beside the tenant's state), over https for a served one (its CA: the environment's caBundle) -- with a
  made-up token, as the emulator's Graph gets; or, with `secretFiles`, the local file sink (vault/files.py).
"""

from __future__ import annotations

from pathlib import Path

import httpx

from .file_sink import FileSink
from .files import directory_of
from .sinks import KeyVaultSink, VaultError
from .transport import VaultTransport
from .urls import emulated_host, parsed

TIMEOUT = httpx.Timeout(60.0, connect=10.0)


class Vaults:
    def __init__(self, target, environment, root: Path | str, project: str = ""):
        self.target, self.environment, self.root, self.project = target, environment, Path(root), project
        self._clients: dict[str, object] = {}

    def sink(self, vault_url: str, secret_name: str):
        if self.environment.secret_files and self._emulated:
            return FileSink(directory_of(self.root, self.environment.secret_files), secret_name, self._files_named)
        vault = vault_url.rstrip("/")
        if vault not in self._clients:
            self._clients[vault] = self._client(vault)
        return KeyVaultSink(self._clients[vault], vault, secret_name)

    async def close(self) -> None:
        for client in self._clients.values():
            await client.close()
        self._clients.clear()

    @property
    def _files_named(self) -> str:
        """Where idamconf.yaml names the local secret files: what a failure of theirs points at."""
        at = self.environment.secret_files_at
        return f"secretFiles of environment '{self.environment.name}'" + (f", {at}" if at else "")

    @property
    def _emulated(self) -> bool:
        """An emulator's environment: its vaults are the emulator's, whichever credential signs in to its Graph (a
        served emulator also takes azure-identity's real credentials, through its own identity provider)."""
        from ..graph.clouds import is_loopback

        return self.target.embedded or self.target.credential == "emulator" or is_loopback(self.target.graph_url)

    def _client(self, vault: str):
        from azure.keyvault.secrets.aio import SecretClient

        if not parsed(vault):  # validate refused it: never sent anyway
            raise VaultError("the vault URL is not an Azure Key Vault URL: run idamconf validate")
        if self.target.embedded:
            return self._embedded(vault, SecretClient)
        if self._emulated:
            return self._served(vault, SecretClient)
        return self._azure(vault, SecretClient)

    def _embedded(self, vault: str, SecretClient):
        from ..emulator.keyvault import VaultHosts
        from ..emulator.vault_store import VaultStore, vault_path

        vaults = VaultStore(vault_path(self.target.emulator_state))
        # No Graph behind this vault (None): the transport sends only to the vault's own host, which VaultHosts
        # answers itself -- it never hands this client's requests on.
        app = VaultHosts(None, vaults, lambda: self.target.tenant_id or "organizations")
        origin = httpx.URL(f"https://{emulated_host(vault, 'emulator.localhost')}")
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), timeout=TIMEOUT)
        return SecretClient(str(origin), _EmulatorToken(), transport=VaultTransport(client, origin))

    def _served(self, vault: str, SecretClient):
        graph = httpx.URL(self.target.graph_url)
        if graph.scheme != "https":
            raise VaultError(f"environment '{self.target.environment}': the emulator's Key Vault is served over https "
                             "only (Key Vault's clients refuse anything else): serve it with `idamconf emulator serve "
                             "--tls` and set the environment's caBundle")
        origin = httpx.URL(f"https://{emulated_host(vault, 'localhost')}:{graph.port or 443}")
        from ..graph.connect import _trusted  # the environment's caBundle, as its Graph is trusted with

        verify = _trusted(self.target)
        client = httpx.AsyncClient(timeout=TIMEOUT, verify=verify, trust_env=False)  # loopback: never a proxy
        return SecretClient(str(origin), _EmulatorToken(),
                            transport=VaultTransport(client, origin, connect_to=graph.host))

    def _azure(self, vault: str, SecretClient):
        from ..graph.clouds import cloud_of
        from ..graph.connect import _credential  # the identity and authority Graph is signed in to with

        credential = _credential(self.target, cloud_of(self.target.graph_url))
        origin = httpx.URL(vault)
        return SecretClient(vault, credential, transport=VaultTransport(httpx.AsyncClient(timeout=TIMEOUT), origin))


class _EmulatorToken:
    """The emulator accepts any bearer token; this one goes only to the emulator's vaults."""

    async def get_token(self, *scopes, **kwargs):
        from azure.core.credentials import AccessToken

        return AccessToken("idamconf-emulator", 4102444800)  # 2100-01-01: never refreshed

    async def close(self) -> None:
        return None

    async def __aenter__(self):
        return self

    async def __aexit__(self, *args) -> None:
        return None

