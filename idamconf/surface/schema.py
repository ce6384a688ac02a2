"""The application schema's properties for the table's settings (surface/attributes.py), written into
schemas/application.schema.json by `python -m idamconf.surface`. tests/config/test_surface.py checks the file is up to
date, so a setting added to the table and not to the schema fails the suite.

Only the table's settings are written: the schema's other properties (name, owners, roles, ...) are written by hand,
and the objects the table's settings go in (`web`, `api`, ...) keep the properties the table does not declare.
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

from ..config.model import ENVIRONMENT_NAME
from ..config.overrides import FIXED
from .attributes import SP_TAG_SETTINGS, TABLE
from .values import object_description

SCHEMA = Path(__file__).resolve().parent.parent / "schemas" / "application.schema.json"


def with_settings(schema: dict) -> dict:
    """`schema` with the table's settings written in."""
    schema = copy.deepcopy(schema)
    for attribute in TABLE + SP_TAG_SETTINGS:
        properties, path = schema["properties"], attribute.written
        for depth, part in enumerate(path[:-1]):
            owner = ".".join(path[:depth + 1])
            holder = properties.setdefault(part, {"description": object_description(owner), "type": "object",
                                                  "additionalProperties": False, "properties": {}})
            properties = holder.setdefault("properties", {})
        properties[path[-1]] = {**attribute.schema, **({"default": attribute.default}
                                                        if attribute.default not in (None, [])
                                                        and "default" not in attribute.schema else {})}
    return with_overrides(schema)


def with_overrides(schema: dict) -> dict:
    """`overrides.<environment>`: any of the application's properties but those the same everywhere
    (config/overrides.py), none required -- derived from the properties, so it follows them."""
    schema["$defs"]["override"] = {
        "description": "What differs in this environment: mappings are merged key by key with the file's, anything "
                       "else (a value, a list) replaces it.",
        "type": "object", "additionalProperties": False, "minProperties": 1,
        "properties": {name: {"$ref": f"#/properties/{name}"} for name in schema["properties"] if name not in FIXED}}
    schema["properties"]["overrides"] = {
        "description": "Per-environment values: under an environment's name, what differs there (e.g. redirect "
                       "URIs, owners, display name). The plan of an environment shows its values.",
        "type": "object", "propertyNames": {"pattern": f"^{ENVIRONMENT_NAME.pattern}$",
                                            "x-fix": "name an environment of idamconf.yaml, e.g. devl"},
        "additionalProperties": {"$ref": "#/$defs/override"},
        "examples": [{"devl": {"displayName": "WordPress Blog (DEVL)",
                               "web": {"redirectUris": ["https://blog-devl.contoso.com/wp-login.php"]}}}]}
    return schema


def text(schema: dict) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    current = json.loads(SCHEMA.read_text(encoding="utf-8"))
    SCHEMA.write_text(text(with_settings(current)), encoding="utf-8")
    print(f"wrote {SCHEMA}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
