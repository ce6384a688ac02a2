from __future__ import annotations

from pathlib import Path

from ..diagnostics import Diagnostic, DiagnosticError
from ..emulator.seed import SeedError, seed_file
from ..emulator.store import Store


def state_path(config_dir: Path, env: str | None, state: Path | None) -> Path:
    if state is not None:
        return state
    from ..config.load import load_configuration
    from ..workflow import target_for

    target = target_for(load_configuration(config_dir), env)
    if not target.embedded:
        raise DiagnosticError([Diagnostic(f"environment '{target.environment}' is not an embedded emulator",
                                          "name an emulator environment with --env, or a state file with --state")])
    return target.emulator_state


def run(file: Path, config_dir: Path, env: str | None, state: Path | None) -> int:
    path = state_path(config_dir, env, state)
    try:
        counts = seed_file(Store(path), file)
    except SeedError as error:
        raise DiagnosticError([Diagnostic(str(error), "see examples/emulator/directory.yaml for the format")])
    print(f"Seeded {path}: {counts['users']} user(s), {counts['applications']} application(s).")
    return 0
