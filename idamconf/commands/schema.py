"""`idamconf schema [NAME]`: print a JSON Schema; `--write DIR`: write them all as files, for editors."""

from __future__ import annotations

import json
from pathlib import Path

from ..config.schema import schema
from ..config.schema_files import SCHEMA_NAMES, write_schemas
from ..diagnostics import Diagnostic, DiagnosticError
from . import outputs


def run(name: str, write: Path | None = None) -> int:
    if write is not None:
        outputs.ready(write, "--write", directory=True)
        with outputs.writing(write, "--write", directory=True):
            written = write_schemas(write)
        for path in written:
            print(f"Wrote {path}")
        print(f"Point each file at them with a first line such as `# yaml-language-server: $schema=<path from the "
              f"file to {write}/application.schema.json>` (project.schema.json for idamconf.yaml).")
        return 0
    if name not in SCHEMA_NAMES:
        raise DiagnosticError([Diagnostic(f"no schema named '{name}'",
                                          "use: idamconf schema application | project | plan")])
    print(json.dumps(schema(name), indent=2))
    return 0
