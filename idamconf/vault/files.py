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
- Without its value file, a secret holds no copy, whatever its key list says (a value file deleted, or removed
  because its key list could not be written): the next plan adds a new one, as for a vault secret with no copy.
- A file system's refusal is a VaultError like a vault's, naming the file, the `secretFiles` line of idamconf.yaml
  and the fix (vault/file_sink.py, the I/O; this module is what validate imports).
"""

from __future__ import annotations

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
