from __future__ import annotations

from pathlib import Path

from ..config.load import read
from ..escape import terminal
from . import report_diagnostics


def run(config_dir: Path) -> int:
    configuration, problems = read(config_dir)
    if problems:
        return report_diagnostics(problems)
    count = len(configuration.applications)
    print(f"Configuration is valid: project '{terminal(configuration.project)}', {count} application(s), "
          f"{len(configuration.environments)} environment(s).")
    return 0
