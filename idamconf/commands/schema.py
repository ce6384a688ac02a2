from __future__ import annotations

import json

from ..config.schema import schema
from ..diagnostics import Diagnostic, DiagnosticError


def run(name: str) -> int:
    if name not in {"application", "project", "plan"}:
        raise DiagnosticError([Diagnostic(f"no schema named '{name}'",
                                          "use: idamconf schema application | project | plan")])
    print(json.dumps(schema(name), indent=2))
    return 0
