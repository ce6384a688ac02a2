"""The embedded emulator: the `local` environment's tenant, in-process, with its state in `.idamconf/`."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from .app import create_app
from .faults import NoFaults, from_environment
from .seed import seed as seed_fixtures
from .seed import seed_file
from .store import StateFileError, Store
from .vault_store import vault_path


def open_app(state: Path, seed: Path | None = None, faults=None, tenant: dict | None = None):
    """The ASGI app over the state file; a new state file is made by `prepare` first. Without a fault policy, the
    one `IDAMCONF_EMULATOR_FAULTS` describes, if set (a bad spec raises `FaultSpecError`)."""
    faults = faults or from_environment(os.environ) or NoFaults()
    return create_app(opened(state, lambda store, fresh: fresh and prepare(store, seed, tenant)), faults)


def opened(state: Path, then) -> Store:
    """The tenant's store, after `then(store, fresh)` -- `fresh`: the state file is new. All or nothing for a new
    one: when `then` fails (a seed file that cannot be read or seeded) the file is removed again, else the next use
    would find it, skip the seed, and take an unseeded tenant for the seeded one (owners "not a user in the tenant"
    once the seed was fixed). An existing state is left to `then`'s own transaction."""
    fresh, made = not Path(state).exists(), not Path(state).parent.exists()
    store = Store(state)
    try:
        then(store, fresh)
    except BaseException:
        store.close()
        if fresh:
            reset(state)
        if made:  # the directory made for it (.idamconf/), if nothing else is there
            with contextlib.suppress(OSError):
                Path(state).parent.rmdir()
        raise
    return store


def prepare(store: Store, seed: Path | None, tenant: dict | None) -> None:
    """A new emulated tenant: its seed file (directory users, the tenant), then what the environment declares of
    the tenant (`tenant`: id, verifiedDomains), which an embedded emulator's tenant takes as its own -- so that
    `validate`'s view of the environment and the emulated tenant agree. Raises SeedError."""
    if seed is not None:
        seed_file(store, seed)
    if tenant:
        seed_fixtures(store, {"tenant": tenant}, "the environment's tenantId and verifiedDomains")


def reset(state: Path) -> None:
    """The tenant's state and its vault's (emulator/vault_store.py). Only files are removed: a directory named as
    the state raises StateFileError, before anything is."""
    for path in (Path(state), Path(vault_path(state))):
        if path.is_dir():
            raise StateFileError(path, "it is a directory", "name the state file itself (reset removes files only)")
    for suffix in ("", "-wal", "-shm"):
        Path(str(state) + suffix).unlink(missing_ok=True)
        Path(vault_path(state) + suffix).unlink(missing_ok=True)
