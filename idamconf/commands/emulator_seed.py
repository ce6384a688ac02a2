from __future__ import annotations

from pathlib import Path

from ..diagnostics import Diagnostic, DiagnosticError
from ..emulator.embedded import opened, prepare
from ..emulator.seed import SeedError, seed_file
from ..emulator.store import Store


def emulated_tenant(config_dir: Path, env: str | None, state: Path | None) -> tuple[Path, Path | None, dict]:
    """The state file to act on, and the environment's own seed and tenant (for a state file that does not exist
    yet: see emulator/embedded.prepare)."""
    if state is not None:
        return state, None, {}
    from ..config.load import load_configuration
    from ..workflow import target_for

    target = target_for(load_configuration(config_dir), env)
    if not target.embedded:
        raise DiagnosticError([Diagnostic(f"environment '{target.environment}' is not an embedded emulator",
                                          "name an emulator environment with --env, or a state file with --state")])
    return target.emulator_state, target.emulator_seed, target.emulated_tenant


def run(file: Path, config_dir: Path, env: str | None, state: Path | None) -> int:
    path, own_seed, tenant = emulated_tenant(config_dir, env, state)
    counts = {}

    def seeded(store: Store, fresh: bool) -> None:
        if fresh:
            prepare(store, own_seed, tenant)  # as the embedded emulator would on first use
        counts.update(seed_file(store, file))

    try:
        opened(path, seeded).close()
    except SeedError as error:
        raise DiagnosticError([Diagnostic(str(error), "see examples/emulator/directory.yaml for the format")])
    print(f"Seeded {path}: {counts['users']} user(s), {counts['groups']} group(s), "
          f"{counts['directoryRoles']} directory role(s), {counts['applications']} application(s).")
    return 0
