"""`idamconf environments`: the environments a pipeline plans -- every one idamconf.yaml declares that is a tenant
(never an emulator: the pipeline never plans against one) -- or, with `--changed-since REF`, those a change touches:
every one if idamconf.yaml changed, else each environment of each application file added, changed or removed (as
it is now, and as it was: an application leaving an environment touches it). In idamconf.yaml's order, as lines or
as a JSON list (a workflow's matrix)."""

from __future__ import annotations

import json
from pathlib import Path

from ..config import yamlfile
from ..config.load import PROJECT_FILE, project_configuration
from ..diagnostics import Diagnostic, DiagnosticError
from .changed import changed_documents


def run(config_dir: Path, changed_since: str | None, output: str) -> int:
    configuration = _project(Path(config_dir))
    tenants = [name for name, environment in configuration.environments.items() if not environment.emulator]
    if changed_since is not None:
        documents, project_changed = changed_documents(config_dir, changed_since)
        if not project_changed:
            touched = {name for document in documents for name in _environments(document, tenants)}
            tenants = [name for name in tenants if name in touched]
    print(json.dumps(tenants) if output == "json" else "".join(f"{name}\n" for name in tenants), end="\n" if
          output == "json" else "")
    return 0


def _project(config_dir: Path):
    """idamconf.yaml's configuration: enough, even while an application file is broken (validate says why; the
    pull request's comment must still say which environments it touches)."""
    document, problems = yamlfile.load(config_dir / PROJECT_FILE, str(config_dir / PROJECT_FILE))
    configuration = project_configuration(config_dir, document)
    if configuration is None:
        raise DiagnosticError(problems or [Diagnostic(f"{config_dir / PROJECT_FILE} is missing or not valid",
                                                      f"run idamconf validate -C {config_dir}")])
    return configuration


def _environments(document: dict, every: list[str]) -> list[str]:
    listed = document.get("environments")
    return [name for name in listed if isinstance(name, str)] if isinstance(listed, list) else every
