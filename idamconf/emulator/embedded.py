"""The embedded emulator: the `local` environment's tenant, in-process, with its state in `.idamconf/`."""

from __future__ import annotations

import os
from pathlib import Path

from .app import create_app
from .faults import NoFaults, from_environment
from .seed import seed_file
from .store import Store


def open_app(state: Path, seed: Path | None = None, faults=None):
    """The ASGI app over the state file; a new state file is seeded from `seed` (directory users) first. Without a
    fault policy, the one `IDAMCONF_EMULATOR_FAULTS` describes, if set (a bad spec raises `FaultSpecError`)."""
    faults = faults or from_environment(os.environ) or NoFaults()
    fresh = not Path(state).exists()
    store = Store(state)
    if fresh and seed is not None:
        seed_file(store, seed)
    return create_app(store, faults)


def reset(state: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(state) + suffix).unlink(missing_ok=True)
