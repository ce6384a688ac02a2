"""Exported applications written as files: one per application, named after it, in the format a person writes (the
`$schema` line, keys in the documented order, what the file cannot express said in comments at its top).

A file is never overwritten without `--force` -- except to add another environment to a file export wrote (or a
person wrote) for the same application: the second environment's values that differ from the file's go under
`overrides.<environment>`, and the environment joins `environments`.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..config.model import APPLICATION_NAME
from ..config.overrides import FIXED
from .document import ORDER, Exported
from .emit import emit, one_line



def file_name(app: dict, taken: set[str], joinable=lambda name: False) -> str:
    """The application's `name`: its uniqueName when it has one (Graph never changes it), else its display name
    made into one (lowercase letters, digits, hyphens), unique among `taken` -- unless `joinable(name)`: a file of
    that name holds the application in other environments only, which this environment's copy joins (docs/
    migrating.md: each tenant exported into the same files)."""
    if app.get("uniqueName") and APPLICATION_NAME.fullmatch(app["uniqueName"]):  # (fullmatch: no line break)
        return app["uniqueName"]
    base = re.sub(r"[^a-z0-9]+", "-", (app.get("displayName") or "application").lower()).strip("-")[:60] or "app"
    name, number = base, 2
    while name in taken and not joinable(name):
        name, number = f"{base}-{number}", number + 1
    return name


def text(exported: Exported, environment: str, schema: str) -> str:
    """The file; `schema`: its `$schema` reference, as `new app` writes it (config/schema_files.schema_reference)."""
    lines = [f"# yaml-language-server: $schema={schema}", f"# Exported by idamconf from environment {environment}."]
    if exported.notes:
        lines.append("# Not written here, and left as they are in the tenant:")
        lines += [f"#   - {one_line(note)}" for note in exported.notes]  # notes quote the tenant
    return "\n".join(lines) + "\n" + emit(exported.document)


def with_environment(existing: dict, exported: dict, environment: str) -> dict | None:
    """The document of a file that holds the application already, with `environment` added: its values that differ
    from the file's under `overrides.<environment>`. None if the file is not this application's -- or not in the
    shape of one (`environments` a list of names, `overrides` a mapping), which nothing is merged into."""
    if existing.get("name") != exported["name"] or not _shaped(existing):
        return None
    merged = {key: value for key, value in existing.items() if key != "overrides"}
    listed = existing.get("environments")
    if listed is not None and environment not in listed:
        merged["environments"] = [*listed, environment]
    override = {key: value for key, value in exported.items() if key not in FIXED and existing.get(key) != value}
    overrides = dict(existing.get("overrides") or {})
    if override:
        overrides[environment] = override
    if overrides:
        merged["overrides"] = overrides
    return {key: merged[key] for key in (*ORDER, "overrides") if key in merged}


def _shaped(existing: dict) -> bool:
    listed, overrides = existing.get("environments", []), existing.get("overrides")
    return isinstance(listed, list) and all(isinstance(name, str) for name in listed) and \
        (overrides is None or isinstance(overrides, dict))
