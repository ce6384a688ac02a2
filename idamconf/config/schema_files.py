"""The JSON Schemas on disk, for editors: `idamconf schema --write DIR`, and the `$schema` reference a new
application file carries (`# yaml-language-server: $schema=...`), which must resolve wherever the configuration
lives -- in this repository, or in a team's own repository where idamconf is only installed.

A new file refers to the schema its sibling files already refer to, when that reference resolves (or is a URL: a
published location); else to `schemas/application.schema.json` in the configuration directory, which `new app`
writes there if it is missing (the same files as `idamconf schema --write schemas`). The path is relative to the
new file, so the line resolves in every clone of the repository.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from .schema import schema

SCHEMA_NAMES = ("application", "project", "plan")
SCHEMAS_DIR = "schemas"  # in the configuration directory, when no sibling file says where the schema is
_REFERENCE = re.compile(r"^#\s*yaml-language-server:\s*\$schema=(\S+)\s*$")


def write_schemas(directory: Path) -> list[Path]:
    """Every schema as `<name>.schema.json` in `directory` (made if missing, files replaced): the schemas of this
    idamconf, so run it again after an upgrade."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name in SCHEMA_NAMES:
        path = directory / f"{name}.schema.json"
        path.write_text(json.dumps(schema(name), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    return written


def schema_reference(config_dir: Path, target: Path, siblings: list[Path]) -> tuple[str, Path | None]:
    """The `$schema` value for a new application file at `target`, and the schema file to write first (None when
    it exists, or the reference is a URL)."""
    for sibling in siblings:
        found = _reference(sibling)
        if found is None:
            continue
        if "://" in found:
            return found, None
        resolved = (sibling.parent / found)
        if resolved.is_file():
            return _relative(resolved, target.parent), None
    own = Path(config_dir) / SCHEMAS_DIR / "application.schema.json"
    return _relative(own, target.parent), None if own.is_file() else own.parent


def _reference(path: Path) -> str | None:
    """The `$schema=` of a file's first lines, if it has one."""
    try:
        with path.open(encoding="utf-8") as file:
            head = [file.readline() for _ in range(3)]
    except (OSError, UnicodeDecodeError):
        return None
    return next((match.group(1) for line in head if (match := _REFERENCE.match(line.strip()))), None)


def _relative(path: Path, start: Path) -> str:
    return Path(os.path.relpath(os.path.abspath(path), os.path.abspath(start))).as_posix()
