"""The local file sink: for an emulator environment only, an engineer's machine may keep applications' secrets in
files instead of the emulator's vault (`secretFiles: ~/.idamconf-secrets/local` in idamconf.yaml).

Decisions:
- Emulator environments only (validate refuses it elsewhere): the organisation's secrets live in a vault, never on a
  laptop; an emulated tenant's secrets open nothing real.
- Outside the configuration directory, always: a file inside would be one `git add .` away from the repository.
- Each secret is two files, both mode 0600 from their creation (written whole: a temporary file renamed over):
  `<secretName>.secret`, the newest value alone (what a developer's application reads), and
  `<secretName>.keys.json`, the key ids that have had a copy (the crash check of credentials/rotation.py reads
  this, never the value), written after the value. Unlike a vault, the file keeps no older version: during an
  overlap the superseded value is only where it was already read. The names are
  Key Vault secret names (letters, digits, hyphens) with idamconf's suffixes, so nothing else in the directory can
  be overwritten.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..config.confined import inside
from ..diagnostics import Diagnostic


def directory_of(root: Path | str, secret_files: str) -> Path:
    """The directory an environment's `secretFiles` names (`~` expanded; relative to the configuration's root)."""
    return (Path(root) / os.path.expanduser(secret_files)).absolute()


def secret_files_problems(configuration, project, name: str) -> list[Diagnostic]:
    environment = configuration.environments[name]
    if not environment.secret_files:
        return []
    at = ("environments", name, "secretFiles")
    if not (environment.emulator or environment.credential == "emulator"):
        return [project.diagnostic(at, "secretFiles is for emulator environments only: a tenant's client secrets go "
                                   "to Key Vault and nowhere else", "remove secretFiles from this environment")]
    if inside(Path(configuration.root), directory_of(configuration.root, environment.secret_files)):
        return [project.diagnostic(at, "secretFiles is inside the configuration directory, where a secret is one "
                                   "commit away from the repository", "name a directory outside it, e.g. "
                                   "~/.idamconf-secrets/local")]
    return []


class FileSink:
    """One secret's files in the environment's directory."""

    def __init__(self, directory: Path, secret_name: str):
        self.value_file = directory / f"{secret_name}.secret"
        self.keys_file = directory / f"{secret_name}.keys.json"

    async def write(self, value: str, key_id: str, expires, tags: dict) -> None:
        self.value_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        held = sorted(await self.key_ids() | {key_id.lower()})
        _write(self.value_file, value.encode())  # first: a key id is listed only once its value is written
        _write(self.keys_file, json.dumps({"keyIds": held, "newest": key_id.lower(), "expires": expires.isoformat(),
                                           "tags": tags}, indent=2).encode())

    async def key_ids(self) -> set[str]:
        try:
            return {str(key).lower() for key in json.loads(self.keys_file.read_text())["keyIds"]}
        except FileNotFoundError:
            return set()
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise OSError(f"{self.keys_file} cannot be read ({error})") from None

    async def retire(self, key_id: str) -> None:
        return None  # the file holds only the newest value: a removed one is not in it

    async def close(self) -> None:
        return None


def _write(path: Path, content: bytes) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.unlink(missing_ok=True)
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)
    os.replace(temporary, path)
