"""A secret's place in Key Vault, through the real azure-keyvault-secrets client: written with its expiry, content
type and tags (application, key id, project), and listed by version to tell which key ids have a copy.

The value is handed to `set_secret` and dropped: the answer (which repeats it) is let go at once, and nothing here
logs or keeps it. Errors are turned into `VaultError`, one line that names the vault and never the value (Key Vault's
error bodies do not repeat a request's body; the client's own logging of bodies is off unless `logging_enable`).
"""

from __future__ import annotations

import datetime as _dt

from ..graph.client import Unrecoverable
from . import urls

CONTENT_TYPE = "Entra ID client secret"  # Key Vault's contentType: what the value is, for whoever reads it
KEY_ID_TAG = "keyId"


class VaultError(Unrecoverable):
    """The vault could not be read or written: one line, naming the vault, never a value (a plan that cannot read
    a vault stops, saying so; apply turns it into its step's failure, apply_secrets.py), and how to fix it when
    idamconf can say: kept apart (`fix`), so that apply can say first what became of the step."""

    def __init__(self, summary: str, fix: str = ""):
        self.summary, self.fix = summary, fix
        super().__init__(summary + fixed(fix))


def fixed(fix: str) -> str:
    """How to fix it, as the end of a one-line message (nothing when there is nothing to say)."""
    return f". Fix: {fix}" if fix else ""


# Key Vault's answer to a write of a name whose secret was deleted and is kept by soft-delete (409 Conflict, inner
# error ObjectIsDeletedButRecoverable): the name is held until the secret is recovered or purged.
SOFT_DELETED = "ObjectIsDeletedButRecoverable"


class KeyVaultSink:
    def __init__(self, client, vault: str, secret_name: str):
        self.client, self.vault, self.secret_name = client, vault, secret_name

    async def write(self, value: str, key_id: str, expires: _dt.datetime, tags: dict) -> None:
        try:
            await self.client.set_secret(self.secret_name, value, expires_on=expires, content_type=CONTENT_TYPE,
                                         tags={**tags, KEY_ID_TAG: key_id})
        except Exception as error:  # noqa: BLE001 - azure-core's, httpx's and the transport's errors alike
            raise VaultError(f"writing secret {self.secret_name} to {self.vault} failed: {_first_line(error)}",
                             self._deleted_fix() if _inner_code(error) == SOFT_DELETED else "") from None

    async def prepare(self) -> None:
        return None  # whether the vault takes the write is known only by writing: a refusal removes the password

    def _deleted_fix(self) -> str:
        name = (urls.parsed(self.vault) or ("<vault name>",))[0]
        return (f"a secret of that name was deleted, and Key Vault keeps it (soft-delete) until it is purged: recover "
                f"it (`az keyvault secret recover --vault-name {name} --name {self.secret_name}`) and apply again "
                f"-- its versions come back, the disabled ones disabled -- or purge it (`az keyvault secret purge "
                f"--vault-name {name} --name {self.secret_name}`: its values are gone for good), or give the secret "
                "another keyvault.secretName")

    async def retire(self, key_id: str) -> None:
        """Disable the versions holding a removed password's value."""
        try:
            async for properties in self.client.list_properties_of_secret_versions(self.secret_name):
                if properties.enabled and (properties.tags or {}).get(KEY_ID_TAG, "").lower() == key_id.lower():
                    await self.client.update_secret_properties(self.secret_name, properties.version, enabled=False)
        except Exception as error:  # noqa: BLE001
            raise VaultError(f"disabling its version of secret {self.secret_name} in {self.vault} failed: "
                             f"{_first_line(error)}") from None

    async def key_ids(self) -> set[str]:
        from azure.core.exceptions import ResourceNotFoundError

        try:
            return {str(properties.tags[KEY_ID_TAG]).lower()
                    async for properties in self.client.list_properties_of_secret_versions(self.secret_name)
                    if properties.tags and properties.tags.get(KEY_ID_TAG)}
        except ResourceNotFoundError:
            return set()
        except Exception as error:  # noqa: BLE001
            raise VaultError(f"reading the versions of secret {self.secret_name} in {self.vault} failed: "
                             f"{_first_line(error)}") from None


def _inner_code(error: Exception) -> str | None:
    """Key Vault's inner error code of an azure-core error (`error.error.innererror.code`), if it has one."""
    inner = getattr(getattr(error, "error", None), "innererror", None)
    return inner.get("code") if isinstance(inner, dict) else None


def _first_line(error: Exception) -> str:
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__
