"""Exported applications written as files: one per application, named after it, in the format a person writes (the
`$schema` line, keys in the documented order, what the file cannot express said in comments at its top).

A file is never overwritten without `--force` -- except to add another environment to a file export wrote (or a
person wrote) for the same application: the second environment's values that differ from the file's go under
`overrides.<environment>`, and the environment joins `environments`.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from ..config.overrides import FIXED
from .document import ORDER, Exported

SCHEMA_LINE = "# yaml-language-server: $schema=../../schemas/application.schema.json"
NAME = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


def file_name(app: dict, taken: set[str]) -> str:
    """The application's `name`: its uniqueName when it has one (Graph never changes it), else its display name
    made into one (lowercase letters, digits, hyphens), unique among `taken`."""
    if app.get("uniqueName") and NAME.match(app["uniqueName"]):
        return app["uniqueName"]
    base = re.sub(r"[^a-z0-9]+", "-", (app.get("displayName") or "application").lower()).strip("-")[:60] or "app"
    name, number = base, 2
    while name in taken:
        name, number = f"{base}-{number}", number + 1
    return name


def text(exported: Exported, environment: str) -> str:
    lines = [SCHEMA_LINE, f"# Exported by idamconf from environment {environment}."]
    if exported.notes:
        lines.append("# Not written here, and left as they are in the tenant:")
        lines += [f"#   - {note}" for note in exported.notes]
    return "\n".join(lines) + "\n" + _yaml(exported.document)


class _Dumper(yaml.SafeDumper):
    """Lists indented under their key, as the examples and `new app` write them."""

    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)


def _yaml(document: dict) -> str:
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=118,
                     default_flow_style=False)


def with_environment(existing: dict, exported: dict, environment: str) -> dict | None:
    """The document of a file that holds the application already, with `environment` added: its values that differ
    from the file's under `overrides.<environment>`. None if the file is not this application's."""
    if existing.get("name") != exported["name"]:
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
