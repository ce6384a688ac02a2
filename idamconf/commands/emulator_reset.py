from __future__ import annotations

from pathlib import Path

from ..emulator.embedded import reset
from .emulator_seed import emulated_tenant


def run(config_dir: Path, env: str | None, state: Path | None) -> int:
    path, _, _ = emulated_tenant(config_dir, env, state)
    reset(path)
    print(f"Emulated tenant reset: {path} removed; it is created (and seeded) again on next use.")
    return 0
